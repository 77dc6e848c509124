"""The words speaker resolution knows: titles, offices, organisation heads, pronouns, first names,
and the precompiled patterns built from them. Pure data, read by every other module here."""

from __future__ import annotations

import re

from stance.text import UPPER

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
