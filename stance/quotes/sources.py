"""The source of a cue: the noun phrase that names who spoke — before the cue ("Smith said", "Joanne
Lin, ACLU legislative counsel, said"), after it ("said Smith, a spokesman"), or opening the sentence.
"""

from __future__ import annotations

from stance.quotes.lexicon import (
    ATTITUDE_CUES,
    AUXILIARIES,
    CLAUSE_WORDS,
    DETERMINERS,
    FINITE_VERBS,
    INTRO_WORDS,
    MAX_APPOSITIVE_WORDS,
    MAX_NAME_WORDS,
    MAX_SOURCE_WORDS,
    NON_CONTENT_STARTS,
    SPEECH_CUES,
    SUBJECT_PRONOUNS,
    TIME_WORDS,
)
from stance.quotes.sentences import Word, strip_end
from stance.records import Span


def source_before(text: str, words: list[Word], cue_first: int) -> Span | None:
    """The subject noun phrase that ends right before the cue (auxiliaries skipped)."""
    position = cue_first - 1
    while position >= 0 and words[position].bare in AUXILIARIES and not words[position].ends_clause:
        position -= 1
    if position >= 1 and words[position].text.endswith(")"):
        return _parenthesized_source(text, words, position)
    if position < 0 or words[position].text[-1] in '.;:!?"”)':
        return None
    if words[position].text[-1] == ",":
        return _appositive_source(text, words, position)
    # “with critics saying …”: the subject of a participle cue follows “with”.
    absolute = words[cue_first].bare.endswith("ing")
    first = _relative_clause_antecedent(words, position, absolute=absolute)
    if first is None:
        first = _np_start(words, position, absolute=absolute)
    if first is None:
        return None
    return _phrase(text, words[first].start, strip_end(words[position]))


def _relative_clause_antecedent(words: list[Word], last: int, *, absolute: bool = False) -> int | None:
    """“Republicans who oppose the deal said”: the first word of the subject a restrictive
    relative clause ending at ``last`` describes, or None. The clause is part of the source (it
    says who the speakers are); without this rule the clause alone would read as the subject."""
    for relative in range(last - 1, max(last - MAX_SOURCE_WORDS, 0), -1):
        word = words[relative]
        if word.ends_clause or word.quoted_gap_after or word.text[-1] in ',;:.!?"”)':
            return None
        if word.bare == "who":
            return _np_start(words, relative - 1, absolute=absolute) if relative else None
    return None


def _parenthesized_source(text: str, words: list[Word], closing: int) -> Span | None:
    """“Sen. Ted Cruz (R-Texas) said”: the name before a short parenthesis, with it."""
    for opening in range(closing, max(closing - 4, 0), -1):
        if words[opening].text.startswith("("):
            first = _np_start(words, opening - 1)
            return None if first is None else Span.of(text, words[first].start, words[closing].end)
    return None


def _np_start(words: list[Word], last: int, *, absolute: bool = False) -> int | None:
    """The first word of a noun phrase that names someone and ends at ``last``, or None.

    ``absolute``: the phrase is the subject of a participle, which may follow “with”."""
    first = last
    while first > 0 and last - first + 1 < MAX_SOURCE_WORDS:
        previous = words[first - 1]
        if previous.ends_clause or previous.quoted_gap_after:
            break
        if previous.bare in CLAUSE_WORDS and not _joins_names(words, first - 1):
            break
        if absolute and previous.text == "with":
            break
        if previous.lower and (
            previous.bare in SPEECH_CUES
            or previous.bare in NON_CONTENT_STARTS - {"of"}
            and first == last
        ):
            break
        first -= 1
    phrase = words[first : last + 1]
    head = phrase[-1]
    if (
        head.bare in CLAUSE_WORDS
        or head.bare in NON_CONTENT_STARTS
        or head.bare in DETERMINERS
        or head.bare in TIME_WORDS
    ):
        return None
    if phrase[0].lower and phrase[0].bare in NON_CONTENT_STARTS:
        return None
    names_someone = (
        any(not w.lower and w.bare not in INTRO_WORDS for w in phrase)
        or head.bare in SUBJECT_PRONOUNS
    )
    described = (
        len(phrase) >= 2
        and phrase[0].bare in DETERMINERS
        or head.bare.endswith(("s", "ers", "ists"))
    )
    return first if names_someone or described else None


