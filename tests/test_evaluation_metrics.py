"""Precision / recall / F1 arithmetic and label scores, checked by hand."""

from __future__ import annotations

import math

import pytest

from stance.evaluation.metrics import expected_calibration_error, f1_score, label_scores, macro_f1, ratio


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


def test_evaluation_metrics_ece_weighs_each_bins_gap_by_its_share():
    # bins of 0.1: (0.8, 0.9] holds 0.9, 0.9 (accuracy 1/2); (0.5, 0.6] 0.6 (1); (0.1, 0.2] 0.2 (0)
    error = expected_calibration_error([0.9, 0.9, 0.6, 0.2], [True, False, True, False], bins=10)
    assert error == pytest.approx(2 / 4 * 0.4 + 1 / 4 * 0.4 + 1 / 4 * 0.2)


def test_evaluation_metrics_ece_bin_edges_and_ends():
    # 0.2 closes the third of 15 bins (float 0.2 * 15 is just above 3); 1.0 is in the last, 0.0 in the first
    assert expected_calibration_error([0.2, 0.2 + 1e-6], [False, True], bins=15) == pytest.approx(0.5 * 0.2 + 0.5 * (0.8 - 1e-6))
    assert expected_calibration_error([1.0, 0.0], [True, False], bins=15) == 0.0
    assert expected_calibration_error([], []) == 0.0
    with pytest.raises(ValueError, match="one correctness per confidence"):
        expected_calibration_error([0.5], [])
