"""Temperature scaling, checked by hand and on logits whose right temperature is known."""

from __future__ import annotations

import math

import pytest

from stance.classify.calibration import (
    MAX_TEMPERATURE,
    MIN_TEMPERATURE,
    fit_temperature,
    negative_log_likelihood,
    softmax,
)


def test_classify_calibration_softmax_divides_the_logits_by_the_temperature():
    assert softmax([0.0, math.log(3)]) == pytest.approx([0.25, 0.75])
    # T = 2 halves the logits: exp(log 3 / 2) = sqrt 3
    assert softmax([0.0, math.log(3)], 2.0) == pytest.approx(
        [1 / (1 + math.sqrt(3)), math.sqrt(3) / (1 + math.sqrt(3))]
    )
    assert softmax([1000.0, 0.0]) == pytest.approx([1.0, 0.0])  # no overflow


@pytest.mark.parametrize("temperature", [0.0, -1.0])
def test_classify_calibration_softmax_needs_a_positive_temperature(temperature):
    with pytest.raises(ValueError, match="above 0"):
        softmax([0.0, 1.0], temperature)


def test_classify_calibration_nll_is_the_mean_minus_log_probability_of_gold():
    logits = [[0.0, math.log(3)], [0.0, math.log(3)]]
    assert negative_log_likelihood(logits, [1, 0]) == pytest.approx((-math.log(0.75) - math.log(0.25)) / 2)
    with pytest.raises(ValueError, match="one gold label per row"):
        negative_log_likelihood(logits, [1])


def _rows_with_frequencies(probabilities, scale):
    """Ten rows of logits ``scale * log(p)`` with gold labels drawn exactly in the proportions ``p``."""
    logits = [[scale * math.log(p) for p in probabilities]] * 10
    gold = [label for label, p in enumerate(probabilities) for _ in range(round(10 * p))]
    return logits, gold


@pytest.mark.parametrize("scale", [3.0, 0.5, 1.0])
def test_classify_calibration_fit_recovers_the_temperature_that_undoes_a_scaling(scale):
    # At T = scale the probabilities are exactly the gold frequencies: the NLL's minimum.
    logits, gold = _rows_with_frequencies([0.7, 0.2, 0.1], scale)
    assert fit_temperature(logits, gold) == pytest.approx(scale, rel=1e-4)


def test_classify_calibration_fit_stays_within_its_bounds():
    # Always right: the sharper the better, down to the lowest temperature searched.
    assert fit_temperature([[0.1, 0.0, 0.0]] * 4, [0] * 4) == pytest.approx(MIN_TEMPERATURE, rel=1e-3)
    # Logits that carry nothing: as flat as allowed.
    logits, gold = [[1.0, 0.0, 0.0]] * 3, [0, 1, 2]
    assert fit_temperature(logits, gold) == pytest.approx(MAX_TEMPERATURE, rel=1e-3)


def test_classify_calibration_a_config_without_temperature_leaves_the_logits_as_trained():
    from stance.classify.models import StanceConfig

    assert StanceConfig.from_dict({"max_length": 64}).temperature == 1.0  # the folders written before it
