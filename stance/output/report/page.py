"""The report page: one self-contained HTML file rendered by Jinja2 from ``templates/``.

`render_report` returns one page (inline CSS, JS and SVG; no fonts, images or requests): an
overview of the corpus (stance chart, sortable speaker table, article index), then one section
per article with its own table, chart and text, every quote highlighted in its speaker's colour
and the mention it was attributed from underlined. Hovering or focusing a quote shows its speaker,
kind, cue, stance and probabilities; the page can be filtered by speaker and by stance.

This module prepares the values (rows, chart geometry, pieces of text); the templates lay them
out. The style and script are the real files ``templates/report.css`` and ``report.js``, inlined
by ``report.html``.

Safety: Jinja2 autoescapes every value in the templates, so document text (article text, ids,
names, cues, targets) can never become markup. Article bodies are passed to the page's script as
JSON inside ``<script type="application/json">`` through Jinja2's ``tojson``, which writes ``<``,
``>``, ``&`` and ``'`` as ``\\u`` escapes: no ``</script>`` or ``<!--`` in a document can end or
bend that element.

Size: a corpus of 1,000 articles must open in a few seconds, so article bodies (table, chart,
highlighted text) are not in the DOM up front; each section is a collapsed ``<details>`` whose
body is built from its JSON when opened. Reports of up to `OPEN_ARTICLES` articles open them all.

Colours (`stance.output.colours`): within each article the speaker colours go to the most quoted
speakers, any others share grey stripes (the tooltip and filter still tell them apart), and pale
grey marks quotes with no speaker.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import jinja2

from stance.output.colours import (
    NO_SPEAKER_COLOUR,
    OTHER_SPEAKERS_COLOUR,
    SPEAKER_COLOURS,
    STANCE_COLOURS,
)
from stance.output.report.chart import DEFAULT_TITLE, bar_thickness, chart_rows
from stance.output.tables import plural
from stance.records import STANCE_LABELS, Analysis, Quote, SpeakerStance

logger = logging.getLogger(__name__)

NO_SPEAKER_LABEL = "(no speaker)"
# Reports with at most this many articles show every article body open.
OPEN_ARTICLES = 20
# The columns of the sortable tables: (name, "text" or "num", which decides how they sort).
SPEAKER_COLUMNS = (
    ("speaker", "text"), ("kind", "text"), ("role", "text"), ("stance", "text"), ("quotes", "num"),
    *((label, "num") for label in STANCE_LABELS),
    *((f"P({label})", "num") for label in STANCE_LABELS),
)  # fmt: skip
CORPUS_SPEAKER_COLUMNS = (*SPEAKER_COLUMNS, ("articles", "num"))
ARTICLE_COLUMNS = (
    ("article", "text"), ("quotes", "num"), ("speakers", "num"),
    *((f"{label} speakers", "num") for label in STANCE_LABELS),
)  # fmt: skip
# The chart's layout in pixels: speaker names, each half of the bar, a row, the quote counts.
_LABEL_WIDTH, _HALF, _ROW_HEIGHT, _COUNT_WIDTH = 190, 220, 28, 60


def render_report(
    analyses: Sequence[Analysis],
    corpus: Sequence[SpeakerStance] | None,
    title: str = DEFAULT_TITLE,
) -> str:
    """The report page for ``analyses`` as one HTML string.

    ``corpus`` is the speakers merged across the articles (`stance.aggregate.merge_corpus`); when
    given, the page opens with an overview of it. Quotes without stance (not classified) are shown
    and counted, with no stance.
    """
    speakers = _SpeakerIndex(analyses, corpus)
    articles = [_article(number, analysis, speakers) for number, analysis in enumerate(analyses)]
    overview = None
    if corpus is not None or len(analyses) > 1:
        overview = _Overview(
            corpus=None if corpus is None else _speaker_rows(corpus, speakers, None),
            chart=None if corpus is None else _chart(
                corpus, speakers, "Favor and against share per speaker, all articles", "overview-chart"
            ),
        )  # fmt: skip
    return _environment().get_template("report.html").render(
        title=title,
        targets=" / ".join(sorted({a.target for a in analyses if a.target})) or "—",
        analyses=analyses,
        quotes=sum(len(analysis.quotes) for analysis in analyses),
        speakers=speakers,
        overview=overview,
        articles=articles,
        open_bodies=len(analyses) <= OPEN_ARTICLES,
        speaker_colours=SPEAKER_COLOURS,
        no_speaker_colour=NO_SPEAKER_COLOUR,
        other_speakers_colour=OTHER_SPEAKERS_COLOUR,
        stance_colours=STANCE_COLOURS,
        article_columns=ARTICLE_COLUMNS,
    )


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("stance.output.report", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["plural"] = plural
    # Document text as it is (not \u-escaped); tojson still escapes what could end a script.
    environment.policies["json.dumps_kwargs"] = {"ensure_ascii": False}
    environment.globals.update(
        stance_labels=STANCE_LABELS,
        speaker_columns=SPEAKER_COLUMNS,
        corpus_speaker_columns=CORPUS_SPEAKER_COLUMNS,
    )
    return environment


class _SpeakerIndex:
    """Every speaker of the report, numbered (most quoted first) for the filter and the page's data.

    Names are matched ignoring case and spacing, as `merge_corpus` merges them.
    """

    def __init__(self, analyses: Sequence[Analysis], corpus: Sequence[SpeakerStance] | None):
        quoted: Counter[str] = Counter()
        shown: dict[str, str] = {}
        names = [stance.name for stance in corpus or ()]
        names += [stance.name for analysis in analyses for stance in analysis.stances]
        names += [quote.speaker or NO_SPEAKER_LABEL for analysis in analyses for quote in analysis.quotes]
        for name in names:
            shown.setdefault(_speaker_key(name), name)
        for analysis in analyses:
            quoted.update(_speaker_key(quote.speaker or NO_SPEAKER_LABEL) for quote in analysis.quotes)
        keys = sorted(shown, key=lambda key: (-quoted[key], shown[key].casefold()))
        # (name, quotes) of each speaker, in the filter's order: an option's value is its number.
        self.options = [(shown[key], quoted[key]) for key in keys]
        self.quoted_speakers = sum(shown[key] != NO_SPEAKER_LABEL for key in keys)
        self._numbers = {key: number for number, key in enumerate(keys)}

    def number(self, name: str | None) -> int:
        return self._numbers[_speaker_key(name or NO_SPEAKER_LABEL)]


def _speaker_key(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class _SpeakerRow:
    """One speaker's row of a speaker table; ``colour`` is their colour class in the article."""

    speaker: int
    name: str
    kind: str
    role: str
    stance: str
    quotes: int
    counts: list[int]
    scores: list[float]
    articles: int
    colour: str | None


