"""Temperature scaling: one number that makes a classifier's probabilities mean what they say.

A fine-tuned classifier is usually over-confident: its top probability is higher than the share
of its answers that are right. Dividing every logit by one temperature ``T`` before the softmax
(Guo et al., 2017, "On Calibration of Modern Neural Networks") fixes most of that without
changing any prediction: the order of the logits, and so the argmax, stays the same. ``T`` is
fitted on labelled validation statements by minimising their negative log-likelihood (NLL).

Pure functions on plain lists of logits (one row per statement, one column per label, in the
model's label order) and gold label indices; a model stores its ``T`` in its folder's
``stance_config.json`` (`stance.classify.models.StanceConfig.temperature`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

# Temperatures searched by `fit_temperature`: far wider than fine-tuned models need (about 0.5-5).
MIN_TEMPERATURE = 0.05
MAX_TEMPERATURE = 20.0
# Golden-section steps: each keeps 0.618 of the interval, so 80 steps narrow the search far
# below any difference in NLL that matters.
SEARCH_STEPS = 80
_GOLDEN = (math.sqrt(5) - 1) / 2


def softmax(logits: Sequence[float], temperature: float = 1.0) -> list[float]:
    """The probabilities of one row of ``logits`` divided by ``temperature``."""
    if temperature <= 0:
        raise ValueError(f"expected a temperature above 0, found {temperature}")
    scaled = [value / temperature for value in logits]
    top = max(scaled)  # subtracted so that exp() can't overflow
    exps = [math.exp(value - top) for value in scaled]
    total = sum(exps)
    return [value / total for value in exps]


def negative_log_likelihood(logits: Sequence[Sequence[float]], gold: Sequence[int], temperature: float = 1.0) -> float:
    """The mean NLL of the gold labels (indices into each row) under ``softmax(row, temperature)``."""
    if len(logits) != len(gold) or not gold:
        raise ValueError(f"expected one gold label per row of logits, found {len(gold)} for {len(logits)} rows")
    total = 0.0
    for row, label in zip(logits, gold):
        scaled = [value / temperature for value in row]
        top = max(scaled)
        # log softmax(row)[label] = scaled[label] - logsumexp(scaled)
        total += top + math.log(sum(math.exp(value - top) for value in scaled)) - scaled[label]
    return total / len(gold)


def fit_temperature(logits: Sequence[Sequence[float]], gold: Sequence[int]) -> float:
    """The temperature in [`MIN_TEMPERATURE`, `MAX_TEMPERATURE`] that minimises the NLL of ``gold``.

    The NLL is convex in ``1 / T`` (a log-sum-exp of lines minus a line), so a golden-section
    search over ``1 / T`` finds the one minimum; it is deterministic and needs no gradient.
    """
    low, high = 1 / MAX_TEMPERATURE, 1 / MIN_TEMPERATURE

    def loss(inverse: float) -> float:
        return negative_log_likelihood(logits, gold, 1 / inverse)

    left, right = high - _GOLDEN * (high - low), low + _GOLDEN * (high - low)
    loss_left, loss_right = loss(left), loss(right)
    for _ in range(SEARCH_STEPS):
        if loss_left <= loss_right:
            high, right, loss_right = right, left, loss_left
            left = high - _GOLDEN * (high - low)
            loss_left = loss(left)
        else:
            low, left, loss_left = left, right, loss_right
            right = low + _GOLDEN * (high - low)
            loss_right = loss(right)
    return 1 / ((low + high) / 2)
