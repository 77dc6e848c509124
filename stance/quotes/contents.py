"""Where a cue's content begins and ends: after the cue ("Smith said (that) …"), before it ("…,
Smith said"), around it ("The plan, he said, will fail") or in quotation marks next to it.
"""

from __future__ import annotations

from stance.quotes.cues import Cue
from stance.quotes.lexicon import (
    ADDRESS_CUES,
    ATTITUDE_CUES,
    DETERMINERS,
    INFINITIVE_CUES,
    INTRO_WORDS,
    MAX_NAME_WORDS,
    MAX_WORDS_BEFORE_QUOTE,
    MAX_WORDS_BEFORE_THAT,
    MIN_CONTENT_WORDS,
    NON_CONTENT_STARTS,
    SETTING_NOUNS,
    SPEECH_CUES,
    TIME_WORDS,
)
from stance.quotes.sentences import (
    QUOTE_MARK,
    WORD_EDGES,
    Segment,
    Word,
    skip_space,
    trim_end,
    word_count,
)
from stance.records import Span


def content_after_cue(
    text: str, words: list[Word], cue: Cue, inside: list[Segment]
) -> tuple[int, bool] | None:
    """Where the content after the cue starts — after a near "that", after the person addressed
    and a time or setting ("said Tuesday in a statement"), or right after the cue — and whether a
    "that" introduced it; None when the cue is not followed by content."""
    if words[cue.last].ends_clause:
        # “Rubio says, win or lose, he’s staying”: content after the comma when the source opens the sentence.
        if (
            words[cue.last].text[-1] == ","
            and cue.first <= MAX_NAME_WORDS
            and cue.last + 1 < len(words)
        ):
            if cue.verb in SPEECH_CUES and _opens_sentence(words, cue):
                return words[cue.last + 1].start, False
        return None
    for offset, word in enumerate(words[cue.last + 1 : cue.last + 1 + MAX_WORDS_BEFORE_THAT]):
        if word.lower and (word.bare in SPEECH_CUES or word.bare in ATTITUDE_CUES):
            break  # “says she respects … but argues that …”: that “that” is the other cue’s
        if word.bare == "that" and word.lower and word.text[-1] not in ".;:!?":
            found = _first_content(text, words, cue.last + 2 + offset, word.end, inside)
            return None if found is None else (found, True)  # nothing after “said that”
        if word.ends_clause:
            break
    position = _skip_setting(words, cue.last + 1)
    if cue.verb in ADDRESS_CUES:
        # told reporters / told the Associated Press / told him
        addressee = position
        if position < len(words) and words[position].bare in NON_CONTENT_STARTS:
            return None  # "asked about", "told to": no one is addressed
        while position < len(words) and position - addressee < 4:
            word = words[position]
            if position > addressee and word.lower and words[position - 1].bare not in DETERMINERS:
                break
            position += 1
            if word.ends_clause or word.quoted_gap_after:
                break
        if position == addressee:
            return None
        position = _skip_setting(words, position)
    if position < len(words):
        word = words[position]
        if word.bare == "to" and cue.verb in INFINITIVE_CUES:
            return word.start, False  # "wants to ...", "vowed to ...": the plan is the content
        if word.bare in NON_CONTENT_STARTS and word.lower:
            return None  # "said to be", "asked about", "told in": the verb is used another way
    after = words[position - 1].end if position - 1 >= cue.last else cue.span.end
    found = _first_content(text, words, position, after, inside)
    return None if found is None else (found, False)


def _first_content(
    text: str, words: list[Word], index: int, after: int, inside: list[Segment]
) -> int | None:
    """The start of word ``index``, or of a quotation between ``after`` and it
    (“portrayed “illegal” immigrants as …”, “said that “…” every time”)."""
    word_start = words[index].start if index < len(words) else len(text)
    for segment in inside:
        if after <= segment.start < word_start:
            return segment.start
    return word_start if index < len(words) else None


def _skip_setting(words: list[Word], position: int) -> int:
    """Past the time and setting that news puts right after a cue: “said Tuesday”, “said on Friday”,
    “said in a statement”, “told CNN in an interview last week”."""
    while position < len(words):
        word = words[position]
        if (
            word.bare in TIME_WORDS
            and word.bare not in ("earlier", "later")
            or word.bare in ("last", "this")
            and (position + 1 < len(words) and words[position + 1].bare in TIME_WORDS)
        ):
            position += 1 + (word.bare in ("last", "this"))
            continue
        if word.bare in ("on", "in", "at", "during") and word.lower and position + 1 < len(words):
            following = words[position + 1 : position + 4]
            if following[0].bare in TIME_WORDS:
                position += 2
                continue
            nouns = [i for i, w in enumerate(following) if w.bare in SETTING_NOUNS]
            if nouns and all(
                w.bare in DETERMINERS or not w.lower or w.bare in SETTING_NOUNS
                for w in following[: nouns[0]]
            ):
                position += 2 + nouns[0]
                continue
        break
    return position