@dataclass(frozen=True)
class _Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class _ChartLine:
    """One speaker's bar in the SVG chart; ``baseline`` is the y of its labels."""

    speaker: int
    stance: str
    tooltip: str
    label: str
    baseline: float
    bars: list[_Bar]
    quotes: int


@dataclass(frozen=True)
class _Chart:
    id: str
    title: str
    width: int
    height: int
    axis: int
    counts_x: int
    label_width: int
    lines: list[_ChartLine]


@dataclass(frozen=True)
class _Overview:
    corpus: list[_SpeakerRow] | None
    chart: _Chart | None


@dataclass(frozen=True)
class _Plain:
    text: str
    kind = "plain"


@dataclass(frozen=True)
class _Mention:
    text: str
    colour: str
    speaker: int
    kind = "mention"


@dataclass(frozen=True)
class _Mark:
    """One quote's highlight, around the pieces of text it holds (other quotes may nest inside)."""

    colour: str
    speaker: int
    stance: str
    tip: str
    pieces: list[_Plain | _Mention | _Mark]
    kind = "mark"


@dataclass(frozen=True)
class _Article:
    number: int
    name: str
    target: str | None
    quotes: int
    speakers: int
    counts: list[int]  # the article index's numbers: quotes, speakers, speakers per stance
    quoted: str  # "speaker:stance" of its quotes, so that the filters work on closed articles
    rows: list[_SpeakerRow]
    chart: _Chart | None
    pieces: list[_Plain | _Mention | _Mark]