def _joins_names(words: list[Word], position: int) -> bool:
    """“Immigration and Customs Enforcement”, “Smith and Jones”: a lower-case "and" between names."""
    return (
        words[position].text in ("and", "&")
        and position > 0
        and not words[position - 1].lower
        and not words[position - 1].ends_clause
        and not words[position + 1].lower
    )


def _appositive_source(text: str, words: list[Word], comma_word: int) -> Span | None:
    """“Joanne Lin, ACLU legislative counsel, said”: the name before the appositive, with it."""
    position = comma_word - 1
    while position >= 0 and comma_word - position < MAX_APPOSITIVE_WORDS:
        if words[position].bare in INTRO_WORDS and position and words[position - 1].text[-1] == ",":
            # “The chamber, in a statement, said”: a parenthetical, not an appositive — the source is before it.
            first = _np_start(words, position - 1)
            if first is None:
                return None
            return _phrase(text, words[first].start, strip_end(words[position - 1]))
        word = words[position]
        if (
            word.text[-1] in '.;:!?"”'
            or word.lower
            and (word.bare in SPEECH_CUES or word.bare in FINITE_VERBS)
        ):
            return None
        if words[position].text[-1] == "," and _looks_like_name(words, position):
            first = _np_start(words, position)
            if first is not None and position - first < MAX_NAME_WORDS and not words[first].lower:
                return _phrase(text, words[first].start, strip_end(words[comma_word]))
        position -= 1
    return None


def _looks_like_name(words: list[Word], last: int) -> bool:
    return not words[last].lower and words[last].bare not in INTRO_WORDS


def sentence_subject(text: str, words: list[Word]) -> Span | None:
    """The noun phrase that opens the sentence (after an introductory phrase), if it names someone."""
    start = 0
    if words and words[0].bare in INTRO_WORDS:
        commas = [i for i, w in enumerate(words[:12]) if w.text[-1] == ","]
        if not commas:
            return None
        start = commas[0] + 1
    end = start
    described = start < len(words) and words[start].bare in DETERMINERS
    while end < len(words) and end - start < MAX_NAME_WORDS:
        word = words[end]
        common_noun = (
            described
            and word.lower
            and not (
                word.bare in SPEECH_CUES
                or word.bare in ATTITUDE_CUES
                or word.bare in AUXILIARIES
                or word.bare in CLAUSE_WORDS
                or word.bare.endswith("ed")
            )
        )
        if (
            word.lower
            and word.bare not in ("the", "of", "and")
            and not common_noun
            and not (end == start and word.bare in SUBJECT_PRONOUNS)
        ):
            break
        end += 1
        if word.ends_clause:
            break
    if end == start or words[end - 1].bare in DETERMINERS:
        return None
    return _phrase(text, words[start].start, strip_end(words[end - 1]))


def source_after(text: str, words: list[Word], cue_last: int) -> Span | None:
    """“…, said Smith, a spokesman.”: the noun phrase after the cue, up to punctuation."""
    following = words[cue_last + 1 : cue_last + 1 + MAX_SOURCE_WORDS]
    if not following or following[0].bare in CLAUSE_WORDS or following[0].bare in AUXILIARIES:
        return None
    if following[0].lower and following[0].bare not in DETERMINERS and not _names_follow(following):
        return None
    last = 0
    for position, word in enumerate(following):
        if (
            position
            and word.lower
            and (word.bare in CLAUSE_WORDS or word.bare in NON_CONTENT_STARTS - {"of"})
        ):
            break
        last = position
        if word.ends_clause:
            break
    return _phrase(text, following[0].start, strip_end(following[last]))


def _names_follow(words: list[Word]) -> bool:
    """“said agency Director John Morton”: a short lower-case title, then a name."""
    for word in words[:4]:
        if not word.lower:
            return True
        if word.ends_clause or word.bare in CLAUSE_WORDS or word.bare in NON_CONTENT_STARTS:
            return False
    return False


def _phrase(text: str, start: int, end: int) -> Span | None:
    """The source ``text[start:end]``; None when it is empty, a phrase of punctuation alone (“’ said”)
    that names no one."""
    return Span.of(text, start, end) if end > start else None
