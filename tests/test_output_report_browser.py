"""The HTML report in a real browser: headless Chromium driven by Playwright's Python package.

Asserts on what a person sees (rows, highlights, tooltips, filters), not on the markup. Needs the
Debian `chromium` package at /usr/bin/chromium and the `playwright` package (the test extra);
`.ci/run` installs both. Playwright's own browser downloads are never used.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from stance.records import Analysis, Quote, Span, SpeakerStance
from stance.output.report import render_report

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SEED = Path(__file__).resolve().parents[1] / "fixtures" / "cnn-ice-record-deportations-2011.txt"

if not CHROMIUM.exists():
    pytest.skip(f"no browser at {CHROMIUM}: apt-get install chromium (as .ci/run does)", allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]' (as .ci/run does)"
)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_report(browser, tmp_path):
    """Open a page in the browser; returns ``(page, requests)`` with every URL the page asked for."""
    pages = []

    def open_page(page_html: str, name: str = "report.html"):
        path = tmp_path / name
        path.write_text(page_html, encoding="utf-8")
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        pages.append(page)
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(path.as_uri(), wait_until="load")
        return page, requests

    yield open_page
    for page in pages:
        page.close()


def speaker_option(page, name: str) -> str:
    """The filter's value for a speaker, found by the name a person reads in the list."""
    return page.locator("#filter-speaker option", has_text=name).first.get_attribute("value")


def visible_rows(table) -> list[list[str]]:
    """The text of each cell of the table's body rows that a person can see."""
    return table.evaluate(
        "t => Array.from(t.tBodies[0].rows).filter(r => r.offsetParent !== null)"
        ".map(r => Array.from(r.cells).map(c => c.innerText.trim()))"
    )


def highlighted(page):
    return page.locator("mark.quote:not(.off)")


def check_seed_page(page, requests, analysis: Analysis, tmp_path: Path) -> None:
    """What a reader of the seed article's report must see, whichever stages produced it."""
    assert requests == [page.url]  # the page itself, nothing else

    # One table row per speaker, showing their stance.
    table = page.locator("section.article table")
    shown = {row[0]: row[3] for row in visible_rows(table)}
    assert shown == {stance.name: stance.stance for stance in analysis.stances}
    for surname in ("Morton", "Lin", "Napolitano", "Palmore", "ICE"):
        assert any(surname in name for name in shown), f"no row for {surname} in {sorted(shown)}"

    # Every quote highlighted; each is reachable with the keyboard.
    marks = highlighted(page)
    assert marks.count() == len(analysis.quotes)
    assert page.locator("mark.quote[tabindex='0']").count() == len(analysis.quotes)

    # Focusing a quote shows its tooltip; Tab moves on to the next quote and its tooltip.
    quote = min(analysis.quotes, key=lambda q: (q.start, -q.end))  # the first in the text
    marks.first.focus()
    tip = page.locator("#tip")
    assert tip.is_visible()
    assert tip.inner_text().split("\n")[:3] == [
        quote.speaker or "(no speaker)",
        f"{quote.kind} quote · " + (f"cue “{quote.cue.text}”" if quote.cue else "no cue"),
        f"stance: {quote.stance}",
    ]
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "MARK"
    assert tip.inner_text().split("\n")[0] == marks.nth(1).get_attribute("data-tip").split("\n")[0]
    page.keyboard.press("Escape")
    assert not tip.is_visible()

    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 10_000

    # The speaker filter hides everyone else: rows, bars and highlights.
    name = analysis.stances[0].name
    page.select_option("#filter-speaker", speaker_option(page, name))
    assert [row[0] for row in visible_rows(table)] == [name]
    assert page.locator("svg g[data-speaker]:visible").count() == 1
    own = [q for q in analysis.quotes if q.speaker == name]
    assert highlighted(page).count() == len(own)
    for n in range(len(own)):
        highlighted(page).nth(n).hover()
        assert tip.inner_text().startswith(name + "\n")
    unhighlighted = page.locator("mark.quote.off").first
    assert unhighlighted.evaluate("m => getComputedStyle(m).backgroundColor") == "rgba(0, 0, 0, 0)"
    page.select_option("#filter-speaker", "")
    assert highlighted(page).count() == len(analysis.quotes)


def test_browser_seed_report_hand_built(open_report, seed_analysis, tmp_path):
    page, requests = open_report(render_report([seed_analysis], None, title="Seed"))
    check_seed_page(page, requests, seed_analysis, tmp_path)
    assert page.locator("h1").inner_text() == "Seed"
    # The hand-built stances (see conftest.py), as a reader would check them.
    table = page.locator("section.article table")
    assert {row[0]: row[3] for row in visible_rows(table)} == {
        "John Morton": "favor", "Joanne Lin": "against", "Janet Napolitano": "favor",
        "Gregory Palmore": "neutral", "ICE": "favor",
    }

    # The stance filter keeps the quotes with that stance only.
    page.select_option("#filter-stance", "against")
    against = [q for q in seed_analysis.quotes if q.stance == "against"]
    assert highlighted(page).count() == len(against)
    assert [row[0] for row in visible_rows(table)] == ["Joanne Lin"]


