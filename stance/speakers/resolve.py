"""Each quote's speaker: its mention resolved to an entity of the article's inventory (a name, a
pronoun, a description), unattributed quote paragraphs continuing the previous quote's speaker,
and one speaker record per entity that has quotes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from stance.records import Quote, Span, Speaker, SpeakerKind
from stance.speakers.inventory import Entity, Inventory
from stance.speakers.lexicon import (
    ANY_ORG_HEADS,
    CLAUSE_WORDS,
    DEFINITE,
    DETERMINERS,
    EXPLETIVES,
    GROUP_NOUNS,
    GROUP_PRONOUNS,
    LEADING_DETERMINER_RE,
    LOWERCASED_OPENERS,
    MODIFIER_RE,
    NOT_MODIFIED_BY,
    ORG_HEADS,
    ORG_PRONOUNS,
    PERSON_NOUNS,
    POSSESSIVE_END_RE,
    POSSESSIVE_RE,
    PREPOSITIONS,
    PRONOUNS,
    QUOTE_MARKS,
    RELATIVE_PRONOUNS,
    SPEECH_PRONOUNS,
    TITLE_ABBREVIATIONS,
    WORD_RE,
)
from stance.speakers.names import Occurrence, is_title
from stance.text import paragraph_of, paragraph_starts

# How far (characters) before a relative pronoun its antecedent may be.
RELATIVE_WINDOW = 120


def _words(phrase: str) -> list[str]:
    return WORD_RE.findall(phrase)


def _head_occurrence(inventory: Inventory, start: int, end: int) -> Occurrence | None:
    """The name a mention is about: "Joanne Lin" in "Joanne Lin, ACLU legislative counsel" and
    in "ACLU legislative counsel Joanne Lin", "Dana Pryor" in "WKBN's Dana Pryor"; none in
    "his partner at Brightline" (object of a preposition) or "MHA officials" (a modifier)."""
    text = inventory.text
    within = inventory.occurrences_within(start, end)
    for k, occ in enumerate(within):
        if occ.start not in inventory.entity_of:
            continue
        # "House Speaker Dale Norris", "ICE Director John Morton": the last name of the phrase.
        if k + 1 < len(within) and within[k + 1].start < end:
            between = text[occ.end : within[k + 1].start].split()
            if all(is_title(w) for w in between):
                continue
        before = _words(text[start : max(start, occ.start)])
        if before and before[-1].lower() in PREPOSITIONS:
            continue
        possessive = POSSESSIVE_RE.match(text, occ.end)
        if possessive and _words(text[possessive.end() : end]):  # the possessor of what follows
            continue
        modifies = MODIFIER_RE.match(text, occ.end, end)
        if modifies and modifies.group(1) not in NOT_MODIFIED_BY:
            continue
        return occ
    return None


def _first_segment(phrase: str) -> str:
    return phrase.split(",")[0].strip(" \t\n,:;")


def _description_name(phrase: str) -> str:
    """How a description names its speaker: "The government" -> "the government"."""
    words = POSSESSIVE_END_RE.sub("", _first_segment(phrase)).split()
    if words and words[0].lower() in LOWERCASED_OPENERS:
        words[0] = words[0].lower()
    return " ".join(words)


def _description_kind(head: str) -> SpeakerKind:
    if head in ORG_HEADS:
        return "organization"
    if head in GROUP_NOUNS or (head.endswith("s") and not head.endswith(("ss", "us", "is"))):
        return "group"
    return "person"


def _role_words(entity: Entity) -> set[str]:
    words = {w.lower() for _, _, role in entity.roles for w in _words(role.replace(".", ""))}
    return words | {TITLE_ABBREVIATIONS[w] for w in words if w in TITLE_ABBREVIATIONS}


def _noun_phrase(phrase: str) -> list[str]:
    """The words of a description up to its head noun: "people who lost their insurance" ->
    "people", "the campaign of the former senator" -> "the campaign"."""
    words = _words(POSSESSIVE_END_RE.sub("", _first_segment(phrase)))
    for i, word in enumerate(words[1:], 1):
        if word.lower() in PREPOSITIONS or word.lower() in CLAUSE_WORDS:
            return words[:i]
    return words


def _resolve_description(inventory: Inventory, mention: Span) -> int:
    """ "the enforcement agency" -> the last organisation it can describe; "the director" -> the
    last person with that role; else the description is its own speaker."""
    phrase = _noun_phrase(mention.text)
    words = [w.lower() for w in phrase]
    head = words[-1] if words else ""
    definite = bool(words) and words[0] in DEFINITE and len(words) > 1
    if definite and head in ORG_HEADS:
        modifiers = [w for w in words[1:-1] if w not in DETERMINERS]
        # "the Dunmore administration" names its own organisation unless one is named so.
        proper = any(w[:1].isupper() for w in phrase[1:-1])

        def describes(entity: Entity, strict: bool) -> bool:
            if entity.kind != "organization" or not (head in entity.heads or head in ANY_ORG_HEADS):
                return False
            names = {w.lower() for w in entity.words}
            return not strict or all(any(n.startswith(m) for n in names) for m in modifiers)

        found = inventory.most_recent(mention.start, lambda e: describes(e, True))
        if found is None and modifiers and not proper:
            found = inventory.most_recent(mention.start, lambda e: describes(e, False))
        if found is not None:
            return found
    elif definite and head in PERSON_NOUNS:
        # "the director said": the person last named with that role, else, as with a pronoun,
        # the subject of the nearest sentence naming a person ("the real estate mogul").
        found = inventory.most_recent(
            mention.start, lambda e: e.kind == "person" and head in _role_words(e)
        )
        if found is None:
            found = inventory.subject_before(
                mention.start, lambda e: bool(e.words) and e.kind == "person" and e.evident
            )
        if found is not None:
            return found
    name = _description_name(mention.text)
    for index, entity in enumerate(inventory.entities):
        if entity.description == name:
            return index
    return inventory.new_entity(_description_kind(head), description=name, head=head)


def _resolve_pronoun(inventory: Inventory, word: str, position: int) -> int | None:
    if word in PRONOUNS:
        gender = PRONOUNS[word]
        found = inventory.subject_before(
            position, lambda e: e.named_person and e.gender in (None, gender) and e.evident
        )
        if found is None:
            found = inventory.subject_before(
                position, lambda e: e.named_person and e.gender in (None, gender)
            )
        return found
    if word in ORG_PRONOUNS:
        return inventory.subject_before(position, lambda e: e.kind == "organization")
    if word in GROUP_PRONOUNS:
        return inventory.subject_before(position, lambda e: e.kind in ("organization", "group"))
    if word in RELATIVE_PRONOUNS:
        wanted = RELATIVE_PRONOUNS[word]
        return inventory.most_recent(
            position,
            lambda e: (e.kind == wanted) or (wanted == "person" and e.kind == "group"),
            limit=RELATIVE_WINDOW,
        )
    return None


def _resolve_mention(inventory: Inventory, mention: Span) -> tuple[int | None, str | None]:
    """The entity a mention refers to, and the description it was called by (None for names
    and pronouns, which the inventory already knows)."""
    word = POSSESSIVE_END_RE.sub("", mention.text.strip(" \t\n,")).lower()
    if word in PRONOUNS or word in ORG_PRONOUNS | GROUP_PRONOUNS or word in RELATIVE_PRONOUNS:
        return _resolve_pronoun(inventory, word, mention.start), None
    if word in SPEECH_PRONOUNS:
        return None, None  # a speaker inside quoted speech: unknowable from the mention alone
    head = _head_occurrence(inventory, mention.start, mention.end)
    if head is not None:
        index = inventory.entity_of[head.start]
        entity = inventory.entities[index]
        # Roles the mention itself gives: "ACLU legislative counsel Joanne Lin", "Joanne Lin, ...".
        prefix = inventory.text[mention.start : head.start].strip(" ,")
        if entity.kind == "person" and prefix and not head.role:
            prefix = LEADING_DETERMINER_RE.sub("", prefix)
            entity.add_role(0, head.start, prefix or None)
        return index, None
    description = _description_name(mention.text)
    if not any(c.isalpha() for c in description) or word in EXPLETIVES:
        return None, None  # nothing to name a speaker by ("''", "$500", "There")
    # A name the inventory did not read as one (in a Title Case headline, say): its last word
    # may still be the surname of a person named elsewhere.
    phrase = _noun_phrase(mention.text)
    if phrase and all(w[:1].isupper() for w in phrase):
        index = inventory.person_named(phrase[-1], mention.start)
        if index is not None:
            return index, None
    return _resolve_description(inventory, mention), description


def _is_follow_on(text: str, paragraphs: list[int], previous: Quote, quote: Quote) -> bool:
    """An unattributed quote paragraph right after a quote continues that quote's speaker."""
    here = paragraph_of(paragraphs, quote.start)
    there = paragraph_of(paragraphs, max(previous.end - 1, previous.start))
    opens_paragraph = text[paragraphs[here] : quote.start].strip(QUOTE_MARKS) == ""
    return here == there or (opens_paragraph and here == there + 1)


