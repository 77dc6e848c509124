"""What an epoch of stance training shows the model: its batches, and whose speakers are hidden.

Both are drawn from generators seeded by the run's seed and the epoch, not from global state, so
that an epoch is the same whether the run went straight through or was resumed before it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

# With group_by_length, rows are sorted by length within pools of this many batches (as in
# transformers' length-grouped sampler): large enough to group well, small enough to stay random.
LENGTH_POOL_BATCHES = 50


def training_batches(lengths: Sequence[int], batch_size: int, seed: int, *, group_by_length: bool = False) -> list[list[int]]:
    """One epoch's batches: row indices, every row once, in a seeded random order.

    With ``group_by_length``, the shuffled rows are cut into pools of `LENGTH_POOL_BATCHES`
    batches, each pool is sorted by token length and cut into batches, and the batches are
    shuffled: a batch then holds statements of about one length, so padding to the longest costs
    little, while the pools keep the batches' make-up random from epoch to epoch.
    """
    order = list(range(len(lengths)))
    shuffler = random.Random(seed)
    shuffler.shuffle(order)
    if not group_by_length:
        return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    pool_size = batch_size * LENGTH_POOL_BATCHES
    batches = []
    for start in range(0, len(order), pool_size):
        pool = sorted(order[start : start + pool_size], key=lengths.__getitem__)
        batches += [pool[first : first + batch_size] for first in range(0, len(pool), batch_size)]
    shuffler.shuffle(batches)
    return batches


def speaker_dropped(count: int, probability: float, seed: int, epoch: int) -> list[bool]:
    """Which of ``count`` training rows are shown with the unknown-speaker word in ``epoch``:
    each with ``probability``, drawn from a generator of its own seeded by ``seed`` and
    ``epoch`` (so that a resumed run draws the same)."""
    if probability <= 0:
        return [False] * count
    draw = random.Random(f"speaker-dropout {seed} {epoch}")
    return [draw.random() < probability for _ in range(count)]
