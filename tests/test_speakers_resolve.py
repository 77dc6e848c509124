"""Speaker resolution: hand-built quotes in, canonical speakers out (no quote extractor)."""

from __future__ import annotations

import json
import re

import pytest
from conftest import FIXTURES, SEED, shared_data
from hypothesis import given, settings
from hypothesis import strategies as st

from stance.pipeline import extract
from stance.records import Article, Quote, Span
from stance.speakers import resolve_speakers

ARTICLES = FIXTURES / "articles"
SEED_GOLD = json.loads(SEED.with_suffix(".gold.json").read_text(encoding="utf-8"))


def quote_at(text: str, content: str, mention: str | None = None, kind: str = "direct") -> Quote:
    """A quote over the first occurrence of ``content``, attributed to the occurrence of
    ``mention`` nearest to it outside it (None: an unattributed quote)."""
    start = text.index(content)
    end = start + len(content)
    span = None
    if mention is not None:
        found = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(mention)}(?!\w)", text)]
        outside = [m for m in found if m + len(mention) <= start or m >= end]
        at = min(outside, key=lambda m: start - m - len(mention) if m < start else m - end)
        span = Span.of(text, at, at + len(mention))
    return Quote(start, end, content, kind, (Span.of(text, start, end),), mention=span)


def resolve(text: str, cases: list[tuple[str, str | None, str]]) -> list[Quote]:
    """Resolve quotes given as (content, mention, kind) together, as one article."""
    quotes = [quote_at(text, content, mention, kind) for content, mention, kind in cases]
    resolved, _ = resolve_speakers(text, quotes)
    return resolved


# --- The seed article, from its gold attributions -----------------------------------------------


def gold_quote(text: str, row: dict) -> Quote:
    def span(key: str) -> Span:
        return Span.of(text, row[key]["start"], row[key]["end"])

    parts = (Span.of(text, row["start"], row["end"]),)
    return Quote(
        row["start"], row["end"], row["text"], row["kind"], parts, span("cue"), span("mention")
    )


@pytest.fixture(scope="module")
def seed_resolved(seed_text):
    return resolve_speakers(seed_text, [gold_quote(seed_text, row) for row in SEED_GOLD["quotes"]])


@pytest.mark.parametrize(
    "index", range(len(SEED_GOLD["quotes"])), ids=[row["text"][:40] for row in SEED_GOLD["quotes"]]
)
def test_speakers_seed_gold_quote_speaker(seed_resolved, index):
    row = SEED_GOLD["quotes"][index]
    quote = seed_resolved[0][index]
    assert quote.speaker == row["speaker"], f"{row['mention']['text']!r} in {row['text'][:60]!r}"
    assert quote.mention.text == row["mention"]["text"]


@pytest.mark.parametrize(
    "gold", SEED_GOLD["speakers"], ids=[s["name"] for s in SEED_GOLD["speakers"]]
)
def test_speakers_seed_speaker_records(seed_resolved, gold):
    speakers = {speaker.name: speaker for speaker in seed_resolved[1]}
    assert gold["name"] in speakers
    assert (speakers[gold["name"]].kind, speakers[gold["name"]].role) == (
        gold["kind"],
        gold["role"],
    )


def test_speakers_seed_organisation_aliases_and_mentions(seed_text, seed_resolved):
    ice = next(s for s in seed_resolved[1] if s.name == "Immigration and Customs Enforcement (ICE)")
    assert {
        "ICE",
        "Immigration and Customs Enforcement",
        "the agency",
        "the enforcement agency",
    } <= set(ice.aliases)
    assert all(seed_text[m.start : m.end] == m.text for m in ice.mentions)


