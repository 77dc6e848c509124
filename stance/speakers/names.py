"""Proper names in the text: each run of capitalised words read as a person's name (titles kept
apart as role), an organisation's name, an acronym, or a lone word to be matched later."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from stance.speakers.lexicon import (
    ACRONYM_RE,
    CONNECTOR_WORDS,
    DATELINE_RE,
    FIRST_NAMES,
    FOLLOWING_HEAD_RE,
    FUNCTION_WORDS,
    GENDERED_TITLES,
    HONORIFIC_GENDER,
    MALE_FIRST_NAMES,
    NAME_PARTICLES,
    NAME_RUN_RE,
    NAME_SUFFIXES,
    NEVER_IN_PERSON_NAMES,
    ORG_HEADS,
    ORG_WORD_HEADS,
    STATE_AFTER_RE,
    TITLES,
    TOKEN_RE,
    US_STATES,
)

Token = tuple[int, int, str]  # (start, end, text) of one word of a run


class Occurrence(NamedTuple):
    """A proper name found in the text. ``words`` are the name proper, without titles.
    (A named tuple: an article has hundreds, and they are built in the hot loop.)"""

    start: int
    end: int
    kind: str  # "person" | "organization" | "acronym" | "word"
    words: tuple[str, ...]
    role: str | None = None
    gender: str | None = None
    gender_cue: str | None = None
    heads: frozenset[str] = frozenset()


def bare_word(token: str) -> str:
    """A word as the lexicons spell it: lower case, without a final period."""
    return token.rstrip(".").lower()


def is_title(token: str) -> bool:
    """ "Director", "Sen.", and plurals such as "Senators Avery and Holt"."""
    bare = bare_word(token)
    return bare in TITLES or (bare.endswith("s") and bare[:-1] in TITLES)


def _is_acronym(token: str) -> bool:
    return (
        bool(ACRONYM_RE.match(token))
        and token.upper() == token
        and bare_word(token) not in NAME_SUFFIXES
    )


def person_like(token: str) -> bool:
    bare = bare_word(token)
    return not (
        bare in NEVER_IN_PERSON_NAMES
        or (bare.endswith("s") and bare[:-1] in TITLES)
        or _is_acronym(token)
    )


def _org_heads(words: Sequence[str]) -> frozenset[str]:
    heads = [
        ORG_WORD_HEADS[bare_word(w)]
        for w in words
        if bare_word(w) in ORG_WORD_HEADS and w[:1].isupper()
    ]
    return frozenset().union(*heads) if heads else frozenset()


def _title_gender(titles: Sequence[str]) -> tuple[str | None, str | None]:
    for title in reversed(titles):
        bare = bare_word(title)
        if bare in HONORIFIC_GENDER:
            return HONORIFIC_GENDER[bare], "honorific"
        if bare in GENDERED_TITLES:
            return GENDERED_TITLES[bare], "title"
    return None, None


def _person_occurrences(tokens: list[Token]) -> list[Occurrence]:
    """Read a run without organisation words as titles + a person's name, or a lone word."""
    last_title = max((i for i, (_, _, t) in enumerate(tokens) if is_title(t)), default=-1)
    name_from = last_title + 1
    # "Secretary of State Ruth Callow": connectors and non-name words after the title are role.
    while name_from < len(tokens) and not person_like(tokens[name_from][2]):
        name_from += 1
    names = tokens[name_from:]
    # "Ellen Marsh of Dover": the name ends where "of" / "for" begins.
    for i, (_, _, token) in enumerate(names):
        if token in CONNECTOR_WORDS and token not in NAME_PARTICLES:
            names = names[:i]
            break
    # Every word after the first must be part of a name: "Central Valley" is a place.
    if not names or not all(
        t in NAME_PARTICLES or bare_word(t) in NAME_SUFFIXES or person_like(t) for _, _, t in names
    ):
        return []
    prefix = [t for _, _, t in tokens[:name_from]]
    gender, cue = _title_gender(prefix[: last_title + 1])
    role = " ".join(prefix) if last_title >= 0 else None
    start, end = names[0][0], names[-1][1]
    words = tuple(t for _, _, t in names)
    if len(words) == 1:
        # "High Commissioner for Refugees": a lone word after "for"/"of" names no person.
        if any(t in CONNECTOR_WORDS for t in prefix[last_title + 1 :]):
            role = gender = cue = None
        return [Occurrence(start, end, "word", words, role, gender, cue)]
    if gender is None and bare_word(words[0]) in FIRST_NAMES:
        gender = "m" if bare_word(words[0]) in MALE_FIRST_NAMES else "f"
        cue = "first_name"
    return [Occurrence(start, end, "person", words, role, gender, cue)]


def _org_occurrence(tokens: list[Token]) -> Occurrence:
    words = tuple(t for _, _, t in tokens)
    return Occurrence(tokens[0][0], tokens[-1][1], "organization", words, heads=_org_heads(words))


def _in_context(text: str, occ: Occurrence) -> Occurrence | None:
    """What the words after a name say about it."""
    if occ.kind == "person":
        # "Corpus Christi, Texas": a two-word place followed by its state.
        state = STATE_AFTER_RE.match(text, occ.end)
        if state and state.group(1).lower() in US_STATES:
            return None
    elif occ.kind == "organization":
        # "the U.S. Immigration and Customs Enforcement agency": a lower-case head noun after it.
        following = FOLLOWING_HEAD_RE.match(text, occ.end)
        if following and following.group(1) in ORG_HEADS:
            return occ._replace(heads=occ.heads | {following.group(1)})
    return occ


