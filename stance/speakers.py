"""Speaker resolution inside one article: which entity each quote's speaker mention refers to.

`resolve_speakers` works in four steps, all rules of English news writing:

1. Inventory: scan the whole text (headline, highlights, body) for runs of capitalised words and
   read each as a person's name (titles such as "Director" or "Sen." kept apart as role), an
   organisation's name or acronym, or a lone word ("Lin", "Morton") to be matched later.
2. Entities: group those occurrences. A person is one surname with compatible first names; a
   lone word joins the person whose surname (or first name) it is; an organisation is one name,
   with the acronym built from its capitalised words ("ICE" for "Immigration and Customs
   Enforcement").
3. Mentions, in text order: a name in the mention picks its entity ("Joanne Lin" in "Joanne
   Lin, ACLU legislative counsel", not "ACLU"); a pronoun picks the subject (first compatible
   entity) of the nearest sentence naming one, outside quotation marks, with gender from
   Mr./Ms., gendered titles, common first names, then his/her after the name; a definite
   description picks the last organisation it can describe ("the enforcement agency") or the
   last person with that role ("the director"); an unattributed quote paragraph continues the
   previous quote's speaker. Other descriptions ("immigration officials") are speakers of their
   own.
4. Speakers: one record per entity that has quotes, named by the fullest name the article gives.

Only plain Python and precompiled regexes: this runs on every article of a batch.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from stance.records import Quote, Span, Speaker, SpeakerKind
from stance.text import UPPER, paragraph_of, paragraph_starts, sentence_of, sentence_starts

# --- Lexicons -------------------------------------------------------------------------------


def _lexicon(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words (lower case, without a final period) that stand before a name as a title or honorific.
HONORIFIC_GENDER = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f", "sir": "m", "dame": "f"}
GENDERED_TITLES = {
    "congressman": "m", "congresswoman": "f", "chairman": "m", "chairwoman": "f",
    "spokesman": "m", "spokeswoman": "f", "councilman": "m", "councilwoman": "f",
    "assemblyman": "m", "assemblywoman": "f", "businessman": "m", "businesswoman": "f",
    "king": "m", "queen": "f", "prince": "m", "princess": "f", "lord": "m", "lady": "f",
}  # fmt: skip
OFFICES = _lexicon("""
    president vice secretary director sen senator rep representative gov governor lt mayor judge
    justice gen general adm admiral col colonel capt captain sgt sergeant maj major cmdr commander
    dr doctor prof professor rev reverend pastor bishop cardinal pope rabbi imam sheriff chief
    deputy acting assistant associate executive speaker leader whip chair chairperson commissioner
    superintendent inspector officer agent detective attorney counsel prosecutor ambassador
    minister premier chancellor prime first former candidate nominee councilor councillor alderman
    trooper coach ceo cfo spokesperson founder editor anchor host correspondent columnist
""")  # fmt: skip
# Occupations, capitalised when they open a sentence: "Economist Linda Choi said".
OCCUPATIONS = _lexicon("""
    economist analyst lawyer activist author researcher historian pollster strategist consultant
    writer reporter journalist actor actress singer comedian scholar scientist expert entrepreneur
    billionaire developer investor farmer teacher organizer advocate critic rapper
""")  # fmt: skip
TITLES = frozenset(HONORIFIC_GENDER) | frozenset(GENDERED_TITLES) | OFFICES | OCCUPATIONS
# Abbreviated titles, so that "the governor" finds "Gov. Neil Carver".
TITLE_ABBREVIATIONS = {
    "gov": "governor", "sen": "senator", "rep": "representative", "gen": "general",
    "dr": "doctor", "prof": "professor", "rev": "reverend", "lt": "lieutenant", "col": "colonel",
    "capt": "captain", "sgt": "sergeant", "adm": "admiral", "atty": "attorney",
}  # fmt: skip
NAME_SUFFIXES = _lexicon("jr sr ii iii iv")
# Abbreviations that belong to a name ("Sen. Ted Cruz", "Martin Luther King Jr.", "Acme Inc.").
NAME_ABBREVIATIONS = _lexicon("""
    mr mrs ms dr sen rep gov gen lt col sgt capt prof rev jr sr st adm maj cmdr inc corp co
""")  # fmt: skip
# Capitalised words that open sentences rather than names ("The", "But", "Overall").
FUNCTION_WORDS = _lexicon("""
    the a an in on at but and or if when while after before as this that these those it he she
    they we i you his her their its our my your there here what who whom why how where which some
    many most all no not yet so still also then now last next both each every even just only
    meanwhile however although though since until because by for from with without of to under
    over among despite during about against into than one two three several nearly almost overall
    according asked story photo video read watch editor's
