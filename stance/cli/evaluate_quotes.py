"""`stance evaluate quotes`: score quote extraction and attribution against gold spans."""

from __future__ import annotations

import json
from functools import partial
from enum import Enum
from pathlib import Path

import typer
from rich.table import Table

from stance.cli.app import evaluate_app
from stance.cli.common import Fast, Output, console_for, output_stream
from stance.evaluation.bootstrap import RESAMPLES, format_interval
from stance.evaluation.quotes import DEFAULT_THRESHOLDS, evaluate_quotes
from stance.pipeline import extract


class EvaluateFormat(str, Enum):
    table = "table"
    json = "json"


@evaluate_app.command("quotes")
def evaluate_quotes_cli(
    gold: Path = typer.Argument(
        ...,
        help="Gold JSONL in the format of ../shared/data/polnear/*.jsonl.",
        exists=True,
        dir_okay=False,
    ),
    threshold: list[float] = typer.Option(
        list(DEFAULT_THRESHOLDS), "--threshold", "-t", help="Overlap threshold (repeatable)."
    ),
    limit: int | None = typer.Option(None, help="Score only the first N articles.", min=1),
    format: EvaluateFormat = typer.Option(
        EvaluateFormat.table, "--format", "-f", help="Output format."
    ),
    output: Path | None = Output,
    fast: bool = Fast,
    bootstrap: int = typer.Option(
        RESAMPLES, min=0, help="Bootstrap resamples of the articles for the 95% intervals (0: none)."
    ),
) -> None:
    """Quote precision/recall/F1 (with 95% intervals), recall per kind and speaker accuracy against
    gold attributions."""
    scores = evaluate_quotes(
        gold, thresholds=threshold, limit=limit, extractor=partial(extract, fast=fast), resamples=bootstrap
    )
    with output_stream(output) as stream:
        if format is EvaluateFormat.json:
            stream.write(json.dumps(scores, indent=2) + "\n")
        else:
            console_for(stream).print(scores_table(scores))


def scores_table(scores: dict) -> Table:
    table = Table(
        title=(
            f"{scores['gold']}: {scores['documents']} articles, {scores['gold_quotes']} gold "
            f"and {scores['predicted_quotes']} predicted quotes"
        )
    )
    table.add_column("overlap", justify="right")
    intervals = scores.get("intervals")
    for column in ("matched", "precision", "recall", "F1", *(["95% interval"] if intervals else [])):
        table.add_column(column, justify="right")
    kinds = list(scores["gold_by_kind"])
    for kind in kinds:
        table.add_column(f"recall {kind}", justify="right")
    for threshold, row in scores["thresholds"].items():
        table.add_row(
            f"≥ {threshold}",
            str(row["matched"]),
            f"{row['precision']:.3f}",
            f"{row['recall']:.3f}",
            f"{row['f1']:.3f}",
            *([format_interval(intervals["f1"][threshold])] if intervals else []),
            *(f"{row['recall_by_kind'].get(kind, 0.0):.3f}" for kind in kinds),
        )
    speaker = scores["speaker"]
    share_interval = intervals and intervals["speaker_share"]
    table.caption = (
        f"speaker correct: {speaker['share']:.3f} ({speaker['correct']}/{speaker['scored']} quotes "
        f"matched at ≥ {speaker['threshold']}; {speaker['without_gold_source']} without a gold source)"
        + (f"; 95% interval {format_interval(share_interval)}" if share_interval else "")
    )
    return table
