"""Rule-based quote extraction: direct, indirect and mixed quotes with their cue and source mention.

The rules follow how English news writes attribution. An article is read paragraph by paragraph:
quotation marks are paired inside a paragraph (a quote left open continues only into a next
paragraph that opens with a quotation mark, so a stray mark never swallows the article); the
paragraph is cut into sentences whose full stops inside quotation marks don't count; then each
sentence is searched for cues ("said", "told", "according to", ...) outside quotation marks, and
each cue's source noun phrase and content are read off the words around it:

- “…,” she said. / “…,” said Smith, a spokesman.   (quote, then attribution)
- Smith said: “…” / Smith told reporters, “…”       (attribution, then quote)
- Smith said (that) … / Smith told reporters …      (reported speech, content after the cue)
- …, Smith said. / The plan, Smith said, will fail. (content around the attribution)
- According to X, … / …, according to X.
- Smith: “…”                                        (headlines and transcripts)

A quoted sentence with no cue of its own continues the previous direct quote of its paragraph
(“…,” she said. “…”) or stands alone with no mention, for the speakers stage to attribute.
Quotation marks that are neither attached to a cue nor a sentence of their own are scare quotes or
titles, not speech; inside reported speech they make the quote ``mixed``.

Offsets are character offsets into the untouched text. Speakers are left ``None``: the speakers
stage resolves each mention to a canonical entity.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import NamedTuple
from dataclasses import dataclass, replace

from stance.records import Quote, QuoteKind, Span
from stance.text import PARAGRAPH, is_abbreviation, sentence_ends

logger = logging.getLogger(__name__)

# Verbs that report what someone said, wrote or thinks, in the forms news uses them (nouns that
# share a spelling — "state", "report", "post" — are left out). Written from general knowledge of
# English news style.
SPEECH_CUES = frozenset(
    """
    say says said saying tell tells told telling add adds added adding write writes wrote writing
    ask asks asked note notes noted noting reported announce announces announced announcing
    explain explains explained explaining claim claims claimed claiming argue argues argued arguing
    warn warns warned warning insist insists insisted insisting stated stating acknowledge
    acknowledges acknowledged acknowledging admit admits admitted admitting declare declares
    declared declaring tweet tweets tweeted tweeting predict predicts predicted predicting promise
    promises promised promising vow vows vowed vowing pledge pledges pledged urge urges urged
    urging recall recalls recalled recalling respond responds responded replied reply replies
    concluded conceded concedes contend contends contended emphasized emphasizes stressed stresses
    complained complains countered testified testifies suggest suggests suggested suggesting
    confirm confirms confirmed denied denies estimated observed remarked allege alleges alleged
    charged cautioned joked quipped boasted bragged lamented mused repeated reiterated reiterates
    asserted asserts affirmed proclaimed assured assures recounted speculated wondered wonders
    believe believes believed think thinks thought hope hopes hoped fear fears feared worry worries
    worried doubt doubts doubted insisted acknowledged contended posited
    show shows showed shown find finds found indicate indicates indicated know knows knew feel feels
    felt agree agrees agreed continue continues continued mention mentions mentioned reveal reveals
    revealed signaled expect expects maintain maintains maintained hinted added
    """.split()
)
# Verbs of stance and response that PolNeAR-style attribution also counts ("Smith criticized the
# plan", "Jones wants a wall"): their content is the object, up to the end of the clause.
ATTITUDE_CUES = frozenset(
    """
    calls called calling criticize criticizes criticized criticizing want wants wanted
    support supports supported supporting endorse endorses endorsed endorsing describe describes
    described describing defend defends defended defending praise praises praised praising refuse
    refuses refused refusing backs backed backing oppose opposes opposed opposing propose
    proposes proposed proposing accuse accuses accused accusing blame blames blamed blaming reject
    rejects rejected rejecting dismiss dismisses dismissed dismissing question questions questioned
    questioning seek seeks sought seeking slam slams slammed slamming blast blasts blasted blasting
    attack attacks attacked attacking condemn condemns condemned condemning welcome welcomes
    welcomed welcoming demand demands demanded demanding cite cites cited citing discuss discusses
    discussed discussing compare compares compared comparing portray portrays portrayed portraying
    characterize characterizes characterized characterizing label labels labeled labeling dub dubs
    dubbed decried decry decries denounce denounces denounced denouncing mock mocks mocked mocking
    echo echoes echoed echoing tout touts touted touting highlight highlights highlighted
    highlighting favor favors favored prefer prefers preferred consider considers considered view
    views viewed deemed regard regards regarded recommend recommends recommended recommending
    acknowledge acknowledges acknowledged promise promises promised expressed express expresses
    pledged vowed hopes hoped plans planned intends intended seem seems seemed appear appears
    appeared declined declines
    """.split()
)
# Cues whose content may be a to-infinitive ("vowed to repeal the law").
INFINITIVE_CUES = frozenset(
    """
    want wants wanted promise promises promised vow vows vowed pledge pledges pledged refuse refuses
    refused seek seeks sought plan plans planned intend intends intended hope hopes hoped urge urges
    urged expect expects expected threaten threatens threatened seem seems seemed appear appears
    appeared declined declines ask asks asked asking tell tells told telling
    """.split()
)
# Cues followed first by the person addressed, then the content ("told reporters that ...").
ADDRESS_CUES = frozenset(
    "tell tells told telling assure assures assured warn warns warned ask asks asked asking".split()
)
# Cues that report something only with a "that" clause ("the poll found that ..."); otherwise
# they are ordinary verbs ("found the keys", "continued the tour").
THAT_ONLY_CUES = frozenset(
    """
    show shows showed shown find finds found indicate indicates indicated know knows knew feel feels
    felt agree agrees agreed continue continues continued mention mentions mentioned reveal reveals
    revealed signaled expect expects maintain maintains maintained hinted fear fears feared worry
    worries worried doubt doubts doubted confirm confirms confirmed add adds added
    """.split()
)
# Cues of findings and knowledge: never the lead-in of a quotation ("the news show “…”").
FINDING_CUES = frozenset(
    "show shows showed shown find finds found know knows knew feel feels felt indicate indicates indicated".split()
)
# Verbs whose next word makes a two-word cue ("called for", "pointed out").
PHRASAL_CUES = {
    verb: tuple(particles.split())
    for forms, particles in (
        ("call calls called calling", "for on"),
        ("point points pointed pointing", "out to"),
        ("refer refers referred referring", "to"),
        ("respond responds responded responding", "to"),
        ("focus focuses focused focusing", "on"),
        ("talk talks talked talking speak speaks spoke speaking", "about of"),
        ("comment comments commented commenting", "on"),
        ("vote votes voted voting campaigned rail rails railed railing", "for against"),
        ("joke jokes joked joking complain complains complained complaining", "about"),
        (
            "apologize apologizes apologized apologizing advocate advocates advocated advocating",
            "for",
        ),
        ("agree agrees agreed agreeing disagree disagrees disagreed", "with"),
        ("warn warns warned warning", "of about against"),
        ("worry worries worried", "about"),
        ("touch touches touched touching", "on"),
    )
    for verb in forms.split()
}
# Words between a source and its cue that belong to neither ("has also said", "later told").
AUXILIARIES = frozenset(
    """
    has have had also later then once previously repeatedly recently earlier again publicly
    privately would will could may might must should can cannot did does do not never often always first still even
    further reportedly is was are were been be long frequently already just since ’s 's
    """.split()
)
# Verbs that make a stretch a clause rather than an appositive ("…, the numbers were high, said").
FINITE_VERBS = frozenset(
    "is was are were has have had will would can could should did does do".split()
)
# Words that start a clause: a source noun phrase never reaches back over them.
CLAUSE_WORDS = frozenset(
    """
    that which who whom whose because while when where but if although though since so as after
    before until what how why than or nor unless whether and yet like
    """.split()
)
# Words that open an introductory phrase rather than content ("In a statement, Smith said, “…”").
INTRO_WORDS = frozenset(
    """
    in on at during after before speaking asked earlier later last yesterday today tonight monday
    tuesday wednesday thursday friday saturday sunday meanwhile separately still also but and
    for however though too instead
    """.split()
)
# Prepositions after a cue that show it is used another way ("said to be", "asked about").
NON_CONTENT_STARTS = frozenset("by to for about on in of with at from into as".split())
POSSESSIVES = frozenset("my your our his her its their whose".split())
# Words whose “’s” is “is” or “has” (“he’s said”), not a possessive.
CONTRACTED_SUBJECTS = frozenset("he she it that there what who where here let".split())
# Where a statement was made: “said in a statement”, “told reporters at a rally”.
SETTING_NOUNS = frozenset(
    """
    statement statements interview interviews speech speeches rally rallies tweet tweets email
    emails letter release conference debate appearance hearing call broadcast briefing post video
    op-ed editorial column memo filing press town hall event news show program podcast radio
    television twitter facebook
    """.split()
)
# Sources that report findings ("the survey found Clinton ahead").
RESEARCH_SOURCES = frozenset(
    """
    poll polls survey surveys study studies report reports data analysis results figures numbers
    research review investigation audit census estimates statistics records documents count
    """.split()
)
# “Asked whether …”, “when asked about …”: a question put to the sentence's subject.
PASSIVE_LEADS = frozenset("when after as if once while".split())
QUESTION_PUT = "asked (passive)"
QUESTION_WORDS = frozenset("whether if what who whom why how when where which about by to".split())
# “Gillibrand on Clinton: …”, “Clinton to Planned Parenthood: …”: a headline speaker ends before these.
HEADLINE_TOPIC_WORDS = frozenset("on to about at for in".split())
# Past tenses that don't end in -ed.
IRREGULAR_PASTS = frozenset("said told wrote thought knew felt found sought spoke saw".split())
# Words that end a time phrase, not a source ("a month ago announced", "last week said").
TIME_WORDS = frozenset(
    """
    ago week weeks month months year years day days today yesterday tonight morning afternoon
    evening night monday tuesday wednesday thursday friday saturday sunday earlier later
    """.split()
)
SUBJECT_PRONOUNS = frozenset("i we you he she it they".split())
# What may follow an object-complement verb that reports a view ("considered it a mistake").
OBJECT_WORDS = frozenset("me us you him her it them that this those these as to all both".split())
# Past participles of verbs that report a view of something ("considered", "deemed"): right before
# a bare complement they describe a noun instead ("people deemed dangerous").
COMPLEMENT_PARTICIPLES = frozenset("considered deemed viewed regarded seen labeled dubbed".split())
DETERMINERS = frozenset(
    "the a an his her its their our this that these those some many most".split()
)
MAX_SOURCE_WORDS = 10
MAX_HEADLINE_WORDS = 30
MAX_APPOSITIVE_WORDS = 20
MAX_NAME_WORDS = 6
MIN_CONTENT_WORDS = 2
MIN_UNATTRIBUTED_WORDS = 4
# How far (in words) after a cue a "that" may still open its content ("said Tuesday in a statement that").
MAX_WORDS_BEFORE_THAT = 7
# How many words may stand between a cue and the colon or comma that opens its quote ("said to Nevadans:").
MAX_WORDS_BEFORE_QUOTE = 5

OPENING_MARKS = "“„«"
CLOSING_MARKS = "”»"

# ‘…’ in a headline: an opening mark after a non-letter, a closing one before a non-letter
# (“Trump’s” keeps its apostrophe).
_HEADLINE_QUOTE = re.compile(r"(?<!\w)‘(?:[^‘’\n]|’(?=\w))+’(?!\w)")
_NOT_SPACE = re.compile(r"\S")
_MARK = re.compile(r"''|[\"“”„«»]")
_WORD = re.compile(r"[^\s“”„«»\"]+")
_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z]+)")
# “Name: …” at the start of a paragraph (headlines, transcripts), after an optional “HEADLINE - ”.
_COLON_SOURCE = re.compile(
    r"(?:[^\n:]{0,200}?\s[-–—]\s)?"
    r"([A-Z][\w.’'&-]*(?:\s+(?:[A-Z][\w.’'&-]*|and|of|de|van|von)){0,5})(:)\s+(?=\S)"
)
_CLAUSE_BOUNDARY = re.compile(
    # a stop, a dash, a parenthesis; a comma before a new clause, a participle or a name (a plain
    # comma inside a list, “called him a kind, loving man”, does not end it); a subordinator
    r"[;:—–(]|,\s(?:and|but|who|which|while|where|as|after|when)\s|,\s[a-z]+ing\b|,(?=\s+[A-Z])"
    r"|\s(?:because|while|but|although|after|before|when|since|who|which)\s"
)


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
_CUE_CANDIDATE = re.compile(r"\b(?:" + _trie_pattern(_CUE_WORDS) + r")\b")
_ANY_CASE_CUE_CANDIDATE = re.compile(_CUE_CANDIDATE.pattern, re.IGNORECASE)
_TRAILING = " \t,;:—–-"
_DANGLING = re.compile(r"\s(?:and|but|or)$")
_WORD_EDGES = "\"“”‘’'«»(),;:.!?—–[]"


@dataclass(frozen=True)
class _Segment:
    """A stretch in quotation marks, marks included; ``closed`` is False when no closing mark was found."""

    start: int
    end: int
    closed: bool


class _Word(NamedTuple):
    start: int
    end: int
    text: str
    bare: str  # lower case, without surrounding punctuation
    lower: bool  # starts with a lower-case letter
    ends_clause: bool  # ends with punctuation that closes a clause
    quoted_gap_after: bool  # a quotation (or a mark) stands between this word and the next


def extract_quotes(text: str) -> list[Quote]:
    """Every quote of ``text``, sorted by start; never raises (a bad quote is dropped, not the article)."""
    try:
        quotes = list(_article_quotes(text))
    except Exception:  # a rule bug must cost this article its quotes, never stop a batch
        logger.exception("quote extraction failed on a %d-character text", len(text))
        return []
    quotes.sort(key=lambda quote: (quote.start, quote.end))
    return quotes


def _article_quotes(text: str) -> Iterator[Quote]:
    carried: Quote | None = None  # a direct quote left open at the end of the previous paragraph
    for number, paragraph in enumerate(PARAGRAPH.finditer(text)):
        start, end = paragraph.span()
        headline = number == 0 and _word_count(text, start, end) <= MAX_HEADLINE_WORDS
        segments = list(quote_segments(text, start, end, headline=headline))
        if carried is not None:
            # A quote that runs over paragraphs reopens with a quotation mark at each new one.
            if segments and segments[0].start == _skip_space(text, start, end):
                carried = _extend(text, carried, segments[0])
                start, segments = segments[0].end, segments[1:]
                if segments or not _unclosed_at_end(text, carried.end, end):
                    yield carried
                    carried = None
                else:
                    continue
            else:
                yield carried
                carried = None
        for quote in _paragraph_quotes(text, start, end, segments, headline=headline):
            if (
                quote.kind == "direct"
                and segments
                and not segments[-1].closed
                and quote.end == segments[-1].end
            ):
                carried = quote
            else:
                yield quote
    if carried is not None:
        yield carried


def _unclosed_at_end(text: str, quote_end: int, paragraph_end: int) -> bool:
    return quote_end >= paragraph_end - 1 and text[quote_end - 1] not in CLOSING_MARKS + '"'


def _skip_space(text: str, start: int, end: int) -> int:
    """The first position from ``start`` that is not white space (``end`` when there is none)."""
    found = _NOT_SPACE.search(text, start, end)
    return found.start() if found else max(start, min(end, len(text)))


def _extend(text: str, quote: Quote, segment: _Segment) -> Quote:
    """``quote`` with one more content part (a later sentence or paragraph of the same quotation)."""
    return replace(
        quote,
        end=segment.end,
        text=text[quote.start : segment.end],
        parts=(*quote.parts, Span.of(text, segment.start, segment.end)),
    )


def quote_segments(
    text: str, start: int, end: int, *, headline: bool = False
) -> Iterator[_Segment]:
    """The quotation-mark pairs of ``text[start:end]`` (one paragraph), in order.

    Curly marks say which way they face; a straight mark opens when no quote is open. A mark that
    opens while a quote is still open closes the earlier one first; a quote still open at the end
    of the paragraph ends there, unclosed. Single quotes are left alone — inside double quotes they
    are nested quotes, outside they are mostly apostrophes — except in a headline, which quotes
    with single curly marks (‘…’).
    """
    if headline and "‘" in text[start:end]:
        yield from (
            _Segment(m.start(), m.end(), True) for m in _HEADLINE_QUOTE.finditer(text, start, end)
        )
        return
    opened: int | None = None
    for mark in _MARK.finditer(text, start, end):
        symbol, position = mark.group(), mark.start()
        if opened is None:
            if symbol in CLOSING_MARKS:
                continue  # a stray closing mark opens nothing
            if mark.end() < end and not text[mark.end()].isspace():
                opened = position
        elif symbol in OPENING_MARKS:
            yield _Segment(opened, position, False)
            opened = position
        else:
            yield _Segment(opened, mark.end(), True)
            opened = None
    if opened is not None:
        stop = end
        while stop > opened + 1 and text[stop - 1].isspace():
            stop -= 1
        yield _Segment(opened, stop, False)


def sentence_spans(
    text: str, start: int, end: int, segments: list[_Segment]
) -> Iterator[tuple[int, int]]:
    """The sentences of a paragraph (`stance.text.sentence_ends`); a full stop inside quotation
    marks does not end one."""
    begin = _skip_space(text, start, end)
    for stop in sentence_ends(text, start, end):
        cut = stop.end()
        if cut <= begin:
            continue
        if any(s.start < stop.start() and stop.end() < s.end for s in segments):
            continue
        while cut > begin and text[cut - 1].isspace():
            cut -= 1
        yield begin, cut
        begin = _skip_space(text, cut, end)
    stop = end
    while stop > begin and text[stop - 1].isspace():
        stop -= 1
    if stop > begin:
        yield begin, stop


def _paragraph_quotes(
    text: str, start: int, end: int, segments: list[_Segment], *, headline: bool = False
) -> Iterator[Quote]:
    headed = _colon_quote(text, start, end, segments)
    if headed is None and headline:
        headed = _headline_colon(text, start, end, segments)
        if headed is not None:
            # “Trump Praises Boyle: ‘Very Good Reporter.’”: the part before the colon may report too.
            yield headed
            end, segments = headed.cue.start, [s for s in segments if s.end <= headed.cue.start]
            headed = None
    if headed is not None:
        yield headed
        return
    previous: Quote | None = None  # the last direct quote, which a bare quoted sentence continues
    for begin, stop in sentence_spans(text, start, end, segments):
        inside = [s for s in segments if begin <= s.start < stop]
        stop = max([stop, *(s.end for s in inside)])
        found = list(_sentence_quotes(text, begin, stop, inside, headline=headline))
        if found:
            if previous is not None:
                yield previous
            yield from found[:-1]
            previous = found[-1] if found[-1].kind == "direct" else None
            if previous is None:
                yield found[-1]
            continue
        led = _colon_lead_in(text, begin, inside)
        if led is not None:
            if previous is not None:
                yield previous
            previous = led
            continue
        lone = _lone_quote(text, begin, stop, inside)
        if lone is None:
            continue
        if previous is not None:
            previous = _extend(text, previous, lone)  # “…,” she said. “…” — the quote goes on
        else:
            previous = _quoted(text, (lone,), None, None)
    if previous is not None:
        yield previous


def _colon_quote(text: str, start: int, end: int, segments: list[_Segment]) -> Quote | None:
    """“Pollster Jane Doe: …” — a paragraph (headline, transcript turn) opened by a name and a colon."""
    head = _COLON_SOURCE.match(text, start, end)
    if head is None or any(s.start < head.end() for s in segments):
        return None
    content_end = _trim_end(text, head.end(), end)
    if _word_count(text, head.end(), content_end) < MIN_CONTENT_WORDS:
        return None
    inside = [s for s in segments if s.start < content_end]
    return _reported(
        text,
        ((head.end(), content_end),),
        Span.of(text, *head.span(2)),
        Span.of(text, *head.span(1)),
        inside,
    )


def _headline_colon(text: str, start: int, end: int, segments: list[_Segment]) -> Quote | None:
    """“Clinton camp: Trump’s rhetoric threatens security.”, “Gillibrand on the speeches: ‘I Think
    She Will.’” — a headline's speaker, a colon, what was said."""
    colon = text.find(": ", start, end)
    if colon < 0 or any(s.start < colon < s.end for s in segments):
        return None
    words = _words(text, start, colon, [])
    if not words or any(w.lower and (w.bare in SPEECH_CUES or w.bare in ATTITUDE_CUES) for w in words):
        return None  # “Reilly told reporters: “…””: the cue's own rules attribute it
    # The speaker ends before a topic (“Gillibrand on …”) or a capitalised cue (“Trump Praises …”).
    last = next(
        (
            i - 1
            for i, w in enumerate(words)
            if i and (w.text in HEADLINE_TOPIC_WORDS or w.bare in SPEECH_CUES or w.bare in ATTITUDE_CUES)
        ),
        len(words) - 1,
    )
    if last + 1 > MAX_NAME_WORDS:
        return None
    content_start = _skip_space(text, colon + 1, end)
    content_end = _trim_end(text, content_start, end)
    if _word_count(text, content_start, content_end) < MIN_CONTENT_WORDS:
        return None
    mention = Span.of(text, words[0].start, _strip_end(words[last]))
    inside = [s for s in segments if s.start >= content_start]
    return _reported(text, ((content_start, content_end),), Span.of(text, colon, colon + 1), mention, inside)


