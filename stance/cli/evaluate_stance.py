"""`stance evaluate stance`: score a stance model against gold labelled statements."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

import typer
from rich.table import Table

from stance.cli.app import evaluate_app
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
        [], "--by", help="Also score each value of this gold column apart (repeatable), e.g. publisher. Default: "
        "confidence, when the gold has it.",
    ),
    bootstrap: int = typer.Option(
        RESAMPLES, min=0, help="Bootstrap resamples for the 95% intervals (0: none). Statements "
        "with the same `group` (or `article`) field are resampled together.",
    ),
    compare: list[str] = typer.Option(
        [], "--compare", help="Another model to score on the same statements (repeatable): how much --model beats "
        "it, with a paired bootstrap interval.",
    ),
    predictions: Path | None = typer.Option(
        None, "--predictions", help="Score the labels in this JSONL/CSV file (`id` and `label` or `stance` per "
        "gold row: another system's output, a second annotator's labels) instead of a model.", dir_okay=False,
    ),
    format: StanceEvaluateFormat = typer.Option(StanceEvaluateFormat.table, "--format", "-f", help="Output format."),
    output: Path | None = Output,
) -> None:
    """Accuracy, macro-F1 with its 95% bootstrap interval, per-label F1 and confusion matrix,
    overall and per target, dataset and annotator confidence; with --compare, the paired
    difference from other models."""
    if model is not None and predictions is not None:
        raise typer.BadParameter("score either a model or a predictions file, not both", param_hint="--predictions")
    scores = evaluate_stance_files(
        gold, model, batch_size=batch_size, precision=precision.value, resamples=bootstrap, by=by or None,
        compare=compare, predictions=predictions,
    )
    with output_stream(output) as stream:
        if format is StanceEvaluateFormat.json:
            stream.write(json.dumps(scores, indent=2) + "\n")
            return
        console = console_for(stream)
        console.print(scores_table(scores))
        console.print(confusion_table(scores))
        if "compare" in scores:
            console.print(comparison_table(scores))


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
    for name, part in subsets(scores):
        table.add_row(
            name,
            str(part["rows"]),
            f"{part['accuracy']:.3f}",
            f"{part['macro_f1']:.3f}",
            *([format_interval(part["intervals"]["macro_f1"])] if intervals else []),
            *(f"{part['per_label'][label]['f1']:.3f}" for label in labels),
        )
    return table


def subsets(scores: dict) -> list[tuple[str, dict]]:
    """``(name, scores)`` of the whole set ("all") and of every ``by_*`` part, in report order."""
    parts = [("all", scores)]
    for key in (key for key in scores if key.startswith("by_")):
        parts += [(f"{key[3:]}: {value}", part) for value, part in scores[key].items()]
    return parts


def comparison_table(scores: dict) -> Table:
    table = Table(title="compared on the same statements (difference: this model minus the other)")
    table.add_column("subset")
    table.add_column("other model", overflow="fold")  # a model folder's path, whole
    intervals = "interval" in next(iter(scores["compare"].values()))
    columns = ("macro-F1", "other's macro-F1", "difference", *(["paired 95% interval", "this higher in"] if intervals else []))
    for column in columns:
        table.add_column(column, justify="right")
    for name, part in subsets(scores):
        for other, versus in part["compare"].items():
            table.add_row(
                name,
                other,
                f"{part['macro_f1']:.3f}",
                f"{versus['macro_f1']:.3f}",
                f"{versus['macro_f1_difference']:+.3f}",
                *(
                    ["{:+.3f} to {:+.3f}".format(*versus["interval"]), f"{versus['candidate_higher']:.0%}"]
                    if intervals
                    else []
                ),
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