def _speaker_of(name: str, entities: list[Entity], text: str) -> Speaker:
    """The speaker record of the entities named ``name`` (usually one)."""
    forms = dict.fromkeys(f for e in entities for f in e.forms if f.lower() != name.lower())
    spans = sorted({span for e in entities for span in e.spans})
    role = next((e.role() for e in entities if e.role()), None)
    return Speaker(
        name=name,
        kind=entities[0].kind,
        role=role,
        aliases=tuple(forms),
        mentions=tuple(Span.of(text, s, e) for s, e in spans),
    )


def resolve_speakers(text: str, quotes: Sequence[Quote]) -> tuple[list[Quote], list[Speaker]]:
    """Set each quote's canonical speaker (None when unknowable) and list the article's speakers.

    Quotes come back in the same order and number. A quote with no mention that opens the
    paragraph after another quote (or sits in the same paragraph) takes that quote's speaker and
    mention. Speakers are those with at least one quote, in order of their first quote.
    """
    quoted = sorted(
        (part.start, part.end) for quote in quotes if quote.kind == "direct" for part in quote.parts
    )
    inventory = Inventory(text, quoted)
    paragraphs = paragraph_starts(text)
    order = sorted(
        range(len(quotes)),
        key=lambda i: quotes[i].mention.start if quotes[i].mention else quotes[i].start,
    )
    entity_of_quote: dict[int, int] = {}
    inherited_mention: dict[int, Span | None] = {}
    by_position = sorted(range(len(quotes)), key=lambda i: quotes[i].start)
    previous_of = {i: (by_position[k - 1] if k else None) for k, i in enumerate(by_position)}
    for i in order:
        quote = quotes[i]
        if quote.mention is None:
            continue
        index, alias = _resolve_mention(inventory, quote.mention)
        if index is not None:
            inventory.mention(index, quote.mention.start, quote.mention.end, alias=alias)
            entity_of_quote[i] = index
    # Follow-on quotes, in text order so that a chain of paragraphs passes the speaker along.
    for i in by_position:
        previous = previous_of[i]
        if quotes[i].mention is not None or previous is None:
            continue
        if previous in entity_of_quote and _is_follow_on(
            text, paragraphs, quotes[previous], quotes[i]
        ):
            entity_of_quote[i] = entity_of_quote[previous]
            inherited_mention[i] = inherited_mention.get(previous, quotes[previous].mention)
    # One speaker per canonical name, in order of first quote (two entities can end up with the
    # same name, e.g. a headline's "Neil Carver" and the body's "Gov. Neil Carver").
    by_name: dict[str, list[Entity]] = {}
    resolved: list[Quote] = list(quotes)
    for i in by_position:
        index = entity_of_quote.get(i)
        speaker = inventory.entities[index].name() if index is not None else None
        if speaker is not None:
            same_name = by_name.setdefault(speaker, [])
            if inventory.entities[index] not in same_name:
                same_name.append(inventory.entities[index])
        mention = inherited_mention.get(i, quotes[i].mention)
        if (speaker, mention) != (quotes[i].speaker, quotes[i].mention):
            resolved[i] = replace(quotes[i], speaker=speaker, mention=mention)
    return resolved, [_speaker_of(name, entities, text) for name, entities in by_name.items()]