# --- Names, titles and roles ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mention", "name", "role"),
    [
        (
            "“We are making progress,” said agency Director John Morton.",
            "agency Director John Morton",
            "John Morton",
            "Director",
        ),
        (
            "“It is wrong,” Joanne Lin, ACLU legislative counsel, said.",
            "Joanne Lin, ACLU legislative counsel",
            "Joanne Lin",
            "ACLU legislative counsel",
        ),
        (
            "The department's chief, Secretary Janet Napolitano, said, “It works.”",
            "The department's chief, Secretary Janet Napolitano",
            "Janet Napolitano",
            "Secretary",
        ),
        (
            "“Not now,” said House Speaker Dale Norris.",
            "House Speaker Dale Norris",
            "Dale Norris",
            "House Speaker",
        ),
        (
            "“We talked,” said Secretary of State Ruth Callow.",
            "Secretary of State Ruth Callow",
            "Ruth Callow",
            "Secretary of State",
        ),
        (
            "“Calm down,” said South Korean President Kim Soo-yeon.",
            "South Korean President Kim Soo-yeon",
            "Kim Soo-yeon",
            "South Korean President",
        ),
        ("“Votes moved,” said WKBN's Dana Pryor.", "WKBN's Dana Pryor", "Dana Pryor", "WKBN"),
        ("“No deal,” said Sen. Tom Avery.", "Sen. Tom Avery", "Tom Avery", "Sen."),
        (
            "“No,” said Walter J. Grant Jr. on Monday.",
            "Walter J. Grant Jr.",
            "Walter J. Grant Jr.",
            None,
        ),
        (
            "“It stinks,” said Valley Courier editor Sam Ortega.",
            "Valley Courier editor Sam Ortega",
            "Sam Ortega",
            "Valley Courier editor",
        ),
        # An honorific is no role; a phrase between commas that opens with a preposition is none.
        ("“Yes,” said Mr. Ortiz.", "Mr. Ortiz", "Ortiz", None),
        ("“Yes,” Ana Ortiz, at a rally, said.", "Ana Ortiz", "Ana Ortiz", None),
        (
            "“We listen,” said Gregory Palmore of the agency's Houston office.",
            "Gregory Palmore",
            "Gregory Palmore",
            "of the agency's Houston office",
        ),
    ],
)
def test_speakers_name_and_role_from_mention(text, mention, name, role):
    content = re.search(r"“[^”]*”", text).group()
    quotes, speakers = resolve_speakers(text, [quote_at(text, content, mention)])
    assert quotes[0].speaker == name
    assert speakers[0].role == role


@pytest.mark.parametrize(
    ("text", "mention", "name"),
    [
        # Surname and honorific mentions resolve to the full name given anywhere else.
        ("Joanne Lin criticized the plan. Lin also said “it is a waste.”", "Lin", "Joanne Lin"),
        (
            "Morton defends record\n\nDirector John Morton spoke. “We did well,” Morton said.",
            "Morton",
            "John Morton",
        ),
        (
            "Laura Hale and Frank Hale arrived. “Hello,” said Mrs. Hale.",
            "Mrs. Hale",
            "Laura Hale",
        ),
        ("Frank Hale arrived. “Hello,” said Mrs. Hale.", "Mrs. Hale", "Hale"),
        # A name used as a modifier is not the speaker.
        ("MHA officials said “nothing was served.”", "MHA officials", "MHA officials"),
        ("“We object,” said Omar Reed's sister.", "Omar Reed's sister", "Omar Reed's sister"),
        (
            "“He is fine,” his former partner at Brightline, Victor J. Dunn, said.",
            "his former partner at Brightline, Victor J. Dunn",
            "Victor J. Dunn",
        ),
    ],
)
def test_speakers_names_and_surnames(text, mention, name):
    content = re.search(r"“[^”]*”", text).group()
    quotes, _ = resolve_speakers(text, [quote_at(text, content, mention)])
    assert quotes[0].speaker == name


