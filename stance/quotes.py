"""Quote extraction (placeholder: being written)."""

from __future__ import annotations

from stance.records import Quote


def extract_quotes(text: str) -> list[Quote]:
    return []
