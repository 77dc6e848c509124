"""Checkpoints of the training loop: what a run needs to continue after a crash, after every epoch.

A checkpoint folder holds ``state.json`` (the epoch and step reached, what the run is, the
scheduler, the optimizer's settings, Python's random state and the trainer's own record) and one
``epoch-N.safetensors`` (the trainable parameters, the optimizer's moments, torch's random
state and the trainer's own tensors). The tensors are written first and ``state.json`` is
replaced last, in one step: a crash at any point leaves the previous checkpoint whole. Nothing
is unpickled on resume.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

from stance.errors import DataError

STATE_FILE = "state.json"


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint read back: where the run was, and the trainer's own state."""

    epoch: int  # the last finished epoch
    done: int  # optimizer steps taken
    trainer: dict  # the trainer's JSON state, as it gave it
    trainer_tensors: dict  # the trainer's tensors, as it gave them


def has_checkpoint(folder: Path) -> bool:
    return (Path(folder) / STATE_FILE).is_file()


def write_checkpoint(
    folder: Path,
    model,
    optimizer,
    scheduler,
    *,
    epoch: int,
    done: int,
    fingerprint: dict,
    trainer: dict,
    trainer_tensors: dict,
) -> None:
    """Save the run after ``epoch`` (``done`` steps): the trainable parameters of ``model``, the
    optimizer and scheduler, the random states, and the trainer's own state."""
    import torch
    from safetensors.torch import save_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tensors = {f"trainable.{name}": p.detach() for name, p in model.named_parameters() if p.requires_grad}
    optimizer_state = optimizer.state_dict()
    for index, moments in optimizer_state["state"].items():
        tensors |= {f"optimizer.{index}.{key}": value for key, value in moments.items()}
    tensors["rng.torch"] = torch.get_rng_state()
    if torch.cuda.is_available():
        tensors |= {f"rng.cuda.{i}": state for i, state in enumerate(torch.cuda.get_rng_state_all())}
    tensors |= {f"trainer.{name}": value for name, value in trainer_tensors.items()}
    name = f"epoch-{epoch}.safetensors"
    partial = folder / f"{name}.partial"
    save_file({key: value.detach().to("cpu").contiguous() for key, value in tensors.items()}, str(partial))
    os.replace(partial, folder / name)
    version, internal, gauss = random.getstate()
    state = {
        "epoch": epoch,
        "done": done,
        "tensors": name,
        "fingerprint": fingerprint,
        "scheduler": scheduler.state_dict(),
        "optimizer_groups": optimizer_state["param_groups"],
        "python_random": [version, list(internal), gauss],
        "trainer": trainer,
    }
    partial = folder / f"{STATE_FILE}.partial"
    partial.write_text(json.dumps(state) + "\n", encoding="utf-8")
    os.replace(partial, folder / STATE_FILE)
    for old in folder.glob("epoch-*.safetensors"):
        if old.name != name:
            old.unlink()


def read_checkpoint(folder: Path, model, optimizer, scheduler, *, fingerprint: dict) -> Checkpoint:
    """Restore ``model``'s trainable parameters, the optimizer, the scheduler and the random
    states from ``folder``; a `DataError` when there is no checkpoint or it is of another run."""
    import torch
    from safetensors.torch import load_file

    path = Path(folder) / STATE_FILE
    if not path.is_file():
        raise DataError(f"{path}: expected a checkpoint to resume from, found none; run without --resume")
    state = json.loads(path.read_text(encoding="utf-8"))
    if state["fingerprint"] != fingerprint:
        changed = sorted(key for key in fingerprint.keys() | state["fingerprint"].keys()
                         if fingerprint.get(key) != state["fingerprint"].get(key))
        raise DataError(
            f"{path}: expected a checkpoint of this run, found one of a run that differs in {changed}; "
            f"resume with the same data and options, or delete {folder} to start over"
        )
    tensors = load_file(str(Path(folder) / state["tensors"]))
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if parameter.requires_grad:
                parameter.copy_(tensors[f"trainable.{name}"])
    moments: dict[int, dict] = {}
    for key, value in tensors.items():
        if key.startswith("optimizer."):
            _, index, moment = key.split(".", 2)
            moments.setdefault(int(index), {})[moment] = value
    groups = [group | {"betas": tuple(group["betas"])} if "betas" in group else group for group in state["optimizer_groups"]]
    optimizer.load_state_dict({"state": moments, "param_groups": groups})
    scheduler.load_state_dict(state["scheduler"])
    version, internal, gauss = state["python_random"]
    random.setstate((version, tuple(internal), gauss))
    torch.set_rng_state(tensors["rng.torch"])
    cuda = [tensors[f"rng.cuda.{i}"] for i in range(sum(key.startswith("rng.cuda.") for key in tensors))]
    if cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(cuda)
    trainer_tensors = {key.removeprefix("trainer."): value for key, value in tensors.items() if key.startswith("trainer.")}
    return Checkpoint(state["epoch"], state["done"], state["trainer"], trainer_tensors)
