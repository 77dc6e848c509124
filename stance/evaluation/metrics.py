"""Precision, recall, F1, label scores and calibration error: the pure arithmetic every evaluation shares."""

from __future__ import annotations

import math
from collections.abc import Sequence

from stance.records import STANCE_LABELS


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, 0 when there is nothing to divide by (no predictions, no gold)."""
    return numerator / denominator if denominator else 0.0


def f1_score(precision: float, recall: float) -> float:
    """The harmonic mean of ``precision`` and ``recall`` (0 when both are 0)."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def label_scores(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = STANCE_LABELS) -> dict:
    """Accuracy, macro-F1, per-label precision / recall / F1 / support and the confusion matrix
    (``confusion[gold][predicted]``)."""
    confusion = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold, predicted, strict=True):
        confusion[g][p] += 1
    per_label = {}
    for label in labels:
        true_positive = confusion[label][label]
        support = sum(confusion[label].values())
        precision = ratio(true_positive, sum(confusion[g][label] for g in labels))
        recall = ratio(true_positive, support)
        per_label[label] = {"precision": precision, "recall": recall, "f1": f1_score(precision, recall), "support": support}
    # Labels absent from the gold of a subset don't count toward its macro average.
    present = [label for label in labels if per_label[label]["support"]]
    return {
        "rows": len(gold),
        "accuracy": ratio(sum(g == p for g, p in zip(gold, predicted)), len(gold)),
        "macro_f1": ratio(sum(per_label[label]["f1"] for label in present), len(present)),
        "per_label": per_label,
        "confusion": confusion,
    }


def macro_f1(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = STANCE_LABELS) -> float:
    """The mean F1 of the labels present in ``gold``."""
    return label_scores(gold, predicted, labels)["macro_f1"]


# Equal-width confidence bins of `expected_calibration_error` (the usual choice since Guo et al., 2017).
CALIBRATION_BINS = 15


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = CALIBRATION_BINS
) -> float:
    """How far stated confidence is from accuracy: sum over equal-width bins of (0, 1] of
    ``bin share * |accuracy in bin - mean confidence in bin|`` (0 when there are no rows).

    ``confidences[i]`` is the probability given to the answer ``i``, ``correct[i]`` whether that
    answer was right. A confidence of exactly ``k / bins`` falls in the bin that it closes.
    """
    if len(confidences) != len(correct):
        raise ValueError(f"expected one correctness per confidence, found {len(correct)} for {len(confidences)}")
    members: list[list[int]] = [[] for _ in range(bins)]
    for i, confidence in enumerate(confidences):
        # The tolerance keeps 0.2 * 15 = 3.0000000000000004 in the bin that 0.2 closes.
        members[min(max(math.ceil(confidence * bins - 1e-9) - 1, 0), bins - 1)].append(i)
    error = 0.0
    for rows in members:
        if rows:
            accuracy = sum(bool(correct[i]) for i in rows) / len(rows)
            mean_confidence = sum(confidences[i] for i in rows) / len(rows)
            error += len(rows) * abs(accuracy - mean_confidence)
    return ratio(error, len(confidences))