""")  # fmt: skip
# Connectors allowed between capitalised words of one name ("Department of Homeland Security").
NAME_PARTICLES = _lexicon("de van von der da del di la le du bin")
CONNECTORS = ("of the", "of", "and", "for", "for the", "on", "&", *NAME_PARTICLES)
CONNECTOR_WORDS = frozenset(word for connector in CONNECTORS for word in connector.split())
# Capitalised words that are never part of a person's name: dates, places, parties, peoples.
NOT_PERSON_WORDS = _lexicon("""
    january february march april may june july august september october november december monday
    tuesday wednesday thursday friday saturday sunday united states america american americans
    republican republicans democrat democrats democratic gop state states national federal
    congress senate white capitol god internet north south east west new los san las el fort saint
    st mount lake port muslim muslims latino latinos hispanic hispanics christian christians
    catholic mexican mexicans mexico british chinese russian syrian european korean iraqi iranian
    canadian african asian u.s. u.s us u.n. u.n u.k. u.k d.c. d.c washington valley river county
    city street avenue road beach island mountain mountains bay canyon airport station hall square
    bridge border coast desert district
""")  # fmt: skip
US_STATES = _lexicon("""
    alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii
    idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan
    minnesota mississippi missouri montana nebraska nevada ohio oklahoma oregon pennsylvania
    tennessee texas utah vermont virginia wisconsin wyoming
""")  # fmt: skip
# A capitalised word that makes a run an organisation -> the head nouns such an organisation
# can later be called by ("the agency", "the department"), itself included.
ORG_WORD_HEADS: dict[str, frozenset[str]] = {
    word: _lexicon(heads) | {word}
    for words, heads in [
        ("department ministry", "department agency"),
        ("agency enforcement administration service services bureau patrol protection", "agency"),
        ("authority", "authority agency"),
        ("office", "office agency"),
        ("commission", "commission agency panel"),
        ("committee subcommittee", "committee panel"),
        ("campaign", "campaign"),
        ("union", "union group"),
        ("association coalition alliance council center centre institute foundation", "group"),
        ("network league federation group project forum society fund caucus", "group"),
        ("party", "party"),
        ("organization organisation", "organization group"),
        ("company corporation corp inc co llc bank industries holdings", "company firm"),
        ("university college school academy", "university school"),
        ("court", "court"),
        ("congress senate house parliament assembly legislature", "chamber"),
        ("police army navy military guard", "force"),
        ("times post journal tribune herald globe gazette chronicle news press", "newspaper paper"),
        ("government", "government"),
        ("board", "board panel"),
        ("museum library church hospital clinic", "organization"),
    ]
    for word in words.split()
}  # fmt: skip
# "organization" can name any organisation ("the organization said").
ANY_ORG_HEADS = _lexicon("organization organisation")
ORG_HEADS = (
    frozenset().union(*ORG_WORD_HEADS.values())
    | ANY_ORG_HEADS
    | _lexicon("team camp firm outlet magazine website newsroom")
)
NEVER_IN_PERSON_NAMES = NOT_PERSON_WORDS | TITLES | FUNCTION_WORDS | frozenset(ORG_WORD_HEADS)
# Nouns that, after "the", refer back to a person already named ("the real estate mogul said").
PERSON_NOUNS = TITLES | _lexicon("""
    mogul tycoon lawmaker politician frontrunner front-runner hopeful star official aide adviser
    advisor
""")  # fmt: skip
# Irregular plurals and collective nouns, whose descriptions are groups ("some people").
GROUP_NOUNS = _lexicon("people men women children police staff crowd public couple family media")
PRONOUNS = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}
ORG_PRONOUNS = _lexicon("it its")
GROUP_PRONOUNS = _lexicon("they them their")
RELATIVE_PRONOUNS = {"who": "person", "which": "organization", "that": "organization"}
# Words that stand where a subject would but name nobody ("There are ...").
EXPLETIVES = _lexicon("there here")
# A speaker who says "I" or "we" is not named by the mention.
SPEECH_PRONOUNS = _lexicon("i we you me us")
DETERMINERS = _lexicon("the this that a an")
DEFINITE = _lexicon("the this that")
LOWERCASED_OPENERS = DETERMINERS | _lexicon(
    "these those some many most several other his her its their"
)
PREPOSITIONS = _lexicon("of at for from in with by on to including like against about among")
CLAUSE_WORDS = _lexicon("who whom whose which that and or")
# Lower-case words that may follow a name without making it a modifier ("Lin of the ACLU").
NOT_MODIFIED_BY = PREPOSITIONS | CLAUSE_WORDS | _lexicon("""
    also himself herself said says told added argued wrote asked noted explained
