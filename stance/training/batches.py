"""What an epoch of stance training shows the model: its batches, and who each statement is said by.

Both are drawn from generators seeded by the run's seed and the epoch, not from global state, so
that an epoch is the same whether the run went straight through or was resumed before it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from stance.classify.inputs import UNKNOWN_SPEAKER

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


def substitute_speakers(
    count: int, seed: int, epoch: int, *, dropout: float = 0.0, swap: float = 0.0, named: Sequence[str] = ()
) -> list[str | None]:
    """Who each of ``count`` training rows is shown as said by in ``epoch``: ``None`` (its own
    speaker), the unknown speaker `UNKNOWN_SPEAKER` with probability ``dropout``, or one of
    ``named`` (drawn uniformly) with probability ``swap``. Drawn from a generator of its own seeded
    by ``seed`` and ``epoch``, so that a resumed run draws the same."""
    if dropout + swap > 1:
        raise ValueError(f"speaker dropout and swap are probabilities of one draw; {dropout} + {swap} is over 1")
    if swap and not named:
        raise ValueError("a speaker swap needs named speakers to swap in")
    if dropout <= 0 and swap <= 0:
        return [None] * count
    draw = random.Random(f"speaker-dropout {seed} {epoch}")
    shown: list[str | None] = []
    for _ in range(count):
        chance = draw.random()
        shown.append(UNKNOWN_SPEAKER if chance < dropout else draw.choice(named) if chance < dropout + swap else None)
    return shown
