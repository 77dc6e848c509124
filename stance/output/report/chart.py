"""The stance chart: each speaker's shares of favor, neutral and against as a diverging bar.

`chart_rows` gives the bars (the report page draws them as SVG, see `stance.output.report.page`);
`save_chart_png` draws the same chart with matplotlib.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from stance.errors import StanceError
from stance.output.colours import STANCE_COLOURS
from stance.records import STANCE_LABELS, SpeakerStance

# The page's and the chart's title.
DEFAULT_TITLE = "Stance report"
# Charts show the most quoted speakers only; the tables list everyone.
CHART_SPEAKERS = 30
# The order of a diverging bar's parts, left to right (see `ChartRow.segments`).
STANCE_LABELS_BY_SIDE = ("against", "neutral", "favor")


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


def bar_thickness(quotes: int, biggest: int) -> float:
    """A bar's thickness, as a share of its row: bars thicken with the square root of the number
    of quotes (area grows with the count), the most quoted speaker's ``biggest`` filling 0.85."""
    return 0.3 + 0.55 * math.sqrt(quotes / biggest)


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
    heights = [bar_thickness(row.quotes, biggest) for row in rows]
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
