"""`stance quotes`: list who said what, without stance."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

import typer
from rich.table import Table

from stance.cli.app import app
from stance.cli.common import (
    Fast,
    Glob,
    IdField,
    Inputs,
    MaxChars,
    Output,
    StdinFormat,
    StdinFormatOption,
    TargetField,
    TextField,
    console_for,
    output_stream,
)
from stance.errors import EXIT_SOME_FAILED
from stance.output.tables import attributions_kept
from stance.pipeline import ARTICLES_PER_EXTRACTION, extract_all_or_failure, groups_of
from stance.reading import ReadOptions, read_documents
from stance.records import Analysis, Failure


class Attributions(str, Enum):
    """Which attributions are quotes: statements only, or beliefs, findings and plans too."""

    speech = "speech"
    all = "all"


# Shared with `stance analyze` and `stance evaluate quotes`.
AttributionsOption = typer.Option(
    Attributions.speech,
    "--attributions",
    help="speech: statements only (said, wrote, according to); all: also beliefs, findings and plans "
    "(believes, found, wants), PolNeAR's broader notion of attribution.",
)


class QuotesFormat(str, Enum):
    table = "table"
    jsonl = "jsonl"


@app.command("quotes")
def quotes_cli(
    paths: list[Path] = Inputs,
    format: QuotesFormat = typer.Option(QuotesFormat.table, "--format", "-f", help="Output format."),
    output: Path | None = Output,
    glob: str | None = Glob,
    id_field: str = IdField,
    text_field: str = TextField,
    target_field: str = TargetField,
    max_chars: int = MaxChars,
    stdin_format: StdinFormat = StdinFormatOption,
    fast: bool = Fast,
    attributions: Attributions = AttributionsOption,
) -> None:
    """Extract quotes and their speakers from articles."""
    options = ReadOptions(glob, id_field, text_field, target_field, max_chars, stdin_format.value)
    failures = 0
    with output_stream(output) as stream:
        console = console_for(stream)
        all_attributions = attributions is Attributions.all
        for group in groups_of(read_documents(paths, options), ARTICLES_PER_EXTRACTION):
            for found in extract_all_or_failure(group, fast=fast, all_attributions=all_attributions):
                if isinstance(found, Failure):
                    failures += 1
                    typer.echo(f"Skipped {found.origin}: {found.reason}", err=True)
                    continue
                if format is QuotesFormat.jsonl:
                    stream.write(json.dumps(found.quotes_dict(), ensure_ascii=False) + "\n")
                else:
                    console.print(quotes_table(found))
    if failures:
        raise typer.Exit(EXIT_SOME_FAILED)


def quotes_table(found: Analysis) -> Table:
    table = Table(title=f"{found.id}: {len(found.quotes)} quotes ({attributions_kept(found)})", show_lines=True)
    table.add_column("speaker", style="bold")
    table.add_column("kind")
    table.add_column("cue")
    table.add_column("quote")
    for quote in found.quotes:
        table.add_row(
            quote.speaker or "—", quote.kind, quote.cue.text if quote.cue else "", quote.text
        )
    return table