def _article(number: int, analysis: Analysis, speakers: _SpeakerIndex) -> _Article:
    stances = Counter(stance.stance for stance in analysis.stances)
    colours = _article_colours(analysis)
    return _Article(
        number=number,
        name=analysis.id or f"article {number + 1}",
        target=analysis.target,
        quotes=len(analysis.quotes),
        speakers=len(analysis.stances),
        counts=[len(analysis.quotes), len(analysis.stances)] + [stances[label] for label in STANCE_LABELS],
        quoted=" ".join(sorted({f"{speakers.number(q.speaker)}:{q.stance or ''}" for q in analysis.quotes})),
        rows=_speaker_rows(analysis.stances, speakers, colours),
        chart=_chart(
            analysis.stances, speakers, f"Favor and against share per speaker in {analysis.id}",
            f"article-{number}-chart",
        ),  # fmt: skip
        pieces=_highlighted_text(analysis, speakers, colours),
    )


def _article_colours(analysis: Analysis) -> dict[str, str]:
    """Each speaker's colour class in this article: the most quoted (then earliest) get a colour
    each, any speakers beyond the palette share the striped "other" class."""
    quoted: Counter[str] = Counter()
    first: dict[str, int] = {}
    for quote in analysis.quotes:
        if quote.speaker is not None:
            key = _speaker_key(quote.speaker)
            quoted[key] += 1
            first[key] = min(first.get(key, quote.start), quote.start)
    ranked = sorted(quoted, key=lambda key: (-quoted[key], first[key]))
    return {key: f"c{rank}" if rank < len(SPEAKER_COLOURS) else "co" for rank, key in enumerate(ranked)}


def _colour_class(speaker: str | None, colours: dict[str, str]) -> str:
    return "cn" if speaker is None else colours.get(_speaker_key(speaker), "co")


def _speaker_rows(
    stances: Sequence[SpeakerStance], speakers: _SpeakerIndex, colours: dict[str, str] | None
) -> list[_SpeakerRow]:
    """The rows of a speaker table, most quoted first; with ``colours``, each with its swatch."""
    return [
        _SpeakerRow(
            speaker=speakers.number(stance.name),
            name=stance.name,
            kind=stance.kind,
            role=stance.role or "",
            stance=stance.stance,
            quotes=stance.quotes,
            counts=[stance.counts.get(label, 0) for label in STANCE_LABELS],
            scores=[stance.scores.get(label, 0.0) for label in STANCE_LABELS],
            articles=stance.articles,
            colour=_colour_class(stance.name, colours) if colours else None,
        )
        for stance in sorted(stances, key=lambda s: (-s.quotes, s.name.casefold()))
    ]


def _chart(stances: Sequence[SpeakerStance], speakers: _SpeakerIndex, title: str, chart_id: str) -> _Chart | None:
    """The geometry of the diverging bar chart (see `ChartRow.segments`); None without speakers."""
    rows = chart_rows(stances)
    if not rows:
        return None
    width = _LABEL_WIDTH + 2 * _HALF + _COUNT_WIDTH
    axis = _LABEL_WIDTH + _HALF
    biggest = max(row.quotes for row in rows) or 1
    if len(stances) > len(rows):
        title += f"; the {len(rows)} most quoted speakers of {len(stances)}"
    lines = []
    for number, row in enumerate(rows):
        middle = 34 + _ROW_HEIGHT * number + _ROW_HEIGHT / 2
        thickness = (_ROW_HEIGHT - 4) * bar_thickness(row.quotes, biggest)
        shares = ", ".join(f"{row.shares[label]:.0%} {label}" for label in STANCE_LABELS)
        bars = [
            _Bar(axis + _HALF * left, middle - thickness / 2, _HALF * share, thickness, STANCE_COLOURS[label])
            for label, left, share in row.segments()
            if share > 0
        ]
        lines.append(
            _ChartLine(
                speaker=speakers.number(row.name),
                stance=row.stance,
                tooltip=f"{row.name}: {shares}; {plural(row.quotes, 'quote')}",
                label=_shorten(row.name),
                baseline=middle + 4,
                bars=bars,
                quotes=row.quotes,
            )
        )
    return _Chart(
        id=chart_id,
        title=title,
        width=width,
        height=34 + _ROW_HEIGHT * len(rows),
        axis=axis,
        counts_x=axis + _HALF + 8,
        label_width=_LABEL_WIDTH,
        lines=lines,
    )


