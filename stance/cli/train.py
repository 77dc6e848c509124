"""`stance train`: fine-tune a stance classifier on labelled statements."""

from __future__ import annotations

import shlex
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from stance.cli import app
from stance.cli.common import Precision
from stance.evaluation.bootstrap import format_interval
from stance.training import EpochReport, TrainingArguments, read_labelled, read_unlabelled, save_trained, train

DEFAULTS = TrainingArguments()


@app.command("train")
def train_cli(
    data: list[Path] = typer.Argument(
        ..., help="JSONL or CSV files with text, target, label (favor/against/neutral), optional speaker, cue, context.",
        exists=True, dir_okay=False,
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Model folder to write, e.g. models/NAME.", file_okay=False),
    base_model: str | None = typer.Option(
        None, help="Start from this folder, models/ name or hub id (a stance model continues training); "
        "default: the packaged MiniLM encoder.",
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
        "there (README): for trying settings quickly.",
    ),
    notes: Path | None = typer.Option(
        None, help="Markdown added to the model card (where the data came from, how it was split).",
        exists=True, dir_okay=False,
    ),
) -> None:
    """Fine-tune a stance model; prints validation macro-F1 per epoch and writes a model card."""
    from stance.classify import load_model
    from stance.evaluation.stance import evaluate_stance

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
    )
    console = Console(stderr=True)
    statements = read_labelled(data)
    held = read_labelled(validation) if validation else None
    extra = read_unlabelled(unlabelled)
    teachers = [load_model(name) for name in teacher]
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        tasks: dict[str, int] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done)

        def epoch_done(report: EpochReport) -> None:
            f1 = "—" if report.validation_macro_f1 is None else f"{report.validation_macro_f1:.3f}"
            bar.console.print(f"epoch {report.epoch}: loss {report.train_loss:.4f}, validation macro-F1 {f1} ({report.seconds:.0f} s)")

        result = train(
            statements, args, base_model=base_model, validation=held, teachers=teachers, unlabelled=extra,
            progress=progress, on_epoch=epoch_done,
        )
    evaluations = {
        str(path): _summary(evaluate_stance(result.classifier, read_labelled([path]))) for path in evaluate
    }
    for name, scores in evaluations.items():
        console.print(
            f"{name}: accuracy {scores['accuracy']:.3f}, macro-F1 {scores['macro_f1']:.3f} "
            f"(95% interval {format_interval(scores['intervals']['macro_f1'])}; {scores['rows']} rows)"
        )
    command = _command(data, output, base_model, validation, evaluate, notes, args, teacher, unlabelled)
    card_notes = notes.read_text(encoding="utf-8") if notes else None
    folder = save_trained(
        result, output, args, data=data, command=command, evaluations=evaluations, notes=card_notes,
        teachers=teacher, unlabelled=unlabelled,
    )
    console.print(f"saved {folder} (kept epoch {result.best_epoch})")


def _command(
    data, output, base_model, validation, evaluate, notes, args: TrainingArguments, teachers=(), unlabelled=()
) -> str:
    """The `stance train` command line that reproduces this run, for the model card."""
    words = ["stance", "train", *map(str, data), "--output", str(output)]
    if base_model:
        words += ["--base-model", base_model]
    for option, values in (
        ("--validation", validation), ("--evaluate", evaluate), ("--teacher", teachers), ("--unlabelled", unlabelled)
    ):
        for value in values:
            words += [option, str(value)]
    if notes:
        words += ["--notes", str(notes)]
    names = ["epochs", "batch_size", "learning_rate", "max_length", "frozen_layers", "validation_fraction", "seed"]
    names += ["precision"] if args.precision != DEFAULTS.precision else []
    names += ["teacher_weight"] if teachers else []
    for name in names:
        words += ["--" + name.replace("_", "-"), str(getattr(args, name))]
    if not args.use_context:
        words.append("--no-context")
    if args.group_by_length:
        words.append("--group-by-length")
    return shlex.join(words)


def _summary(scores: dict) -> dict:
    return {key: scores[key] for key in ("rows", "accuracy", "macro_f1", "intervals", "per_label")}