def _colon_lead_in(text: str, begin: int, inside: list[_Segment]) -> Quote | None:
    """“Their leader, Rep. Ana Cruz, put it bluntly: “…”” — a named subject, a colon, a quote."""
    if not inside:
        return None
    lead = text[begin : inside[0].start].rstrip()
    if not lead.endswith(":") or len(lead.split()) > MAX_SOURCE_WORDS + 2:
        return None
    words = _words(text, begin, begin + len(lead) - 1, [])
    last = max((i for i, word in enumerate(words) if not word.lower and i), default=None)
    colon = begin + len(lead) - 1
    if last is None:
        subject = _sentence_subject(text, words)
        return (
            None
            if subject is None
            else _quoted(text, (inside[0],), Span.of(text, colon, colon + 1), subject)
        )
    first = last
    while (
        first > 0
        and not words[first - 1].ends_clause
        and (not words[first - 1].lower or words[first - 1].bare in ("of", "and"))
    ):
        first -= 1
    mention = Span.of(text, words[first].start, _strip_end(words[last]))
    return _quoted(text, (inside[0],), Span.of(text, colon, colon + 1), mention)


def _lone_quote(text: str, begin: int, stop: int, inside: list[_Segment]) -> _Segment | None:
    """A quoted sentence with no cue of its own: it must open the sentence and read as speech."""
    if not inside or inside[0].start != begin:
        return None
    segment = inside[0]
    words = len(text[segment.start : segment.end].split())
    if words < MIN_UNATTRIBUTED_WORDS and not (segment.end >= stop - 1 and words >= 2):
        return None
    return segment