def _shorten(name: str, limit: int = 26) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


@dataclass
class _Region:
    """Where a quote's <mark> goes, and the marks of the quotes nested inside it."""

    start: int
    end: int
    quote: Quote
    inner: list[_Region] = field(default_factory=list)


def _quote_regions(analysis: Analysis) -> list[_Region]:
    """The quotes as properly nested regions (a quote can contain a quoted phrase of another).

    A quote that starts inside another and runs past its end is highlighted up to that end
    (logged: the extractor should not produce them), so marks nest; an empty quote is skipped.
    """
    outermost: list[_Region] = []
    enclosing: list[_Region] = []
    for quote in sorted(analysis.quotes, key=lambda q: (q.start, -q.end)):
        if quote.end <= quote.start:
            logger.warning("%s: empty quote at %d; not highlighted", analysis.id, quote.start)
            continue
        while enclosing and enclosing[-1].end <= quote.start:
            enclosing.pop()
        end = min(quote.end, enclosing[-1].end) if enclosing else quote.end
        if end < quote.end:
            logger.warning("%s: quote at %d-%d runs past the end of the quote it starts in; "
                           "highlighted up to %d", analysis.id, quote.start, quote.end, end)
        region = _Region(quote.start, end, quote)
        (enclosing[-1].inner if enclosing else outermost).append(region)
        enclosing.append(region)
    return outermost


def _highlighted_text(
    analysis: Analysis, speakers: _SpeakerIndex, colours: dict[str, str]
) -> list[_Plain | _Mention | _Mark]:
    """The article text in pieces: one `_Mark` per quote (nested where quotes nest, see
    `_quote_regions`), so each quote is one thing to hover or focus; mentions are an inner layer,
    split at quote edges as needed. Joined, the pieces' text is the article text."""
    text = analysis.text
    mentions: dict[tuple[int, int], Quote] = {}
    for quote in analysis.quotes:
        if quote.mention is not None:
            mentions.setdefault((quote.mention.start, quote.mention.end), quote)

    def underlined(start: int, end: int) -> list[_Plain | _Mention]:
        out: list[_Plain | _Mention] = []
        position = start
        for (m_start, m_end), quote in sorted(mentions.items()):
            m_start, m_end = max(m_start, position), min(m_end, end)
            if m_start >= m_end:
                continue
            out.append(_Plain(text[position:m_start]))
            out.append(_Mention(text[m_start:m_end], _colour_class(quote.speaker, colours),
                                speakers.number(quote.speaker)))
            position = m_end
        out.append(_Plain(text[position:end]))
        return out

    def marked(regions: list[_Region], start: int, end: int) -> list[_Plain | _Mention | _Mark]:
        out: list[_Plain | _Mention | _Mark] = []
        position = start
        for region in regions:
            quote = region.quote
            out += underlined(position, region.start)
            out.append(
                _Mark(_colour_class(quote.speaker, colours), speakers.number(quote.speaker),
                      quote.stance or "", _tooltip(quote), marked(region.inner, region.start, region.end))
            )  # fmt: skip
            position = region.end
        out += underlined(position, end)
        return out

    return marked(_quote_regions(analysis), 0, len(text))


def _tooltip(quote: Quote) -> str:
    lines = [
        quote.speaker or NO_SPEAKER_LABEL,
        f"{quote.kind} quote" + (f" · cue “{quote.cue.text}”" if quote.cue else " · no cue"),
        f"stance: {quote.stance or 'not classified'}",
    ]
    if quote.scores:
        lines.append(" · ".join(f"{label} {quote.scores.get(label, 0.0):.2f}" for label in STANCE_LABELS))
    return "\n".join(lines)
