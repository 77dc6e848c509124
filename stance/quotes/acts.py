"""What kind of act a quote reports: a statement by its source (``speech``: said, told, wrote,
according to, in a statement) or another attribution (``other``: a belief, a perception, a wish or
a plan: believes, found, wants, seems, plans, voted for).

Readers and general news count only the first as a quote; PolNeAR-style attribution counts both,
and the tagger, trained on PolNeAR, finds both. The act is read from the cue's head word, by its
lemma, against `SPEECH_ACTS`; a quotation in quote marks is speech whatever its cue (the marks say
the words are the source's own).
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Sequence
from typing import Literal

from stance.records import Quote
from stance.text import sentence_of, sentence_starts

Act = Literal["speech", "other"]
ACTS: tuple[Act, ...] = ("speech", "other")

# Lemmas of the verbs and nouns English news reports statements with: saying and writing, their
# manner ("quipped", "shouted"), speech acts that carry their content ("warned", "promised",
# "denied"), public positions taken in words ("defended", "criticized", "blamed"), and the
# statements and documents a source issues ("according to the report", "in a statement"). Written
# from general knowledge of English news style; belief, perception, wishes, plans and votes
# (believe, think, find, show, want, seem, expect, plan, vote) are deliberately absent.
SPEECH_ACTS = frozenset(
    """
    say tell write add ask note report announce explain claim argue warn insist state
    acknowledge admit declare tweet post predict promise vow pledge urge recall respond reply
    conclude concede contend emphasize emphasise stress complain counter testify suggest confirm
    deny estimate observe remark allege charge caution joke quip boast brag lament muse repeat
    reiterate assert affirm proclaim assure recount speculate wonder describe mention reveal
    disclose inform advise answer exclaim shout yell whisper cry plead beg threaten maintain hint
    continue concur grumble retort crow sniff stutter scold confess defend criticize criticise
    praise accuse blame condemn denounce decry slam blast attack dismiss reject question mock
    laud characterize characterise statement release remarks interview testimony letter memo
    email message
    """.split()
)
# Acts done with words that name what was done rather than report what was said ("thanked her
# parents", "cited privacy concerns", "talked about the trip", "ordered officials to ..."): their
# object is not a statement, so they report one only with the speaker's words in quote marks
# ("called the plan “a disgrace”").
EVALUATIVE_ACTS = frozenset(
    """
    cite thank welcome demand recommend propose comment talk speak discuss echo tout label dub
    brand apologize apologise order instruct express call rail
    """.split()
)
# Two-word cues whose particle makes a speech act of a verb that otherwise is not one, or is
# ambiguous ("called for", "called on"; "a group called X" names, it does not report).
SPEECH_PHRASES = frozenset({"according to", "call for", "call on", "point out"})
# Words that stand before a cue's head without being it ("has also said", "is expected", "in a
# statement").
_LEADING_WORDS = frozenset(
    "is was are were be been being has have had will would could may might also not never then "
    "later just still previously once again publicly privately in a an the his her their its".split()
)
_IRREGULAR = {
    "said": "say", "says": "say", "told": "tell", "wrote": "write", "written": "write",
    "thought": "think", "knew": "know", "known": "know", "felt": "feel", "found": "find",
    "sought": "seek", "spoke": "speak", "spoken": "speak", "saw": "see", "seen": "see",
    "heard": "hear", "shown": "show", "made": "make", "gave": "give", "given": "give",
    "taken": "take", "took": "take", "went": "go", "gone": "go", "cried": "cry", "replied": "reply",
    "denied": "deny", "applied": "apply", "testified": "testify", "worried": "worry",
    "according": "according", "is": "be", "was": "be", "were": "be", "are": "be", "been": "be",
    "has": "have", "had": "have", "added": "add", "adds": "add", "adding": "add",
    "cited": "cite", "citing": "cite",
}
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_VOWELS = "aeiou"


def cue_lemma(cue: str) -> str:
    """The lemma of a cue's head word, with its particle for a two-word cue: "has also said" ->
    "say", "called for" -> "call for", "According to" -> "according to"; a cue without letters
    (a colon lead-in) is itself."""
    words = [word.lower() for word in _WORD.findall(cue)]
    while len(words) > 1 and words[0] in _LEADING_WORDS:
        words = words[1:]
    if not words:
        return cue.strip()
    head = word_lemma(words[0])
    if len(words) > 1 and f"{head} {words[1]}" in SPEECH_PHRASES:
        return f"{head} {words[1]}"
    return head


def word_lemma(word: str) -> str:
    """A verb's base form by the regular English endings (-s, -ed, -ing), good enough to group
    reporting verbs: "noted" -> "note", "urging" -> "urge", "slammed" -> "slam"."""
    word = word.lower()
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for ending in ("ing", "ed"):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return _restore_stem(word[: -len(ending)])
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _restore_stem(stem: str) -> str:
    """The base form of a verb whose -ed or -ing was cut: undouble a final consonant ("slamm"),
    restore a silent e ("not" -> "note", "argu" -> "argue", "urg" -> "urge")."""
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "flsz" + _VOWELS and stem != "add":
        return stem[:-1]
    if stem.endswith(("u", "v", "z", "c", "g")) and not stem.endswith(("ng", "gg")):
        return stem + "e"
    if stem.endswith("i"):  # "lied", "tied"
        return stem + "e"
    if (
        len(stem) >= 3
        and stem[-1] not in _VOWELS + "wxy"
        and stem[-2] in _VOWELS
        and stem[-3] not in _VOWELS
        and not stem.endswith(("er", "en", "on", "it", "el", "al"))
    ):
        return stem + "e"
    return stem


def quote_act(quote: Quote) -> Act:
    """``speech`` when the quote is a quotation, or its cue reports a statement
    (`SPEECH_ACTS`), or names a speech act (`EVALUATIVE_ACTS`) of which the speaker's own words
    are quoted; else ``other``."""
    return act_of(quote.kind, quote.cue.text if quote.cue else None)


def act_of(kind: str | None, cue: str | None) -> Act:
    """The act of a quote of this ``kind`` (direct / indirect / mixed) with this ``cue`` text (None:
    no cue); see `quote_act`."""
    if kind == "direct":
        return "speech"
    if cue is None:
        return "other"
    lemma = cue_lemma(cue)
    if lemma in SPEECH_ACTS or lemma in SPEECH_PHRASES:
        return "speech"
    return "speech" if kind == "mixed" and lemma in EVALUATIVE_ACTS else "other"


# The words a statement's cue can begin with, once its leading words are cut (`cue_lemma`). A
# two-word cue's head counts only before its particle ("pointed out", not "at one point").
_STATEMENT_HEADS = SPEECH_ACTS | EVALUATIVE_ACTS
_PHRASE_PARTICLES: dict[str, frozenset[str]] = {
    head: frozenset(phrase.split()[1] for phrase in SPEECH_PHRASES if phrase.split()[0] == head)
    for head in {phrase.split()[0] for phrase in SPEECH_PHRASES}
}  # "call" -> {"for", "on"}
# "state" and "states" are nouns in news ("the state", "the United States") far more often than
# the verb; its report is "stated" / "stating".
_NOT_HEADS = frozenset({"state", "states"})
_NEXT_WORD = re.compile(r"\W*([^\W\d_]+)")


@functools.lru_cache(maxsize=65536)
def _may_head_statement(word: str) -> bool:
    return word.lower() not in _NOT_HEADS and word_lemma(word) in _STATEMENT_HEADS


@functools.lru_cache(maxsize=65536)
def _particles_of(word: str) -> frozenset[str]:
    return _PHRASE_PARTICLES.get(word_lemma(word), frozenset())


def _may_head_phrase(text: str, word: re.Match) -> bool:
    particles = _particles_of(word.group())
    if not particles:
        return False
    following = _NEXT_WORD.match(text, word.end())
    return following is not None and following.group(1).lower() in particles


def statement_sentences(text: str, settled: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """The ``[start, end)`` character ranges of the sentences of ``text`` that hold a word a
    statement's cue can begin with (said, told, according, statement ...), adjacent ones merged:
    the only places where a quote whose act is ``speech`` can have its cue. Words within the
    ``settled`` ranges (quotations already found, with their cues) don't count."""
    settled = _merged(sorted(settled))
    settled_starts = [start for start, _ in settled]
    starts = sentence_starts(text)
    kept = set()
    for word in _WORD.finditer(text):
        if _may_head_statement(word.group()) or _may_head_phrase(text, word):
            index = bisect_right(settled_starts, word.start()) - 1
            if index < 0 or word.start() >= settled[index][1]:
                kept.add(sentence_of(starts, word.start()))
    ends = [*starts[1:], len(text)]
    return _merged([(starts[index], ends[index]) for index in sorted(kept)])


def _merged(ranges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted ``ranges`` with overlapping and adjacent ones joined."""
    joined: list[tuple[int, int]] = []
    for start, end in ranges:
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined


def settled_by(quotes: Sequence[Quote]) -> list[tuple[int, int]]:
    """The ranges of ``quotes`` in quote marks, with their cues: statements found for sure, which
    `combine_quotes` keeps over any the tagger finds there."""
    direct = [quote for quote in quotes if quote.kind == "direct"]
    return [(quote.start, quote.end) for quote in direct] + [(quote.cue.start, quote.cue.end) for quote in direct if quote.cue]
