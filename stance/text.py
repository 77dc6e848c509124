"""Sentences and paragraphs of news text.

One notion of a sentence for the quote rules, the quote tagger and speaker resolution: a sentence
ends at . ! or ? (and any closing quotation marks) before a capital or a digit, unless the full
stop is an abbreviation's ("Mr. Smith", "the U.S. government", "Sen. Cruz"); a line break
always ends one.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

UPPER = "A-ZÀ-ÖØ-Þ"  # upper-case letters, as a regex character range
# A paragraph is a line with some text on it.
PARAGRAPH = re.compile(r"[^\n]*\S[^\n]*")

# US states as news writes them ("Calif.", "N.J.").
_STATES = frozenset(
    """
    ala ariz ark calif colo conn del fla ga ill ind kan ky la mass md mich minn miss mo mont neb
    nev okla ore pa tenn tex va vt wash wis wyo d.c n.c n.d n.h n.j n.m n.y r.i s.c s.d w.va
    """.split()
)
# Abbreviations whose full stop does not end a sentence; other initials ("J.", "U.S.") go by
# their shape.
ABBREVIATIONS = _STATES | frozenset(
    """
    mr mrs ms dr prof sen sens rep reps gov govs gen lt col maj sgt capt cmdr adm st jr sr no vs v
    etc inc corp co ltd dept pres rev a.m p.m jan feb mar apr aug sept sep oct nov dec
    """.split()
)
# The only abbreviations written in lower case; the others count only with a capital ("Miss." is
# Mississippi, "miss." a verb).
_LOWER_CASE_ABBREVIATIONS = frozenset(["a.m", "p.m", "v", "vs", "etc"])
_INITIALS = re.compile(rf"(?:[{UPPER}]\.)*[{UPPER}]")  # "J", "H.W", "N.J"

# A stop with its closing marks before a capital or digit (which may sit behind opening marks).
_SENTENCE_END = re.compile(rf"[.!?]+[\"”’'»)\]]*(?=\s+[\"“‘'(«]{{0,2}}[{UPPER}0-9])|\n")
_SPACE = re.compile(r"\s*")
# What stands before a state that follows a place ("Lodi, N.J.") or a party ("R-S.C.").
_BEFORE_PLACE = frozenset([", ", "R-", "D-", "I-"])


def is_abbreviation(word: str) -> bool:
    """Whether ``word`` followed by a full stop is an abbreviation ("Mr", "U.S", "Calif", "a.m")
    or initials ("J", "H.W"), whose stop does not end a sentence."""
    if _INITIALS.fullmatch(word):
        return True
    lower = word.lower()
    return lower in ABBREVIATIONS and (word[:1].isupper() or lower in _LOWER_CASE_ABBREVIATIONS)


def sentence_ends(text: str, start: int = 0, end: int | None = None) -> Iterator[re.Match]:
    """The stops (or line breaks) that end the sentences of ``text[start:end]``, in order."""
    for stop in _SENTENCE_END.finditer(text, start, len(text) if end is None else end):
        if _ends_sentence(text, stop):
            yield stop


def sentence_starts(text: str) -> list[int]:
    """Start offsets of the sentences of ``text``, ascending, the first 0."""
    starts = [0]
    for stop in sentence_ends(text):
        start = _SPACE.match(text, stop.end()).end()
        if starts[-1] < start < len(text):  # a blank line ends the sentence its break already ended
            starts.append(start)
    return starts


def sentence_of(starts: list[int], offset: int) -> int:
    """The index of the sentence holding ``offset``, given the `sentence_starts`."""
    return bisect_right(starts, offset) - 1


def paragraph_starts(text: str) -> list[int]:
    """Start offsets of the paragraphs of ``text``, ascending (``[0]`` when it has none)."""
    return [paragraph.start() for paragraph in PARAGRAPH.finditer(text)] or [0]


def paragraph_of(starts: list[int], offset: int) -> int:
    """The index of the paragraph holding ``offset``, given the `paragraph_starts`."""
    return bisect_right(starts, offset) - 1


def _ends_sentence(text: str, stop: re.Match) -> bool:
    period = stop.start()
    if text[period] != ".":
        return True
    word_start = period  # the letters and dots before the stop: "Sen" of "then-Sen.", "U.S"
    while word_start > 0 and (text[word_start - 1].isalnum() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:period]
    after = _SPACE.match(text, stop.end()).end()
    following = text[after : after + 1]
    if word.lower() == "no":  # "No. 2" abbreviates number; "said no." ends a sentence
        return not following.isdigit()
    if word.lower() in _STATES and text[word_start - 2 : word_start] in _BEFORE_PLACE:
        # "in Lodi, N.J. Harmony's phone": a place's state ends the sentence, except in a
        # dateline ("RENO, Nev. (AP) —").
        return following != "("
    return not is_abbreviation(word)
