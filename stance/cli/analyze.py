"""`stance analyze`: each speaker's stance toward a target, per document and across documents."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from stance.cli import app
from stance.cli.common import Inputs, Output, console_for, output_stream
from stance.errors import EXIT_SOME_FAILED
from stance.pipeline import Pipeline
from stance.reading import read_documents
from stance.records import DEFAULT_TARGET, Failure
from stance.writing import AnalysisWriter, OutputFormat


class Device(str, Enum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


@app.command("analyze")
def analyze_cli(
    paths: list[Path] = Inputs,
    target: str = typer.Option(
        DEFAULT_TARGET, "--target", "-t", help='Stance toward what; a .jsonl row\'s own "target" wins.'
    ),
    model: str | None = typer.Option(
        None, "--model", "-m", help="Model folder, short name in models/, or hub id. Default: shipped model."
    ),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="Output format."),
    output: Path | None = Output,
    batch_size: int = typer.Option(32, "--batch-size", min=1, help="Quotes per forward pass."),
    device: Device = typer.Option(Device.auto, "--device", help="Where the model runs."),
) -> None:
    """Classify every speaker's stance toward a target: favor, against or neutral."""
    # The model is loaded before any document is read, so a bad --model fails at once.
    pipeline = Pipeline(model, device=device.value, batch_size=batch_size)
    failures = 0
    with output_stream(output) as stream, AnalysisWriter(stream, format, console_for(stream)) as writer:
        for result in pipeline.analyze(read_documents(paths), target):
            if isinstance(result, Failure):
                failures += 1
                typer.echo(f"Skipped {result.origin}: {result.reason}", err=True)
            else:
                writer.write(result)
    if failures:
        raise typer.Exit(EXIT_SOME_FAILED)