# --- Organisations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mention", "name"),
    [
        (
            "Immigration and Customs Enforcement released figures. ICE said “removals rose.”",
            "ICE",
            "Immigration and Customs Enforcement (ICE)",
        ),
        (
            "ICE released figures.\n\nImmigration and Customs Enforcement said “removals rose.”",
            "Immigration and Customs Enforcement",
            "Immigration and Customs Enforcement (ICE)",
        ),
        (
            "The American Civil Liberties Union (ACLU) sued. “We will win,” the group said.",
            "the group",
            "American Civil Liberties Union (ACLU)",
        ),
        (
            (
                "The U.S. Department of Homeland Security and the Acme Company met. The department"
                " said “no.”"
            ),
            "The department",
            "Department of Homeland Security",
        ),
        (
            "The Acme Company and the Department of Labor met. The company said “yes.”",
            "The company",
            "Acme Company",
        ),
        ("The government said “the talks are over.”", "The government", "the government"),
    ],
)
def test_speakers_organisations_acronyms_descriptions(text, mention, name):
    content = re.search(r"“[^”]*”", text).group()
    quotes, speakers = resolve_speakers(text, [quote_at(text, content, mention)])
    assert quotes[0].speaker == name
    assert speakers[0].kind == "organization"


# --- Pronouns and descriptions that refer back -------------------------------------------------


def _speaker_of_last_quote(text: str, mention: str) -> str | None:
    """Resolve the last “...” of ``text``, attributed to the last ``mention`` in it."""
    content = re.findall(r"“[^”]*”", text)[-1]
    start = text.rindex(content)
    at = text.rindex(mention)
    end = start + len(content)
    parts = (Span.of(text, start, end),)
    quote = Quote(
        start, end, content, "direct", parts, mention=Span.of(text, at, at + len(mention))
    )
    return resolve_speakers(text, [quote])[0][0].speaker


@pytest.mark.parametrize(
    ("text", "mention", "speaker"),
    [
        # A pronoun refers to the subject of the nearest sentence that names someone.
        (
            "Mr. Ortiz stepped up his criticism of Senator Paul Baker. “A disgrace,” he said.",
            "he",
            "Ortiz",
        ),
        # ... and skips people of the other gender.
        (
            "Gov. Anne Walsh vetoed the bill Sen. Paul Baker wrote. “It was rushed,” she said.",
            "she",
            "Anne Walsh",
        ),
        # His/her after a name tells the gender of a first name the lists do not know.
        (
            "Ngozi Adeyemi opened her clinic. Later Tunde Bello joined. “We grew,” she said.",
            "she",
            "Ngozi Adeyemi",
        ),
        # "They" can be people named together.
        (
            "Mara Quinn and Oskar Lind, economists at a state college, wrote a report. “Pay rose,”"
            " they said.",
            "they",
            "Mara Quinn and Oskar Lind",
        ),
        # A description with a person noun refers back to the person named with that role, or
        # else to the last person named.
        (
            "Gov. Neil Carver spoke. Then Jane Roe, a lawyer, spoke. “No,” the governor said.",
            "the governor",
            "Neil Carver",
        ),
        (
            "Developer Max Holt bought the tower. “It is a bargain,” the real estate mogul said.",
            "the real estate mogul",
            "Max Holt",
        ),
        # A description names its head noun, not the noun in its prepositional phrase.
        (
            "Senator Paul Baker left. “We object,” the campaign of the former senator said.",
            "the campaign of the former senator",
            "the campaign of the former senator",
        ),
        # An organisation description modified by a name is its own organisation.
        (
            "The Labor Department met. “We will act,” the Dunmore administration said.",
            "the Dunmore administration",
            "the Dunmore administration",
        ),
        # A capitalised word that opens a sentence before a surname is not a first name, and a
        # place named after a person is not that person.
        (
            "Walter Grant spoke at Grant Tower. Maybe Grant was tired. “Fine,” he said.",
            "he",
            "Walter Grant",
        ),
        # A name ends where "of" starts.
        (
            "“I am undecided,” said voter Ellen Marsh of Dover.",
            "voter Ellen Marsh of Dover",
            "Ellen Marsh",
        ),
    ],
)
def test_speakers_references_back(text, mention, speaker):
    assert _speaker_of_last_quote(text, mention) == speaker


# --- The hard cases, in fixture articles ------------------------------------------------------

