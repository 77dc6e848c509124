"""A paragraph cut into the units the quote rules read: quotation-mark segments, sentences (a
full stop inside quotation marks does not end one) and the words outside quotation marks.

Offsets are character offsets into the untouched text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from stance.quotes.lexicon import CLOSING_MARKS, OPENING_MARKS
from stance.text import is_abbreviation, sentence_ends

# ‘…’ in a headline: an opening mark after a non-letter, a closing one before a non-letter
# (“Trump’s” keeps its apostrophe).
_HEADLINE_QUOTE = re.compile(r"(?<!\w)‘(?:[^‘’\n]|’(?=\w))+’(?!\w)")
_NOT_SPACE = re.compile(r"\S")
QUOTE_MARK = re.compile(r"''|[\"“”„«»]")
_WORD = re.compile(r"[^\s“”„«»\"]+")
_TRAILING = " \t,;:—–-"
_DANGLING = re.compile(r"\s(?:and|but|or)$")
WORD_EDGES = "\"“”‘’'«»(),;:.!?—–[]"


@dataclass(frozen=True)
class Segment:
    """A stretch in quotation marks, marks included; ``closed`` is False when no closing mark was found."""

    start: int
    end: int
    closed: bool


class Word(NamedTuple):
    """A word outside quotation marks, with what the rules ask of it."""

    start: int
    end: int
    text: str
    bare: str  # lower case, without surrounding punctuation
    lower: bool  # starts with a lower-case letter
    ends_clause: bool  # ends with punctuation that closes a clause
    quoted_gap_after: bool  # a quotation (or a mark) stands between this word and the next


def skip_space(text: str, start: int, end: int) -> int:
    """The first position from ``start`` that is not white space (``end`` when there is none)."""
    found = _NOT_SPACE.search(text, start, end)
    return found.start() if found else max(start, min(end, len(text)))


def quote_segments(
    text: str, start: int, end: int, *, headline: bool = False
) -> Iterator[Segment]:
    """The quotation-mark pairs of ``text[start:end]`` (one paragraph), in order.

    Curly marks say which way they face; a straight mark opens when no quote is open. A mark that
    opens while a quote is still open closes the earlier one first; a quote still open at the end
    of the paragraph ends there, unclosed. Single quotes are left alone — inside double quotes they
    are nested quotes, outside they are mostly apostrophes — except in a headline, which quotes
    with single curly marks (‘…’).
    """
    if headline and "‘" in text[start:end]:
        yield from (
            Segment(m.start(), m.end(), True) for m in _HEADLINE_QUOTE.finditer(text, start, end)
        )
        return
    opened: int | None = None
    for mark in QUOTE_MARK.finditer(text, start, end):
        symbol, position = mark.group(), mark.start()
        if opened is None:
            if symbol in CLOSING_MARKS:
                continue  # a stray closing mark opens nothing
            if mark.end() < end and not text[mark.end()].isspace():
                opened = position
        elif symbol in OPENING_MARKS:
            yield Segment(opened, position, False)
            opened = position
        else:
            yield Segment(opened, mark.end(), True)
            opened = None
    if opened is not None:
        stop = end
        while stop > opened + 1 and text[stop - 1].isspace():
            stop -= 1
        yield Segment(opened, stop, False)


def sentence_spans(
    text: str, start: int, end: int, segments: list[Segment]
) -> Iterator[tuple[int, int]]:
    """The sentences of a paragraph (`stance.text.sentence_ends`); a full stop inside quotation
    marks does not end one."""
    begin = skip_space(text, start, end)
    for stop in sentence_ends(text, start, end):
        cut = stop.end()
        if cut <= begin:
            continue
        if any(s.start < stop.start() and stop.end() < s.end for s in segments):
            continue
        while cut > begin and text[cut - 1].isspace():
            cut -= 1
        yield begin, cut
        begin = skip_space(text, cut, end)
    stop = end
    while stop > begin and text[stop - 1].isspace():
        stop -= 1
    if stop > begin:
        yield begin, stop


def sentence_words(text: str, begin: int, stop: int, inside: list[Segment]) -> list[Word]:
    """The words of a sentence that are outside quotation marks."""
    words: list[Word] = []
    stretches = [begin, *(edge for s in inside for edge in (s.start, s.end)), stop]
    new = tuple.__new__  # this loop is the extractor's hot spot: skip NamedTuple's keyword handling
    for stretch_start, stretch_end in zip(stretches[::2], stretches[1::2]):
        if words and stretch_start > begin:
            words[-1] = words[-1]._replace(quoted_gap_after=True)
        for match in _WORD.finditer(text, stretch_start, stretch_end):
            word = match.group()
            stripped = word.strip(WORD_EDGES)
            bare = stripped.lower()
            last = word[-1]
            ends_clause = last in ",;:!?)—–" or (
                last == "." and len(bare) > 1 and not is_abbreviation(stripped)
            )
            start, end = match.span()
            words.append(
                new(Word, (start, end, word, bare, word[0].islower(), ends_clause, False))
            )
    return words


def trim_end(text: str, start: int, end: int) -> int:
    """``end`` moved back over spaces, dashes, commas, a final stop outside quotation marks and a
    dangling conjunction (“…, and”)."""
    while end > start:
        last = text[end - 1]
        if last in _TRAILING or last in ".!?" and text[end - 2 : end - 1] not in ("”", '"', "."):
            end -= 1
        elif _DANGLING.search(text, start, end):
            end = _DANGLING.search(text, start, end).start()
        else:
            break
    return end


def strip_end(word: Word) -> int:
    """The end of ``word`` without trailing punctuation (an abbreviation keeps its full stop)."""
    end = word.end
    abbreviated = is_abbreviation(word.text.strip(WORD_EDGES))
    while end > word.start and word.text[end - word.start - 1] in ',;:.!?"”’)':
        if word.text[end - word.start - 1] == "." and abbreviated:
            break
        end -= 1
    return end


def word_count(text: str, start: int, end: int) -> int:
    return len(text[start:end].split()) if end > start else 0