""")  # fmt: skip
# Common first names, a weak gender cue used only when the article gives no stronger one.
MALE_FIRST_NAMES = _lexicon("""
    aaron adam alan albert alex alexander andrew anthony antonio arthur ben benjamin bernie
    bill billy bob bobby brad brandon brian bruce carl carlos charles charlie chris christopher
    chuck craig dan daniel dave david dennis dick don donald doug douglas ed eddie edward eric frank
    fred gary george gerald greg gregory harold harry henry howard jack jacob james jason jeff
    jeffrey jeremy jerry jesse jim jimmy joe joel john johnny jon jonathan jorge jose joseph josh
    juan justin keith ken kenneth kevin larry lawrence lee luis marco marcus mark martin matt
    matthew michael mike mitch nathan neil nicholas nick patrick paul peter phil philip ralph
    randy raymond richard rick rob robert roger ron ronald roy rudy russell ryan sam samuel
    scott sean stephen steve steven ted terry thomas tim timothy todd tom tony victor walter wayne
    william willie
""")  # fmt: skip
FEMALE_FIRST_NAMES = _lexicon("""
    alice alicia amanda amy andrea angela ann anna anne barbara betty beverly brenda carly carol
    caroline carolyn catherine cathy christina christine cindy claire cynthia deborah debbie denise
    diana diane donna dorothy elizabeth ellen emily emma evelyn frances gloria grace hannah heather
    helen hillary jane janet janice jean jennifer jessica jill joan joanne joyce judith judy julia
    julie karen kate katherine kathleen kathy kelly kim kimberly laura lauren linda lisa lori louise
    lucy maria marie marilyn martha mary megan melissa michelle monica nancy nicole nikki
    olivia pamela patricia paula rachel rebecca rosa rose ruth sandra sara sarah sharon shirley
    sophia stephanie susan teresa theresa tina tracy valerie victoria virginia wendy
