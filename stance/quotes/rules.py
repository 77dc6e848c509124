"""Rule-based quote extraction: direct, indirect and mixed quotes with their cue and source mention.

The rules follow how English news writes attribution. An article is read paragraph by paragraph:
quotation marks are paired inside a paragraph (a quote left open continues only into a next
paragraph that opens with a quotation mark, so a stray mark never swallows the article); the
paragraph is cut into sentences whose full stops inside quotation marks don't count; then each
sentence is searched for cues ("said", "told", "according to", ...) outside quotation marks, and
each cue's source noun phrase and content are read off the words around it (`stance.quotes`
`.sentences`, `.cues`, `.sources` and `.contents`):

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

import re
from collections.abc import Iterator
from dataclasses import replace

from stance.quotes.contents import (
    attribution_ends_sentence,
    content_after_cue,
    head_content,
    only_attribution_between,
    opens_quote,
    quote_resumes,
    speech_before_attribution,
    tail_content,
    words_between,
)
from stance.quotes.cues import ANY_CASE_CUE_CANDIDATE, CUE_CANDIDATE, Cue, sentence_cues
from stance.quotes.lexicon import (
    ATTITUDE_CUES,
    CLAUSE_WORDS,
    CLOSING_MARKS,
    FINDING_CUES,
    HEADLINE_TOPIC_WORDS,
    INTRO_WORDS,
    IRREGULAR_PASTS,
    MAX_HEADLINE_WORDS,
    MAX_NAME_WORDS,
    MAX_SOURCE_WORDS,
    MIN_CONTENT_WORDS,
    MIN_UNATTRIBUTED_WORDS,
    QUESTION_PUT,
    QUESTION_WORDS,
    RESEARCH_SOURCES,
    SPEECH_CUES,
    THAT_ONLY_CUES,
)
from stance.quotes.sentences import (
    Segment,
    Word,
    quote_segments,
    sentence_spans,
    sentence_words,
    skip_space,
    strip_end,
    trim_end,
    word_count,
)
from stance.quotes.sources import sentence_subject, source_after, source_before
from stance.records import Quote, QuoteKind, Span
from stance.text import PARAGRAPH

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


def extract_quotes(text: str) -> list[Quote]:
    """Every quote of ``text``, sorted by start.

    A rule bug raises, so that the article is reported as a failure
    (`stance.pipeline.extract_or_failure`), not as an article without quotes."""
    quotes = list(_article_quotes(text))
    quotes.sort(key=lambda quote: (quote.start, quote.end))
    return quotes


def _article_quotes(text: str) -> Iterator[Quote]:
    carried: Quote | None = None  # a direct quote left open at the end of the previous paragraph
    for number, paragraph in enumerate(PARAGRAPH.finditer(text)):
        start, end = paragraph.span()
        headline = number == 0 and word_count(text, start, end) <= MAX_HEADLINE_WORDS
        segments = list(quote_segments(text, start, end, headline=headline))
        if carried is not None:
            # A quote that runs over paragraphs reopens with a quotation mark at each new one.
            if segments and segments[0].start == skip_space(text, start, end):
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


def _extend(text: str, quote: Quote, segment: Segment) -> Quote:
    """``quote`` with one more content part (a later sentence or paragraph of the same quotation)."""
    return replace(
        quote,
        end=segment.end,
        text=text[quote.start : segment.end],
        parts=(*quote.parts, Span.of(text, segment.start, segment.end)),
    )


def _paragraph_quotes(
    text: str, start: int, end: int, segments: list[Segment], *, headline: bool = False
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


def _colon_quote(text: str, start: int, end: int, segments: list[Segment]) -> Quote | None:
    """“Pollster Jane Doe: …” — a paragraph (headline, transcript turn) opened by a name and a colon."""
    head = _COLON_SOURCE.match(text, start, end)
    if head is None or any(s.start < head.end() for s in segments):
        return None
    content_end = trim_end(text, head.end(), end)
    if word_count(text, head.end(), content_end) < MIN_CONTENT_WORDS:
        return None
    inside = [s for s in segments if s.start < content_end]
    return _reported(
        text,
        ((head.end(), content_end),),
        Span.of(text, *head.span(2)),
        Span.of(text, *head.span(1)),
        inside,
    )


def _headline_colon(text: str, start: int, end: int, segments: list[Segment]) -> Quote | None:
    """“Clinton camp: Trump’s rhetoric threatens security.”, “Gillibrand on the speeches: ‘I Think
    She Will.’” — a headline's speaker, a colon, what was said."""
    colon = text.find(": ", start, end)
    if colon < 0 or any(s.start < colon < s.end for s in segments):
        return None
    words = sentence_words(text, start, colon, [])
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
    content_start = skip_space(text, colon + 1, end)
    content_end = trim_end(text, content_start, end)
    if word_count(text, content_start, content_end) < MIN_CONTENT_WORDS:
        return None
    mention = Span.of(text, words[0].start, strip_end(words[last]))
    inside = [s for s in segments if s.start >= content_start]
    return _reported(text, ((content_start, content_end),), Span.of(text, colon, colon + 1), mention, inside)


