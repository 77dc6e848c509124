"""`stance evaluate speakers`: score speaker resolution alone, on gold quotes and gold speakers."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

import typer
from rich.table import Table

from stance.cli.app import evaluate_app
from stance.cli.common import Output, console_for, output_stream
from stance.evaluation.speakers import MENTION_KINDS, evaluate_speakers


class SpeakersEvaluateFormat(str, Enum):
    table = "table"
    json = "json"


@evaluate_app.command("speakers")
def evaluate_speakers_cli(
    statements: list[Path] = typer.Argument(
        ...,
        help="Labelled statements with article, source and speaker fields, in the format of "
        "../shared/data/stance/immigration_*.jsonl.",
        exists=True,
        dir_okay=False,
    ),
    articles: list[Path] = typer.Option(
        ...,
        "--articles",
        help="The statements' articles with gold attributions, in the format of ../shared/data/polnear/*.jsonl "
        "(repeatable).",
        exists=True,
        dir_okay=False,
    ),
    errors: int = typer.Option(0, "--errors", min=0, help="Also list the first N wrong resolutions (JSON lists all)."),
    format: SpeakersEvaluateFormat = typer.Option(
        SpeakersEvaluateFormat.table, "--format", "-f", help="Output format."
    ),
    output: Path | None = Output,
) -> None:
    """Speaker resolution accuracy on gold quotes, overall and by kind of mention (name, pronoun,
    description); the quote extractor plays no part."""
    scores = evaluate_speakers(statements, articles)
    with output_stream(output) as stream:
        if format is SpeakersEvaluateFormat.json:
            stream.write(json.dumps(scores, indent=2) + "\n")
            return
        console = console_for(stream)
        console.print(scores_table(scores))
        console.print(f"{scores['unmatched']} statements whose gold attribution was not found in their article")
        if errors and scores["errors"]:
            console.print(errors_table(scores["errors"][:errors]))


def scores_table(scores: dict) -> Table:
    table = Table(title=f"speaker resolution: {scores['scored']} statements scored")
    for column in ("mention", "scored", "correct", "accuracy"):
        table.add_column(column, justify="left" if column == "mention" else "right")
    rows = [("all", scores), *((kind, scores["by_mention"][kind]) for kind in MENTION_KINDS)]
    for name, part in rows:
        table.add_row(name, str(part["scored"]), str(part["correct"]), f"{part['accuracy']:.3f}")
    return table


def errors_table(errors: list[dict]) -> Table:
    table = Table(title="wrong resolutions")
    table.add_column("statement", overflow="fold")  # file:line, whole
    for column in ("mention kind", "mention", "resolved to", "gold speaker"):
        table.add_column(column)
    for error in errors:
        table.add_row(error["origin"], error["kind"], error["mention"] or "", error["predicted"] or "", error["gold"])
    return table