def _split(tokens: list[Token], at) -> list[list[Token]]:
    pieces: list[list[Token]] = [[]]
    for token in tokens:
        if at(token[2]):
            pieces.append([])
        else:
            pieces[-1].append(token)
    return [p for p in pieces if p]


def strip_connectors(tokens: list[Token]) -> list[Token]:
    while tokens and tokens[0][2] in CONNECTOR_WORDS:
        tokens = tokens[1:]
    while tokens and tokens[-1][2] in CONNECTOR_WORDS:
        tokens = tokens[:-1]
    return tokens


def _classify_run(run: str) -> list[Occurrence]:
    """Read one run of capitalised words as names of people and organisations (offsets are
    relative to the run; the run alone decides, so an article classifies each distinct run once)."""
    if " " not in run and "\u00a0" not in run:  # most runs are one word
        return _word_occurrences(run)
    tokens = [(m.start(), m.end(), m.group()) for m in TOKEN_RE.finditer(run)]
    found: list[Occurrence] = []
    for piece in _split(tokens, lambda t: bare_word(t) in FUNCTION_WORDS and t[:1].isupper()):
        acronyms, chunks = _split_acronyms(piece)
        found.extend(acronyms)
        for chunk in chunks:
            chunk = strip_connectors(chunk)
            if not chunk:
                continue
            for part in _coordinated(chunk):
                words = [t for _, _, t in part]
                org_at = [i for i, w in enumerate(words) if _is_org_word(w)]
                if org_at:
                    found.extend(_org_or_titled_person(part, org_at))
                else:
                    found.extend(_person_occurrences(part))
    return found


def _word_kind(token: str) -> str | None:
    if _is_acronym(token):
        return "acronym"
    if _is_org_word(token):
        return "organization"
    return "word" if person_like(token) else None


def _word_occurrences(token: str) -> list[Occurrence]:
    kind = _word_kind(token)
    if kind == "acronym":
        return [Occurrence(0, len(token), "acronym", (token.rstrip("s"),))]
    if kind == "organization":
        return [_org_occurrence([(0, len(token), token)])]
    return [Occurrence(0, len(token), "word", (token,))] if kind else []


def _is_org_word(token: str) -> bool:
    return bare_word(token) in ORG_WORD_HEADS and token[:1].isupper()


def _coordinated(chunk: list[Token]) -> list[list[Token]]:
    """Split "Secretary Ruth Callow and Speaker Dale Norris" at "and", but keep "Immigration and
    Customs Enforcement" and "Department of Health and Human Services" whole: a short untitled
    conjunct belongs to the organisation name it is joined to."""
    parts = [
        p for p in (strip_connectors(p) for p in _split(chunk, lambda t: t in ("and", "&"))) if p
    ]
    merged: list[list[Token]] = []
    for part in parts:
        if merged and _joins(merged[-1], part):
            gap = merged[-1][-1][1]
            merged[-1] = merged[-1] + [(gap, gap, "and")] + part
        else:
            merged.append(part)
    return merged


def _joins(left: list[Token], right: list[Token]) -> bool:
    def short_plain(part: list[Token]) -> bool:
        words = [t for _, _, t in part]
        return (
            len(words) <= 2
            and not any(is_title(w) for w in words)
            and bare_word(words[0]) not in FIRST_NAMES
        )

    left_org = any(_is_org_word(t) for _, _, t in left)
    right_org = any(_is_org_word(t) for _, _, t in right)
    return right_org and ((not left_org and short_plain(left)) or (left_org and short_plain(right)))


def _split_acronyms(piece: list[Token]) -> tuple[list[Occurrence], list[list[Token]]]:
    """Acronyms ("ICE", "CNN") stand alone: the acronyms, and the stretches between them."""
    acronyms = [
        Occurrence(start, end, "acronym", (token.rstrip("s"),))
        for start, end, token in piece
        if _is_acronym(token)
    ]
    return acronyms, _split(piece, _is_acronym)


def _org_or_titled_person(chunk: list[Token], org_at: list[int]) -> list[Occurrence]:
    """ "Department of Homeland Security Secretary Ruth Callow" is a person with an organisation."""
    words = [t for _, _, t in chunk]
    titles = [i for i, w in enumerate(words) if is_title(w) and i > max(org_at)]
    if titles:
        people = _person_occurrences(chunk[titles[0] :])
        if people and chunk[: titles[0]]:
            role = " ".join(words[: titles[-1] + 1])
            people = [p._replace(role=role) for p in people]
            org = strip_connectors(chunk[: titles[0]])
            return ([_org_occurrence(org)] if org else []) + people
    return [_org_occurrence(chunk)]


def scan_names(text: str) -> list[Occurrence]:
    """Every proper-name occurrence of the text, in order."""
    found: list[Occurrence] = []
    classified: dict[str, list[Occurrence]] = {}
    # "FRESNO, Calif. —": a dateline's city is not an acronym.
    datelines = {m.start() for m in DATELINE_RE.finditer(text)}
    for run in NAME_RUN_RE.finditer(text):
        relative = classified.get(run.group())
        if relative is None:
            relative = classified[run.group()] = _classify_run(run.group())
        base = run.start()
        for occ in relative:
            occ = Occurrence(occ.start + base, occ.end + base, *occ[2:])
            if occ.kind in ("person", "organization"):
                occ = _in_context(text, occ)
            elif occ.kind == "acronym" and occ.start in datelines:
                continue
            if occ is not None:
                found.append(occ)
    found.sort(key=lambda occ: occ.start)  # a run's acronyms are read before the rest of it
    return found
