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
from stance.cli.quotes import Attributions, AttributionsOption
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
    attributions: Attributions = AttributionsOption,
    split_parts: bool = typer.Option(
        False,
        "--split-parts",
        help="Score each part of an interrupted quote as a quote of its own (GenderGapTracker gold).",
    ),
) -> None:
    """Quote precision/recall/F1 (with 95% intervals), recall per kind, speaker accuracy, and
    precision per cue and per predicted kind against gold attributions."""
    scores = evaluate_quotes(
        gold,
        thresholds=threshold,
        limit=limit,
        extractor=partial(extract, fast=fast, all_attributions=attributions is Attributions.all),
        resamples=bootstrap,
        split_parts=split_parts,
    )
    scores["attributions"] = attributions.value
    with output_stream(output) as stream:
        if format is EvaluateFormat.json:
            stream.write(json.dumps(scores, indent=2) + "\n")
        else:
            console = console_for(stream)
            console.print(scores_table(scores))
            console.print(precision_table(scores, "kind", "predicted kind"))
            console.print(precision_table(scores, "cue", "cue", rows=CUE_ROWS))


# The cues with most false positives that the table lists (the JSON has them all).
CUE_ROWS = 25


def scores_table(scores: dict) -> Table:
    unplaced = scores["gold_unplaced"]
    table = Table(
        title=(
            f"{scores['gold']}: {scores['documents']} articles, {scores['gold_quotes']} gold "
            f"and {scores['predicted_quotes']} predicted quotes"
            + (" (parts scored apart)" if scores["split_parts"] else "")
            + (f", --attributions {scores['attributions']}" if "attributions" in scores else "")
            + (f"; {unplaced} gold quotes without offsets not found in their text, left out" if unplaced else "")
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


def precision_table(scores: dict, group: str, heading: str, rows: int | None = None) -> Table:
    """Precision at the speaker threshold per predicted ``group`` (cue or kind), the groups with
    most false positives first."""
    by_group = scores[f"precision_by_{group}"]
    shown = list(by_group.items())[:rows]
    table = Table(
        title=f"precision by {heading} at ≥ {scores['speaker']['threshold']}"
        + (f" ({len(shown)} of {len(by_group)} with most false positives)" if len(shown) < len(by_group) else "")
    )
    for column, justify in ((heading, "left"), ("predicted", "right"), ("matched", "right"),
                            ("false positives", "right"), ("precision", "right")):
        table.add_column(column, justify=justify)
    for name, row in shown:
        table.add_row(
            name,
            str(row["predicted"]),
            str(row["matched"]),
            str(row["predicted"] - row["matched"]),
            f"{row['precision']:.3f}",
        )
    return table
