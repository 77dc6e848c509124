"""`stance analyze`: each speaker's stance toward a target, per document and across documents."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from stance.batch_ray import RayOptions, StanceSpec
from stance.cli.app import app
from stance.cli.batch import analyze_on_ray, analyze_to_folder
from stance.cli.common import (
    Fast,
    Glob,
    IdField,
    Inputs,
    MaxChars,
    Output,
    Precision,
    PrecisionOption,
    StdinFormat,
    StdinFormatOption,
    TargetField,
    TextField,
    console_for,
    output_stream,
)
from stance.cli.quotes import Attributions, AttributionsOption
from stance.errors import EXIT_SOME_FAILED
from stance.output.tables import AnalysisWriter, OutputFormat
from stance.pipeline import Pipeline
from stance.reading import ReadOptions, read_documents
from stance.records import DEFAULT_TARGET, Failure


class Engine(str, Enum):
    local = "local"
    ray = "ray"


class Device(str, Enum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


@app.command("analyze")
def analyze_cli(
    paths: list[str] = Inputs,
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
    precision: Precision = PrecisionOption,
    output_dir: str | None = typer.Option(
        None,
        "--output-dir",
        help="Batch mode: write articles.jsonl, quotes.jsonl, speakers.csv, corpus.csv and "
        "failures.jsonl here (see docs/batch.md); with --engine ray also s3://, gs:// URIs.",
    ),
    resume: bool = typer.Option(False, "--resume", help="Finish an interrupted --output-dir run."),
    workers: int = typer.Option(
        0,
        "--workers",
        min=0,
        help="With --output-dir: extract quotes in this many processes; with --engine ray, this many "
        "Ray actors (0: one per CPU, or per GPU).",
    ),
    engine: Engine = typer.Option(
        Engine.local, "--engine", help="With --output-dir: run here, or on Ray Data (see docs/scale.md)."
    ),
    ray_address: str | None = typer.Option(
        None, "--ray-address", help="With --engine ray: join this Ray cluster (default: a Ray on this machine)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="With --output-dir: no progress bar or summary."),
    glob: str | None = Glob,
    id_field: str = IdField,
    text_field: str = TextField,
    target_field: str = TargetField,
    max_chars: int = MaxChars,
    stdin_format: StdinFormat = StdinFormatOption,
    fast: bool = Fast,
    attributions: Attributions = AttributionsOption,
) -> None:
    """Classify every speaker's stance toward a target: favor, against or neutral."""
    if output_dir is None and (resume or workers or engine is Engine.ray):
        raise typer.BadParameter("--resume, --workers and --engine ray need --output-dir")
    if ray_address and engine is not Engine.ray:
        raise typer.BadParameter("--ray-address needs --engine ray")
    options = ReadOptions(glob, id_field, text_field, target_field, max_chars, stdin_format.value)
    all_attributions = attributions is Attributions.all
    if engine is Engine.ray:
        if resume:
            raise typer.BadParameter("--resume needs --engine local (it finishes a folder written by either engine)")
        # Each Ray actor loads the model; run_batch_ray checks that it exists before starting them.
        spec = StanceSpec(
            model, device=device.value, precision=precision.value, batch_size=batch_size, fast=fast,
            all_attributions=all_attributions,
        )  # fmt: skip
        analyze_on_ray(
            paths, spec, output_dir, options=options, target=target,
            ray_options=RayOptions(address=ray_address, workers=workers), quiet=quiet,
        )  # fmt: skip
        return
    # The model is loaded before any document is read, so a bad --model fails at once.
    pipeline = Pipeline(
        model, device=device.value, precision=precision.value, batch_size=batch_size, fast=fast,
        all_attributions=all_attributions,
    )  # fmt: skip
    if output_dir is not None:
        analyze_to_folder(
            paths, pipeline, output_dir, options=options, target=target, resume=resume, workers=workers, quiet=quiet
        )
        return
    failures = 0
    with (
        output_stream(output) as stream,
        AnalysisWriter(stream, format, console_for(stream)) as writer,
    ):
        for result in pipeline.analyze(read_documents(paths, options), target):
            if isinstance(result, Failure):
                failures += 1
                typer.echo(f"Skipped {result.origin}: {result.reason}", err=True)
            else:
                writer.write(result)
    if failures:
        raise typer.Exit(EXIT_SOME_FAILED)
