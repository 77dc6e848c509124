"""Options and output helpers shared by several commands."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import typer
from rich.console import Console

Inputs = typer.Argument(
    ..., help="Text files (.txt, .md), folders of them, or .jsonl files with id/text per line."
)
Output = typer.Option(None, "--output", "-o", help="Write here instead of stdout.", dir_okay=False)


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
