"""`stance analyze --output-dir`: the batch run's progress bar and summary around `run_batch`
(``--engine local``) or `run_batch_ray` (``--engine ray``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from stance.batch import BatchProgress, BatchSummary, run_batch
from stance.batch_ray import RayOptions, StanceSpec, run_batch_ray
from stance.errors import EXIT_OK, InputError
from stance.output.folder import FAILURES_FILE
from stance.pipeline import Pipeline
from stance.reading import STDIN, ReadOptions, estimate_documents, is_uri, read_documents


def analyze_to_folder(
    paths: list[str],
    pipeline: Pipeline,
    output_dir: str,
    *,
    options: ReadOptions,
    target: str,
    resume: bool,
    workers: int,
    quiet: bool,
) -> None:
    """Run the batch, show progress and the summary on stderr, exit with the summary's code."""
    if is_uri(output_dir):
        raise InputError(output_dir, "expected a local --output-dir, found a URI; write it with --engine ray")
    _check_output_dir(paths, output_dir)
    if workers > 0:
        # The workers extract quotes on their own cores; the model keeps the rest.
        import torch

        torch.set_num_threads(max(1, (os.cpu_count() or 1) - workers))
    documents = read_documents(paths, options)
    _show_run(
        lambda progress: run_batch(
            documents, pipeline, output_dir, target=target, resume=resume, workers=workers, progress=progress
        ),
        paths, options, output_dir, quiet, resume_hint="the same command and --resume",
    )  # fmt: skip


def analyze_on_ray(
    paths: list[str],
    spec: StanceSpec,
    output_dir: str,
    *,
    options: ReadOptions,
    target: str,
    ray_options: RayOptions,
    quiet: bool,
) -> None:
    """`analyze_to_folder` on Ray Data (`stance.batch_ray`)."""
    _check_output_dir(paths, output_dir)
    # Ray's log lines (its plan, its C++ workers' notes) would interleave with the progress bar;
    # they stay in its session folder (/tmp/ray/session_latest/logs). A user's settings win.
    os.environ.setdefault("RAY_DATA_LOG_LEVEL", "ERROR")
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
    _show_run(
        lambda progress: run_batch_ray(
            paths, output_dir, spec=spec, options=options, target=target, ray_options=ray_options, progress=progress
        ),
        paths, options, output_dir, quiet, resume_hint="the same command, --engine local and --resume",
    )  # fmt: skip


def _check_output_dir(paths: list[str], output_dir: str) -> None:
    if is_uri(output_dir):
        return
    if Path(output_dir).is_file():
        raise InputError(output_dir, "expected a folder for --output-dir, found a file; choose another --output-dir")
    for path in paths:
        if is_uri(path) or path == STDIN:
            continue
        if Path(path).is_dir() and Path(output_dir).resolve().is_relative_to(Path(path).resolve()):
            raise InputError(
                output_dir,
                f"expected an output folder outside the input folder {path}, found one inside it "
                "(its results would be read as input); choose another --output-dir",
            )


def _show_run(
    run: Callable[[Callable[[BatchProgress], None] | None], BatchSummary],
    paths: list[str],
    options: ReadOptions,
    output_dir: str,
    quiet: bool,
    resume_hint: str,
) -> None:
    """``run(progress)`` under a progress bar, then the summary; exits with the summary's code."""
    console = Console(stderr=True)
    show_progress = not quiet and sys.stderr.isatty()
    total = estimate_documents(paths, options) if show_progress else None
    with progress_bar(console, total, show_progress) as progress:
        summary = run(progress)
    if not quiet:
        console.print(summary_table(summary))
    if summary.interrupted:
        typer.echo(f"Interrupted. Finish with {resume_hint} (into {output_dir}).", err=True)
    if summary.exit_code != EXIT_OK:
        raise typer.Exit(summary.exit_code)


@contextmanager
def progress_bar(
    console: Console, total: int | None, enabled: bool
) -> Iterator[Callable[[BatchProgress], None] | None]:
    """A Rich progress bar (documents done, docs/s, quotes/s, ETA), or None when not ``enabled``."""
    if not enabled:
        yield None
        return
    columns = (
        TextColumn("[bold]analysing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rates]}"),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("analysing", total=total, rates="")

        def update(state: BatchProgress) -> None:
            seconds = max(state.seconds, 1e-9)
            rates = f"{state.documents / seconds:.1f} docs/s, {state.quotes / seconds:.1f} quotes/s"
            # Documents skipped by --resume are not this run's work: leave them out of the ETA.
            remaining = None if total is None else max(total - state.skipped, state.documents)
            bar.update(task, completed=state.documents, total=remaining, rates=rates)

        yield update


def summary_table(summary: BatchSummary) -> Table:
    title = "Batch interrupted" if summary.interrupted else "Batch done"
    table = Table(title=f"{title}: {summary.output_dir}", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    rows = [
        ("documents analysed", f"{summary.documents - summary.failures:,}"),
        ("quotes", f"{summary.quotes:,}"),
        ("speakers (corpus)", f"{summary.speakers:,}"),
        ("failures", f"{summary.failures:,}" + (f" (see {FAILURES_FILE})" if summary.failures else "")),
        ("wall time", f"{summary.seconds:.1f} s"),
    ]
    if summary.skipped:
        rows.insert(0, ("skipped (already done)", f"{summary.skipped:,}"))
    if summary.total_failures != summary.failures:
        rows.append(("failures in folder", f"{summary.total_failures:,}"))
    for name, value in rows:
        table.add_row(name, value)
    return table
