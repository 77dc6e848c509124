"""`stance train-tagger`: train the quote tagger (content / source / cue spans) on PolNeAR-format
data (`stance.training.train_tagger`)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from stance.cli.app import app
from stance.cli.quotes import Attributions
from stance.cli.train import progress_bars
from stance.quotes.tagger import PRECISIONS, TaggerConfig
from stance.training.tagger import (
    DEFAULT_OUTPUT,
    DEFAULT_TRAIN_DATA,
    TaggerTrainingArguments,
    train_tagger,
)

DEFAULTS = TaggerTrainingArguments()
TAGGER_DEFAULTS = TaggerConfig()


@app.command("train-tagger")
def train_tagger_cli(
    train: Path = typer.Option(
        Path(DEFAULT_TRAIN_DATA), help="PolNeAR-format JSONL (text + content/source/cue spans).",
        exists=True, dir_okay=False,
    ),
    output: Path = typer.Option(Path(DEFAULT_OUTPUT), "--output", "-o", help="Model folder to write.", file_okay=False),
    epochs: float = typer.Option(DEFAULTS.epochs, min=0.0),
    learning_rate: float = typer.Option(DEFAULTS.learning_rate, min=0.0),
    seed: int = typer.Option(DEFAULTS.seed),
    max_steps: int | None = typer.Option(None, min=1, help="Stop after this many steps."),
    limit: int | None = typer.Option(None, min=1, help="Train on the first N articles only."),
    max_length: int = typer.Option(TAGGER_DEFAULTS.max_length, min=8, help="Tokens per window."),
    stride: int = typer.Option(TAGGER_DEFAULTS.stride, min=0, help="Tokens shared by consecutive windows."),
    layers: int = typer.Option(TAGGER_DEFAULTS.num_layers, min=1, max=6, help="Lower encoder layers kept."),
    trained_layers: int = typer.Option(TAGGER_DEFAULTS.trained_layers, min=0, help="Top layers fine-tuned."),
    batch_size: int = typer.Option(TAGGER_DEFAULTS.batch_size, min=1),
    precision: str = typer.Option(
        TAGGER_DEFAULTS.precision, help=f"Inference precision when the model is loaded: {', '.join(PRECISIONS)}."
    ),
    attributions: Attributions = typer.Option(
        Attributions(TAGGER_DEFAULTS.attributions), "--attributions",
        help="speech: learn to find statements only (gold attributions whose cue is a speech act, and "
        "quotations); all: every gold attribution.",
    ),
    threads: int = typer.Option(DEFAULTS.num_threads, min=1, help="CPU threads for torch."),
    evaluate: list[Path] = typer.Option(
        [], "--evaluate", help="Held-out gold JSONL scored after training; figures go into the model card.",
        exists=True, dir_okay=False,
    ),
) -> None:
    """Train the quote tagger and write its folder (weights, tokenizer, config, model card)."""
    args = TaggerTrainingArguments(
        train_path=str(train),
        output=str(output),
        epochs=epochs,
        learning_rate=learning_rate,
        seed=seed,
        max_steps=max_steps,
        limit_articles=limit,
        num_threads=threads,
        tagger=TaggerConfig(
            max_length=max_length,
            stride=stride,
            num_layers=layers,
            trained_layers=trained_layers,
            batch_size=batch_size,
            precision=precision,
            attributions=attributions.value,
        ),
    )
    console = Console(stderr=True, soft_wrap=True)  # a path in a message stays on one line
    with progress_bars(console) as (_, progress):
        run = train_tagger(args, evaluate=evaluate, progress=progress)
    console.print(f"saved {run.folder} in {run.record['steps']} steps (model card: {run.folder / 'README.md'})")