def test_browser_seed_report_from_the_extractor(open_report, keyword_model, seed_text, tmp_path):
    """The real quote and speaker stages on the seed, with the keyword stand-in for the model."""
    from stance.pipeline import Pipeline
    from stance.records import Article

    (analysis,) = Pipeline(keyword_model).analyze([Article("seed", seed_text)])
    page, requests = open_report(render_report([analysis], None))
    check_seed_page(page, requests, analysis, tmp_path)


@pytest.mark.slow
def test_browser_seed_report_from_the_command_line(open_report, tmp_path):
    """`stance report` on the seed with the shipped models, checked against what the pipeline finds."""
    from typer.testing import CliRunner

    from stance.cli import app
    from stance.pipeline import Pipeline
    from stance.reading import read_documents

    (analysis,) = Pipeline().analyze(read_documents([SEED]))
    out = tmp_path / "seed.html"
    result = CliRunner().invoke(app, ["report", str(SEED), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page, requests = open_report(out.read_text(encoding="utf-8"))
    check_seed_page(page, requests, analysis, tmp_path)


def test_browser_script_in_an_article_does_not_run(open_report):
    text = (
        "Intro.\n<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">\n"
        'Ann Lee said: "Close </script><script>window.pwned = 3</script> the ports."\n'
    )
    content = '"Close </script><script>window.pwned = 3</script> the ports."'
    start = text.index(content)
    part = Span.of(text, start, start + len(content))
    at = text.index("Ann Lee")
    scores = {"favor": 0.1, "against": 0.8, "neutral": 0.1}
    quote = Quote(part.start, part.end, part.text, "direct", (part,), mention=Span.of(text, at, at + 7),
                  speaker="<b>Ann</b>", stance="against", scores=scores)
    stance = SpeakerStance("<b>Ann</b>", "person", None, "against", scores, 1, {"against": 1})
    page, requests = open_report(render_report([Analysis("<i>x</i>", text, None, (quote,), (), (stance,))], None))
    assert page.evaluate("window.pwned") is None
    assert page.locator("div.text").inner_text() == text
    assert page.locator("section.article h2").inner_text() == "<i>x</i>"
    assert page.locator("section.article table tbody td").first.inner_text() == "<b>Ann</b>"
    assert page.locator("img, b, i").count() == 0
    assert requests == [page.url.split("#")[0]]


def test_browser_table_sorts_by_clicked_column(open_report, seed_analysis):
    page, _ = open_report(render_report([seed_analysis], None))
    header = page.locator("section.article th", has_text="P(against)")

    def column():
        cells = page.locator("section.article tbody tr td:nth-child(10)")
        return [float(cells.nth(n).inner_text()) for n in range(cells.count())]

    header.locator("button").click()
    assert column() == sorted(column()) and header.get_attribute("aria-sort") == "ascending"
    header.locator("button").press("Enter")
    assert column() == sorted(column(), reverse=True) and header.get_attribute("aria-sort") == "descending"


def test_browser_large_corpus_builds_articles_on_demand(open_report, seed_analysis):
    """1,000 articles: only the overview is built up front; an article is built when opened."""
    text = "Bo Ray said: nothing will change here.\n"
    start = text.index("nothing")
    part = Span.of(text, start, len(text) - 1)
    scores = {"favor": 0.2, "against": 0.2, "neutral": 0.6}
    quote = Quote(part.start, part.end, part.text, "indirect", (part,), mention=Span.of(text, 0, 6),
                  speaker="Bo Ray", stance="neutral", scores=scores)
    short = Analysis("short", text, None, (quote,), (),
                     (SpeakerStance("Bo Ray", "person", None, "neutral", scores, 1, {"neutral": 1}),))
    analyses = [replace(seed_analysis if n % 2 else short, id=f"doc-{n}") for n in range(1000)]
    corpus = [*seed_analysis.stances, *short.stances]
    page, requests = open_report(render_report(analyses, corpus))

    assert page.locator("#overview tbody tr[data-article]").count() == 1000
    assert page.locator("mark").count() == 0
    page.locator('a[href="#article-501"]').click()
    article = page.locator("#article-501")
    article.locator("mark.quote").first.wait_for()
    assert article.locator("mark.quote").count() == len(seed_analysis.quotes)
    assert page.locator("mark").count() == len(seed_analysis.quotes)

    page.select_option("#filter-speaker", speaker_option(page, "Bo Ray"))
    assert page.locator("section.article:visible").count() == 500
    assert page.locator("#overview tr[data-article]:visible").count() == 500
    assert page.locator("#filter-status").inner_text() == "500 of 1000 articles shown"
    assert requests == [page.url.split("#")[0]]

