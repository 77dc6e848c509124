"""The source check: whether a quote's speaker mention can name a source at all — a person, a
group, an organisation or a document ("Joanne Lin", "the agency", "officials", "she", "the
report") — rather than a fragment the extractors cut wrong ("Witnesses heard him", "We can't",
"the rich", "people with", "MORE").

A quote whose mention fails the check is dropped, not relabelled: a wrong cut of the speaker
usually means a wrong cut of the content too.
"""

from __future__ import annotations

import re

from stance.records import Quote
from stance.speakers.lexicon import (
    DETERMINERS,
    FUNCTION_WORDS,
    GROUP_NOUNS,
    GROUP_PRONOUNS,
    ORG_PRONOUNS,
    RELATIVE_PRONOUNS,
    ORG_HEADS,
    PERSON_NOUNS,
    PREPOSITIONS,
    PRONOUNS,
    QUOTE_MARKS,
    SPEECH_PRONOUNS,
)

# Nouns for the people, groups and documents news quotes besides named ones ("officials said",
# "critics argue", "the report found"), singular; plurals are read by dropping the -s.
SOURCE_NOUNS = frozenset(
    """
    official spokesperson representative source aide adviser advisor expert analyst critic
    supporter opponent proponent advocate resident witness neighbour neighbor protester
    demonstrator researcher scientist economist lawyer attorney prosecutor investigator officer
    doctor nurse teacher student parent worker employee member leader voter owner manager
    executive organizer organiser activist victim survivor relative friend colleague partner
    observer insider diplomat minister lawmaker legislator politician senator governor mayor
    councillor councilor chief head author writer reporter journalist editor columnist
    historian pollster strategist consultant person man woman child kid fan player coach
    resident citizen immigrant refugee farmer candidate judge jury court panel authority
    government administration agency department ministry company firm group organization
    organisation union party campaign committee council board commission office team
    police military army spokesman spokeswoman chairman chairwoman ceo president director
    report statement study survey poll memo letter document record filing lawsuit complaint
    ruling decision guideline guide release email tweet post data figure analysis review audit
    indictment affidavit website newspaper paper magazine network station outlet site finding
    utility province state city county town
    """.split()
) | PERSON_NOUNS | GROUP_NOUNS | ORG_HEADS
# Words that make a mention a clause or a fragment rather than a noun phrase.
CLAUSE_MARKERS = frozenset(
    """
    is are was were has have had will would can could should shall must may might do does did
    not never heard him them me us don’t doesn’t didn’t can’t won’t wouldn’t couldn’t isn’t
    wasn’t aren’t weren’t don't doesn't didn't can't won't wouldn't couldn't isn't wasn't aren't
    weren't
    """.split()
)
# Words a noun phrase does not end with ("people with", "It also now", "the").
DANGLING_ENDS = PREPOSITIONS | frozenset(
    "the a an this that these those his her its their our my your and or but also now then "
    "still just only even long numerous soon".split()
)
# Words a noun phrase does not begin with ("despite numerous", "and to").
DANGLING_STARTS = PREPOSITIONS | frozenset(
    "and or but despite following after before during as because if when while than".split()
)
# Lower-case words in -ly that are nouns, not adverbs ("the family", "the assembly").
LY_NOUNS = frozenset("family assembly ally rally supply monopoly".split())
# Person nouns are an open class ("the rookie defenceman"); these endings make one.
PERSON_ENDINGS = ("man", "woman", "er", "or", "ist", "ian", "ant", "ent", "ee", "ick")
# Quantifiers that stand for people ("Some said", "Others argue").
QUANTIFIER_SOURCES = frozenset("some many others several few both most all any".split())
# All-capital page words that are not names ("MORE", "WATCH").
FURNITURE_WORDS = frozenset("more watch read related advertisement photo video share".split())
SUBJECT_PRONOUNS = frozenset("i we you he she it they".split())
# A possessive can name the speaker of what follows it ("his statement", "according to her").
POSSESSIVE_SOURCES = frozenset("his her their its my our".split())
SINGLE_WORD_SOURCES = (
    frozenset(PRONOUNS)
    | SPEECH_PRONOUNS
    | GROUP_PRONOUNS
    | ORG_PRONOUNS
    | QUANTIFIER_SOURCES
    | POSSESSIVE_SOURCES
    | frozenset({"everyone", "one"})
)
_WORD = re.compile(r"[\w’'\-.&]+")
_CONTRACTION = re.compile(r"[’'](?:m|re|ve|ll|d)$", re.IGNORECASE)
_SEGMENT_END = re.compile(r",|\s(?:who|which|that|whose)\s")


