"""An HTML report of analysed articles, and the stance chart as a PNG.

`render_report` returns one self-contained page (inline CSS, JS and SVG; no fonts, images or
requests): an overview of the corpus (stance chart, sortable speaker table, article index), then
one section per article with its own table, chart and text, every quote highlighted in its
speaker's colour and the mention it was attributed from underlined. Hovering or focusing a quote
shows its speaker, kind, cue, stance and probabilities; the page can be filtered by speaker and by
stance.

Safety: every piece of document text (article text, ids, names, cues, targets) goes through
`html.escape`; the per-article bodies are passed to the page's script as JSON inside
``<script type="application/json">`` with ``</`` and ``<!--`` escaped (see `_script_json`), so
no ``</script>`` or ``<!--`` in a document can end or bend that element.

Size: a corpus of 1,000 articles must open in a few seconds, so article bodies (table, chart,
highlighted text) are not in the DOM up front; each section is a collapsed ``<details>`` whose
body is built from its JSON when opened. Reports of up to `OPEN_ARTICLES` articles open them all.

Colours (chosen to stay apart for colour-blind readers, with dark text readable on all of them):
speakers use Paul Tol's "light" qualitative scheme (https://personal.sron.nl/~pault/): within
each article its eight colours go to the eight most quoted speakers, any others share grey
stripes (the tooltip and filter still tell them apart), and its pale grey marks quotes with no
speaker. Stances use Okabe & Ito's palette (https://jfly.uni-koeln.de/color/): favor blue, against
vermillion, neutral grey, always next to the label's name.
"""

from __future__ import annotations

import html
import json
import logging
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stance.errors import StanceError
from stance.records import STANCE_LABELS, Analysis, Quote, SpeakerStance
from stance.writing import plural

logger = logging.getLogger(__name__)

# Paul Tol's "light" scheme without its pale grey, which marks quotes with no speaker.
SPEAKER_COLOURS = ("#77AADD", "#EE8866", "#EEDD88", "#FFAABB", "#99DDFF", "#44BB99", "#BBCC33", "#AAAA00")
NO_SPEAKER_COLOUR = "#DDDDDD"
# Speakers beyond the palette in one article: stripes of that grey, unlike any single colour.
OTHER_SPEAKERS_COLOUR = "repeating-linear-gradient(135deg,#DDDDDD 0 3px,#FFFFFF 3px 6px)"
# Okabe-Ito blue, vermillion and grey.
STANCE_COLOURS = {"favor": "#0072B2", "against": "#D55E00", "neutral": "#999999"}
# The order of a diverging bar's parts, left to right (see `ChartRow.segments`).
STANCE_LABELS_BY_SIDE = ("against", "neutral", "favor")
NO_SPEAKER_LABEL = "(no speaker)"
# Charts show the most quoted speakers only; the tables list everyone.
CHART_SPEAKERS = 30
# Reports with at most this many articles show every article body open.
OPEN_ARTICLES = 20
DEFAULT_TITLE = "Stance report"


@dataclass(frozen=True)
class ChartRow:
    """One speaker's bar: the shares of their quotes per label, out of ``quotes``."""

    name: str
    stance: str
    shares: dict[str, float]
    quotes: int

    def segments(self) -> list[tuple[str, float, float]]:
        """``(label, left, width)`` of each part of the bar, the axis at 0: neutral is centred on
        it, against extends to the left and favor to the right (a diverging, Likert-style bar)."""
        favor, against, neutral = (self.shares.get(label, 0.0) for label in ("favor", "against", "neutral"))
        return [
            ("against", -neutral / 2 - against, against),
            ("neutral", -neutral / 2, neutral),
            ("favor", neutral / 2, favor),
        ]