def _opens_sentence(words: list[Word], cue: Cue) -> bool:
    """Whether only the source stands before the cue (no comma, no quotation: nothing reported before it)."""
    return not any(word.ends_clause or word.quoted_gap_after for word in words[: cue.first])


def opens_quote(text: str, words: list[Word], cue: Cue, segment: Segment, stop: int) -> bool:
    """He said: “…” / He said to Nevadans, “…” — at most a few words, then a colon or comma, then the
    quote; with nothing between (“He said “…” every time …”) only when the quote ends the sentence."""
    between = text[cue.span.end : segment.start].strip()
    if between in (",", ":"):
        return True
    if between == "":
        return word_count(text, segment.end, stop) < MIN_CONTENT_WORDS
    if between[-1] not in ",:" or len(between.split()) > MAX_WORDS_BEFORE_QUOTE or '"' in between:
        return False
    # “the vote worried her, Cruz said, “…””: the quote belongs to the cue nearest to it.
    return not any(
        word.lower and (word.bare in SPEECH_CUES or word.bare in ATTITUDE_CUES)
        for word in words[cue.last + 1 :]
        if word.end <= segment.start
    )


def head_content(
    text: str,
    words: list[Word],
    cue: Cue,
    mention: Span | None,
    begin: int,
    intro_is_content: bool = False,
) -> tuple[int, int] | None:
    """The content before an attribution that follows a comma: “The plan will fail, Smith said”."""
    left = cue.span.start if mention is None else min(mention.start, cue.span.start)
    before = text[begin:left].rstrip()
    if not before or before[-1] not in ",—–":
        return None
    end = trim_end(text, begin, begin + len(before))
    head_words = text[begin:end].split()
    if len(head_words) < MIN_CONTENT_WORDS:
        return None
    intro = head_words[0].strip(WORD_EDGES).lower() in INTRO_WORDS and len(head_words) <= 8
    if intro and not intro_is_content:
        return None  # “In a statement, Smith said …”: an introductory phrase, not content
    return begin, end


def tail_content(text: str, cue: Span | Cue, mention: Span, stop: int) -> int | None:
    """Where the content resumes after a mid-sentence attribution: “The plan, he said, will fail.”"""
    span = cue.span if isinstance(cue, Cue) else cue
    right = max(mention.end, span.end)
    rest = text[right:stop]
    comma = rest.find(",")
    if comma < 0 or rest[:comma].strip() and len(rest[:comma].split()) > 4:
        return None
    start = skip_space(text, right + comma + 1, stop)
    return start if word_count(text, start, stop) >= MIN_CONTENT_WORDS else None


def attribution_ends_sentence(text: str, cue: Cue, mention: Span, stop: int) -> bool:
    """“…, Smith said.” / “…, Smith said Tuesday.” — only a few words follow the attribution."""
    rest = text[max(mention.end, cue.span.end) : stop].strip()
    return len(rest.split()) <= 4 and not any(
        word in rest.lower().split() for word in ("that", "he", "she")
    )


def speech_before_attribution(text: str, segment: Segment, begin: int) -> bool:
    """A quote an attribution can follow: it opens the sentence or closes on a comma or stop (“…,”)."""
    inner = text[segment.start : segment.end].rstrip("\"”»' ")
    return segment.start == begin or inner[-1:] in ",.!?—–-"


def quote_resumes(text: str, attribution_end: int, segment: Segment) -> bool:
    """“…,” he told Chris Cuomo after the debate, “…”: the quote resumes after a short attribution."""
    between = text[attribution_end : segment.start].strip()
    return (
        between.endswith(",")
        and len(between.split()) <= MAX_WORDS_BEFORE_QUOTE + 3
        and not QUOTE_MARK.search(between)
    )


def words_between(text: str, start: int, end: int) -> Span | None:
    """“‘…,’ one senior official said”: the short phrase that stands between a quote and its cue."""
    phrase = text[start:end].strip(" ,")
    if (
        not phrase
        or len(phrase.split()) > MAX_NAME_WORDS
        or any(mark in phrase for mark in '.;:!?"“”')
    ):
        return None
    first = text.index(phrase, start)
    return Span(first, first + len(phrase), phrase)


def only_attribution_between(text: str, quote_end: int, attribution: Span) -> bool:
    between = text[quote_end : attribution.start]
    return quote_end <= attribution.start and between.strip(" ,—–") == "" and "\n" not in between
