"""The reader of gold attributions in the PolNeAR JSONL format, for evaluation and tagger training.

A row is ``{"id", "text", "quotes": [{"content": [span...], "source": [span...] | null,
"cue": [span...] | null, "kind": ..., "resolved_speaker": ...}]}`` with character-offset spans
``{"start", "end", "text"}`` into the row's text (see ``docs/formats.md``). Every attribution is
kept, in file order: evaluation scores the ones with a content span (`GoldArticle.quotes`), while
tagger training also learns the source and cue of an attribution whose content was not marked.

Some converted corpora (GenderGapTracker) give a span's text without offsets (``"start": null``)
where the converter could not place it. Such a span is placed where its text occurs exactly once
in the article; an attribution with a content span that can't be placed is left out and counted
(`GoldArticle.unplaced`), since scoring it against the wrong stretch would be worse than not at
all, and a source or cue that can't be placed is dropped from its attribution.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from stance.errors import DataError, InputError
from stance.records import Span

# The span types of an attribution, as the format names them.
SPAN_TYPES = ("content", "source", "cue")


@dataclass(frozen=True)
class GoldQuote:
    """One gold attribution: its content spans (``parts``), source and cue spans (empty if none),
    kind (direct / indirect / mixed, or None) and the speaker's name where the gold resolves it."""

    parts: tuple[Span, ...]
    sources: tuple[Span, ...]
    kind: str | None
    cues: tuple[Span, ...] = ()
    speaker: str | None = None


@dataclass(frozen=True)
class GoldArticle:
    """One gold article; ``attributions`` are all of its rows' quotes, in order."""

    id: str
    text: str
    attributions: tuple[GoldQuote, ...]
    origin: str
    # Attributions left out because a content span had no offsets and its text was not found
    # exactly once in the article.
    unplaced: int = 0

    @property
    def quotes(self) -> tuple[GoldQuote, ...]:
        """The attributions with a content span: those a predicted quote can match."""
        return tuple(quote for quote in self.attributions if quote.parts)

    @property
    def spans(self) -> dict[str, tuple[tuple[int, int], ...]]:
        """Every gold ``(start, end)`` character span by type (content / source / cue)."""
        return {
            "content": tuple((s.start, s.end) for quote in self.attributions for s in quote.parts),
            "source": tuple((s.start, s.end) for quote in self.attributions for s in quote.sources),
            "cue": tuple((s.start, s.end) for quote in self.attributions for s in quote.cues),
        }


def read_polnear(path: str | Path) -> Iterator[GoldArticle]:
    """Yield the gold articles of a PolNeAR-format JSONL file, skipping blank lines.

    Raises `InputError` when the file can't be read and `DataError` (naming the line) when a row
    is not a gold article or a span lies outside its text. Empty spans are dropped.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(str(path), f"can't read the gold file as UTF-8 text: {error}") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        origin = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"{origin}: expected a JSON object, found invalid JSON ({error.msg})") from error
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise DataError(
                f'{origin}: expected an object with a string "text" and a "quotes" list '
                "(the format of ../shared/data/polnear/*.jsonl); fix or remove the line"
            )
        text = row["text"]
        attributions, unplaced = [], 0
        for index, quote in enumerate(row.get("quotes") or []):
            attribution = _attribution(quote, text, f"{origin}: quote {index}")
            if attribution is None:
                unplaced += 1
            else:
                attributions.append(attribution)
        yield GoldArticle(
            str(row.get("id", f"{path.stem}:{number}")), text, tuple(attributions), origin, unplaced
        )


def _attribution(row: object, text: str, where: str) -> GoldQuote | None:
    """The attribution of one row, or None when one of its content spans can't be placed."""
    if not isinstance(row, dict):
        raise DataError(f"{where}: expected an object with content/source/cue spans, found {row!r}")
    parts = _spans(row.get("content"), text, where)
    if None in parts:
        return None
    return GoldQuote(
        parts=parts,
        sources=tuple(s for s in _spans(row.get("source"), text, where) if s is not None),
        kind=row.get("kind"),
        cues=tuple(s for s in _spans(row.get("cue"), text, where) if s is not None),
        speaker=row.get("resolved_speaker") or None,
    )


def _spans(rows: list | None, text: str, where: str) -> tuple[Span | None, ...]:
    """The non-empty spans of ``rows``; None stands for a span given by its text alone that does
    not occur exactly once in ``text``."""
    spans: list[Span | None] = []
    for row in rows or ():
        if isinstance(row, dict) and "start" in row and row["start"] is None and row.get("end") is None:
            spans.append(_placed(row.get("text"), text))
            continue
        try:
            start, end = int(row["start"]), int(row["end"])
        except (TypeError, KeyError, ValueError) as error:
            raise DataError(
                f'{where}: expected spans {{"start": int, "end": int}} (or both null, with the '
                f'span\'s "text"), found {row!r}'
            ) from error
        if not 0 <= start <= end <= len(text):
            raise DataError(
                f"{where}: span {start}-{end} is outside the text ({len(text)} characters); "
                "offsets must be character offsets into the row's text"
            )
        if end > start:
            spans.append(Span.of(text, start, end))
    return tuple(spans)


def _placed(piece: object, text: str) -> Span | None:
    """The span of ``piece`` in ``text`` when it occurs there exactly once, else None."""
    start = text.find(piece) if isinstance(piece, str) and piece else -1
    if start < 0 or text.find(piece, start + 1) >= 0:
        return None
    return Span.of(text, start, start + len(piece))
