"""The cues of a sentence: the words that report speech or stance ("said", "according to", "called
for"), told apart from the nouns and participles that share their spelling ("a warning", "people
considered violent").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from stance.quotes.lexicon import (
    ATTITUDE_CUES,
    COMPLEMENT_PARTICIPLES,
    CONTRACTED_SUBJECTS,
    DETERMINERS,
    OBJECT_WORDS,
    PASSIVE_LEADS,
    PHRASAL_CUES,
    POSSESSIVES,
    QUESTION_PUT,
    SPEECH_CUES,
)
from stance.quotes.sentences import WORD_EDGES, Word, strip_end
from stance.records import Span

_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z]+)")


def _trie_pattern(words: frozenset[str] | set[str]) -> str:
    """A regex alternation of ``words`` factored by shared prefixes, which the regex engine scans far
    faster than a flat list of hundreds of words."""
    branches: dict[str, set[str]] = {}
    for word in words:
        branches.setdefault(word[:1], set()).add(word[1:])
    alternatives = []
    for head, tails in sorted(branches.items()):
        if head == "":
            continue
        rest = {tail for tail in tails if tail}
        inner = _trie_pattern(rest) if rest else ""
        if not rest:
            alternatives.append(re.escape(head))
        else:
            alternatives.append(re.escape(head) + f"(?:{inner})" + ("?" if "" in tails else ""))
    return "|".join(alternatives)


# A quick test that a sentence may hold a cue at all, before it is cut into words.
_VERB_CUES = SPEECH_CUES | ATTITUDE_CUES
_CUE_WORDS = _VERB_CUES | set(PHRASAL_CUES) | {"according", "According", "Asked"}
CUE_CANDIDATE = re.compile(r"\b(?:" + _trie_pattern(_CUE_WORDS) + r")\b")
ANY_CASE_CUE_CANDIDATE = re.compile(CUE_CANDIDATE.pattern, re.IGNORECASE)


@dataclass(frozen=True)
class Cue:
    """A cue of a sentence: its span, the indices of its words, and its lower-case verb (or
    "according to", or `QUESTION_PUT` for a question put to someone)."""

    span: Span
    first: int  # index of its first word
    last: int  # index of its last word
    verb: str


def sentence_cues(text: str, words: list[Word], headline: bool = False) -> Iterator[Cue]:
    """The cues of a sentence, in order; a headline may capitalise them (“Rubio Says …”)."""
    for index, word in enumerate(words):
        following = words[index + 1].bare if index + 1 < len(words) else ""
        if word.bare == "asked" and (index == 0 or words[index - 1].bare in PASSIVE_LEADS):
            yield Cue(Span.of(text, word.start, strip_end(word)), index, index, QUESTION_PUT)
        elif word.bare == "according" and following == "to":
            yield Cue(
                Span.of(text, word.start, strip_end(words[index + 1])),
                index,
                index + 1,
                "according to",
            )
        elif not word.lower and not (headline and index):
            continue
        elif word.bare in PHRASAL_CUES and following in PHRASAL_CUES[word.bare]:
            yield Cue(
                Span.of(text, word.start, strip_end(words[index + 1])), index, index + 1, word.bare
            )
        elif word.bare in _VERB_CUES and word.text.rstrip(WORD_EDGES).lower().endswith(word.bare):
            if index and _possessed(words[index - 1]):
                continue  # “Clinton’s attacks”, “her support”: a noun, not a report
            if word.bare.endswith("ing") and index and not _leads_participle(words[index - 1]):
                continue  # “a warning”, “the saying”: a noun, not a report
            if describing_participle(text, word.start, word.end):
                continue  # “individuals considered violent”: a participle describing a noun, not a report
            yield Cue(Span.of(text, word.start, strip_end(word)), index, index, word.bare)


def describing_participle(text: str, start: int, end: int) -> bool:
    """Whether the cue word ``text[start:end]`` is a participle that describes a noun (“people
    considered violent”) rather than a report (“officials considered the plan a mistake”): one of
    `COMPLEMENT_PARTICIPLES` followed by a bare complement — no object, clause or infinitive."""
    if text[start:end].lower() not in COMPLEMENT_PARTICIPLES:
        return False
    following = _NEXT_WORD.match(text, end)
    if following is None:
        return False
    word = following.group(1)
    return (
        word[0].islower()
        and word not in DETERMINERS
        and word not in POSSESSIVES
        and word not in OBJECT_WORDS
        and not word.endswith("ing")
    )


def _possessed(previous: Word) -> bool:
    """Whether ``previous`` is a possessive (“Clinton’s”, “their”), so that the next word is a noun."""
    if previous.bare in POSSESSIVES - {"her"}:
        return True
    bare = previous.bare.replace("’", "'")
    return bare.endswith("'s") and bare[:-2] not in CONTRACTED_SUBJECTS


def _leads_participle(previous: Word) -> bool:
    """Whether an -ing cue after ``previous`` is a verb (“…, saying”) rather than a noun (“a warning”)."""
    return previous.bare not in DETERMINERS and previous.bare not in POSSESSIVES
