"""The one training loop of the project's models, the stance classifier and the quote tagger.

Each model brings what is its own: its trainable parameters in groups with their learning rates,
the batches of an epoch, the forward pass and the loss. The loop does the rest the same way for
both: AdamW, the linear warmup-then-decay schedule of `transformers.get_linear_schedule_with_warmup`,
bfloat16 autocast of the forward pass where asked, gradient clipping, and a report after every
step and every epoch, and, when asked, a checkpoint after every epoch (`Checkpointing`) from which
a crashed run continues as if it had never stopped. Seeding is `seed_everything`, called before
the model is built, so that a randomly initialised head is reproducible too.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stance.devices import autocast
from stance.errors import DataError
from stance.training.checkpoints import has_checkpoint, read_checkpoint, write_checkpoint


@dataclass(frozen=True)
class LoopSettings:
    """How long and how the loop optimises; each model's training arguments map onto these."""

    # May be fractional: the last epoch then stops part way.
    epochs: float
    weight_decay: float
    # Share of the steps over which the learning rate climbs from 0 before it decays linearly to 0.
    warmup_ratio: float
    max_steps: int | None = None  # stop early (smoke tests)
    # Autocast the forward pass to bfloat16; weights, gradients and optimizer state stay float32.
    bf16: bool = False
    max_grad_norm: float = 1.0


@dataclass(frozen=True)
class StepReport:
    """After each optimizer step: where the loop is and the batch's loss."""

    epoch: int
    step: int  # within the epoch, from 1
    epoch_steps: int
    total_step: int  # since the start, from 1
    total_steps: int
    loss: float


@dataclass(frozen=True)
class EpochSummary:
    """After each epoch (the last one possibly partial): its steps, mean loss and duration."""

    epoch: int
    steps: int
    mean_loss: float
    seconds: float


@dataclass(frozen=True)
class Checkpointing:
    """A checkpoint in ``folder`` after every epoch, and whether to resume from the one there.

    ``fingerprint`` says what the run is (data, options): a checkpoint of another run is refused.
    ``save()`` gives the trainer's own state to keep, as JSON and tensors (e.g. its history and
    best weights); ``restore(state, tensors)`` takes them back on resume.
    """

    folder: Path
    resume: bool = False
    fingerprint: dict = field(default_factory=dict)
    save: Callable[[], tuple[dict, dict]] = lambda: ({}, {})
    restore: Callable[[dict, dict], None] = lambda state, tensors: None


def seed_everything(seed: int) -> None:
    """Seed Python's and torch's generators (dropout, head initialisation)."""
    import torch

    random.seed(seed)
    torch.manual_seed(seed)


def total_steps(steps_per_epoch: int, epochs: float, max_steps: int | None = None) -> int:
    """The optimizer steps a run takes: ``epochs`` epochs (at least one step), at most ``max_steps``."""
    total = max(1, round(epochs * steps_per_epoch))
    return min(total, max_steps) if max_steps is not None else total


def run_loop(
    model,
    parameter_groups: Sequence[dict],
    epoch_batches: Callable[[int], Iterable[Any]],
    forward: Callable[[Any], Any],
    loss: Callable[[Any, Any], Any],
    settings: LoopSettings,
    *,
    steps_per_epoch: int,
    train_mode: Callable[[Any], None] | None = None,
    on_step: Callable[[StepReport], None] | None = None,
    on_epoch: Callable[[EpochSummary], None] | None = None,
    checkpointing: Checkpointing | None = None,
) -> int:
    """Train ``model`` in place and leave it in eval mode; returns the number of steps taken.

    ``parameter_groups`` are AdamW's (``{"params": [...], "lr": ...}``); ``epoch_batches(epoch)``
    gives the batches of epoch 1, 2, ...; ``forward(batch)`` runs the model (under autocast when
    ``settings.bf16``) and ``loss(output, batch)`` turns its output into the loss, in float32.
    ``train_mode(model)`` sets dropout at the start of each epoch (default: ``model.train()``).
    ``on_epoch`` may switch the model to eval mode (to validate); the next epoch switches it back.
    With ``checkpointing``, a checkpoint is written after every epoch (after ``on_epoch``), and a
    resumed run restores the trainable weights, optimizer, scheduler and random states of the
    last one and continues with the next epoch. A checkpoint left in the folder by an unfinished
    run is never overwritten unless resumed: a `DataError` says so.
    """
    import torch
    from transformers import get_linear_schedule_with_warmup

    total = total_steps(steps_per_epoch, settings.epochs, settings.max_steps)
    parameters = [parameter for group in parameter_groups for parameter in group["params"]]
    optimizer = torch.optim.AdamW(parameter_groups, weight_decay=settings.weight_decay)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(total * settings.warmup_ratio), total)
    device_type = parameters[0].device.type if parameters else "cpu"
    done, epoch = 0, 0
    if checkpointing is not None and checkpointing.resume:
        restored = read_checkpoint(
            checkpointing.folder, model, optimizer, scheduler, fingerprint=checkpointing.fingerprint
        )
        done, epoch = restored.done, restored.epoch
        checkpointing.restore(restored.trainer, restored.trainer_tensors)
    elif checkpointing is not None and has_checkpoint(checkpointing.folder):
        raise DataError(
            f"{checkpointing.folder}: expected no checkpoint for a new run, found one of an unfinished run; "
            "resume it (--resume) or delete the folder to start over"
        )
    while done < total:
        epoch += 1
        started = time.monotonic()
        if train_mode is None:
            model.train()
        else:
            train_mode(model)
        epoch_steps = min(steps_per_epoch, total - done)
        losses: list[float] = []
        for batch in epoch_batches(epoch):
            with autocast(settings.bf16, device_type):
                output = forward(batch)
            value = loss(output, batch)
            value.backward()
            torch.nn.utils.clip_grad_norm_(parameters, settings.max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            done += 1
            losses.append(value.item())
            if on_step:
                on_step(StepReport(epoch, len(losses), epoch_steps, done, total, losses[-1]))
            if done >= total:
                break
        if not losses:
            raise DataError(f"expected batches to train on in epoch {epoch}, found none")
        if on_epoch:
            on_epoch(EpochSummary(epoch, len(losses), sum(losses) / len(losses), time.monotonic() - started))
        if checkpointing is not None:
            trainer, trainer_tensors = checkpointing.save()
            write_checkpoint(
                checkpointing.folder, model, optimizer, scheduler, epoch=epoch, done=done,
                fingerprint=checkpointing.fingerprint, trainer=trainer, trainer_tensors=trainer_tensors,
            )
    model.eval()
    return done