def _quoted(
    text: str, segments: tuple[_Segment, ...], cue: Span | None, mention: Span | None
) -> Quote:
    """A direct quote whose parts are the quotation-mark segments, marks included."""
    first, last = segments[0], segments[-1]
    return Quote(
        start=first.start,
        end=last.end,
        text=text[first.start : last.end],
        kind="direct",
        parts=tuple(Span.of(text, s.start, s.end) for s in segments),
        cue=cue,
        mention=mention,
    )


def _words(text: str, begin: int, stop: int, inside: list[_Segment]) -> list[_Word]:
    """The words of a sentence that are outside quotation marks."""
    words: list[_Word] = []
    stretches = [begin, *(edge for s in inside for edge in (s.start, s.end)), stop]
    new = tuple.__new__  # this loop is the extractor's hot spot: skip NamedTuple's keyword handling
    for stretch_start, stretch_end in zip(stretches[::2], stretches[1::2]):
        if words and stretch_start > begin:
            words[-1] = words[-1]._replace(quoted_gap_after=True)
        for match in _WORD.finditer(text, stretch_start, stretch_end):
            word = match.group()
            stripped = word.strip(_WORD_EDGES)
            bare = stripped.lower()
            last = word[-1]
            ends_clause = last in ",;:!?)—–" or (
                last == "." and len(bare) > 1 and not is_abbreviation(stripped)
            )
            start, end = match.span()
            words.append(
                new(_Word, (start, end, word, bare, word[0].islower(), ends_clause, False))
            )
    return words


