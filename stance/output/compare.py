"""Compare two batch output folders record by record: did two runs find the same things?

Two runs of the same documents (the local and the Ray engine, or two machines) may write their
records in another order, and a model's scores may differ in the last digits (another batch
composition, another number of threads). `folder_differences` lists what differs beyond that: records
are matched by key (a document by id, a quote by document and offsets, a speaker row by document
and name, a corpus row by target and name, a failure by origin) and numbers compared within a
tolerance.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from stance.output.folder import (
    ARTICLES_FILE,
    CORPUS_FILE,
    FAILURES_FILE,
    QUOTES_FILE,
    SPEAKERS_FILE,
)

# What identifies a record of each file; a quote or a speaker row also by its place among those
# of its document (two quotes may share their offsets).
RECORD_KEYS: dict[str, Callable[[dict], tuple]] = {
    ARTICLES_FILE: lambda row: (row["id"],),
    QUOTES_FILE: lambda row: (row["document"],),
    SPEAKERS_FILE: lambda row: (row["document"], row["target"]),
    CORPUS_FILE: lambda row: (row["target"], row["speaker"]),
    FAILURES_FILE: lambda row: (row["origin"], row["reason"]),
}
# Differences listed at most, per file.
MOST_SHOWN = 5


def folder_differences(first: Path, second: Path, tolerance: float = 1e-4) -> list[str]:
    """What differs between the output folders ``first`` and ``second``; empty when they hold
    the same records (numbers within ``tolerance``, CSV numbers as written)."""
    differences = []
    for name, key in RECORD_KEYS.items():
        ours, theirs = _keyed(first / name, key), _keyed(second / name, key)
        found = [f"{name}: {k} only in {first}" for k in ours.keys() - theirs.keys()]
        found += [f"{name}: {k} only in {second}" for k in theirs.keys() - ours.keys()]
        for k in ours.keys() & theirs.keys():
            if not _same(ours[k], theirs[k], tolerance):
                found.append(f"{name}: {k} differs: {ours[k]} != {theirs[k]}")
        differences += sorted(found)[:MOST_SHOWN] + ([f"{name}: {len(found)} differences"] if len(found) > MOST_SHOWN else [])
    return differences


def _keyed(path: Path, key: Callable[[dict], tuple]) -> dict[tuple, dict]:
    """The rows of ``path`` by key, with the number of earlier rows of the same key."""
    seen: Counter[tuple] = Counter()
    keyed = {}
    for row in _rows(path):
        base = key(row)
        keyed[(*base, seen[base])] = row
        seen[base] += 1
    return keyed


def _rows(path: Path) -> Iterable[dict]:
    if not path.exists():
        return []
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as stream:
            return list(csv.DictReader(stream))
    with path.open(encoding="utf-8") as stream:
        return [json.loads(line) for line in stream]


def _same(a, b, tolerance: float) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], tolerance) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y, tolerance) for x, y in zip(a, b))
    if isinstance(a, str) and isinstance(b, str):
        return a == b or _close_numbers(a, b, tolerance)
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, abs_tol=tolerance)
    return a == b


def _close_numbers(a: str, b: str, tolerance: float) -> bool:
    """Two CSV cells that are numbers within ``tolerance``."""
    try:
        return math.isclose(float(a), float(b), abs_tol=tolerance)
    except ValueError:
        return False
