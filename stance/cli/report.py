"""`stance report`: an HTML page (and optionally a PNG chart) of who said what, and their stances."""

from __future__ import annotations

from pathlib import Path

import typer

from stance.cli.app import app
from stance.cli.common import Inputs, Output, output_stream
from stance.errors import EXIT_SOME_FAILED, InputError
from stance.output.report import DEFAULT_TITLE, write_report
from stance.output.tables import plural
from stance.pipeline import Pipeline
from stance.reading import read_documents
from stance.records import DEFAULT_TARGET, Analysis, Failure


@app.command("report")
def report_cli(
    paths: list[Path] = Inputs,
    output: Path | None = Output,
    target: str = typer.Option(
        DEFAULT_TARGET, "--target", "-t", help='Stance toward what; a .jsonl row\'s own "target" wins.'
    ),
    model: str | None = typer.Option(
        None, "--model", "-m", help="Model folder, short name in models/, or hub id. Default: shipped model."
    ),
    png: Path | None = typer.Option(
        None, "--png", dir_okay=False, help="Also draw the stance chart to this PNG (needs matplotlib)."
    ),
    title: str = typer.Option(DEFAULT_TITLE, "--title", help="The page's title."),
) -> None:
    """Write an HTML report: speaker tables, stance charts and every article with its quotes highlighted."""
    pipeline = Pipeline(model)
    analyses: list[Analysis] = []
    failures = 0
    for result in pipeline.analyze(read_documents(paths), target):
        if isinstance(result, Failure):
            failures += 1
            typer.echo(f"Skipped {result.origin}: {result.reason}", err=True)
        else:
            analyses.append(result)
    if not analyses:
        raise InputError(", ".join(map(str, paths)), "expected at least one readable document, found none")

    with output_stream(output) as stream:
        report = write_report(analyses, stream, title=title, png=png)
    if report.targets > 1:
        typer.echo(f"The articles have {report.targets} targets: no speaker table across them.", err=True)
    if output is not None:
        articles = plural(report.articles, "article")
        typer.echo(f"Wrote {output} ({articles})" + (f" and {report.png}" if report.png else ""), err=True)
    if failures:
        raise typer.Exit(EXIT_SOME_FAILED)
