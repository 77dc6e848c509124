"""Percentile bootstrap over articles, shared by the quote and stance evaluations.

Held-out sets in this field are a few hundred statements from a few dozen articles, so a figure
moves by several points with the sample. Resampling whole articles (statements of one article
share speakers and topics) gives intervals that say whether a model beats a goal or another model.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

RESAMPLES = 1000
CONFIDENCE = 0.95


def resampled_rows(units: Sequence[Sequence[int]], resamples: int, seed: int = 0) -> Iterator[list[int]]:
    """``resamples`` lists of row indices: each draws as many ``units`` (lists of rows, e.g. one per
    article) as there are, with replacement. Seeded, so a report is reproducible."""
    rng = random.Random(seed)
    for _ in range(resamples):
        yield [i for unit in rng.choices(units, k=len(units)) for i in unit]


def format_interval(bounds: Sequence[float]) -> str:
    """``[low, high]`` as it is printed everywhere: ``0.597-0.744``."""
    return f"{bounds[0]:.3f}-{bounds[1]:.3f}"


def percentile_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> list[float]:
    """The central ``confidence`` share of ``values``: ``[low, high]``."""
    ordered = sorted(values)
    tail = (1 - confidence) / 2
    return [ordered[round(q * (len(ordered) - 1))] for q in (tail, 1 - tail)]
