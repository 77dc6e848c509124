"""Time `stance train` steps with and without bfloat16 autocast and length-grouped batches.

    python benchmarks/training_speed.py runs/stance-splits/immigration_fit.jsonl \\
        runs/stance-splits/multitarget_train.jsonl [--rows 320] [--repeats 3]

Trains the shipped recipe's model (packaged MiniLM, 3 frozen layers, 192 tokens, batch 16) for one
epoch over a seeded sample of ``--rows`` statements of the files (so news paragraphs and tweets mix
as in the recipe) in each setting, ``--repeats`` times, alternating, and prints the median seconds
per step and each setting's speed-up over fp32 as JSON. bfloat16 pays only where the hardware has
units for it (CUDA, CPUs with AMX / AVX512-BF16); elsewhere it is emulated.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time

import torch

from stance.data.statements import read_labelled
from stance.devices import cpu_has_bf16_units
from stance.training import TrainingArguments, fit_stance

SETTINGS = {
    "fp32": {"precision": "fp32"},
    "bf16": {"precision": "bf16"},
    "fp32, group_by_length": {"precision": "fp32", "group_by_length": True},
    "bf16, group_by_length": {"precision": "bf16", "group_by_length": True},
}


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="+")
    parser.add_argument("--rows", type=int, default=320)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    statements = read_labelled(args.data)
    rows = random.Random(0).sample(statements, min(args.rows, len(statements)))
    base = TrainingArguments(epochs=1, max_length=192, frozen_layers=3, validation_fraction=0.0)
    steps = -(-len(rows) // base.batch_size)
    seconds: dict[str, list[float]] = {name: [] for name in SETTINGS}
    for _ in range(args.repeats):
        for name, setting in SETTINGS.items():
            started = time.perf_counter()
            fit_stance(rows, TrainingArguments(**{**base.to_dict(), **setting}))
            seconds[name].append((time.perf_counter() - started) / steps)
    medians = {name: statistics.median(times) for name, times in seconds.items()}
    return {
        "rows": len(rows),
        "steps": steps,
        "threads": args.threads,
        "cpu_has_bf16_units": cpu_has_bf16_units(),
        "seconds_per_step": {name: round(value, 3) for name, value in medians.items()},
        "speedup_over_fp32": {name: round(medians["fp32"] / value, 2) for name, value in medians.items()},
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), indent=2))