def _colon_lead_in(text: str, begin: int, inside: list[Segment]) -> Quote | None:
    """“Their leader, Rep. Ana Cruz, put it bluntly: “…”” — a named subject, a colon, a quote."""
    if not inside:
        return None
    lead = text[begin : inside[0].start].rstrip()
    if not lead.endswith(":") or len(lead.split()) > MAX_SOURCE_WORDS + 2:
        return None
    words = sentence_words(text, begin, begin + len(lead) - 1, [])
    last = max((i for i, word in enumerate(words) if not word.lower and i), default=None)
    colon = begin + len(lead) - 1
    if last is None:
        subject = sentence_subject(text, words)
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
    mention = Span.of(text, words[first].start, strip_end(words[last]))
    return _quoted(text, (inside[0],), Span.of(text, colon, colon + 1), mention)


def _lone_quote(text: str, begin: int, stop: int, inside: list[Segment]) -> Segment | None:
    """A quoted sentence with no cue of its own: it must open the sentence and read as speech."""
    if not inside or inside[0].start != begin:
        return None
    segment = inside[0]
    words = len(text[segment.start : segment.end].split())
    if words < MIN_UNATTRIBUTED_WORDS and not (segment.end >= stop - 1 and words >= 2):
        return None
    return segment


def _quoted(
    text: str, segments: tuple[Segment, ...], cue: Span | None, mention: Span | None
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


def _sentence_quotes(
    text: str, begin: int, stop: int, inside: list[Segment], *, headline: bool = False
) -> Iterator[Quote]:
    """The attributed quotes of one sentence: at most one per cue outside quotation marks."""
    candidate = (ANY_CASE_CUE_CANDIDATE if headline else CUE_CANDIDATE).search(text, begin, stop)
    if candidate is None:
        return
    words = sentence_words(text, begin, stop, inside)
    cues = list(sentence_cues(text, words, headline))
    last_mention: Span | None = None
    for number, cue in enumerate(cues):
        starts = (_next_report_start(text, words, later) for later in cues[number + 1 :])
        limit = next((start for start in starts if start is not None), stop)
        quote = _attributed_quote(text, words, cue, begin, stop, limit, inside, last_mention)
        if quote is not None:
            last_mention = quote.mention or last_mention
            yield quote


def _next_report_start(text: str, words: list[Word], cue: Cue) -> int | None:
    """Where a later cue's report starts when it is coordinated with the current one (“…, adding
    that …”, “… and said …”, “…, and analysts warned …”); None when it is nested inside the content."""
    if not cue.first:
        return None
    before = words[cue.first - 1]
    if before.text[-1] in ",;" or before.bare in ("and", "but"):
        return words[cue.first].start
    source = source_before(text, words, cue.first)
    if source is None:
        return None
    opening = text[: source.start].rstrip()
    if opening.endswith((",", ";", ", and", ", but", ", while", "; and")):
        return source.start
    return None


def _attributed_quote(
    text: str,
    words: list[Word],
    cue: Cue,
    begin: int,
    stop: int,
    limit: int,
    inside: list[Segment],
    last_mention: Span | None,
) -> Quote | None:
    if cue.verb == "according to":
        return _according_to(text, words, cue, begin, stop, inside)
    if cue.verb == QUESTION_PUT:
        return _question_put(text, words, cue, limit, inside)
    inverted = _inverted(text, words, cue, stop)
    mention = (
        source_after(text, words, cue.last) if inverted else source_before(text, words, cue.first)
    )
    if mention is not None and not inverted and _noun_use(text, mention, cue):
        return None
    if (
        mention is None
        and cue.first
        and (words[cue.first - 1].bare in ("and", "but") or cue.verb.endswith("ing"))
    ):
        # “… and said …”, “…, adding …”: the report hangs on the subject of the sentence.
        mention = last_mention or sentence_subject(text, words)
    # 1. “…,” he said. / “…,” said Smith. — a quote that ends just before the attribution.
    before = [
        s for s in inside if s.end <= cue.span.start and speech_before_attribution(text, s, begin)
    ]
    if before and mention is None:
        mention = words_between(text, before[-1].end, cue.span.start)
    if before and only_attribution_between(text, before[-1].end, mention or cue.span):
        if mention is None:
            mention = source_after(text, words, cue.last)
        segments = [before[-1]]
        after = [s for s in inside if s.start >= cue.span.end]
        if after and quote_resumes(text, max(cue.span.end, mention.end if mention else 0), after[0]):
            segments.append(after[0])  # “…,” he said, “…”
        return _quoted(text, tuple(segments), cue.span, mention)
    # 2. He said: “…” / He told reporters, “…” — a quote that opens just after the cue.
    after = [s for s in inside if s.start >= cue.span.end]
    if (
        after
        and not inverted
        and cue.verb not in FINDING_CUES
        and opens_quote(text, words, cue, after[0], stop)
    ):
        # “The plan, he said, “…”” splits a content; “Asked about X, he said, “…”” leads into a quote.
        closes_sentence = word_count(text, after[0].end, stop) < MIN_CONTENT_WORDS
        if closes_sentence or head_content(text, words, cue, mention, begin) is None:
            return _quoted(text, (after[0],), cue.span, mention)
    found = None if inverted else content_after_cue(text, words, cue, inside)
    content_start = None if found is None or found[0] >= limit else found[0]
    if cue.verb not in SPEECH_CUES:
        return _attitude(text, cue, mention, content_start, limit, inside)
    if cue.verb in THAT_ONLY_CUES and found is not None and not found[1] and not _research(mention):
        content_start = None  # "found the keys", "added 400 spaces": not a report
    # 3. Smith said (that) … — the content follows the cue.
    if content_start is not None and (mention is not None or cue.verb in ("said", "says", "say")):
        content_end = trim_end(text, content_start, limit)
        if word_count(text, content_start, content_end) >= MIN_CONTENT_WORDS:
            return _reported(text, ((content_start, content_end),), cue.span, mention, inside)
    # 4. …, Smith said. / The plan, Smith said, will fail. — the content is around the attribution.
    if cue.verb.endswith("ing"):
        return None
    if mention is None:
        mention = source_after(text, words, cue.last)
    if mention is None:
        return None
    tail_start = tail_content(text, cue, mention, stop)
    head = head_content(text, words, cue, mention, begin, intro_is_content=tail_start is not None)
    if head is None:
        return None
    parts = [head]
    if tail_start is not None:
        parts.append((tail_start, trim_end(text, tail_start, stop)))
    elif not attribution_ends_sentence(text, cue, mention, stop):
        return None
    return _reported(text, tuple(parts), cue.span, mention, inside)


def _attitude(
    text: str,
    cue: Cue,
    mention: Span | None,
    start: int | None,
    limit: int,
    inside: list[Segment],
) -> Quote | None:
    """“Smith criticized the plan, …”: a named source, the verb, and its object up to the clause end."""
    if mention is None or start is None:
        return None
    end = trim_end(text, start, _clause_end(text, start, limit, inside))
    if end <= start:
        return None
    return _reported(text, ((start, end),), cue.span, mention, inside)


def _clause_end(text: str, start: int, limit: int, inside: list[Segment]) -> int:
    """Where the clause that starts at ``start`` ends (see `_CLAUSE_BOUNDARY`), outside quotation marks."""
    for boundary in _CLAUSE_BOUNDARY.finditer(text, start, limit):
        if not any(s.start <= boundary.start() < s.end for s in inside):
            return boundary.start()
    return limit


def _noun_use(text: str, mention: Span, cue: Cue) -> bool:
    """“a controversial pledge”, “a fundraising call”: a base-form cue after “a”/“an”/“one” is a noun
    (a singular subject would take “pledges”)."""
    first = mention.text.split(maxsplit=1)[0].lower()
    base_form = not cue.verb.endswith(("s", "ed", "ing")) and cue.verb not in IRREGULAR_PASTS
    return base_form and first in ("a", "an", "one", "this") and cue.span.start - mention.end <= 1


def _research(mention: Span | None) -> bool:
    """“The poll showed Clinton ahead”: polls, studies and data report without a “that”."""
    return mention is not None and mention.text.rsplit(maxsplit=1)[-1].lower() in RESEARCH_SOURCES


def _inverted(text: str, words: list[Word], cue: Cue, stop: int) -> bool:
    """“…, said Gregory Palmore of the agency.”: the cue comes first, its source closes the sentence."""
    if not cue.first or words[cue.first - 1].text[-1] != "," or words[cue.last].ends_clause:
        return False
    source = source_after(text, words, cue.last)
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
    text: str, words: list[Word], cue: Cue, limit: int, inside: list[Segment]
) -> Quote | None:
    """“Asked whether he would run, …”, “when asked about the wall, …”: the question put to someone
    (who is named, if at all, in the main clause)."""
    if cue.last + 1 >= len(words) or words[cue.last + 1].bare not in QUESTION_WORDS:
        return None
    start = words[cue.last + 1].start
    end = trim_end(text, start, _clause_end(text, start, limit, inside))
    if word_count(text, start, end) < MIN_CONTENT_WORDS:
        return None
    return _reported(text, ((start, end),), cue.span, None, inside)


def _according_to(
    text: str, words: list[Word], cue: Cue, begin: int, stop: int, inside: list[Segment]
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
    mention = Span.of(text, following[0].start, strip_end(last))
    # The content is what stands before and after the attribution: “According to X, …”,
    # “…, according to X.” or “…, according to X, …”.
    leads = cue.first == 0 or cue.first == 1 and words[0].bare in INTRO_WORDS
    parts = [] if leads else [(begin, trim_end(text, begin, cue.span.start))]
    if last.text[-1] == ",":
        tail = skip_space(text, last.end, stop)
        parts.append((tail, trim_end(text, tail, stop)))
    parts = [
        (start, end) for start, end in parts if word_count(text, start, end) >= MIN_CONTENT_WORDS
    ]
    if not parts:
        return None
    return _reported(text, tuple(parts), cue.span, mention, inside)


def _reported(
    text: str,
    parts: tuple[tuple[int, int], ...],
    cue: Span | None,
    mention: Span | None,
    inside: list[Segment],
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
