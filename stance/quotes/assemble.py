"""From the tagger's character spans to quotes: bridge content fragments, join interrupted contents,
link each quote to its nearest cue and source.

The tagger (`stance.quotes.tagger`) marks content, source and cue spans independently;
`assemble_quotes` groups them into `Quote` records (parts, kind, cue, mention; no speaker name —
that is the speakers stage's job).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from stance.quotes.cues import describing_participle
from stance.records import Quote, QuoteKind, Span
from stance.text import PARAGRAPH, paragraph_of, paragraph_starts, sentence_of, sentence_starts

# Two content spans are one interrupted quote ("…,” he said. “…”) when no more than this many
# characters separate them and the gap holds only attribution words and punctuation.
MAX_INTERRUPTION_CHARS = 80
# A cue or source further than this from its content belongs to another statement.
MAX_LINK_CHARS = 200
# The tagger is least sure in the middle of long contents and may leave holes there: content
# pieces of one sentence this close, with no source or cue between them, are one content.
MAX_FRAGMENT_GAP_CHARS = 80
# A content of a single word is nearly always a stray fragment, not a statement.
MIN_CONTENT_WORDS = 2
WORD = re.compile(r"\w+")
DOUBLE_QUOTE_MARKS = "\"“”„«»"
OPENING_QUOTE_MARKS = "\"“„«‘"
CLOSING_QUOTE_MARKS = "\"”»’"
TRAILING_PUNCTUATION = ".,;:!?—–-"
ATTRIBUTION_GAP = re.compile(r"[\s\W]*", re.UNICODE)
# What stands between a cue and a phrase that says where, when or how the statement was made
# ("said in a news release", "told reporters at a briefing", "wrote on Twitter"): such a phrase is
# the cue's adjunct, never the statement, which is the verb's complement.
CUE_ADJUNCT = re.compile(r"\s+(?:in|on|at|during|via|through)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class TaggedText:
    """The character spans the tagger found in one text, by type."""

    contents: tuple[Span, ...]
    sources: tuple[Span, ...]
    cues: tuple[Span, ...]


def quote_kind(text: str, parts: Sequence[Span]) -> QuoteKind:
    """``direct`` when every part is inside quote marks, ``mixed`` when some quoted words are,
    else ``indirect``."""
    if all(_fully_quoted(part.text) for part in parts):
        return "direct"
    if any(mark in part.text for part in parts for mark in DOUBLE_QUOTE_MARKS):
        return "mixed"
    return "indirect"


def _fully_quoted(part: str) -> bool:
    stripped = part.strip().rstrip(TRAILING_PUNCTUATION)
    body = stripped.rstrip(CLOSING_QUOTE_MARKS).rstrip(TRAILING_PUNCTUATION)
    return (
        len(stripped) > 1
        and stripped[0] in OPENING_QUOTE_MARKS
        and stripped[-1] in CLOSING_QUOTE_MARKS
        and not any(mark in body[1:] for mark in DOUBLE_QUOTE_MARKS)
    )


def _gap(a: Span, b: Span) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(0, b.start - a.end, a.start - b.end)


def overlaps(a: Span | Quote, b: Span | Quote) -> bool:
    """Whether two spans share a character."""
    return a.start < b.end and b.start < a.end


def _interrupted(text: str, first: Span, second: Span, attributions: Sequence[Span]) -> bool:
    """Whether ``second`` continues the quote of ``first`` past an attribution ("…,” he said, “…")."""
    gap_start, gap_end = first.end, second.start
    if gap_end - gap_start > MAX_INTERRUPTION_CHARS:
        return False
    # A sentence that ends before the attribution starts a new statement ("X. She said Y").
    if first.text.rstrip(CLOSING_QUOTE_MARKS)[-1:] in ".!?":
        return False
    covered = [(s.start, s.end) for s in attributions if gap_start <= s.start and s.end <= gap_end]
    if not covered:
        return False
    rest = list(text[gap_start:gap_end])
    for start, end in covered:
        rest[start - gap_start : end - gap_start] = [" "] * (end - start)
    return ATTRIBUTION_GAP.fullmatch("".join(rest)) is not None and not re.match(
        r"\s*[.!?]", text[gap_start:gap_end]
    )


def _nearest(
    candidates: Sequence[Span], anchors: Sequence[Span], sentences: list[int], allowed: range
) -> Span | None:
    """The candidate closest to any of ``anchors``, outside them, within the ``allowed`` sentences."""
    best, best_gap = None, MAX_LINK_CHARS + 1
    for candidate in candidates:
        if any(overlaps(candidate, anchor) for anchor in anchors):
            continue
        if sentence_of(sentences, candidate.start) not in allowed:
            continue
        gap = min(_gap(candidate, anchor) for anchor in anchors)
        if gap < best_gap:
            best, best_gap = candidate, gap
    return best


def split_at_line_breaks(text: str, span: Span) -> list[Span]:
    """The pieces of ``span`` on each line it touches, without surrounding spaces.

    News content does not run on past its paragraph: a quotation that goes on reopens its quote
    mark in the next one (PolNeAR's gold splits it there: 1 of 19,868 train content spans holds a
    line break). A span the tagger runs across a break ("Mayor Defends Parking Plan\n\nThe
    mayor") is cut into its lines, and each piece is judged on its own."""
    pieces = []
    for line in PARAGRAPH.finditer(text, span.start, span.end):
        stripped = line.group()
        start = line.start() + len(stripped) - len(stripped.lstrip())
        pieces.append(Span.of(text, start, line.start() + len(stripped.rstrip())))
    return pieces


def bridge_fragments(text: str, contents: Sequence[Span], attributions: Sequence[Span]) -> list[Span]:
    """Cut content pieces at line breaks, join pieces of one sentence that are at most
    `MAX_FRAGMENT_GAP_CHARS` apart with no source or cue between them, and drop pieces of fewer
    than `MIN_CONTENT_WORDS` words."""
    sentences = sentence_starts(text)
    pieces = [piece for content in contents for piece in split_at_line_breaks(text, content)]
    joined: list[Span] = []
    for content in sorted(pieces, key=lambda s: s.start):
        if joined:
            last = joined[-1]
            if (
                content.start - last.end <= MAX_FRAGMENT_GAP_CHARS
                and sentence_of(sentences, last.start) == sentence_of(sentences, content.start)
                and not any(last.end <= s.start and s.end <= content.start for s in attributions)
            ):
                joined[-1] = Span.of(text, last.start, content.end)
                continue
        joined.append(content)
    return [span for span in joined if len(WORD.findall(span.text)) >= MIN_CONTENT_WORDS]


def assemble_quotes(text: str, tagged: TaggedText) -> list[Quote]:
    """Turn tagged spans into quotes: bridge fragments, join interrupted contents, then link each
    quote to the nearest cue (and the source nearest that cue) in the same or an adjacent sentence,
    preferring a cue of the quote's own paragraphs to one opening the next paragraph."""
    # The tagger learned PolNeAR's cues, which include participles that describe a noun.
    cues = [cue for cue in tagged.cues if not describing_participle(text, cue.start, cue.end)]
    attributions = sorted(tagged.sources + tuple(cues), key=lambda s: s.start)
    groups: list[list[Span]] = []
    for content in bridge_fragments(text, tagged.contents, attributions):
        if groups and _interrupted(text, groups[-1][-1], content, attributions):
            groups[-1].append(content)
        else:
            groups.append([content])
    sentences = sentence_starts(text)
    paragraphs = paragraph_starts(text)
    quotes = []
    for parts in groups:
        first = sentence_of(sentences, parts[0].start)
        last = sentence_of(sentences, parts[-1].end - 1)
        kind = quote_kind(text, parts)
        # Reported speech without quote marks stays in its cue's sentence ("Smith said taxes
        # will rise."): a sentence of its own after "…, he said." is the writer's, not Smith's.
        # A quotation may take its cue from the sentence before or after ("She said: “…”").
        allowed = range(first, last + 1) if kind == "indirect" else range(first - 1, last + 2)
        # News attributes a statement within its paragraph: a cue that opens the next paragraph
        # ("… will close.\n\nThe plan drew fire from …") starts a new statement, and is the
        # quote's only when its own paragraphs hold no cue ("“…”\n\n- Sanders."). In PolNeAR
        # train, 12 of 19,831 cued attributions precede their cue's paragraph, 11 of them quotations.
        last_paragraph = paragraph_of(paragraphs, parts[-1].end - 1)
        own_cues = [cue for cue in cues if paragraph_of(paragraphs, cue.start) <= last_paragraph]
        cue = _nearest(own_cues, parts, sentences, allowed) or _nearest(cues, parts, sentences, allowed)
        # The speaker is named next to the cue ("the agency said", "said Smith").
        mention = _nearest(tagged.sources, [cue] if cue else parts, sentences, allowed)
        if mention is not None and any(overlaps(mention, part) for part in parts):
            mention = None
        start, end = parts[0].start, parts[-1].end
        if kind == "indirect" and cue is not None and CUE_ADJUNCT.fullmatch(text, cue.end, start):
            continue
        quotes.append(
            Quote(
                start=start,
                end=end,
                text=text[start:end],
                kind=kind,
                parts=tuple(parts),
                cue=cue,
                mention=mention,
            )
        )
    return quotes