@dataclass(frozen=True)
class _Cue:
    span: Span
    first: int  # index of its first word
    last: int  # index of its last word
    verb: str


def _cues(text: str, words: list[_Word], headline: bool = False) -> Iterator[_Cue]:
    """The cues of a sentence, in order; a headline may capitalise them (“Rubio Says …”)."""
    for index, word in enumerate(words):
        following = words[index + 1].bare if index + 1 < len(words) else ""
        if word.bare == "asked" and (index == 0 or words[index - 1].bare in PASSIVE_LEADS):
            yield _Cue(Span.of(text, word.start, _strip_end(word)), index, index, QUESTION_PUT)
        elif word.bare == "according" and following == "to":
            yield _Cue(
                Span.of(text, word.start, _strip_end(words[index + 1])),
                index,
                index + 1,
                "according to",
            )
        elif not word.lower and not (headline and index):
            continue
        elif word.bare in PHRASAL_CUES and following in PHRASAL_CUES[word.bare]:
            yield _Cue(
                Span.of(text, word.start, _strip_end(words[index + 1])), index, index + 1, word.bare
            )
        elif word.bare in _VERB_CUES and word.text.rstrip(_WORD_EDGES).lower().endswith(word.bare):
            if index and _possessed(words[index - 1]):
                continue  # “Clinton’s attacks”, “her support”: a noun, not a report
            if word.bare.endswith("ing") and index and not _leads_participle(words[index - 1]):
                continue  # “a warning”, “the saying”: a noun, not a report
            if describing_participle(text, word.start, word.end):
                continue  # “individuals considered violent”: a participle describing a noun, not a report
            yield _Cue(Span.of(text, word.start, _strip_end(word)), index, index, word.bare)


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


