"""The HTML report, checked on the markup: escaping, counts, lazy bodies, the chart data, the CLI.

What a person sees in a browser is checked in test_output_report_browser.py.
"""

from __future__ import annotations

import io
import json
import logging
import re
import struct
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import stance.output.report
from stance.cli import app
from stance.errors import EXIT_SOME_FAILED
from stance.output.colours import STANCE_COLOURS
from stance.output.report import (
    OPEN_ARTICLES,
    chart_rows,
    corpus_speakers,
    render_report,
    save_chart_png,
    write_report,
)
from stance.records import Analysis, Quote, Span, SpeakerStance

TEMPLATES = Path(stance.output.report.__file__).parent / "templates"

HOSTILE = (
    'Intro.\n<script>window.pwned = 1</script> <img src=x onerror="window.pwned = 2">\n'
    'Ann Lee said: "Close </script><!-- the <b>camps</b> & ports."\n'
)


class _Text(HTMLParser):
    """Collects what a browser would show as text (character references resolved)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def shown_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return "".join(parser.chunks)


def article_bodies(page: str) -> list[str]:
    """The HTML of each article body, as the page's script will insert it."""
    found = re.findall(r'<script type="application/json" id="article-\d+-body">(.*?)</script>', page, re.DOTALL)
    return [json.loads(body) for body in found]


def quote_in(text: str, content: str, speaker: str | None, mention: str | None, stance: str = "against") -> Quote:
    start = text.index(content)
    part = Span.of(text, start, start + len(content))
    mention_span = None
    if mention is not None:
        at = text.index(mention)
        mention_span = Span.of(text, at, at + len(mention))
    scores = {"favor": 0.1, "against": 0.1, "neutral": 0.1} | {stance: 0.8}
    return Quote(part.start, part.end, part.text, "direct", (part,), mention=mention_span,
                 speaker=speaker, stance=stance, scores=scores)


SCRIPT_SPEAKER = "Ann <script>alert(1)</script> <i>Lee</i>"


@pytest.fixture
def hostile_analysis() -> Analysis:
    speaker = SCRIPT_SPEAKER
    quote = quote_in(HOSTILE, '"Close </script><!-- the <b>camps</b> & ports."', speaker, "Ann Lee")
    stance = SpeakerStance(speaker, "person", None, "against", dict(quote.scores), 1, {"against": 1})
    return Analysis('doc"<1>&', HOSTILE, "ports & <camps>", (quote,), (), (stance,))


def test_report_escapes_every_piece_of_document_text(hostile_analysis):
    page = render_report([hostile_analysis], [*hostile_analysis.stances], title="<Report>")
    # Our own elements only: the page's script and one JSON body per article.
    assert page.count("<script") == 2
    assert "<img" not in page and "<b>" not in page and "<i>" not in page
    assert "&lt;Report&gt;" in page and 'doc&#34;&lt;1&gt;&amp;' in page and "ports &amp; &lt;camps&gt;" in page
    (body,) = article_bodies(page)
    assert "<script" not in body and "<img" not in body
    assert shown_text(body).endswith(HOSTILE)
    # The speaker's name, escaped in the filter, the table, the chart and the tooltip.
    escaped = "Ann &lt;script&gt;alert(1)&lt;/script&gt; &lt;i&gt;Lee&lt;/i&gt;"
    assert f">{escaped} (1)</option>" in page
    assert f"{escaped}</td>" in body and f"<title>{escaped}: " in body
    assert re.search(r'data-tip="Ann &lt;script&gt;alert\(1\)&lt;/script&gt;', body)
    assert SCRIPT_SPEAKER in shown_text(page) and SCRIPT_SPEAKER in shown_text(body)


def test_report_json_bodies_cannot_end_their_script_element(hostile_analysis):
    page = render_report([hostile_analysis], None)
    raw = re.search(r'id="article-0-body">(.*?)</script>', page, re.DOTALL).group(1)
    assert "</" not in raw and "<!--" not in raw
    text = json.loads(raw).split('<div class="text">')[1]
    assert shown_text(text).count("</script>") == HOSTILE.count("</script>")


@pytest.mark.parametrize("value", ["</script>", "<!-- x -->", "<</SCRIPT", "\\</script>", "a & b <b>", "it's"])
def test_report_json_bodies_round_trip_without_ending_the_script(value):
    page = render_report([Analysis("x", value, None, (), ())], None)
    raw = re.search(r'id="article-0-body">(.*?)</script>', page, re.DOTALL).group(1)
    assert "</" not in raw and "<!--" not in raw
    assert shown_text(json.loads(raw)).endswith(value)


