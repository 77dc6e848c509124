"""`stance train`: fine-tune a stance classifier on labelled statements (`stance.training.train_stance`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from stance.classify.models import FAST_MODEL
from stance.cli.app import app
from stance.cli.common import Precision
from stance.evaluation.bootstrap import format_interval
from stance.labelling import is_label_file
from stance.training.stance import EpochReport, TrainingArguments, train_stance

DEFAULTS = TrainingArguments()


@contextmanager
def progress_bars(console: Console) -> Iterator[tuple[Progress, Callable[[str, int, int], None]]]:
    """A Rich progress display and the ``progress(phase, done, total)`` callback that feeds it:
    one bar per phase (``epoch 1``, ...), cleared when the block ends."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bars:
        tasks: dict[str, int] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bars.add_task(phase, total=total)
            bars.update(tasks[phase], completed=done)

        yield bars, progress


@app.command("train")
def train_cli(
    data: list[Path] = typer.Argument(
        ..., help="JSONL or CSV files with text, target, label (favor/against/neutral), optional speaker, cue, context.",
        exists=True, dir_okay=False,
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Model folder to write, e.g. models/NAME.", file_okay=False),
    base_model: str | None = typer.Option(
        None, help="Start from a packaged encoder (minilm, mpnet: installed from PyPI, nothing downloaded), a "
        "folder, models/ name or hub id (a stance model continues training; a LoRA one, its adapter); "
        f"default: the packaged MiniLM encoder, or the shipped model ({FAST_MODEL}) when DATA holds a file "
        "written by `stance label`.",
    ),
    validation: list[Path] = typer.Option(
        [], help="Validation files (default: a seeded share of DATA).", exists=True, dir_okay=False
    ),
    teacher: list[str] = typer.Option(
        [], "--teacher", help="Distil this stance model (folder, models/ name or hub id; NLI models too) into the "
        "new one; repeat for an ensemble, whose mean probabilities are used.",
    ),
    unlabelled: list[Path] = typer.Option(
        [], "--unlabelled", help="Statements without labels (text, target; speaker, cue, context optional) that "
        "the teachers label for training.", exists=True, dir_okay=False,
    ),
    teacher_weight: float = typer.Option(
        DEFAULTS.teacher_weight, min=0.0, max=1.0, help="Share of a labelled statement's target taken from the teachers."
    ),
    evaluate: list[Path] = typer.Option(
        [], "--evaluate", help="Held-out gold files scored after training; figures go into the model card.",
        exists=True, dir_okay=False,
    ),
    epochs: int = typer.Option(DEFAULTS.epochs, min=1),
    batch_size: int = typer.Option(DEFAULTS.batch_size, min=1),
    learning_rate: float = typer.Option(DEFAULTS.learning_rate, min=0.0),
    max_length: int = typer.Option(DEFAULTS.max_length, min=16, help="Tokens per statement."),
    frozen_layers: int = typer.Option(DEFAULTS.frozen_layers, min=0, help="Lowest encoder layers kept frozen."),
    context: bool = typer.Option(
        DEFAULTS.use_context, "--context/--no-context", help="Give the model the text around each statement."
    ),
    validation_fraction: float = typer.Option(DEFAULTS.validation_fraction, min=0.0, max=0.5),
    seed: int = typer.Option(DEFAULTS.seed),
    precision: Precision = typer.Option(
        Precision(DEFAULTS.precision), help="Training precision. auto: bf16 autocast on CUDA and on CPUs with "
        "AMX/AVX512-BF16 (1.4x faster per step on a 2-core AMX Xeon), else fp32.",
    ),
    group_by_length: bool = typer.Option(
        DEFAULTS.group_by_length, "--group-by-length", help="Batch statements of about one length together: "
        "much less padding, 2.6-3.7x faster per step on the shipped model's mixed data, but it scored lower held out "
        "there (docs/training.md): for trying settings quickly.",
    ),
    lora_rank: int = typer.Option(
        DEFAULTS.lora_rank, min=0, help="Train LoRA adapters of this rank (alpha 2x rank) in every encoder layer and "
        "the head whole, instead of the upper layers; over a packaged encoder the folder stores only those (a few "
        "MB). 0: no LoRA. Use a learning rate about 10x a full fine-tune's, e.g. 3e-4.",
    ),
    speaker_dropout: float = typer.Option(
        DEFAULTS.speaker_dropout, min=0.0, max=1.0, help="Probability that a training statement is shown with the "
        "unknown speaker ('someone') instead of its speaker, drawn every epoch: the model must read the statement.",
    ),
    speaker_swap: float = typer.Option(
        DEFAULTS.speaker_swap, min=0.0, max=1.0, help="Probability that a training statement is shown as said by a "
        "named speaker of either camp (Democrats, Republicans, advocacy groups) instead, drawn every epoch: the "
        "party cannot stand in for the reading. Dropout plus swap is at most 1.",
    ),
    resume: bool = typer.Option(
        False, "--resume", help="Continue an interrupted run from the checkpoint of its last finished epoch in "
        "OUTPUT/checkpoint (same data and options).",
    ),
    notes: Path | None = typer.Option(
        None, help="Markdown added to the model card (where the data came from, how it was split).",
        exists=True, dir_okay=False,
    ),
) -> None:
    """Fine-tune a stance model; prints validation macro-F1 per epoch and writes a model card."""
    if speaker_dropout + speaker_swap > 1:
        raise typer.BadParameter(f"with --speaker-dropout {speaker_dropout} it can be at most {1 - speaker_dropout:g}",
                                 param_hint="--speaker-swap")  # fmt: skip
    args = TrainingArguments(
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        max_length=max_length,
        frozen_layers=frozen_layers,
        use_context=context,
        validation_fraction=validation_fraction,
        teacher_weight=teacher_weight,
        seed=seed,
        precision=precision.value,
        group_by_length=group_by_length,
        lora_rank=lora_rank,
        speaker_dropout=speaker_dropout,
        speaker_swap=speaker_swap,
    )
    console = Console(stderr=True, soft_wrap=True)  # a path in a message stays on one line
    if base_model is None and any(is_label_file(path) for path in data):
        # The labelling loop adapts the fast shipped model (minutes per epoch on a CPU) to the user's articles.
        base_model = FAST_MODEL
        console.print(f"continuing from the shipped model {FAST_MODEL} (DATA was written by `stance label`; "
                      "--base-model to start elsewhere)")
    with progress_bars(console) as (bars, progress):

        def epoch_done(report: EpochReport) -> None:
            f1 = "—" if report.validation_macro_f1 is None else f"{report.validation_macro_f1:.3f}"
            bars.console.print(f"epoch {report.epoch}: loss {report.train_loss:.4f}, validation macro-F1 {f1} ({report.seconds:.0f} s)")

        run = train_stance(
            data, output, args, base_model=base_model, validation=validation, teachers=teacher, unlabelled=unlabelled,
            evaluate=evaluate, notes=notes, progress=progress, on_epoch=epoch_done, resume=resume,
        )
    for name, scores in run.evaluations.items():
        console.print(
            f"{name}: accuracy {scores['accuracy']:.3f}, macro-F1 {scores['macro_f1']:.3f} "
            f"(95% interval {format_interval(scores['intervals']['macro_f1'])}; {scores['rows']} rows)"
        )
    if run.unlabelled_rows:
        console.print(f"{run.unlabelled_rows} rows without a label ignored")
    console.print(f"saved {run.folder} (kept epoch {run.training.best_epoch})")
