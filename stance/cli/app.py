"""The Typer applications the command modules register on (kept apart so that they import no command)."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="stance",
    help="Find who said what in news articles, and how each speaker stands on a question.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
evaluate_app = typer.Typer(help="Score the pipeline against gold annotations.", no_args_is_help=True)
app.add_typer(evaluate_app, name="evaluate")