COUNCIL = [
    ("We cannot ask families", "Council President Maria Delgado", "direct", "Maria Delgado"),
    ("the money would come from a reserve fund", "Delgado", "indirect", "Maria Delgado"),
    (
        "the reserve was meant for floods and fires",
        "Councilman Robert Kim",
        "indirect",
        "Robert Kim",
    ),
    ('"This is not the emergency it was built for,"', "he", "direct", "Robert Kim"),
    # "she" skips Kim, named last but a man ("Councilman", "Robert").
    ('"If this is not an emergency, I do not know what is,"', "she", "direct", "Maria Delgado"),
    (
        "the reserve would still hold about $4 million",
        "The city's budget director, Alan Whitfield",
        "indirect",
        "Alan Whitfield",
    ),
    ("he would ask the mayor to veto the measure", "Mr. Kim", "indirect", "Robert Kim"),
]
HOUSING = [
    (
        "more than 300 complaints had gone unanswered",
        "The National Tenants Union",
        "indirect",
        "National Tenants Union",
    ),
    ('"Families have been waiting all winter,"', "the group", "direct", "National Tenants Union"),
    (
        "it had hired more contractors",
        "The housing authority",
        "indirect",
        "Metropolitan Housing Authority (MHA)",
    ),
    (
        '"We take every complaint seriously,"',
        "it",
        "direct",
        "Metropolitan Housing Authority (MHA)",
    ),
    ("they had not yet been served", "MHA officials", "indirect", "MHA officials"),
    (
        "it would review the authority's repair contracts",
        "The department",
        "indirect",
        "Department of Consumer Affairs",
    ),
    ("they would hold a rally", "Tenant organizers", "indirect", "Tenant organizers"),
    ("The rally will go ahead whatever the weather", "they", "indirect", "Tenant organizers"),
]
HARVEST = [
    (
        '"We have fruit hanging on the vines and nobody to pick it,"',
        "Thomas Reyes",
        "direct",
        "Thomas Reyes",
    ),
    # Unattributed: the rest of the paragraph, and the next paragraph the open quote runs into.
    ('"Every day we wait, we lose money.', None, "direct", "Thomas Reyes"),
    ('"My father ran this farm', None, "direct", "Thomas Reyes"),
    ("he had raised wages twice", "Reyes", "indirect", "Thomas Reyes"),
    # "he" skips Governor Martin Hale, who is named inside the quotation marks.
    (
        '"Even Governor Martin Hale drove out here last week to see it,"',
        "he",
        "direct",
        "Thomas Reyes",
    ),
    (
        "the shortage reflected both stricter border enforcement",
        "Economist Linda Choi",
        "indirect",
        "Linda Choi",
    ),
    (
        '"The workers who came thirty years ago are now in their fifties,"',
        "Choi",
        "direct",
        "Linda Choi",
    ),
    ('"Their children are not going into the fields."', None, "direct", "Linda Choi"),
    ('"That is the real story here,"', "she", "direct", "Linda Choi"),
    # A quote paragraph after a paragraph of narrative has no speaker to inherit.
    ('"Harvest waits for no one."', None, "direct", None),
]


@pytest.mark.parametrize(
    ("fixture", "cases"),
    [
        ("speakers-council-vote.txt", COUNCIL),
        ("speakers-housing-lawsuit.txt", HOUSING),
        ("speakers-harvest-labor.txt", HARVEST),
    ],
    ids=[
        "titles-surnames-gendered-pronouns",
        "organisations-descriptions",
        "follow-on-and-quoted-names",
    ],
)
def test_speakers_fixture_articles(fixture, cases):
    text = (ARTICLES / fixture).read_text(encoding="utf-8")
    resolved = resolve(text, [(content, mention, kind) for content, mention, kind, _ in cases])
    got = [
        (content[:40], quote.speaker) for (content, *_), quote in zip(cases, resolved, strict=True)
    ]
    assert got == [(content[:40], speaker) for content, _, _, speaker in cases]


def test_speakers_follow_on_takes_previous_mention():
    text = (ARTICLES / "speakers-harvest-labor.txt").read_text(encoding="utf-8")
    resolved = resolve(
        text,
        [('"We have fruit hanging', "Thomas Reyes", "direct"), ('"My father ran', None, "direct")],
    )
    assert resolved[1].mention == resolved[0].mention
    assert resolved[1].mention.text == "Thomas Reyes"


