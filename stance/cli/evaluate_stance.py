"""`stance evaluate stance`: score a stance model against gold labelled statements."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

import typer
from rich.table import Table

from stance.cli import evaluate_app
from stance.cli.common import Output, Precision, PrecisionOption, console_for, output_stream
from stance.evaluation.bootstrap import RESAMPLES, format_interval
from stance.evaluation.stance import evaluate_stance_files


class StanceEvaluateFormat(str, Enum):
    table = "table"
    json = "json"


@evaluate_app.command("stance")
def evaluate_stance_cli(
    gold: list[Path] = typer.Argument(
        ..., help="Gold JSONL/CSV in the format of ../shared/data/stance/*.jsonl.", exists=True, dir_okay=False
    ),
    model: str | None = typer.Option(None, "--model", "-m", help="Model folder, models/ name or hub id."),
    batch_size: int = typer.Option(32, min=1),
    precision: Precision = PrecisionOption,
    by: list[str] = typer.Option(
        [], "--by", help="Also score each value of this gold column apart (repeatable), e.g. confidence or publisher."
    ),
    bootstrap: int = typer.Option(
        RESAMPLES, min=0, help="Bootstrap resamples for the 95% intervals (0: none). Statements "
        "with the same `group` (or `article`) field are resampled together.",
    ),
    format: StanceEvaluateFormat = typer.Option(StanceEvaluateFormat.table, "--format", "-f", help="Output format."),
    output: Path | None = Output,
) -> None:
    """Accuracy, macro-F1 with its 95% bootstrap interval, per-label F1 and confusion matrix,
    overall and per target and dataset."""
    scores = evaluate_stance_files(
        gold, model, batch_size=batch_size, precision=precision.value, resamples=bootstrap, by=by
    )
    with output_stream(output) as stream:
        if format is StanceEvaluateFormat.json:
            stream.write(json.dumps(scores, indent=2) + "\n")
            return
        console = console_for(stream)
        console.print(scores_table(scores))
        console.print(confusion_table(scores))


def scores_table(scores: dict) -> Table:
    labels = list(scores["per_label"])
    table = Table(title=f"stance: {scores['rows']} statements")
    table.add_column("subset")
    intervals = "intervals" in scores
    columns = (
        "rows", "accuracy", "macro-F1", *(["95% interval"] if intervals else []), *(f"F1 {label}" for label in labels)
    )
    for column in columns:
        table.add_column(column, justify="right")
    subsets = [("all", scores)]
    for key in (key for key in scores if key.startswith("by_")):
        subsets += [(f"{key[3:]}: {value}", part) for value, part in scores[key].items()]
    for name, part in subsets:
        table.add_row(
            name,
            str(part["rows"]),
            f"{part['accuracy']:.3f}",
            f"{part['macro_f1']:.3f}",
            *([format_interval(part["intervals"]["macro_f1"])] if intervals else []),
            *(f"{part['per_label'][label]['f1']:.3f}" for label in labels),
        )
    return table


def confusion_table(scores: dict) -> Table:
    labels = list(scores["confusion"])
    table = Table(title="confusion (rows: gold, columns: predicted)")
    table.add_column("gold")
    for label in labels:
        table.add_column(label, justify="right")
    for gold in labels:
        table.add_row(gold, *(str(scores["confusion"][gold][predicted]) for predicted in labels))
    return table
