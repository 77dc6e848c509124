"""The party-shortcut check (``stance evaluate swap``): does the label follow the speaker's camp?

A stance model should read the statement toward the target; who says it may help read it (a
pronoun, a role) but must not stand in for it. This check puts the same statement in the mouth of
each side of a pair of opposite camps (``CAMP_PAIRS``: "Democratic leaders" / "Republican
leaders", ...) and counts the statements whose predicted label differs between the two sides.
A model that reads the statement changes few; one that learned "Republican -> favor" changes many.

The speaker is replaced wherever the model reads it (`with_speaker`): the speaker field, and the
speaker's name as written in the context. A statement without a speaker (GWSD's) gets one. The
quote itself is never changed. Each side is predicted for every statement in one batched
``predict_proba`` call.

Reported overall, per target and per dataset: ``changed``, the share of (statement, pair)
instances whose label differs (so with one pair, the share of statements), with a bootstrap
interval that resamples articles (the ``group`` field) like `stance.evaluation.stance`; the same
per pair; and ``lean_shift``, the mean of P(favor) - P(against) on the second side minus the
first: each pair is (liberal camp, conservative camp), so a positive shift means the model leans
toward favor when a conservative says it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from stance.classify.inputs import with_speaker
from stance.data.statements import LabelledStatement, read_labelled, statement_groups
from stance.errors import DataError
from stance.evaluation.bootstrap import CONFIDENCE, RESAMPLES, percentile_interval, resampled_rows
from stance.evaluation.stance import rows_by_value
from stance.records import most_probable

# (liberal camp, conservative camp): speakers of the same kind on both sides, so the only
# difference is the camp. Add a pair here to check it everywhere.
CAMP_PAIRS: tuple[tuple[str, str], ...] = (
    ("Democratic leaders", "Republican leaders"),
    ("the ACLU", "the Heritage Foundation"),
    ("Sen. Elizabeth Warren", "Sen. Ted Cruz"),
)


def pair_name(pair: tuple[str, str]) -> str:
    """How a pair is keyed in the report and shown: ``"Democratic leaders <-> Republican leaders"``."""
    return f"{pair[0]} <-> {pair[1]}"


def speaker_swap(
    model,
    statements: Sequence[LabelledStatement],
    pairs: Sequence[tuple[str, str]] = CAMP_PAIRS,
    *,
    batch_size: int = 32,
    resamples: int = RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int = 0,
) -> dict:
    """How often ``model``'s label changes when each statement's speaker is swapped between the
    sides of each of ``pairs``: overall, ``by_target`` and ``by_dataset`` (see the module
    docstring), each with ``interval`` unless ``resamples`` is 0. ``model`` needs ``predict_proba``;
    it is called once per distinct side."""
    if not statements or not pairs:
        raise DataError(
            f"expected statements and camp pairs to swap, found {len(statements)} statements and {len(pairs)} pairs; "
            "give both"
        )
    sides = list(dict.fromkeys(name for pair in pairs for name in pair))
    scores = {
        side: model.predict_proba([with_speaker(row.input, side) for row in statements], batch_size=batch_size)
        for side in sides
    }
    labels = {side: [most_probable(row) for row in rows] for side, rows in scores.items()}
    lean = {side: [row.get("favor", 0.0) - row.get("against", 0.0) for row in rows] for side, rows in scores.items()}
    names = [pair_name(pair) for pair in pairs]
    n = len(statements)
    changed = {name: [int(labels[a][i] != labels[b][i]) for i in range(n)] for name, (a, b) in zip(names, pairs)}
    shift = {name: [lean[b][i] - lean[a][i] for i in range(n)] for name, (a, b) in zip(names, pairs)}
    # Over all pairs: how many of a row's pairs changed its label, and its mean shift.
    changed["all"] = [sum(changed[name][i] for name in names) for i in range(n)]
    shift["all"] = [sum(shift[name][i] for name in names) / len(names) for i in range(n)]

    def part(rows: list[int]) -> dict:
        units = list(statement_groups([statements[i] for i in rows]).values())

        def rate(key: str, pairs_counted: int) -> dict:
            counts = [changed[key][i] for i in rows]
            figures = {
                "changes": sum(counts),
                "changed": sum(counts) / (len(rows) * pairs_counted),
                "lean_shift": sum(shift[key][i] for i in rows) / len(rows),
            }
            if resamples:
                shares = [
                    sum(counts[i] for i in sample) / (len(sample) * pairs_counted)
                    for sample in resampled_rows(units, resamples, seed)
                ]
                figures["interval"] = percentile_interval(shares, confidence)
            return figures

        return {"rows": len(rows), **rate("all", len(names)), "by_pair": {name: rate(name, 1) for name in names}}

    report = {
        "pairs": [list(pair) for pair in pairs],
        **({"confidence": confidence, "resamples": resamples} if resamples else {}),
        **part(list(range(len(statements)))),
    }
    splits = {"target": [row.input.target for row in statements], "dataset": [row.dataset for row in statements]}
    for split, values in splits.items():
        report[f"by_{split}"] = {value: part(rows) for value, rows in rows_by_value(values).items()}
    return report


def speaker_swap_files(
    paths: Sequence[str | Path],
    model: str | Path | None = None,
    *,
    pairs: Sequence[tuple[str, str]] = CAMP_PAIRS,
    batch_size: int = 32,
    precision: str = "auto",
    resamples: int = RESAMPLES,
) -> dict:
    """Load ``model`` (None = shipped default) in ``precision`` and run `speaker_swap` on the
    statements of the gold files at ``paths`` (their labels are not used)."""
    from stance.classify import load_model

    return speaker_swap(
        load_model(model, precision=precision), read_labelled(paths), pairs, batch_size=batch_size, resamples=resamples
    )