def test_speakers_council_roles_and_genders():
    text = (ARTICLES / "speakers-council-vote.txt").read_text(encoding="utf-8")
    quotes = [quote_at(text, content, mention, kind) for content, mention, kind, _ in COUNCIL]
    _, speakers = resolve_speakers(text, quotes)
    roles = {speaker.name: speaker.role for speaker in speakers}
    assert roles == {
        "Maria Delgado": "Council President",
        "Robert Kim": "Councilman",
        "Alan Whitfield": "city's budget director",
    }


# --- The contract -------------------------------------------------------------------------------


def test_speakers_contract_order_count_and_spans(seed_text):
    quotes = [gold_quote(seed_text, row) for row in reversed(SEED_GOLD["quotes"])]
    resolved, speakers = resolve_speakers(seed_text, quotes)
    assert [(q.start, q.end, q.mention) for q in resolved] == [
        (q.start, q.end, q.mention) for q in quotes
    ]
    said = {q.speaker for q in resolved}
    assert {s.name for s in speakers} == said - {None}
    assert len(speakers) == len({s.name for s in speakers})
    for speaker in speakers:
        assert speaker.kind in ("person", "organization", "group")
        assert all(seed_text[m.start : m.end] == m.text for m in speaker.mentions)


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ("“Go home,” he said.", "he"),  # no one named before
        ("“We will win,” we said.", "we"),
        ("“It is late,” it said.", "it"),
    ],
)
def test_speakers_unknowable_is_none(text, mention):
    content = re.search(r"“[^”]*”", text).group()
    quotes, speakers = resolve_speakers(text, [quote_at(text, content, mention)])
    assert quotes[0].speaker is None
    assert speakers == []


def test_speakers_no_quotes():
    assert resolve_speakers("Nothing was said by John Smith.", []) == ([], [])


# --- Never crashes ----------------------------------------------------------------------------

_texts = st.text(
    alphabet=st.sampled_from(list("Ab Cd. ,“”\"'\nMr. Sen. ICE the he she it said")), max_size=300
)


@settings(max_examples=150, deadline=None)
@given(text=_texts, data=st.data())
def test_speakers_never_crashes(text, data):
    quotes = []
    for _ in range(data.draw(st.integers(0, 4))):
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, len(text)))
        mention = None
        if data.draw(st.booleans()):
            m_start = data.draw(st.integers(0, len(text)))
            mention = Span.of(text, m_start, data.draw(st.integers(m_start, len(text))))
        kind = data.draw(st.sampled_from(["direct", "indirect", "mixed"]))
        quotes.append(
            Quote(start, end, text[start:end], kind, (Span.of(text, start, end),), mention=mention)
        )
    resolved, speakers = resolve_speakers(text, quotes)
    assert len(resolved) == len(quotes)
    for speaker in speakers:
        assert all(text[m.start : m.end] == m.text for m in speaker.mentions)


# --- End to end, with the quote extractor --------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "speakers"),
    [
        ("speakers-council-vote.txt", {"Maria Delgado", "Robert Kim"}),
        ("speakers-harvest-labor.txt", {"Thomas Reyes", "Linda Choi"}),
        (
            "speakers-housing-lawsuit.txt",
            {"National Tenants Union", "Metropolitan Housing Authority (MHA)", "Tenant organizers"},
        ),
    ],
)
def test_speakers_fixture_articles_end_to_end(fixture, speakers):
    text = (ARTICLES / fixture).read_text(encoding="utf-8")
    found = extract(Article(id=fixture, text=text))
    assert speakers <= {speaker.name for speaker in found.speakers}


def test_speakers_contract_on_polnear_dev():
    """On real news: one speaker per name, every quote's speaker listed, spans index the text."""
    with open(shared_data("polnear", "dev.jsonl"), encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            found = extract(Article(id=row["id"], text=row["text"]))
            names = [speaker.name for speaker in found.speakers]
            assert len(names) == len(set(names)), row["id"]
            assert {quote.speaker for quote in found.quotes} - {None} == set(names), row["id"]
            for speaker in found.speakers:
                assert any(c.isalpha() for c in speaker.name), row["id"]
                assert all(row["text"][m.start : m.end] == m.text for m in speaker.mentions)
