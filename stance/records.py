"""The records that flow between the pipeline stages.

read -> extract quotes -> resolve speakers -> classify stance -> aggregate -> write

Every span is a pair of character offsets into the untouched article text (start included, end
excluded), so ``article.text[span.start:span.end] == span.text`` always holds. Records are frozen,
picklable and turn into plain JSON-ready dicts with ``to_dict()``; stages return new records
(``dataclasses.replace``) instead of mutating them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

QuoteKind = Literal["direct", "indirect", "mixed"]
SpeakerKind = Literal["person", "organization", "group"]
StanceLabel = Literal["favor", "against", "neutral"]

QUOTE_KINDS: tuple[QuoteKind, ...] = ("direct", "indirect", "mixed")
STANCE_LABELS: tuple[StanceLabel, ...] = ("favor", "against", "neutral")
# Which label wins a tie of scores (max keeps the first): a tie is no evidence of a side.
TIE_ORDER: tuple[StanceLabel, ...] = ("neutral", "favor", "against")
DEFAULT_TARGET = "immigration enforcement"


def most_probable(scores: Mapping[str, float]) -> StanceLabel:
    """The stance label with the highest score, ties broken by `TIE_ORDER`; the order of the
    dict never matters. The one rule for a quote's label and a speaker's."""
    return max(TIE_ORDER, key=lambda label: scores.get(label, 0.0))


@dataclass(frozen=True)
class Span:
    """A stretch of the article: ``text == article_text[start:end]``."""

    start: int
    end: int
    text: str

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        return cls(start, end, text[start:end])

    def to_dict(self) -> dict:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Article:
    """One document to analyse. ``origin`` says where it was read from (``file.jsonl:12``)."""

    id: str
    text: str
    target: str | None = None
    origin: str | None = None


@dataclass(frozen=True)
class Failure:
    """A document that could not be processed, and why; batches report these and carry on."""

    origin: str
    reason: str
    id: str | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "origin": self.origin, "reason": self.reason}


@dataclass(frozen=True)
class Quote:
    """An attributed statement.

    ``start``/``end`` cover the whole quotation as written; ``parts`` are its content spans, more
    than one when the attribution interrupts it (“…,” he said. “…”). ``mention`` is the span the
    speaker was attributed from ("she", "agency Director John Morton"); ``speaker`` is the
    canonical name it resolved to, filled by the speakers stage. ``stance`` and ``scores`` are
    filled by the classify stage. ``act`` says what the quote reports (`stance.quotes.acts`):
    ``speech`` (said, wrote, according to) or ``other`` (a belief, a finding, a wish, a plan);
    None when it was not judged.
    """

    start: int
    end: int
    text: str
    kind: QuoteKind
    parts: tuple[Span, ...]
    cue: Span | None = None
    mention: Span | None = None
    speaker: str | None = None
    stance: StanceLabel | None = None
    scores: dict[str, float] | None = None
    act: str | None = None

    @property
    def content(self) -> str:
        """What was said, without the interrupting attribution."""
        return " ".join(part.text for part in self.parts)

    def to_dict(self) -> dict:
        out = {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "speaker": self.speaker,
            "mention": self.mention.to_dict() if self.mention else None,
            "cue": self.cue.to_dict() if self.cue else None,
            "parts": [part.to_dict() for part in self.parts],
            "act": self.act,
        }
        if self.stance is not None:
            out["stance"] = self.stance
            out["scores"] = dict(self.scores or {})
        return out


@dataclass(frozen=True)
class Speaker:
    """One entity of an article, with every way the article referred to it."""

    name: str
    kind: SpeakerKind
    role: str | None = None
    aliases: tuple[str, ...] = ()
    mentions: tuple[Span, ...] = ()

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "role": self.role,
            "aliases": list(self.aliases),
        }


@dataclass(frozen=True)
class StanceInput:
    """What the classifier sees for one quote; built by ``classify.stance_input``."""

    target: str
    text: str
    speaker: str | None = None
    context: str | None = None
    cue: str | None = None  # the attribution words ("criticized", "vowed"); they often carry the stance


@dataclass(frozen=True)
class SpeakerStance:
    """A speaker's stance in one article (or, merged, in a corpus), with the counts behind it."""

    name: str
    kind: SpeakerKind
    role: str | None
    stance: StanceLabel
    scores: dict[str, float]
    quotes: int
    counts: dict[str, int] = field(default_factory=dict)
    articles: int = 1
    # How sure the aggregation rule is of ``stance`` (`stance.aggregate`); None when the record
    # was not made by it (built by hand, or read from an older articles.jsonl).
    confidence: float | None = None

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "role": self.role,
            "stance": self.stance,
            "scores": dict(self.scores),
            "quotes": self.quotes,
            "counts": dict(self.counts),
            "articles": self.articles,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class Analysis:
    """Everything the pipeline found in one article. ``attributions`` says which quotes were
    kept: ``speech`` (statements only, the default) or ``all`` (beliefs, findings and plans too)."""

    id: str
    text: str
    target: str | None
    quotes: tuple[Quote, ...]
    speakers: tuple[Speaker, ...]
    stances: tuple[SpeakerStance, ...] = ()
    attributions: str = "speech"

    def quotes_dict(self) -> dict:
        """The per-document object of ``stance quotes --format jsonl``."""
        return {
            "id": self.id,
            "attributions": self.attributions,
            "quotes": [quote.to_dict() for quote in self.quotes],
        }

    def to_dict(self) -> dict:
        """The per-document object of ``stance analyze --format jsonl``."""
        return {
            "id": self.id,
            "target": self.target,
            "attributions": self.attributions,
            "speakers": [stance.to_dict() for stance in self.stances],
            "quotes": [quote.to_dict() for quote in self.quotes],
        }
