"""The article's entities: name occurrences grouped into people (one surname, compatible first
names), organisations (one name, its acronym) and lone words joined to them, with the queries that
find an entity for a mention (nearest subject, most recent match, person by surname)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from stance.records import SpeakerKind
from stance.speakers.lexicon import (
    APPOSITIVE_RE,
    CLAUSE_WORDS,
    CONNECTOR_WORDS,
    COORDINATION_RE,
    FIRST_NAMES,
    GENDER_PRONOUN_RE,
    HONORIFIC_GENDER,
    LEADING_ARTICLE_RE,
    LOWERCASE_WORD_RE,
    NAME_SUFFIXES,
    OF_PHRASE_RE,
    PARENTHESISED_ACRONYM_RE,
    PERSON_NOUNS,
    POSSESSIVE_END_RE,
    PREPOSITIONS,
    QUOTE_MARKS,
    US_STATES,
)
from stance.speakers.names import (
    Occurrence,
    Token,
    bare_word,
    person_like,
    scan_names,
    strip_connectors,
)
from stance.text import sentence_of, sentence_starts

# A capitalised word standing alone this often is a name in its own right ("Lin").
LONE_NAME_REPEATS = 2
# How far (characters) after a name a his/her gender cue may be.
GENDER_CUE_WINDOW = 200
# Gender evidence, strongest first.
GENDER_STRENGTH = {"honorific": 3, "title": 2, "first_name": 1, "pronoun": 0}


@dataclass(eq=False)  # compared by identity: two entities may look alike
class Entity:
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
        if len(self.words) > 1 and bare_word(self.words[-1]) in NAME_SUFFIXES:
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
        if role and bare_word(role) not in HONORIFIC_GENDER:
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
    if len(words) > 1 and bare_word(words[0]) in {"u.s", "us", "the"}:
        words = strip_connectors([(0, 0, w) for w in words[1:]])
        words = tuple(w for _, _, w in words)
    return words


def _compatible_first(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return True
    a, b = a.rstrip("."), b.rstrip(".")
    return a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


class Inventory:
    """The article's entities and where each is mentioned; built once per `resolve_speakers`."""

    def __init__(self, text: str, quoted: list[tuple[int, int]]):
        self.text = text
        self.entities: list[Entity] = []
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
        """Add an entity (``fields`` as `Entity`'s) and return its index."""
        self.entities.append(Entity(kind=kind, **fields))
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
        if occ.kind != "person" or bare_word(occ.words[0]) in FIRST_NAMES:
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
        surname = [w for w in occ.words if bare_word(w) not in NAME_SUFFIXES][-1]
        first = occ.words[0]
        known_first = bare_word(first) in FIRST_NAMES
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
        if not person_like(word) and occ.role is None:
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
            self.lone_counts[word] >= LONE_NAME_REPEATS and bare_word(word) not in US_STATES
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