def is_source_mention(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` can name a person, group, organisation or document."""
    if start and (text[start - 1].isalnum() or text[start - 1] in "’'-"):
        return False  # "s comments" cut out of "Hua's comments", "Lavalin" out of "SNC-Lavalin"
    mention = text[start:end].strip(QUOTE_MARKS + ",;:.")
    if any(mark in mention for mark in "\"“”"):
        return False
    # The head phrase: before an appositive or a relative clause ("Brooks, who still has ...").
    head = _SEGMENT_END.split(mention, maxsplit=1)[0]
    words = _WORD.findall(head)
    if not words:
        return False
    lower = [word.lower().rstrip(".") for word in words]
    if lower[0] in RELATIVE_PRONOUNS:
        return True  # "who is representing herself": the resolver finds its antecedent
    if any(word in CLAUSE_MARKERS or _CONTRACTION.search(word) for word in words):
        return False
    # "Gingrich cynically": the adverb before the cue is not part of the name.
    while len(words) > 1 and words[-1].islower() and lower[-1].endswith("ly") and lower[-1] not in LY_NOUNS:
        words, lower = words[:-1], lower[:-1]
    if lower[0] in DANGLING_STARTS or lower[-1] in DANGLING_ENDS - POSSESSIVE_SOURCES:
        return False
    if len(words) == 1 and lower[0] in SINGLE_WORD_SOURCES:
        return True
    if lower[0] in SUBJECT_PRONOUNS:
        return False  # "she understands Howell's frustrations": a pronoun heads a clause, not a name
    if words[-1].islower() and lower[-1].endswith("ed") and (len(words) == 1 or lower[-2] not in DETERMINERS):
        return False  # "Trudeau and Ardern discussed": a verb ends a clause ("the accused" is a noun)
    if any(_names(word) for word in words) or any(_source_noun(word) for word in lower):
        return True
    # "the rookie defenceman", "environmentalists", "The 32-year-old labourer"; not "the rich".
    head = lower[-1].removesuffix("s")
    return head.endswith(PERSON_ENDINGS) or (lower[0] in DETERMINERS and len(words) > 2)


def _source_noun(word: str) -> bool:
    """Whether ``word`` is one of `SOURCE_NOUNS`, singular or plural ("officials", "authorities")."""
    singulars = (word, word.removesuffix("s"), word.removesuffix("es"), word.removesuffix("ies") + "y")
    return any(singular in SOURCE_NOUNS for singular in singulars)


def _names(word: str) -> bool:
    """A capitalised word that can be part of a name (not "The", not a page word like "MORE")."""
    bare = word.rstrip(".").lower()
    return word[:1].isupper() and bare not in FUNCTION_WORDS and bare not in FURNITURE_WORDS


def attributable(text: str, quote: Quote) -> bool:
    """Whether a quote names a source: its mention passes `is_source_mention`; a quote without a
    mention is kept only when it is a quotation (a quote paragraph that continues the previous
    speaker), since a report of speech with nobody reporting it is not an attribution."""
    if quote.mention is None:
        return quote.kind == "direct"
    return is_source_mention(text, quote.mention.start, quote.mention.end)