def test_report_keeps_the_article_text_exactly(seed_analysis):
    (body,) = article_bodies(render_report([seed_analysis], None))
    text = body[body.index('<div class="text">'):]
    assert shown_text(text) == seed_analysis.text


def test_report_counts_quotes_mentions_and_speakers(seed_analysis):
    page = render_report([seed_analysis], None)
    (body,) = article_bodies(page)
    assert body.count('<mark class="quote') == len(seed_analysis.quotes)
    assert body.count('tabindex="0"') == len(seed_analysis.quotes)
    mentions = {(q.mention.start, q.mention.end) for q in seed_analysis.quotes if q.mention}
    assert body.count('<u class="mention') == len(mentions)
    assert body.count("<tr data-speaker=") == len(seed_analysis.stances)
    assert body.count("<g data-speaker=") == len(seed_analysis.stances)
    assert f"{len(seed_analysis.quotes)} quotes" in page
    # Single articles have no overview; every speaker is in the filter.
    assert 'id="overview"' not in page
    assert len(re.findall(r'<option value="[^"]+"', page)) == len(seed_analysis.stances) + 3  # + stances


def test_report_tooltip_names_speaker_kind_cue_stance_and_probabilities(seed_analysis):
    (body,) = article_bodies(render_report([seed_analysis], None))
    quote = next(q for q in seed_analysis.quotes if q.speaker == "Joanne Lin")
    tip = re.search(r'<mark [^>]*data-tip="([^"]*)"[^>]*>' + re.escape(quote.text[:20]), body).group(1)
    assert tip.split("\n") == [
        "Joanne Lin",
        f"{quote.kind} quote · cue “{quote.cue.text}”",
        f"stance: {quote.stance}",
        " · ".join(f"{label} {quote.scores[label]:.2f}" for label in ("favor", "against", "neutral")),
    ]


def test_report_corpus_has_overview_with_links_to_every_article(seed_analysis):
    other = replace(seed_analysis, id="second")
    corpus = [replace(stance, quotes=2 * stance.quotes, articles=2) for stance in seed_analysis.stances]
    page = render_report([seed_analysis, other], corpus)
    assert page.index('id="overview"') < page.index('id="article-0"')
    assert 'href="#article-0"' in page and 'href="#article-1"' in page
    overview = page[page.index('id="overview"'):page.index('id="article-0"')]
    assert overview.count("<tr data-speaker=") == len(corpus)
    assert overview.count("<tr data-article=") == 2


def test_report_without_network_references(seed_analysis):
    page = render_report([seed_analysis, seed_analysis], [*seed_analysis.stances])
    assert not re.search(r'\b(src|href|action)="(?!#)', page)
    assert "http:" not in page and "https:" not in page and "url(" not in page
    assert "default-src 'none'" in page


@pytest.mark.parametrize("articles, opened", [(1, 1), (OPEN_ARTICLES, OPEN_ARTICLES), (OPEN_ARTICLES + 1, 0)])
def test_report_opens_bodies_only_for_small_reports(seed_analysis, articles, opened):
    page = render_report([replace(seed_analysis, id=str(n)) for n in range(articles)], None)
    assert page.count("<details open>") == opened
    # Bodies are data until opened: no quote is markup outside the JSON bodies.
    assert "<mark" not in re.sub(r'<script type="application/json".*?</script>', "", page, flags=re.DOTALL)
    assert len(article_bodies(page)) == articles


def test_report_nests_quotes_within_quotes(caplog):
    text = "Bo Ray said: we will close the ports, and soon."
    outer = quote_in(text, "we will close the ports", "Bo Ray", "Bo Ray")
    inner = quote_in(text, "close the", "Someone", None)
    crossing = quote_in(text, "ports, and soon", "Someone", None)
    analysis = Analysis("x", text, None, (crossing, inner, outer), ())
    with caplog.at_level(logging.WARNING, logger="stance.output.report.page"):
        (body,) = article_bodies(render_report([analysis], None))
    text_html = body[body.index('<div class="text">'):]
    assert text_html.count("<mark") == 3
    marks = r"<mark [^>]*>we will <mark [^>]*>close the</mark> <mark [^>]*>ports</mark></mark>, and soon"
    assert re.search(marks, text_html)
    assert shown_text(text_html) == text
    assert ["runs past the end" in r.getMessage() for r in caplog.records] == [True]