def _possessed(previous: _Word) -> bool:
    """Whether ``previous`` is a possessive (“Clinton’s”, “their”), so that the next word is a noun."""
    if previous.bare in POSSESSIVES - {"her"}:
        return True
    bare = previous.bare.replace("’", "'")
    return bare.endswith("'s") and bare[:-2] not in CONTRACTED_SUBJECTS


def _leads_participle(previous: _Word) -> bool:
    """Whether an -ing cue after ``previous`` is a verb (“…, saying”) rather than a noun (“a warning”)."""
    return previous.bare not in DETERMINERS and previous.bare not in POSSESSIVES


def _sentence_quotes(
    text: str, begin: int, stop: int, inside: list[_Segment], *, headline: bool = False
) -> Iterator[Quote]:
    """The attributed quotes of one sentence: at most one per cue outside quotation marks."""
    candidate = (_ANY_CASE_CUE_CANDIDATE if headline else _CUE_CANDIDATE).search(text, begin, stop)
    if candidate is None:
        return
    words = _words(text, begin, stop, inside)
    cues = list(_cues(text, words, headline))
    last_mention: Span | None = None
    for number, cue in enumerate(cues):
        starts = (_next_report_start(text, words, later) for later in cues[number + 1 :])
        limit = next((start for start in starts if start is not None), stop)
        quote = _attributed_quote(text, words, cue, begin, stop, limit, inside, last_mention)
        if quote is not None:
            last_mention = quote.mention or last_mention
            yield quote


