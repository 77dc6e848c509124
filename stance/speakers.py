"""Speaker resolution (placeholder: being written)."""

from __future__ import annotations

from collections.abc import Sequence

from stance.records import Quote, Speaker


def resolve_speakers(text: str, quotes: Sequence[Quote]) -> tuple[list[Quote], list[Speaker]]:
    return list(quotes), []
