"""Precision / recall / F1 arithmetic and label scores, checked by hand."""

from __future__ import annotations

import math

import pytest

from stance.evaluation.metrics import f1_score, label_scores, macro_f1, ratio


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"), [(1, 4, 0.25), (0, 3, 0.0), (0, 0, 0.0), (2, 0, 0.0)]
)
def test_evaluation_metrics_ratio_is_zero_without_a_denominator(numerator, denominator, expected):
    assert ratio(numerator, denominator) == expected


@pytest.mark.parametrize(("precision", "recall", "expected"), [(1.0, 0.5, 2 / 3), (0.5, 0.5, 0.5), (0.0, 0.0, 0.0)])
def test_evaluation_metrics_f1_is_the_harmonic_mean(precision, recall, expected):
    assert math.isclose(f1_score(precision, recall), expected)


@pytest.mark.parametrize(
    ("gold", "predicted", "accuracy", "macro"),
    [
        (["favor", "against", "neutral"], ["favor", "against", "neutral"], 1.0, 1.0),
        (["favor", "favor", "against", "neutral"], ["favor", "against", "against", "against"], 0.5, (2 / 3 + 1 / 2 + 0) / 3),
        # neutral is absent from the gold: it doesn't count toward the macro average
        (["favor", "against"], ["favor", "neutral"], 0.5, (1.0 + 0.0) / 2),
        ([], [], 0.0, 0.0),
    ],
)
def test_evaluation_metrics_label_scores(gold, predicted, accuracy, macro):
    scores = label_scores(gold, predicted)
    assert math.isclose(scores["accuracy"], accuracy)
    assert math.isclose(scores["macro_f1"], macro)
    assert math.isclose(macro_f1(gold, predicted), macro)
    assert sum(sum(row.values()) for row in scores["confusion"].values()) == len(gold) == scores["rows"]
    assert all(scores["confusion"][g][p] >= 1 for g, p in zip(gold, predicted))


def test_evaluation_metrics_per_label_precision_recall_support():
    # favor: predicted twice, right once; gold twice, found once.
    scores = label_scores(["favor", "favor", "against"], ["favor", "against", "favor"])
    assert scores["per_label"]["favor"] == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2})
    assert scores["per_label"]["against"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert scores["per_label"]["neutral"]["support"] == 0
    assert scores["confusion"]["favor"] == {"favor": 1, "against": 1, "neutral": 0}


def test_evaluation_metrics_label_scores_rejects_unequal_lengths():
    with pytest.raises(ValueError):
        label_scores(["favor"], ["favor", "against"])
