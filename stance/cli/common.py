"""Options and output helpers shared by several commands."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import IO

import typer
from rich.console import Console

from stance.reading import DEFAULT_MAX_CHARS

Inputs = typer.Argument(
    ...,
    help="Text files (.txt, .md), .jsonl, .csv or .parquet files with id/text fields, folders of "
    "them (recursive), or - for stdin.",
)
# The input options of the commands that read documents; they map to `stance.reading.ReadOptions`.
Glob = typer.Option(
    None, "--glob", help="In folders, read only files whose path matches, e.g. '*.txt' or '2024/**/*.jsonl'."
)
IdField = typer.Option("id", "--id-field", help="JSONL/CSV/Parquet field with the document id.")
TextField = typer.Option("text", "--text-field", help="JSONL/CSV/Parquet field with the text.")
TargetField = typer.Option(
    "target", "--target-field", help="JSONL/CSV/Parquet field with a document's own target."
)
MaxChars = typer.Option(
    DEFAULT_MAX_CHARS, "--max-chars", min=1, help="Longer documents are failures, not analysed."
)
Fast = typer.Option(False, "--fast", help="Quotes by the rules only, without the quote tagger: faster, lower recall.")


class StdinFormat(str, Enum):
    auto = "auto"
    text = "text"
    jsonl = "jsonl"
    csv = "csv"


StdinFormatOption = typer.Option(
    StdinFormat.auto, "--stdin-format", help="What - holds; auto: JSONL if it starts with {, else one text."
)
Output = typer.Option(None, "--output", "-o", help="Write here instead of stdout.", dir_okay=False)


class Precision(str, Enum):
    auto = "auto"
    fp32 = "fp32"
    bf16 = "bf16"


PrecisionOption = typer.Option(
    Precision.auto,
    "--precision",
    help="Stance model precision. auto: bf16 on CUDA and on CPUs with AMX/AVX512-BF16, else fp32.",
)


@contextmanager
def output_stream(path: Path | None) -> Iterator[IO[str]]:
    """Stdout, or the file at ``path`` (its folder created)."""
    if path is None:
        yield sys.stdout
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as stream:
        yield stream


def console_for(stream: IO[str]) -> Console:
    return Console(file=stream, width=None if stream.isatty() else 120)
