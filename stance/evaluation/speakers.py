"""Scoring speaker resolution alone (``stance evaluate speakers``): gold quotes in, canonical names out.

The labelled stance statements taken from PolNeAR articles (``../shared/data/stance/
immigration_*.jsonl``) name each statement's article (``article``), its speaker mention as written
(``source``: "he") and the speaker it refers to (``speaker``: "Jeb Bush"). For each statement, the
gold attributions of its PolNeAR article (content spans, kind, first cue, first source span as the
mention) go through `stance.speakers.resolve_speakers`, and the canonical speaker of the
statement's attribution is compared with the statement's speaker. The quote extractor plays no
part, so the figure isolates the resolver.

A resolution is correct when, lower-cased and without punctuation and words such as "the", one
name's words contain the other's ("Joanne Lin" / "Lin"): the statements name a speaker sometimes
in full and sometimes by surname. Statements whose speaker is "unattributed", or that have no
source or no article among the given PolNeAR files, are not scored. Accuracy is reported overall
and by the kind of mention (name, pronoun, description).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from stance.data.polnear import GoldArticle, GoldQuote, read_polnear
from stance.data.statements import read_column, read_labelled
from stance.evaluation.metrics import ratio
from stance.records import Quote
from stance.speakers import resolve_speakers
from stance.speakers.lexicon import GROUP_PRONOUNS, ORG_PRONOUNS, PRONOUNS, RELATIVE_PRONOUNS

MENTION_KINDS = ("name", "pronoun", "description")
# Words that name nobody in particular, dropped before two names are compared. The quote
# evaluation drops more (`stance.evaluation.quotes.NAME_STOPWORDS`); each list stays the one its
# recorded figures were measured with.
FILLER_WORDS = frozenset("the a an of and mr mrs ms dr".split())
_WORD = re.compile(r"[^\W_]+")
# A capitalised word not right after a letter or apostrophe ("Lin", "ACLU"), but not the
# capitalised article opening a description ("The agency").
_CAPITALISED = re.compile(r"(?<![\w’'])[A-Z][a-z]")
_DESCRIPTION_OPENER = re.compile(r"(?:The|A|An) [a-z]")
# How many characters of a statement and of a gold content span are compared to find the
# statement's attribution: the statement rows trim or join content spans differently.
_MATCH_PREFIX = 40


def name_words(name: str | None, ignored: frozenset[str] = FILLER_WORDS) -> frozenset[str]:
    """The lower-cased words of ``name`` that are not ``ignored``."""
    return frozenset(word for word in _WORD.findall((name or "").lower()) if word not in ignored)


def same_speaker(predicted: str | None, gold: str) -> bool:
    """Whether the two names' words (see `name_words`) are one contained in the other."""
    a, b = name_words(predicted), name_words(gold)
    return bool(a and b) and (a <= b or b <= a)


def mention_kind(mention: str) -> str:
    """``pronoun``, ``name`` (a capitalised word that is not a description's article) or ``description``."""
    word = mention.strip().lower()
    if word in PRONOUNS or word in ORG_PRONOUNS or word in GROUP_PRONOUNS or word in RELATIVE_PRONOUNS:
        return "pronoun"
    if _CAPITALISED.search(mention) and not _DESCRIPTION_OPENER.match(mention):
        return "name"
    return "description"


def is_statement_quote(text: str, source: str, gold: GoldQuote) -> bool:
    """Whether ``gold`` is the attribution of a statement with this ``text`` and ``source``: the
    same source, and a content span holding the statement's start (or held by it)."""
    return " ".join(span.text for span in gold.sources).strip() == source and any(
        text[:_MATCH_PREFIX] in part.text or part.text[:_MATCH_PREFIX] in text for part in gold.parts
    )


def as_quote(text: str, gold: GoldQuote) -> Quote:
    """A gold attribution as the resolver takes a quote: its first source span is the mention."""
    start, end = min(part.start for part in gold.parts), max(part.end for part in gold.parts)
    return Quote(
        start=start,
        end=end,
        text=text[start:end],
        kind=gold.kind or "indirect",
        parts=gold.parts,
        cue=gold.cues[0] if gold.cues else None,
        mention=gold.sources[0] if gold.sources else None,
    )


def evaluate_speakers(statement_paths: Sequence[str | Path], article_paths: Sequence[str | Path]) -> dict:
    """Score `resolve_speakers` on the gold attributions of the PolNeAR articles at
    ``article_paths`` against the speakers of the labelled statements at ``statement_paths``.

    Returns a JSON-ready dict: statements scored and correct, ``accuracy``, ``by_mention`` (the same
    per kind of mention), ``unmatched`` (statements whose attribution was not found in their
    article) and ``errors``, every wrong resolution with its statement's ``file:line``.
    """
    articles: dict[str, GoldArticle] = {}
    for path in article_paths:
        articles.update((article.id, article) for article in read_polnear(path))
    statements = read_labelled(statement_paths)
    article_ids = read_column(statement_paths, "article")
    sources = read_column(statement_paths, "source")

    resolved: dict[str, list[Quote]] = {}
    scored, correct = dict.fromkeys(MENTION_KINDS, 0), dict.fromkeys(MENTION_KINDS, 0)
    unmatched = 0
    errors = []
    for statement, article_id, source in zip(statements, article_ids, sources, strict=True):
        article = articles.get(article_id)
        speaker = statement.input.speaker
        if article is None or not speaker or speaker.lower().startswith("unattributed") or not source:
            continue
        gold = article.quotes
        # The statement's attribution: the gold one with its source whose content holds its text.
        matches = [i for i, quote in enumerate(gold) if is_statement_quote(statement.input.text, source, quote)]
        if not matches:
            unmatched += 1
            continue
        if article.id not in resolved:
            resolved[article.id], _ = resolve_speakers(article.text, [as_quote(article.text, q) for q in gold])
        quote = resolved[article.id][matches[0]]
        mention = quote.mention.text if quote.mention else None
        kind = mention_kind(mention or "")
        scored[kind] += 1
        if same_speaker(quote.speaker, speaker):
            correct[kind] += 1
        else:
            errors.append(
                {"origin": statement.origin, "kind": kind, "mention": mention, "predicted": quote.speaker, "gold": speaker}
            )
    total_scored, total_correct = sum(scored.values()), sum(correct.values())
    return {
        "statements": [str(path) for path in statement_paths],
        "articles": [str(path) for path in article_paths],
        "scored": total_scored,
        "correct": total_correct,
        "accuracy": ratio(total_correct, total_scored),
        "by_mention": {
            kind: {"scored": scored[kind], "correct": correct[kind], "accuracy": ratio(correct[kind], scored[kind])}
            for kind in MENTION_KINDS
        },
        "unmatched": unmatched,
        "errors": errors,
    }