def chart_rows(stances: Iterable[SpeakerStance], limit: int = CHART_SPEAKERS) -> list[ChartRow]:
    """The most quoted speakers' shares per label, most quoted first.

    The shares are of the speaker's quotes by their own label (``counts``); a record without
    counts falls back to its mean probabilities.
    """
    rows = []
    for stance in sorted(stances, key=lambda s: (-s.quotes, s.name.casefold()))[:limit]:
        total = sum(stance.counts.get(label, 0) for label in STANCE_LABELS)
        shares = (
            {label: stance.counts.get(label, 0) / total for label in STANCE_LABELS}
            if total
            else {label: stance.scores.get(label, 0.0) for label in STANCE_LABELS}
        )
        rows.append(ChartRow(stance.name, stance.stance, shares, stance.quotes))
    return rows


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
    targets = sorted({analysis.target for analysis in analyses if analysis.target})
    quotes = sum(len(analysis.quotes) for analysis in analyses)
    open_bodies = len(analyses) <= OPEN_ARTICLES
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # No request of any kind leaves the page, even if a document sneaked markup in.
        (
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
        ),
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{_e(title)}</h1>",
        (
            f'<p class="summary">Stance toward <strong>{_e(" / ".join(targets) or "—")}</strong>'
            f" · {plural(len(analyses), 'article')} · {plural(quotes, 'quote')}"
            f" · {plural(sum(name != NO_SPEAKER_LABEL for name in speakers.names), 'speaker')}</p>"
        ),
        _filters(speakers),
        _legend(),
        "</header><main>",
    ]
    if corpus is not None or len(analyses) > 1:
        parts.append(_overview(analyses, corpus, speakers))
    if not analyses:
        parts.append("<p>No articles.</p>")
    for number, analysis in enumerate(analyses):
        parts.append(_article_section(number, analysis, speakers, open_bodies))
    parts += [
        "</main>",
        '<div id="tip" role="tooltip" hidden></div>',
        f"<script>{_JS}</script></body></html>",
    ]
    return "\n".join(parts)