def _next_report_start(text: str, words: list[_Word], cue: _Cue) -> int | None:
    """Where a later cue's report starts when it is coordinated with the current one (“…, adding
    that …”, “… and said …”, “…, and analysts warned …”); None when it is nested inside the content."""
    if not cue.first:
        return None
    before = words[cue.first - 1]
    if before.text[-1] in ",;" or before.bare in ("and", "but"):
        return words[cue.first].start
    source = _source_before(text, words, cue.first)
    if source is None:
        return None
    opening = text[: source.start].rstrip()
    if opening.endswith((",", ";", ", and", ", but", ", while", "; and")):
        return source.start
    return None


def _attributed_quote(
    text: str,
    words: list[_Word],
    cue: _Cue,
    begin: int,
    stop: int,
    limit: int,
    inside: list[_Segment],
    last_mention: Span | None,
) -> Quote | None:
    if cue.verb == "according to":
        return _according_to(text, words, cue, begin, stop, inside)
    if cue.verb == QUESTION_PUT:
        return _question_put(text, words, cue, limit, inside)
    inverted = _inverted(text, words, cue, stop)
    mention = (
        _source_after(text, words, cue.last) if inverted else _source_before(text, words, cue.first)
    )
    if mention is not None and not inverted and _noun_use(text, mention, cue):
        return None
    if (
        mention is None
        and cue.first
        and (words[cue.first - 1].bare in ("and", "but") or cue.verb.endswith("ing"))
    ):
        # “… and said …”, “…, adding …”: the report hangs on the subject of the sentence.
        mention = last_mention or _sentence_subject(text, words)
    # 1. “…,” he said. / “…,” said Smith. — a quote that ends just before the attribution.
    before = [
        s for s in inside if s.end <= cue.span.start and _speech_before_attribution(text, s, begin)
    ]
    if before and mention is None:
        mention = _words_between(text, before[-1].end, cue.span.start)
    if before and _only_attribution_between(text, before[-1].end, mention or cue.span):
        if mention is None:
            mention = _source_after(text, words, cue.last)
        segments = [before[-1]]
        after = [s for s in inside if s.start >= cue.span.end]
        if after and _resumes(text, max(cue.span.end, mention.end if mention else 0), after[0]):
            segments.append(after[0])  # “…,” he said, “…”
        return _quoted(text, tuple(segments), cue.span, mention)
    # 2. He said: “…” / He told reporters, “…” — a quote that opens just after the cue.
    after = [s for s in inside if s.start >= cue.span.end]
    if (
        after
        and not inverted
        and cue.verb not in FINDING_CUES
        and _opens_quote(text, words, cue, after[0], stop)
    ):
        # “The plan, he said, “…”” splits a content; “Asked about X, he said, “…”” leads into a quote.
        closes_sentence = _word_count(text, after[0].end, stop) < MIN_CONTENT_WORDS
        if closes_sentence or _head_content(text, words, cue, mention, begin) is None:
            return _quoted(text, (after[0],), cue.span, mention)
    found = None if inverted else _content_start(text, words, cue, inside)
    content_start = None if found is None or found[0] >= limit else found[0]
    if cue.verb not in SPEECH_CUES:
        return _attitude(text, cue, mention, content_start, limit, inside)
    if cue.verb in THAT_ONLY_CUES and found is not None and not found[1] and not _research(mention):
        content_start = None  # "found the keys", "added 400 spaces": not a report
    # 3. Smith said (that) … — the content follows the cue.
    if content_start is not None and (mention is not None or cue.verb in ("said", "says", "say")):
        content_end = _trim_end(text, content_start, limit)
        if _word_count(text, content_start, content_end) >= MIN_CONTENT_WORDS:
            return _reported(text, ((content_start, content_end),), cue.span, mention, inside)
    # 4. …, Smith said. / The plan, Smith said, will fail. — the content is around the attribution.
    if cue.verb.endswith("ing"):
        return None
    if mention is None:
        mention = _source_after(text, words, cue.last)
    if mention is None:
        return None
    tail_start = _tail_content(text, cue, mention, stop)
    head = _head_content(text, words, cue, mention, begin, intro_is_content=tail_start is not None)
    if head is None:
        return None
    parts = [head]
    if tail_start is not None:
        parts.append((tail_start, _trim_end(text, tail_start, stop)))
    elif not _attribution_ends_sentence(text, cue, mention, stop):
        return None
    return _reported(text, tuple(parts), cue.span, mention, inside)


def _attitude(
    text: str,
    cue: _Cue,
    mention: Span | None,
    start: int | None,
    limit: int,
    inside: list[_Segment],
) -> Quote | None:
    """“Smith criticized the plan, …”: a named source, the verb, and its object up to the clause end."""
    if mention is None or start is None:
        return None
    end = _trim_end(text, start, _clause_end(text, start, limit, inside))
    if end <= start:
        return None
    return _reported(text, ((start, end),), cue.span, mention, inside)


def _clause_end(text: str, start: int, limit: int, inside: list[_Segment]) -> int:
    """Where the clause that starts at ``start`` ends (see `_CLAUSE_BOUNDARY`), outside quotation marks."""
    for boundary in _CLAUSE_BOUNDARY.finditer(text, start, limit):
        if not any(s.start <= boundary.start() < s.end for s in inside):
            return boundary.start()
    return limit


def _noun_use(text: str, mention: Span, cue: _Cue) -> bool:
    """“a controversial pledge”, “a fundraising call”: a base-form cue after “a”/“an”/“one” is a noun
    (a singular subject would take “pledges”)."""
    first = mention.text.split(maxsplit=1)[0].lower()
    base_form = not cue.verb.endswith(("s", "ed", "ing")) and cue.verb not in IRREGULAR_PASTS
    return base_form and first in ("a", "an", "one", "this") and cue.span.start - mention.end <= 1


