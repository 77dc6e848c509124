"""An HTML report of analysed articles, and the stance chart as a PNG.

`write_report` is what ``stance report`` does: it decides which speakers the page shows merged
across articles (`corpus_speakers`), writes the page (`render_report`, in `page`) and, if asked,
the chart as a PNG (`save_chart_png`, in `chart`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from stance.aggregate import merge_corpus
from stance.output.report.chart import DEFAULT_TITLE, ChartRow, chart_rows, save_chart_png
from stance.output.report.page import OPEN_ARTICLES, render_report
from stance.records import Analysis, SpeakerStance

__all__ = [
    "DEFAULT_TITLE",
    "OPEN_ARTICLES",
    "ChartRow",
    "ReportSummary",
    "chart_rows",
    "corpus_speakers",
    "render_report",
    "save_chart_png",
    "write_report",
]


@dataclass(frozen=True)
class ReportSummary:
    """What `write_report` wrote: ``targets`` counts the articles' distinct targets; with more
    than one, ``corpus`` is None (no speaker table across articles)."""

    articles: int
    targets: int
    corpus: list[SpeakerStance] | None
    png: Path | None


def corpus_speakers(analyses: Sequence[Analysis]) -> list[SpeakerStance] | None:
    """The speakers merged across ``analyses`` for the report's overview, or None.

    A stance is toward one target, so speakers are merged only across articles that share it;
    one article has nothing to merge.
    """
    targets = {analysis.target for analysis in analyses}
    if len(analyses) > 1 and len(targets) == 1:
        return merge_corpus(analysis.stances for analysis in analyses)
    return None


def write_report(
    analyses: Sequence[Analysis],
    stream: IO[str],
    *,
    title: str = DEFAULT_TITLE,
    png: str | Path | None = None,
) -> ReportSummary:
    """Write the report page of ``analyses`` to ``stream``, and with ``png`` the stance chart there.

    The page opens with the speakers across articles when `corpus_speakers` merges them; the PNG
    charts those, or else the first article's speakers.
    """
    corpus = corpus_speakers(analyses)
    stream.write(render_report(analyses, corpus, title=title))
    chart = None
    if png is not None:
        charted = corpus if corpus is not None else (analyses[0].stances if analyses else ())
        chart = save_chart_png(charted, png, title=title)
    return ReportSummary(
        articles=len(analyses),
        targets=len({analysis.target for analysis in analyses}),
        corpus=corpus,
        png=chart,
    )