def save_chart_png(
    stances: Sequence[SpeakerStance],
    path: str | Path,
    *,
    title: str = DEFAULT_TITLE,
    limit: int = CHART_SPEAKERS,
) -> Path:
    """Draw the favor-against chart of ``stances`` (most quoted first) to a PNG at ``path``."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:
        raise StanceError(
            f"expected matplotlib to draw the PNG chart, found none ({error}); "
            "install it with: pip install 'stance[report]'"
        ) from error
    rows = chart_rows(stances, limit)
    figure = Figure(figsize=(8, 1.2 + 0.4 * max(len(rows), 1)), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    biggest = max((row.quotes for row in rows), default=1) or 1
    positions = range(len(rows))
    heights = [_bar_thickness(row.quotes, biggest) for row in rows]
    for number, label in enumerate(STANCE_LABELS_BY_SIDE):
        axes.barh(
            positions,
            [row.segments()[number][2] for row in rows],
            left=[row.segments()[number][1] for row in rows],
            height=heights,
            color=STANCE_COLOURS[label],
            label=label,
        )
    for position, row in zip(positions, rows):
        axes.annotate(f"n={row.quotes}", (1.02, position), va="center", fontsize=8,
                      annotation_clip=False)
    axes.set_yticks(list(positions), [row.name for row in rows])
    axes.invert_yaxis()
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_xlim(-1, 1)
    axes.set_xticks([-1, -0.5, 0, 0.5, 1], ["100%", "50%", "0", "50%", "100%"])
    axes.set_xlabel(
        "share of the speaker's quotes: against ← neutral (centred) → favor; thickness: number of quotes"
    )
    axes.set_title(title)
    figure.legend(loc="outside lower center", ncols=len(STANCE_LABELS), fontsize=8)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=150)
    return path


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
        self.names = [shown[key] for key in keys]
        self.quotes = [quoted[key] for key in keys]
        self._numbers = {key: number for number, key in enumerate(keys)}

    def number(self, name: str | None) -> int:
        return self._numbers[_speaker_key(name or NO_SPEAKER_LABEL)]


def _speaker_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _script_json(value: object) -> str:
    """JSON that can sit inside a <script> element.

    Script text ends at ``</`` + ``script`` and changes parsing state at ``<!--``; with
    ``</`` written ``<\\/`` and ``<!--`` written ``\\u003c!--`` (both mean the same in JSON),
    neither can occur, whatever the documents say.
    """
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/").replace("<!--", "\\u003c!--")


def _filters(speakers: _SpeakerIndex) -> str:
    options = "".join(
        f'<option value="{number}">{_e(name)} ({count})</option>'
        for number, (name, count) in enumerate(zip(speakers.names, speakers.quotes))
    )
    stances = "".join(f'<option value="{label}">{label}</option>' for label in STANCE_LABELS)
    return (
        '<form class="filters" role="search" aria-label="Filter the report">'
        '<label>Speaker <select id="filter-speaker"><option value="">all speakers</option>'
        f"{options}</select></label> "
        '<label>Stance <select id="filter-stance"><option value="">all stances</option>'
        f"{stances}</select></label> "
        '<output id="filter-status" aria-live="polite"></output></form>'
    )


def _legend() -> str:
    swatches = "".join(
        f'<span class="swatch" style="background:{STANCE_COLOURS[label]}"></span>{label} '
        for label in STANCE_LABELS
    )
    return (
        f'<p class="legend">Stance: {swatches}· Quotes are highlighted in their speaker\'s colour, '
        "the speaker's mention is underlined; hover or focus (Tab) a quote for details.</p>"
        "<noscript><p>Article texts, tooltips, sorting and filters need JavaScript.</p></noscript>"
    )


def _overview(
    analyses: Sequence[Analysis], corpus: Sequence[SpeakerStance] | None, speakers: _SpeakerIndex
) -> str:
    """The chart and speaker table of the corpus (when given), and the index of articles."""
    index_rows = []
    for number, analysis in enumerate(analyses):
        stances = Counter(stance.stance for stance in analysis.stances)
        counts = [len(analysis.quotes), len(analysis.stances)] + [stances[label] for label in STANCE_LABELS]
        cells = [(f'<a href="#article-{number}">{_e(_article_name(number, analysis))}</a>', number)]
        cells += [(count, count) for count in counts]
        index_rows.append((f'data-article="{number}"', cells))
    across = (
        _chart_svg(corpus, speakers, "Favor and against share per speaker, all articles", "overview-chart")
        + '<h3 id="corpus-speakers">Speakers across articles</h3>'
        + _speaker_table(corpus, speakers, None, with_articles=True, label="corpus-speakers")
        if corpus is not None
        else ""
    )
    return (
        '<section id="overview" aria-labelledby="overview-title"><h2 id="overview-title">Overview</h2>'
        + across
        + '<h3 id="articles-title">Articles</h3>'
        + _table(
            [("article", "text"), ("quotes", "num"), ("speakers", "num")]
            + [(f"{label} speakers", "num") for label in STANCE_LABELS],
            index_rows,
            label="articles-title",
        )
        + "</section>"
    )


def _article_section(number: int, analysis: Analysis, speakers: _SpeakerIndex, open_body: bool) -> str:
    quoted = sorted({f"{speakers.number(q.speaker)}:{q.stance or ''}" for q in analysis.quotes})
    body = (
        _speaker_table(analysis.stances, speakers, _article_colours(analysis), with_articles=False,
                       label=f"article-{number}-title")
        + _chart_svg(
            analysis.stances, speakers, f"Favor and against share per speaker in {analysis.id}",
            f"article-{number}-chart",
        )
        + f'<div class="text">{_highlighted_text(analysis, speakers)}</div>'
    )
    summary = (
        f"{plural(len(analysis.quotes), 'quote')}, {plural(len(analysis.stances), 'speaker')}"
        + (f" · toward {_e(analysis.target)}" if analysis.target else "")
    )
    return (
        f'<section class="article" id="article-{number}" data-quoted="{_e(" ".join(quoted))}" '
        f'aria-labelledby="article-{number}-title">'
        f'<h2 id="article-{number}-title">{_e(_article_name(number, analysis))}</h2>'
        f'<details{" open" if open_body else ""}><summary>{summary}</summary>'
        f'<div class="body" data-body="article-{number}-body"></div></details>'
        f'<script type="application/json" id="article-{number}-body">{_script_json(body)}</script>'
        "</section>"
    )


def _article_name(number: int, analysis: Analysis) -> str:
    return analysis.id or f"article {number + 1}"


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


def _speaker_table(
    stances: Sequence[SpeakerStance],
    speakers: _SpeakerIndex,
    colours: dict[str, str] | None,
    *,
    with_articles: bool,
    label: str,
) -> str:
    columns = [("speaker", "text"), ("kind", "text"), ("role", "text"), ("stance", "text"),
               ("quotes", "num")]
    columns += [(label_name, "num") for label_name in STANCE_LABELS]
    columns += [(f"P({label_name})", "num") for label_name in STANCE_LABELS]
    if with_articles:
        columns.append(("articles", "num"))
    rows = []
    for stance in sorted(stances, key=lambda s: (-s.quotes, s.name.casefold())):
        swatch = f'<span class="swatch {_colour_class(stance.name, colours)}"></span>' if colours else ""
        cells = [
            (swatch + _e(stance.name), stance.name.casefold()),
            (_e(stance.kind), stance.kind),
            (_e(stance.role or ""), (stance.role or "").casefold()),
            (f'<span class="stance {_e(stance.stance)}">{_e(stance.stance)}</span>', stance.stance),
            (stance.quotes, stance.quotes),
        ]
        cells += [(stance.counts.get(name, 0), stance.counts.get(name, 0)) for name in STANCE_LABELS]
        cells += [(f"{stance.scores.get(name, 0.0):.2f}", stance.scores.get(name, 0.0)) for name in STANCE_LABELS]
        if with_articles:
            cells.append((stance.articles, stance.articles))
        rows.append((f'data-speaker="{speakers.number(stance.name)}" data-stance="{_e(stance.stance)}"', cells))
    return _table(columns, rows, label=label)


def _table(columns: Sequence[tuple[str, str]], rows: Sequence[tuple[str, Sequence[tuple]]], *, label: str) -> str:
    """A table sortable by any column: a header button per column, each cell's sort key in data-v."""
    head = "".join(
        f'<th scope="col" aria-sort="none" data-type="{kind}"><button type="button">{_e(name)}</button></th>'
        for name, kind in columns
    )
    body = "".join(
        f"<tr {attributes}>"
        + "".join(f'<td data-v="{_e(key)}">{shown}</td>' for shown, key in cells)
        + "</tr>"
        for attributes, cells in rows
    )
    return (
        f'<div class="table-wrap"><table class="sortable" aria-labelledby="{label}">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _bar_thickness(quotes: int, biggest: int) -> float:
    """Bars thicken with the square root of the number of quotes (area grows with the count)."""
    return 0.3 + 0.55 * math.sqrt(quotes / biggest)


def _chart_svg(stances: Sequence[SpeakerStance], speakers: _SpeakerIndex, title: str, chart_id: str) -> str:
    """The diverging bar chart (see `ChartRow.segments`), one row per speaker, as inline SVG."""
    rows = chart_rows(stances)
    if not rows:
        return ""
    label_width, half, row_height, count_width = 190, 220, 28, 60
    width = label_width + 2 * half + count_width
    height = 34 + row_height * len(rows)
    axis = label_width + half
    biggest = max(row.quotes for row in rows) or 1
    if len(stances) > len(rows):
        title += f"; the {len(rows)} most quoted speakers of {len(stances)}"
    parts = [
        (
            f'<figure class="chart"><svg role="img" aria-labelledby="{chart_id}-title" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}">'
            f'<title id="{chart_id}-title">{_e(title)}</title>'
            f'<text x="{axis - 6}" y="14" text-anchor="end" class="axis-label">← against</text>'
            f'<text x="{axis + 6}" y="14" class="axis-label">favor →</text>'
            f'<text x="{axis + half + 8}" y="14" class="count">quotes</text>'
        )
    ]
    for number, row in enumerate(rows):
        middle = 34 + row_height * number + row_height / 2
        thickness = (row_height - 4) * _bar_thickness(row.quotes, biggest)
        top = middle - thickness / 2
        shares = ", ".join(f"{row.shares[label]:.0%} {label}" for label in STANCE_LABELS)
        bars = "".join(
            f'<rect x="{axis + half * left:.1f}" y="{top:.1f}" width="{half * share:.1f}" '
            f'height="{thickness:.1f}" fill="{STANCE_COLOURS[label]}"/>'
            for label, left, share in row.segments()
            if share > 0
        )
        parts.append(
            f'<g data-speaker="{speakers.number(row.name)}" data-stance="{_e(row.stance)}">'
            f"<title>{_e(row.name)}: {shares}; {plural(row.quotes, 'quote')}</title>"
            f'<text x="{label_width - 8}" y="{middle + 4}" text-anchor="end">{_e(_shorten(row.name))}</text>'
            f'{bars}<text x="{axis + half + 8}" y="{middle + 4}" class="count">{row.quotes}</text></g>'
        )
    parts.append(f'<line x1="{axis}" x2="{axis}" y1="22" y2="{height}" stroke="#000"/></svg></figure>')
    return "".join(parts)


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


def _highlighted_text(analysis: Analysis, speakers: _SpeakerIndex) -> str:
    """The article text, escaped, with quotes as focusable <mark>s and mentions underlined.

    One <mark> per quote (nested where quotes nest, see `_quote_regions`), so each quote is one
    thing to hover or focus; mentions are an inner layer, split at quote edges as needed.
    """
    text = analysis.text
    colours = _article_colours(analysis)
    mentions: dict[tuple[int, int], Quote] = {}
    for quote in analysis.quotes:
        if quote.mention is not None:
            mentions.setdefault((quote.mention.start, quote.mention.end), quote)

    def underlined(start: int, end: int) -> str:
        out, position = [], start
        for (m_start, m_end), quote in sorted(mentions.items()):
            m_start, m_end = max(m_start, position), min(m_end, end)
            if m_start >= m_end:
                continue
            out.append(_e(text[position:m_start]))
            out.append(
                f'<u class="mention {_colour_class(quote.speaker, colours)}" '
                f'data-speaker="{speakers.number(quote.speaker)}">{_e(text[m_start:m_end])}</u>'
            )
            position = m_end
        out.append(_e(text[position:end]))
        return "".join(out)

    def marked(regions: list[_Region], start: int, end: int) -> str:
        out, position = [], start
        for region in regions:
            quote = region.quote
            out.append(underlined(position, region.start))
            out.append(
                f'<mark class="quote {_colour_class(quote.speaker, colours)}" tabindex="0" '
                f'aria-describedby="tip" data-speaker="{speakers.number(quote.speaker)}" '
                f'data-stance="{_e(quote.stance or "")}" data-tip="{_e(_tooltip(quote))}">'
                f"{marked(region.inner, region.start, region.end)}</mark>"
            )
            position = region.end
        out.append(underlined(position, end))
        return "".join(out)

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


_COLOUR_CSS = "".join(
    f".c{number}{{--c:{colour}}}" for number, colour in enumerate(SPEAKER_COLOURS)
) + f".cn{{--c:{NO_SPEAKER_COLOUR}}}.co{{--c:{OTHER_SPEAKERS_COLOUR}}}"

_CSS = (
    """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:72rem;
 padding:0 1rem 4rem;color:#111;background:#fff}
header{border-bottom:1px solid #ccc;margin-bottom:1rem}
h1{margin:.8rem 0 .2rem}h2{margin:1.6rem 0 .4rem}
.summary,.legend{margin:.3rem 0;color:#333}
.filters{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;margin:.5rem 0}
.filters select{font:inherit;max-width:24rem}
.swatch{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 .1em;vertical-align:-.1em;
 border:1px solid #555;background:var(--c)}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border-bottom:1px solid #ddd;padding:.2rem .5rem;text-align:left}
td[data-v]{font-variant-numeric:tabular-nums}
td:first-child{white-space:nowrap}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
.stance{padding:0 .35em;border-radius:3px;color:#fff}
.stance.favor{background:#0072B2}.stance.against{background:#D55E00}.stance.neutral{background:#666}
.chart{margin:.5rem 0;overflow-x:auto}.chart svg{font-size:12px}
.chart .axis-label{font-weight:600}.chart .count{fill:#333}
details>summary{cursor:pointer;color:#333}
.text{white-space:pre-wrap;overflow-wrap:break-word;max-width:48rem;margin-top:.8rem}
mark.quote{background:var(--c);color:inherit;border-radius:2px;padding:1px 0;cursor:help}
mark.quote:focus{outline:none;box-shadow:0 0 0 2px #fff,0 0 0 4px #000}
u.mention{text-decoration:underline 2px #000;text-underline-offset:3px;background:var(--c)}
mark.quote.off,u.mention.off{background:none}
[hidden]{display:none!important}
#tip{position:absolute;z-index:10;max-width:26rem;white-space:pre-line;background:#111;color:#fff;
 padding:.4rem .6rem;border-radius:4px;font-size:.85rem;pointer-events:none}
@media print{.filters,#tip{display:none}}
"""
    + _COLOUR_CSS
)

# Event handlers are delegated to the document, so article bodies added later need no wiring.
_JS = """
"use strict";
const speakerFilter = document.getElementById("filter-speaker");
const stanceFilter = document.getElementById("filter-stance");
const tip = document.getElementById("tip");

function fillBody(details) {
  const body = details.querySelector(".body[data-body]");
  if (!body || body.dataset.filled) return;
  body.innerHTML = JSON.parse(document.getElementById(body.dataset.body).textContent);
  body.dataset.filled = "1";
  applyFilters(body);
}

function matches(speaker, stance) {
  return (!speakerFilter.value || speaker === speakerFilter.value) &&
    (!stanceFilter.value || stance === stanceFilter.value);
}

function applyFilters(root) {
  root.querySelectorAll("mark.quote").forEach(mark => {
    mark.classList.toggle("off", !matches(mark.dataset.speaker, mark.dataset.stance));
  });
  root.querySelectorAll("u.mention").forEach(u => {
    u.classList.toggle("off", Boolean(speakerFilter.value) && u.dataset.speaker !== speakerFilter.value);
  });
  // toggleAttribute, not .hidden: SVG elements have no hidden property.
  root.querySelectorAll("tr[data-speaker], g[data-speaker]").forEach(row => {
    row.toggleAttribute("hidden", !matches(row.dataset.speaker, row.dataset.stance));
  });
}

function applyAll() {
  const filtering = Boolean(speakerFilter.value || stanceFilter.value);
  const indexRows = new Map();
  document.querySelectorAll("tr[data-article]").forEach(row => indexRows.set("article-" + row.dataset.article, row));
  let shown = 0;
  const sections = document.querySelectorAll("section.article");
  sections.forEach(section => {
    // data-quoted lists "speaker:stance" of the article's quotes, so closed articles filter too.
    const quoted = section.dataset.quoted ? section.dataset.quoted.split(" ") : [];
    section.hidden = filtering && !quoted.some(pair => {
      const at = pair.indexOf(":");
      return matches(pair.slice(0, at), pair.slice(at + 1));
    });
    if (!section.hidden) shown += 1;
    const indexRow = indexRows.get(section.id);
    if (indexRow) indexRow.hidden = section.hidden;
  });
  applyFilters(document);
  document.getElementById("filter-status").textContent =
    filtering ? shown + " of " + sections.length + " articles shown" : "";
}

function sortBy(th) {
  const table = th.closest("table");
  const column = Array.from(th.parentNode.children).indexOf(th);
  const ascending = th.getAttribute("aria-sort") !== "ascending";
  const numeric = th.dataset.type === "num";
  const key = row => row.children[column].dataset.v;
  const rows = Array.from(table.tBodies[0].rows);
  rows.sort((a, b) => {
    const order = numeric ? Number(key(a)) - Number(key(b)) : key(a).localeCompare(key(b));
    return ascending ? order : -order;
  });
  table.querySelectorAll("th").forEach(other => other.setAttribute("aria-sort", "none"));
  th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  table.tBodies[0].append(...rows);
}

function showTip(mark) {
  tip.textContent = mark.dataset.tip;
  tip.hidden = false;
  const box = mark.getBoundingClientRect();
  tip.style.left = Math.max(4, Math.min(box.left, window.innerWidth - tip.offsetWidth - 4)) + window.scrollX + "px";
  tip.style.top = box.bottom + window.scrollY + 6 + "px";
}

function hideTip() { tip.hidden = true; }

function openTarget() {
  const target = location.hash && document.getElementById(location.hash.slice(1));
  const details = target && target.querySelector("details");
  if (details) details.open = true;
}

document.addEventListener("toggle", event => {
  if (event.target.tagName === "DETAILS" && event.target.open) fillBody(event.target);
}, true);
document.addEventListener("click", event => {
  const button = event.target.closest("th button");
  if (button) sortBy(button.parentNode);
});
document.addEventListener("mouseover", event => {
  const mark = event.target.closest("mark.quote");
  if (mark) showTip(mark);
});
document.addEventListener("mouseout", event => {
  if (event.target.closest("mark.quote") && document.activeElement !== event.target.closest("mark.quote")) hideTip();
});
document.addEventListener("focusin", event => {
  if (event.target.matches("mark.quote")) showTip(event.target); else hideTip();
});
document.addEventListener("focusout", hideTip);
document.addEventListener("keydown", event => { if (event.key === "Escape") hideTip(); });
speakerFilter.addEventListener("change", applyAll);
stanceFilter.addEventListener("change", applyAll);
window.addEventListener("hashchange", openTarget);
document.querySelectorAll("details[open]").forEach(fillBody);
openTarget();
applyAll();
"""
