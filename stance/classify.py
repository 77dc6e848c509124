"""Stance classification (placeholder: being written; the signatures below are the contract)."""

from __future__ import annotations

from collections.abc import Sequence

from stance.records import Quote, StanceInput


def load_model(name_or_path: str | None = None, *, device: str = "auto"):
    """Load a stance model: a folder, a short name in models/, or a hub id; None = shipped default.

    Returns an object with ``labels`` and
    ``predict_proba(inputs: Sequence[StanceInput], batch_size=32) -> list[dict[str, float]]``.
    """
    raise NotImplementedError


def classify_quotes(model, text: str, quotes: Sequence[Quote], target: str, batch_size: int = 32) -> list[Quote]:
    """Return ``quotes`` with ``stance`` and ``scores`` filled (one batched pass)."""
    raise NotImplementedError


def stance_input(text: str, quote: Quote, target: str) -> StanceInput:
    raise NotImplementedError