def test_report_gives_the_most_quoted_speakers_distinct_colours():
    # Ten speakers; speaker k is quoted k + 1 times, so S9 .. S2 are the eight most quoted.
    text = "".join(f"S{k} said: point {n}.\n" for k in range(10) for n in range(k + 1))
    quotes = []
    for line in re.finditer(r"(S\d) said: (point \d+\.)", text):
        part = Span.of(text, line.start(2), line.end(2))
        quotes.append(Quote(part.start, part.end, part.text, "direct", (part,), speaker=line.group(1)))
    (body,) = article_bodies(render_report([Analysis("many", text, None, tuple(quotes), ())], None))
    colour_of = {speaker: colour for colour, speaker in re.findall(
        r'<mark class="quote (c\w)"[^>]*data-tip="(S\d)', body)}
    assert sorted(colour_of[f"S{k}"] for k in range(2, 10)) == [f"c{n}" for n in range(8)]
    assert colour_of["S9"] == "c0" and colour_of["S0"] == colour_of["S1"] == "co"


@st.composite
def texts_with_quotes(draw):
    text = draw(st.text(alphabet="ab <>&\"'\n/!-", min_size=1, max_size=60))
    quotes = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start, len(text)))
        mention_start = draw(st.integers(0, len(text) - 1))
        mention = Span.of(text, mention_start, draw(st.integers(mention_start + 1, len(text))))
        speaker = draw(st.sampled_from([None, "A", "B <b>"]))
        quotes.append(Quote(start, end, text[start:end], "direct", (Span.of(text, start, end),),
                            mention=mention, speaker=speaker))
    return Analysis("generated", text, None, tuple(quotes), ())


@settings(max_examples=60, deadline=None)
@given(texts_with_quotes())
def test_report_any_quotes_keep_the_text_and_get_one_mark_each(analysis):
    (body,) = article_bodies(render_report([analysis], None))
    text_html = body[body.index('<div class="text">'):]
    assert shown_text(text_html) == analysis.text
    assert text_html.count("<mark") == sum(quote.end > quote.start for quote in analysis.quotes)


def test_report_shows_quotes_without_speaker_or_stance():
    text = "Officials said: nothing changes."
    quote = replace(quote_in(text, "nothing changes.", None, None), stance=None, scores=None)
    (body,) = article_bodies(render_report([Analysis("x", text, None, (quote,), ())], None))
    assert 'class="quote cn"' in body and 'data-stance=""' in body
    assert "(no speaker)\ndirect quote · no cue\nstance: not classified" in body


def stance_of(name: str, quotes: int, counts: dict[str, int], scores: dict[str, float] | None = None):
    return SpeakerStance(name, "person", None, "neutral", scores or {}, quotes, counts)


@pytest.mark.parametrize(
    "stance, shares",
    [
        (stance_of("a", 4, {"favor": 3, "against": 1, "neutral": 0}), {"favor": 0.75, "against": 0.25, "neutral": 0.0}),
        (stance_of("b", 2, {}, {"favor": 0.2, "against": 0.5, "neutral": 0.3}), {"favor": 0.2, "against": 0.5, "neutral": 0.3}),
    ],
)
def test_report_chart_rows_share_quotes_by_label(stance, shares):
    (row,) = chart_rows([stance])
    assert row.shares == pytest.approx(shares)
    segments = row.segments()
    assert [label for label, _, _ in segments] == ["against", "neutral", "favor"]
    # The bar's parts touch, and neutral is centred on the axis.
    (_, against_left, against), (_, neutral_left, neutral), (_, favor_left, _) = segments
    assert against_left + against == pytest.approx(neutral_left)
    assert neutral_left + neutral == pytest.approx(favor_left)
    assert neutral_left == pytest.approx(-neutral / 2)


def test_report_chart_rows_keep_the_most_quoted():
    stances = [stance_of(name, quotes, {"favor": quotes}) for name, quotes in [("a", 1), ("b", 5), ("c", 3)]]
    assert [row.name for row in chart_rows(stances, limit=2)] == ["b", "c"]


