"""Time `stance train` steps in float32 and under bfloat16 autocast on this machine.

    python benchmarks/training_precision.py ../shared/data/stance/immigration_train.jsonl [--rows 160] [--repeats 3]

Trains the shipped recipe's model (packaged MiniLM, 3 frozen layers, 192 tokens, batch 16) for one
epoch over the first ``--rows`` statements in each precision, ``--repeats`` times, alternating, and
prints the median seconds per step and the ratio as JSON. bfloat16 pays only where the hardware
has units for it (CUDA, CPUs with AMX / AVX512-BF16); elsewhere it is emulated.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import torch

from stance.devices import cpu_has_bf16_units
from stance.training import TrainingArguments, read_labelled, train


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--rows", type=int, default=160)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    rows = read_labelled([args.data])[: args.rows]
    base = TrainingArguments(epochs=1, max_length=192, frozen_layers=3, validation_fraction=0.0)
    steps = -(-len(rows) // base.batch_size)
    seconds: dict[str, list[float]] = {"fp32": [], "bf16": []}
    for _ in range(args.repeats):
        for precision in seconds:
            started = time.perf_counter()
            train(rows, TrainingArguments(**{**base.to_dict(), "precision": precision}))
            seconds[precision].append((time.perf_counter() - started) / steps)
    medians = {precision: statistics.median(times) for precision, times in seconds.items()}
    return {
        "rows": len(rows),
        "steps": steps,
        "threads": args.threads,
        "cpu_has_bf16_units": cpu_has_bf16_units(),
        "seconds_per_step": {precision: round(value, 3) for precision, value in medians.items()},
        "speedup_bf16": round(medians["fp32"] / medians["bf16"], 2),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), indent=2))
