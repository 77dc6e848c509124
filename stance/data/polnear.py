"""The reader of gold attributions in the PolNeAR JSONL format, for evaluation and tagger training.

A row is ``{"id", "text", "quotes": [{"content": [span...], "source": [span...] | null,
"cue": [span...] | null, "kind": ..., "resolved_speaker": ...}]}`` with character-offset spans
``{"start", "end", "text"}`` into the row's text (see ``docs/formats.md``). Every attribution is
kept, in file order: evaluation scores the ones with a content span (`GoldArticle.quotes`), while
tagger training also learns the source and cue of an attribution whose content was not marked.
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
        attributions = tuple(_attributions(row.get("quotes") or [], text, origin))
        yield GoldArticle(str(row.get("id", f"{path.stem}:{number}")), text, attributions, origin)


def _attributions(rows: list, text: str, origin: str) -> Iterator[GoldQuote]:
    for index, row in enumerate(rows):
        where = f"{origin}: quote {index}"
        if not isinstance(row, dict):
            raise DataError(f"{where}: expected an object with content/source/cue spans, found {row!r}")
        yield GoldQuote(
            parts=_spans(row.get("content"), text, where),
            sources=_spans(row.get("source"), text, where),
            kind=row.get("kind"),
            cues=_spans(row.get("cue"), text, where),
            speaker=row.get("resolved_speaker") or None,
        )


def _spans(rows: list | None, text: str, where: str) -> tuple[Span, ...]:
    spans = []
    for row in rows or ():
        try:
            start, end = int(row["start"]), int(row["end"])
        except (TypeError, KeyError, ValueError) as error:
            raise DataError(f'{where}: expected spans {{"start": int, "end": int}}, found {row!r}') from error
        if not 0 <= start <= end <= len(text):
            raise DataError(
                f"{where}: span {start}-{end} is outside the text ({len(text)} characters); "
                "offsets must be character offsets into the row's text"
            )
        if end > start:
            spans.append(Span.of(text, start, end))
    return tuple(spans)