def test_report_chart_png_is_a_picture_of_the_chart(seed_analysis, tmp_path):
    image = pytest.importorskip("matplotlib.image")
    path = save_chart_png(seed_analysis.stances, tmp_path / "out" / "chart.png", title="Seed")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    # 8 inches at 150 dpi; 1.2 inches and 0.4 per speaker high.
    assert (width, height) == (1200, round(150 * (1.2 + 0.4 * len(seed_analysis.stances))))
    pixels = image.imread(path)  # decodes the whole file
    assert pixels.shape[:2] == (height, width)
    colours = {tuple(round(float(c) * 255) for c in pixel[:3]) for pixel in pixels.reshape(-1, pixels.shape[2])}
    for label in ("favor", "against", "neutral"):  # the seed's speakers have all three
        assert tuple(int(STANCE_COLOURS[label][i : i + 2], 16) for i in (1, 3, 5)) in colours


def test_report_inlines_its_css_and_js_files_and_the_palette(seed_analysis):
    page = render_report([seed_analysis], None)
    for name in ("report.css", "report.js"):
        assert (TEMPLATES / name).read_text(encoding="utf-8").strip() in page
    for label, colour in STANCE_COLOURS.items():
        assert f"--{label}:{colour};" in page  # the stance badges
        assert f'style="background:{colour}"></span>{label}' in page  # the legend
    (body,) = article_bodies(page)
    assert f'fill="{STANCE_COLOURS["against"]}"' in body  # the chart


def test_report_merges_speakers_only_across_articles_toward_one_target(seed_analysis):
    other = replace(seed_analysis, id="second")
    assert corpus_speakers([seed_analysis]) is None
    assert corpus_speakers([seed_analysis, replace(other, target="the budget")]) is None
    merged = corpus_speakers([seed_analysis, other])
    assert {(s.name, s.articles, s.quotes) for s in merged} == {
        (s.name, 2, 2 * s.quotes) for s in seed_analysis.stances
    }


def test_report_write_report_says_what_it_wrote(seed_analysis, tmp_path):
    pytest.importorskip("matplotlib")
    stream = io.StringIO()
    mixed = [seed_analysis, replace(seed_analysis, id="second", target="the budget")]
    report = write_report(mixed, stream, title="T", png=tmp_path / "chart.png")
    assert (report.articles, report.targets, report.corpus) == (2, 2, None)
    assert report.png == tmp_path / "chart.png" and report.png.stat().st_size > 0
    assert "Speakers across articles" not in stream.getvalue() and 'id="overview"' in stream.getvalue()


runner = CliRunner()


@pytest.fixture
def fake_model(monkeypatch, keyword_model, scripted_quotes):
    """`stance report` with the keyword model and scripted quotes, whatever --model says."""
    monkeypatch.setattr("stance.classify.load_model", lambda name=None, **options: keyword_model)
    return keyword_model


def test_cli_report_writes_the_page_and_chart(fake_model, tmp_path):
    docs = tmp_path / "docs.jsonl"
    rows = [{"id": "one", "text": "Ann Lee: We support the rules.\nBo Ray: The rules are cruel.\n"},
            {"id": "two", "text": "Ann Lee: We welcome the progress.\n"}]
    docs.write_text("".join(json.dumps(row) + "\n" for row in rows) + "not json\n", encoding="utf-8")
    out, png = tmp_path / "report.html", tmp_path / "chart.png"
    result = runner.invoke(app, ["report", str(docs), "-o", str(out), "--png", str(png), "--title", "T"])
    assert result.exit_code == EXIT_SOME_FAILED, result.output
    assert "Skipped" in result.stderr and f"Wrote {out}" in result.stderr
    page = out.read_text(encoding="utf-8")
    assert 'id="overview"' in page and page.count('class="article"') == 2
    overview = page[page.index('id="overview"'):page.index('id="article-0"')]
    assert "Ann Lee" in overview and "Bo Ray" in overview
    if png.exists():  # matplotlib is in the test extra, but the page must not need it
        image = pytest.importorskip("matplotlib.image")
        assert image.imread(png).shape[0] > 0


def test_cli_report_to_stdout_without_corpus_table_for_mixed_targets(fake_model, tmp_path):
    docs = tmp_path / "docs.jsonl"
    rows = [{"id": "one", "text": "Ann Lee: We support it.\n"},
            {"id": "two", "text": "Bo Ray: It is cruel.\n", "target": "the budget"}]
    docs.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    result = runner.invoke(app, ["report", str(docs)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!doctype html>")
    assert "2 targets" in result.stderr and "Speakers across articles" not in result.stdout