def _research(mention: Span | None) -> bool:
    """“The poll showed Clinton ahead”: polls, studies and data report without a “that”."""
    return mention is not None and mention.text.rsplit(maxsplit=1)[-1].lower() in RESEARCH_SOURCES


def _inverted(text: str, words: list[_Word], cue: _Cue, stop: int) -> bool:
    """“…, said Gregory Palmore of the agency.”: the cue comes first, its source closes the sentence."""
    if not cue.first or words[cue.first - 1].text[-1] != "," or words[cue.last].ends_clause:
        return False
    source = _source_after(text, words, cue.last)
    if source is None:
        return False
    rest = text[source.end : stop].strip()
    return (
        rest == ""
        or rest[0] in ".!?"
        or rest.startswith(",")
        and " that " not in rest
        or len(rest.split()) <= 3
    )


def _question_put(
    text: str, words: list[_Word], cue: _Cue, limit: int, inside: list[_Segment]
) -> Quote | None:
    """“Asked whether he would run, …”, “when asked about the wall, …”: the question put to someone
    (who is named, if at all, in the main clause)."""
    if cue.last + 1 >= len(words) or words[cue.last + 1].bare not in QUESTION_WORDS:
        return None
    start = words[cue.last + 1].start
    end = _trim_end(text, start, _clause_end(text, start, limit, inside))
    if _word_count(text, start, end) < MIN_CONTENT_WORDS:
        return None
    return _reported(text, ((start, end),), cue.span, None, inside)


def _according_to(
    text: str, words: list[_Word], cue: _Cue, begin: int, stop: int, inside: list[_Segment]
) -> Quote | None:
    """“According to X, …” and “…, according to X.”"""
    following = words[cue.last + 1 : cue.last + 1 + MAX_SOURCE_WORDS]
    if not following:
        return None
    last = following[0]
    for word in following:
        if word is not following[0] and (word.bare in CLAUSE_WORDS and word.lower):
            break
        last = word
        if word.ends_clause or any(s.start <= word.end + 1 < s.end for s in inside):
            break
    mention = Span.of(text, following[0].start, _strip_end(last))
    # The content is what stands before and after the attribution: “According to X, …”,
    # “…, according to X.” or “…, according to X, …”.
    leads = cue.first == 0 or cue.first == 1 and words[0].bare in INTRO_WORDS
    parts = [] if leads else [(begin, _trim_end(text, begin, cue.span.start))]
    if last.text[-1] == ",":
        tail = _skip_space(text, last.end, stop)
        parts.append((tail, _trim_end(text, tail, stop)))
    parts = [
        (start, end) for start, end in parts if _word_count(text, start, end) >= MIN_CONTENT_WORDS
    ]
    if not parts:
        return None
    return _reported(text, tuple(parts), cue.span, mention, inside)


def _source_before(text: str, words: list[_Word], cue_first: int) -> Span | None:
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
    return Span.of(text, words[first].start, _strip_end(words[position]))


def _relative_clause_antecedent(words: list[_Word], last: int, *, absolute: bool = False) -> int | None:
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


def _parenthesized_source(text: str, words: list[_Word], closing: int) -> Span | None:
    """“Sen. Ted Cruz (R-Texas) said”: the name before a short parenthesis, with it."""
    for opening in range(closing, max(closing - 4, 0), -1):
        if words[opening].text.startswith("("):
            first = _np_start(words, opening - 1)
            return None if first is None else Span.of(text, words[first].start, words[closing].end)
    return None


def _np_start(words: list[_Word], last: int, *, absolute: bool = False) -> int | None:
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


def _joins_names(words: list[_Word], position: int) -> bool:
    """“Immigration and Customs Enforcement”, “Smith and Jones”: a lower-case "and" between names."""
    return (
        words[position].text in ("and", "&")
        and position > 0
        and not words[position - 1].lower
        and not words[position - 1].ends_clause
        and not words[position + 1].lower
    )


def _appositive_source(text: str, words: list[_Word], comma_word: int) -> Span | None:
    """“Joanne Lin, ACLU legislative counsel, said”: the name before the appositive, with it."""
    position = comma_word - 1
    while position >= 0 and comma_word - position < MAX_APPOSITIVE_WORDS:
        if words[position].bare in INTRO_WORDS and position and words[position - 1].text[-1] == ",":
            # “The chamber, in a statement, said”: a parenthetical, not an appositive — the source is before it.
            first = _np_start(words, position - 1)
            if first is None:
                return None
            return Span.of(text, words[first].start, _strip_end(words[position - 1]))
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
                return Span.of(text, words[first].start, _strip_end(words[comma_word]))
        position -= 1
    return None


def _looks_like_name(words: list[_Word], last: int) -> bool:
    return not words[last].lower and words[last].bare not in INTRO_WORDS


def _sentence_subject(text: str, words: list[_Word]) -> Span | None:
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
    return Span.of(text, words[start].start, _strip_end(words[end - 1]))


def _source_after(text: str, words: list[_Word], cue_last: int) -> Span | None:
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
    return Span.of(text, following[0].start, _strip_end(following[last]))


def _names_follow(words: list[_Word]) -> bool:
    """“said agency Director John Morton”: a short lower-case title, then a name."""
    for word in words[:4]:
        if not word.lower:
            return True
        if word.ends_clause or word.bare in CLAUSE_WORDS or word.bare in NON_CONTENT_STARTS:
            return False
    return False


def _content_start(
    text: str, words: list[_Word], cue: _Cue, inside: list[_Segment]
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
            return _first_content(text, words, cue.last + 2 + offset, word.end, inside), True
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
    text: str, words: list[_Word], index: int, after: int, inside: list[_Segment]
) -> int | None:
    """The start of word ``index``, or of a quotation between ``after`` and it
    (“portrayed “illegal” immigrants as …”, “said that “…” every time”)."""
    word_start = words[index].start if index < len(words) else len(text)
    for segment in inside:
        if after <= segment.start < word_start:
            return segment.start
    return word_start if index < len(words) else None


