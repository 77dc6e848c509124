"""Speaker aggregation (placeholder: being written; the signatures below are the contract)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from stance.records import Quote, Speaker, SpeakerStance


def aggregate_speakers(quotes: Sequence[Quote], speakers: Sequence[Speaker]) -> list[SpeakerStance]:
    """Each speaker's stance in one article from their classified quotes."""
    raise NotImplementedError


def merge_corpus(per_article: Iterable[Sequence[SpeakerStance]]) -> list[SpeakerStance]:
    """The same speaker (by canonical name) merged across articles."""
    raise NotImplementedError