""")  # fmt: skip
FIRST_NAMES = MALE_FIRST_NAMES | FEMALE_FIRST_NAMES

# --- Patterns ---------------------------------------------------------------------------------

_NAME_ABBREVIATIONS = "|".join(sorted(w.capitalize() for w in NAME_ABBREVIATIONS))
# One capitalised token: an abbreviation (U.S., Sen., J.), or a word ("Soo-yeon", "O'Neil").
_TOKEN = (
    rf"(?:(?:[{UPPER}]\.){{2,}}|(?:{_NAME_ABBREVIATIONS})\.|[{UPPER}]\.(?!\w)"
    rf"|[{UPPER}][\w\-]*(?:['’][{UPPER}][\w\-]*)?)"
)
_CONNECTOR = "|".join(re.escape(c) for c in sorted(CONNECTORS, key=len, reverse=True))
_GAP = r"[ \u00a0]"
# Capitalised function words ("The", "But") neither start nor continue a name.
_NOT_FUNCTION = (
    "(?!(?:"
    + "|".join(sorted({w.capitalize() for w in FUNCTION_WORDS}, key=len, reverse=True))
    + r")\b)"
)
NAME_RUN_RE = re.compile(
    rf"(?<![\w\-’'.])(?=[{UPPER}]){_NOT_FUNCTION}{_TOKEN}(?:{_GAP}(?:(?:{_CONNECTOR}){_GAP})?{_NOT_FUNCTION}{_TOKEN})*"
)
TOKEN_RE = re.compile(r"\S+")
ACRONYM_RE = re.compile(rf"^[{UPPER}]{{2,6}}s?$")
PARENTHESISED_ACRONYM_RE = re.compile(rf"\s*\(([{UPPER}]{{2,6}})\)")
FOLLOWING_HEAD_RE = re.compile(r"[ \u00a0]([a-z]+)\b")
STATE_AFTER_RE = re.compile(r",\s+([A-Z][a-z]+(?: [A-Z][a-z]+)?)")
# ", ACLU legislative counsel," / ", the secretary general of the United Nations," after a name.
APPOSITIVE_RE = re.compile(r",\s+((?:an?\s+|the\s+)?[^,.;:“”\"\n]{3,90}?)\s*,")
OF_PHRASE_RE = re.compile(r"\s+(of\s+the\s+[^,.;:“”\"\n]{3,60}?)(?=[,.;:]|\s+(?:said|says)\b)")
LEADING_ARTICLE_RE = re.compile(r"^(?:an?|the)\s+")
LEADING_DETERMINER_RE = re.compile(r"^(?:the|a|an|his|her|their|its)\s+", re.IGNORECASE)
WORD_RE = re.compile(r"[\w\-’']+")
LOWERCASE_WORD_RE = re.compile(r"(?<![\w\-])[a-z]{2,}(?![\w\-])")
GENDER_PRONOUN_RE = re.compile(r"\b(he|his|him|she|her|hers)\b", re.IGNORECASE)
DATELINE_RE = re.compile(r"(?m)^[A-Z][A-Z.'\-]+(?=[ \u00a0]*(?:,|[—–-]|\())")
COORDINATION_RE = re.compile(r",?\s+(?:and|&)\s+|,\s+")
POSSESSIVE_END_RE = re.compile(r"['’]s?$")
POSSESSIVE_RE = re.compile(r"['’]s?(?=\s)")
MODIFIER_RE = re.compile(r"[ \u00a0]+([a-z][\w\-]*)")
QUOTE_MARKS = "\"“”‘’'«» \t"

# A capitalised word standing alone this often is a name in its own right ("Lin").
LONE_NAME_REPEATS = 2
# How far (characters) a relative pronoun's antecedent or a his/her gender cue may be.
RELATIVE_WINDOW = 120
GENDER_CUE_WINDOW = 200
# Gender evidence, strongest first.
GENDER_STRENGTH = {"honorific": 3, "title": 2, "first_name": 1, "pronoun": 0}


# --- Inventory --------------------------------------------------------------------------------


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


def _bare(token: str) -> str:
    return token.rstrip(".").lower()


def _is_title(token: str) -> bool:
    """ "Director", "Sen.", and plurals such as "Senators Avery and Holt"."""
    bare = _bare(token)
    return bare in TITLES or (bare.endswith("s") and bare[:-1] in TITLES)


def _is_acronym(token: str) -> bool:
    return (
        bool(ACRONYM_RE.match(token))
        and token.upper() == token
        and _bare(token) not in NAME_SUFFIXES
    )


def _person_like(token: str) -> bool:
    bare = _bare(token)
    return not (
        bare in NEVER_IN_PERSON_NAMES
        or (bare.endswith("s") and bare[:-1] in TITLES)
        or _is_acronym(token)
    )


def _org_heads(words: Sequence[str]) -> frozenset[str]:
    heads = [
        ORG_WORD_HEADS[_bare(w)] for w in words if _bare(w) in ORG_WORD_HEADS and w[:1].isupper()
    ]
    return frozenset().union(*heads) if heads else frozenset()


def _title_gender(titles: Sequence[str]) -> tuple[str | None, str | None]:
    for title in reversed(titles):
        bare = _bare(title)
        if bare in HONORIFIC_GENDER:
            return HONORIFIC_GENDER[bare], "honorific"
        if bare in GENDERED_TITLES:
            return GENDERED_TITLES[bare], "title"
    return None, None


def _person_occurrences(tokens: list[Token]) -> list[Occurrence]:
    """Read a run without organisation words as titles + a person's name, or a lone word."""
    last_title = max((i for i, (_, _, t) in enumerate(tokens) if _is_title(t)), default=-1)
    name_from = last_title + 1
    # "Secretary of State Ruth Callow": connectors and non-name words after the title are role.
    while name_from < len(tokens) and not _person_like(tokens[name_from][2]):
        name_from += 1
    names = tokens[name_from:]
    # "Ellen Marsh of Dover": the name ends where "of" / "for" begins.
    for i, (_, _, token) in enumerate(names):
        if token in CONNECTOR_WORDS and token not in NAME_PARTICLES:
            names = names[:i]
            break
    # Every word after the first must be part of a name: "Central Valley" is a place.
    if not names or not all(
        t in NAME_PARTICLES or _bare(t) in NAME_SUFFIXES or _person_like(t) for _, _, t in names
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
    if gender is None and _bare(words[0]) in FIRST_NAMES:
        gender = "m" if _bare(words[0]) in MALE_FIRST_NAMES else "f"
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


def _strip_connectors(tokens: list[Token]) -> list[Token]:
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
    for piece in _split(tokens, lambda t: _bare(t) in FUNCTION_WORDS and t[:1].isupper()):
        acronyms, chunks = _split_acronyms(piece)
        found.extend(acronyms)
        for chunk in chunks:
            chunk = _strip_connectors(chunk)
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
    return "word" if _person_like(token) else None


def _word_occurrences(token: str) -> list[Occurrence]:
    kind = _word_kind(token)
    if kind == "acronym":
        return [Occurrence(0, len(token), "acronym", (token.rstrip("s"),))]
    if kind == "organization":
        return [_org_occurrence([(0, len(token), token)])]
    return [Occurrence(0, len(token), "word", (token,))] if kind else []


def _is_org_word(token: str) -> bool:
    return _bare(token) in ORG_WORD_HEADS and token[:1].isupper()


def _coordinated(chunk: list[Token]) -> list[list[Token]]:
    """Split "Secretary Ruth Callow and Speaker Dale Norris" at "and", but keep "Immigration and
    Customs Enforcement" and "Department of Health and Human Services" whole: a short untitled
    conjunct belongs to the organisation name it is joined to."""
    parts = [
        p for p in (_strip_connectors(p) for p in _split(chunk, lambda t: t in ("and", "&"))) if p
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
            and not any(_is_title(w) for w in words)
            and _bare(words[0]) not in FIRST_NAMES
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
    titles = [i for i, w in enumerate(words) if _is_title(w) and i > max(org_at)]
    if titles:
        people = _person_occurrences(chunk[titles[0] :])
        if people and chunk[: titles[0]]:
            role = " ".join(words[: titles[-1] + 1])
            people = [p._replace(role=role) for p in people]
            org = _strip_connectors(chunk[: titles[0]])
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


# --- Entities ---------------------------------------------------------------------------------


@dataclass(eq=False)  # compared by identity: two entities may look alike
class _Entity:
    """An entity being assembled while one article is resolved (local to one call)."""

    kind: SpeakerKind
    forms: list[str] = field(default_factory=list)
    words: tuple[str, ...] = ()
    roles: list[Token] = field(default_factory=list)  # (priority, start, role)
    gender: str | None = None
    gender_strength: int = -1
    heads: frozenset[str] = frozenset()
    acronym: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)
    description: str | None = None
    head: str | None = None  # of a description: "spokesman" in "a spokesman for the agency"
    said: bool = False  # a quote's mention resolved to it
    name_starts: list[int] = field(default_factory=list)  # sorted
    surname_mentions: int = 0

    @property
    def named_person(self) -> bool:
        """A person the article names, or describes by a person noun ("a spokesman")."""
        return self.kind == "person" and (bool(self.words) or self.head in PERSON_NOUNS)

    @property
    def evident(self) -> bool:
        """Whether the article shows this is a person (or organisation) and not a stray
        capitalised phrase: a gender cue, a role, a later surname mention, or a quote."""
        named_again = len(self.words) > 1 and self.surname_mentions > 0
        return self.gender is not None or bool(self.roles) or named_again or self.said

    @property
    def surname(self) -> str:
        """The last word of the name, before a suffix ("Grant" in "Walter J. Grant Jr.")."""
        if len(self.words) > 1 and _bare(self.words[-1]) in NAME_SUFFIXES:
            return self.words[-2]
        return self.words[-1] if self.words else ""

    @property
    def first_name(self) -> str | None:
        return self.words[0] if len(self.words) > 1 else None

    def add_gender(self, gender: str | None, cue: str | None) -> None:
        if gender and cue and GENDER_STRENGTH[cue] > self.gender_strength:
            self.gender, self.gender_strength = gender, GENDER_STRENGTH[cue]

    def add_role(self, priority: int, start: int, role: str | None) -> None:
        """Keep a role the article gives ("Director", "NBC" from "NBC's"), not a bare "Mr."."""
        role = POSSESSIVE_END_RE.sub("", role.strip(" ,")) if role else None
        if role and _bare(role) not in HONORIFIC_GENDER:
            self.roles.append((priority, start, role))

    def name(self) -> str:
        if self.description:
            return self.description
        if self.kind == "organization":
            core = " ".join(self.words) if self.words else ""
            if core and self.acronym and core != self.acronym:
                return f"{core} ({self.acronym})"
            return core or self.acronym or ""
        return " ".join(self.words)

    def role(self) -> str | None:
        return max(self.roles, key=lambda r: (r[0], -r[1]))[2] if self.roles else None


def _initials(words: Sequence[str]) -> str:
    return "".join(
        w.replace(".", "")[0] for w in words if w[:1].isupper() and w not in CONNECTOR_WORDS
    )


def _org_core(words: Sequence[str]) -> tuple[str, ...]:
    """ "U.S. Immigration and Customs Enforcement" -> its name without the country prefix."""
    words = tuple(words)
    if len(words) > 1 and _bare(words[0]) in {"u.s", "us", "the"}:
        words = _strip_connectors([(0, 0, w) for w in words[1:]])
        words = tuple(w for _, _, w in words)
    return words


def _compatible_first(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return True
    a, b = a.rstrip("."), b.rstrip(".")
    return a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


class _Inventory:
    """The article's entities and where each is mentioned; built once per `resolve_speakers`."""

    def __init__(self, text: str, quoted: list[tuple[int, int]]):
        self.text = text
        self.entities: list[_Entity] = []
        self.named: dict[str, list[int]] = {}
        self.occurrences = scan_names(text)
        self.starts = [o.start for o in self.occurrences]
        self.entity_of: dict[int, int] = {}  # occurrence start -> entity index
        self.timeline: list[tuple[int, int]] = []  # (position, entity index), sorted
        self.quoted = quoted  # direct-quote interiors: names there are not antecedents
        self.quoted_starts = [s for s, _ in quoted]
        self.sentence_starts = sentence_starts(text)
        # Lone capitalised words inside sentences (a sentence's first word may be any word).
        self.lone_counts = Counter(
            o.words[0]
            for o in self.occurrences
            if o.kind == "word" and not self._opens_sentence(o.start)
        )
        self.first_names_of: dict[str, set[str]] = {}  # surname -> first words it is written with
        for occ in self.occurrences:
            if occ.kind == "person":
                self.first_names_of.setdefault(occ.words[-1], set()).add(occ.words[0])
        self.lowercase_words: set[str] | None = None  # built on first need
        self._build()

    def new_entity(self, kind: SpeakerKind, **fields) -> int:
        """Add an entity (``fields`` as `_Entity`'s) and return its index."""
        self.entities.append(_Entity(kind=kind, **fields))
        index = len(self.entities) - 1
        self._index_names(index)
        return index

    def _index_names(self, index: int) -> None:
        """Keep ``named`` (surname or first name -> people) up to date."""
        entity = self.entities[index]
        if entity.kind == "person":
            for word in (entity.surname, entity.first_name):
                if word and index not in self.named.setdefault(word, []):
                    self.named[word].append(index)

    def _build(self) -> None:
        """Group the occurrences into entities: people, then organisations and acronyms, then
        lone words (which need the others to be known)."""
        self.occurrences = [o for o in map(self._recheck_person, self.occurrences) if o is not None]
        self.starts = [o.start for o in self.occurrences]
        people = [o for o in self.occurrences if o.kind == "person"]
        orgs = [o for o in self.occurrences if o.kind == "organization"]
        for occ in people:
            index = self._person_for(occ)
            if index is not None:
                self._attach(occ, index)
        by_core: dict[str, int] = {}
        for occ in orgs:
            core = " ".join(_org_core(occ.words))
            index = by_core.get(core.lower())
            if index is None:
                index = by_core[core.lower()] = self.new_entity(
                    "organization", words=_org_core(occ.words)
                )
            entity = self.entities[index]
            if len(_org_core(occ.words)) > len(entity.words):
                entity.words = _org_core(occ.words)
            entity.heads |= occ.heads
            written = PARENTHESISED_ACRONYM_RE.match(self.text, occ.end)
            if written:
                entity.acronym = written.group(1)
            self._attach(occ, index)
        for occ in self.occurrences:
            if occ.kind == "acronym":
                self._attach(occ, self._org_for_acronym(occ.words[0]))
        for occ in self.occurrences:
            if occ.kind == "word":
                index = self._entity_for_word(occ)
                if index is not None:
                    if len(self.named.get(occ.words[0], ())) > 1:
                        # "President Hale" with two Hales named: the title may be the other's.
                        occ = occ._replace(role=None)
                    self._attach(occ, index)
        self._add_pronoun_gender_cues()
        self._add_coordinated_people()
        self.timeline.sort()

    def _attach(self, occ: Occurrence, index: int) -> None:
        entity = self.entities[index]
        form = self.text[occ.start : occ.end]
        if form not in entity.forms:
            entity.forms.append(form)
        entity.spans.append((occ.start, occ.end))
        entity.surname_mentions += occ.kind == "word"
        if occ.kind in ("person", "word"):
            insort(entity.name_starts, occ.start)
        entity.add_gender(occ.gender, occ.gender_cue)
        entity.add_role(3, occ.start, occ.role)
        if occ.kind == "person":
            entity.add_role(2, occ.start, self._appositive(occ.end))
            of_phrase = OF_PHRASE_RE.match(self.text, occ.end)
            entity.add_role(1, occ.start, of_phrase.group(1) if of_phrase else None)
        self.entity_of[occ.start] = index
        if not self.is_quoted(occ.start):
            self.timeline.append((occ.start, index))

    def _appositive(self, end: int) -> str | None:
        match = APPOSITIVE_RE.match(self.text, end)
        if not match:
            return None
        phrase = match.group(1)
        # An appositive describes; a list of names ("Avery, Holt,") has no lower-case word.
        first = phrase.split()[0].lower()
        if not LOWERCASE_WORD_RE.search(phrase) or first in CLAUSE_WORDS or first in PREPOSITIONS:
            return None  # "Avery, Holt," is a list; ", who ...", ", at a rally," are not roles
        return LEADING_ARTICLE_RE.sub("", phrase)

    def _recheck_person(self, occ: Occurrence) -> Occurrence | None:
        """Second thoughts on two-word names, now that the whole text has been read: "Grant
        Tower" is named after "Grant", who stands alone elsewhere; "Maybe Grant" opening a
        sentence is "Grant" when the article also writes "maybe" or names another "X Grant"."""
        if occ.kind != "person" or _bare(occ.words[0]) in FIRST_NAMES:
            return occ
        if self.lone_counts[occ.words[0]] >= LONE_NAME_REPEATS:
            return None
        last = occ.words[-1]
        if (
            len(occ.words) == 2
            and self._opens_sentence(occ.start)
            and (
                self.first_names_of.get(last, set()) - {occ.words[0]}
                or self._is_common_word(occ.words[0])
            )
        ):
            start = occ.end - len(last)
            return Occurrence(start, occ.end, "word", (last,))
        return occ

    def _is_common_word(self, word: str) -> bool:
        """Whether the article also writes ``word`` in lower case ("Maybe" / "maybe")."""
        if self.lowercase_words is None:
            self.lowercase_words = set(LOWERCASE_WORD_RE.findall(self.text))
        return word.lower() in self.lowercase_words

    def _person_for(self, occ: Occurrence) -> int | None:
        """The person a full name belongs to: the last one with that surname and a compatible
        first name, else a new one. None for "Grant Tower" (named after a known person)."""
        surname = [w for w in occ.words if _bare(w) not in NAME_SUFFIXES][-1]
        first = occ.words[0]
        known_first = _bare(first) in FIRST_NAMES
        if not known_first and any(
            self.entities[i].surname == first for i in self.named.get(first, ())
        ):
            return None
        same_surname = [
            i for i in reversed(self.named.get(surname, [])) if self.entities[i].surname == surname
        ]
        for index in same_surname:
            entity = self.entities[index]
            if _compatible_first(entity.first_name, first):
                if len(occ.words) > len(entity.words):
                    entity.words = occ.words
                    self._index_names(index)
                return index
        return self.new_entity("person", words=occ.words)

    def _opens_sentence(self, position: int) -> bool:
        before = self.text[max(0, position - 4) : position].rstrip(QUOTE_MARKS)
        return not before or before[-1] in ".!?\n"

    def _org_for_acronym(self, acronym: str) -> int:
        for index, entity in enumerate(self.entities):
            if entity.kind == "organization" and (
                entity.acronym == acronym or _initials(entity.words) == acronym
            ):
                entity.acronym = acronym
                return index
        return self.new_entity("organization", words=(acronym,), acronym=acronym)

    def _entity_for_word(self, occ: Occurrence) -> int | None:
        """A lone word is a known person's surname or first name, an organisation, or, with a
        title ("Mr. Grant", "President Hale"), a person named only by surname."""
        word = occ.words[0]
        if not _person_like(word) and occ.role is None:
            return None
        candidates = [
            i for i in self.named.get(word, ())
            if self.entities[i].surname == word or self.entities[i].first_name == word
        ]  # fmt: skip
        if occ.gender:  # "Mrs. Hale" is not Frank Hale
            candidates = [i for i in candidates if self.entities[i].gender in (None, occ.gender)]
            if not candidates:
                return self.new_entity("person", words=occ.words)
        if not candidates:
            candidates = [i for i, e in enumerate(self.entities) if e.kind == "organization"
                          and e.words == (word,)]  # fmt: skip
        if candidates:
            return self._latest_named(candidates, occ.start)
        # "Mr. Grant", or "Grant" over and over with no first name given: a surname-only person.
        if occ.role is not None or (
            self.lone_counts[word] >= LONE_NAME_REPEATS and _bare(word) not in US_STATES
        ):
            return self.new_entity("person", words=occ.words)
        return None

    def _latest_named(self, candidates: list[int], position: int) -> int:
        """Of ``candidates``, the one named most recently before ``position``, else the first
        one named after it."""

        def last_named_before(index: int) -> int:
            starts = self.entities[index].name_starts
            k = bisect_left(starts, position)
            return starts[k - 1] if k else -1

        latest = max(candidates, key=last_named_before)
        return latest if last_named_before(latest) >= 0 else candidates[0]

    def person_named(self, word: str, position: int) -> int | None:
        """The person whose surname (or first name) is ``word``, named nearest before
        ``position``."""
        candidates = [
            i
            for i in self.named.get(word, ())
            if word in (self.entities[i].surname, self.entities[i].first_name)
        ]
        return self._latest_named(candidates, position) if candidates else None

    def _add_coordinated_people(self) -> None:
        """ "Mara Quinn and Oskar Lind ... They found": people named together form a group
        that "they" can refer to, placed where the first of them is named."""
        people = [
            (occ, self.entity_of[occ.start])
            for occ in self.occurrences
            if occ.start in self.entity_of
            and self.entities[self.entity_of[occ.start]].kind == "person"
        ]
        k = 0
        while k < len(people):
            chain = [people[k]]
            while k + len(chain) < len(people):
                occ, _ = chain[-1]
                following = people[k + len(chain)]
                if not COORDINATION_RE.fullmatch(self.text, occ.end, following[0].start):
                    break
                chain.append(following)
            k += len(chain)
            names = list(dict.fromkeys(self.entities[index].name() for _, index in chain))
            if len(names) < 2 or self.is_quoted(chain[0][0].start):
                continue
            description = ", ".join(names[:-1]) + " and " + names[-1]
            index = self.new_entity("group", description=description)
            self.timeline.append((chain[0][0].start, index))

    def _add_pronoun_gender_cues(self) -> None:
        """ "Janet Napolitano ... her speech": the first he/his/she/her after a person's name in
        the same sentence, with no other person named in between, is a gender cue."""
        person_starts = sorted(
            s for s, i in self.entity_of.items() if self.entities[i].kind == "person"
        )
        for occ in self.occurrences:
            index = self.entity_of.get(occ.start)
            # Only full names (not stray words), and only while no stronger cue is known.
            if occ.kind != "person" or index is None or self.entities[index].gender is not None:
                continue
            entity, start, end = self.entities[index], occ.start, occ.end
            window_end = end + GENDER_CUE_WINDOW
            next_sentence = bisect_right(self.sentence_starts, end)
            if next_sentence < len(self.sentence_starts):
                window_end = min(window_end, self.sentence_starts[next_sentence])
            next_person = bisect_right(person_starts, start)
            if next_person < len(person_starts):
                window_end = min(window_end, person_starts[next_person])
            pronoun = GENDER_PRONOUN_RE.search(self.text, end, max(end, window_end))
            if pronoun and not self.is_quoted(pronoun.start()):
                entity.add_gender("m" if pronoun.group(1).lower() in {"he", "his", "him"} else "f",
                                  "pronoun")  # fmt: skip

    # --- queries

    def is_quoted(self, position: int) -> bool:
        i = bisect_right(self.quoted_starts, position) - 1
        return i >= 0 and self.quoted[i][0] <= position < self.quoted[i][1]

    def occurrences_within(self, start: int, end: int) -> list[Occurrence]:
        """Occurrences overlapping ``start:end`` (a mention may cut a name in two)."""
        first = bisect_left(self.starts, start)
        if first and self.occurrences[first - 1].end > start:
            first -= 1
        return self.occurrences[first : bisect_left(self.starts, end)]

    def mention(self, index: int, start: int, end: int, *, alias: str | None = None) -> None:
        """Record that a quote's mention refers to entity ``index`` (``alias``: how it was called,
        when the mention is a description rather than a name already in the inventory)."""
        entity = self.entities[index]
        entity.spans.append((start, end))
        entity.said = True
        if alias and alias.lower() not in {f.lower() for f in entity.forms}:
            entity.forms.append(alias)
        position = (start, index)
        self.timeline.insert(bisect_left(self.timeline, position), position)

    def sentence_of(self, position: int) -> int:
        return sentence_of(self.sentence_starts, position)

    def subject_before(self, position: int, accept) -> int | None:
        """The antecedent of a pronoun at ``position``: in the nearest sentence (this one or an
        earlier one) naming an entity that ``accept``s, the first such entity, as news sentences
        open with their subject ("Mr. Ortiz stepped up his criticism of Senator
        Paul Baker. He said ..." -> Ortiz). Names inside quotation marks are skipped."""
        i = bisect_left(self.timeline, (position, -1)) - 1
        found, sentence = None, None
        while i >= 0:
            at, index = self.timeline[i]
            if sentence is not None and self.sentence_of(at) != sentence:
                break
            if accept(self.entities[index]):
                found, sentence = index, self.sentence_of(at)
            i -= 1
        return found

    def most_recent(self, position: int, accept, limit: int | None = None) -> int | None:
        """The entity mentioned last before ``position`` (outside quotation marks) that
        ``accept``s, no further back than ``limit`` characters."""
        i = bisect_left(self.timeline, (position, -1)) - 1
        while i >= 0:
            at, index = self.timeline[i]
            if limit is not None and position - at > limit:
                return None
            if accept(self.entities[index]):
                return index
            i -= 1
        return None


# --- Mentions ---------------------------------------------------------------------------------


def _words(phrase: str) -> list[str]:
    return WORD_RE.findall(phrase)


def _head_occurrence(inventory: _Inventory, start: int, end: int) -> Occurrence | None:
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
            if all(_is_title(w) for w in between):
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


def _role_words(entity: _Entity) -> set[str]:
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


def _resolve_description(inventory: _Inventory, mention: Span) -> int:
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

        def describes(entity: _Entity, strict: bool) -> bool:
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


def _resolve_pronoun(inventory: _Inventory, word: str, position: int) -> int | None:
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


def _resolve_mention(inventory: _Inventory, mention: Span) -> tuple[int | None, str | None]:
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


def _speaker_of(name: str, entities: list[_Entity], text: str) -> Speaker:
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
    inventory = _Inventory(text, quoted)
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
    by_name: dict[str, list[_Entity]] = {}
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