def _skip_setting(words: list[_Word], position: int) -> int:
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


def _opens_sentence(words: list[_Word], cue: _Cue) -> bool:
    """Whether only the source stands before the cue (no comma, no quotation: nothing reported before it)."""
    return not any(word.ends_clause or word.quoted_gap_after for word in words[: cue.first])


def _opens_quote(text: str, words: list[_Word], cue: _Cue, segment: _Segment, stop: int) -> bool:
    """He said: “…” / He said to Nevadans, “…” — at most a few words, then a colon or comma, then the
    quote; with nothing between (“He said “…” every time …”) only when the quote ends the sentence."""
    between = text[cue.span.end : segment.start].strip()
    if between in (",", ":"):
        return True
    if between == "":
        return _word_count(text, segment.end, stop) < MIN_CONTENT_WORDS
    if between[-1] not in ",:" or len(between.split()) > MAX_WORDS_BEFORE_QUOTE or '"' in between:
        return False
    # “the vote worried her, Cruz said, “…””: the quote belongs to the cue nearest to it.
    return not any(
        word.lower and (word.bare in SPEECH_CUES or word.bare in ATTITUDE_CUES)
        for word in words[cue.last + 1 :]
        if word.end <= segment.start
    )


def _head_content(
    text: str,
    words: list[_Word],
    cue: _Cue,
    mention: Span | None,
    begin: int,
    intro_is_content: bool = False,
) -> tuple[int, int] | None:
    """The content before an attribution that follows a comma: “The plan will fail, Smith said”."""
    left = cue.span.start if mention is None else min(mention.start, cue.span.start)
    before = text[begin:left].rstrip()
    if not before or before[-1] not in ",—–":
        return None
    end = _trim_end(text, begin, begin + len(before))
    head_words = text[begin:end].split()
    if len(head_words) < MIN_CONTENT_WORDS:
        return None
    intro = head_words[0].strip(_WORD_EDGES).lower() in INTRO_WORDS and len(head_words) <= 8
    if intro and not intro_is_content:
        return None  # “In a statement, Smith said …”: an introductory phrase, not content
    return begin, end


def _tail_content(text: str, cue: Span | _Cue, mention: Span, stop: int) -> int | None:
    """Where the content resumes after a mid-sentence attribution: “The plan, he said, will fail.”"""
    span = cue.span if isinstance(cue, _Cue) else cue
    right = max(mention.end, span.end)
    rest = text[right:stop]
    comma = rest.find(",")
    if comma < 0 or rest[:comma].strip() and len(rest[:comma].split()) > 4:
        return None
    start = _skip_space(text, right + comma + 1, stop)
    return start if _word_count(text, start, stop) >= MIN_CONTENT_WORDS else None


def _attribution_ends_sentence(text: str, cue: _Cue, mention: Span, stop: int) -> bool:
    """“…, Smith said.” / “…, Smith said Tuesday.” — only a few words follow the attribution."""
    rest = text[max(mention.end, cue.span.end) : stop].strip()
    return len(rest.split()) <= 4 and not any(
        word in rest.lower().split() for word in ("that", "he", "she")
    )


def _speech_before_attribution(text: str, segment: _Segment, begin: int) -> bool:
    """A quote an attribution can follow: it opens the sentence or closes on a comma or stop (“…,”)."""
    inner = text[segment.start : segment.end].rstrip("\"”»' ")
    return segment.start == begin or inner[-1:] in ",.!?—–-"


def _resumes(text: str, attribution_end: int, segment: _Segment) -> bool:
    """“…,” he told Chris Cuomo after the debate, “…”: the quote resumes after a short attribution."""
    between = text[attribution_end : segment.start].strip()
    return (
        between.endswith(",")
        and len(between.split()) <= MAX_WORDS_BEFORE_QUOTE + 3
        and not _MARK.search(between)
    )


def _words_between(text: str, start: int, end: int) -> Span | None:
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


def _only_attribution_between(text: str, quote_end: int, attribution: Span) -> bool:
    between = text[quote_end : attribution.start]
    return quote_end <= attribution.start and between.strip(" ,—–") == "" and "\n" not in between


def _reported(
    text: str,
    parts: tuple[tuple[int, int], ...],
    cue: Span | None,
    mention: Span | None,
    inside: list[_Segment],
) -> Quote | None:
    """A reported-speech quote; ``mixed`` when quotation marks cover part of it, ``direct`` when all."""
    spans = tuple(Span.of(text, start, end) for start, end in parts if end > start)
    if not spans:
        return None
    start, end = spans[0].start, spans[-1].end
    quoted = sum(max(0, min(s.end, end) - max(s.start, start)) for s in inside)
    kind: QuoteKind = "indirect"
    if quoted:
        kind = "direct" if quoted >= sum(p.end - p.start for p in spans) - 2 else "mixed"
    return Quote(
        start=start, end=end, text=text[start:end], kind=kind, parts=spans, cue=cue, mention=mention
    )


def _trim_end(text: str, start: int, end: int) -> int:
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


def _strip_end(word: _Word) -> int:
    """The end of ``word`` without trailing punctuation (an abbreviation keeps its full stop)."""
    end = word.end
    abbreviated = is_abbreviation(word.text.strip(_WORD_EDGES))
    while end > word.start and word.text[end - word.start - 1] in ',;:.!?"”’)':
        if word.text[end - word.start - 1] == "." and abbreviated:
            break
        end -= 1
    return end


def _word_count(text: str, start: int, end: int) -> int:
    return len(text[start:end].split()) if end > start else 0
