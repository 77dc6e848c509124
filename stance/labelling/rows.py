"""The statements to label: one row per quote the pipeline finds, with the model's suggestion, and
the order a person labels them in.

A row's id is ``<article id>:<start>-<end>``, the character offsets of the quote in the article:
the same article gives the same ids on every run, so a rerun knows which statements are labelled.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Literal

from stance.classify import stance_input
from stance.records import Analysis, Failure, Quote

# random is the default: a model retrained on statements chosen by uncertainty did not beat one
# retrained on a random choice (docs/labelling.md#why-random-first-by-default).
LabelOrder = Literal["random", "uncertain", "article"]
LABEL_ORDERS: tuple[LabelOrder, ...] = ("random", "uncertain", "article")

# The columns of a label file: `stance train`'s statement fields first, so the file trains as it
# is, then the model's suggestion and the person's answer.
LABEL_COLUMNS = ("id", "article", "speaker", "cue", "text", "context", "target", "suggested", "probability", "label")


@dataclass(frozen=True)
class LabelRow:
    """One statement to label: what `stance train` reads, the model's most probable label
    (``suggested``) with its probability, and the person's ``label`` ("" until answered)."""

    id: str
    article: str
    text: str
    target: str
    speaker: str | None = None
    cue: str | None = None
    context: str | None = None
    suggested: str | None = None
    probability: float | None = None
    label: str = ""

    def to_dict(self) -> dict:
        """The row as the label file holds it, in `LABEL_COLUMNS` order."""
        values = asdict(self)
        return {name: values[name] for name in LABEL_COLUMNS}

    def answered(self, label: str) -> LabelRow:
        return replace(self, label=label)


@dataclass(frozen=True)
class Candidate:
    """A row and the model's scores behind its suggestion, which order the rows."""

    row: LabelRow
    scores: Mapping[str, float]


def statement_id(article_id: str, quote: Quote) -> str:
    """The stable id of a quote: its article and character offsets."""
    return f"{article_id}:{quote.start}-{quote.end}"


def label_candidates(analyses: Iterable[Analysis | Failure]) -> tuple[list[Candidate], list[Failure]]:
    """One `Candidate` per quote of the classified ``analyses`` (in reading order), and the
    documents that failed. The statement is what the stance stage read (`stance_input`): the
    quote's content, its speaker, cue and paragraph."""
    candidates: list[Candidate] = []
    failures: list[Failure] = []
    for analysis in analyses:
        if isinstance(analysis, Failure):
            failures.append(analysis)
            continue
        target = analysis.target or ""
        for quote in analysis.quotes:
            item = stance_input(analysis.text, quote, target)
            scores = dict(quote.scores or {})
            row = LabelRow(
                id=statement_id(analysis.id, quote),
                article=analysis.id,
                text=item.text,
                target=item.target,
                speaker=item.speaker,
                cue=item.cue,
                context=item.context,
                suggested=quote.stance,
                probability=round(scores[quote.stance], 4) if quote.stance in scores else None,
            )
            candidates.append(Candidate(row, scores))
    return candidates, failures


def margin(scores: Mapping[str, float]) -> float:
    """How sure the model is: the most probable label's probability less the runner-up's (0 =
    a tie, 1 = certain).

    The margin rather than the entropy ranks ``uncertain`` statements: it looks only at the two
    labels the model hesitates between, the ones a person's answer settles, while entropy also
    rises when the third label takes some probability. The two disagree often enough to matter
    (121 of their top 200 statements shared, `benchmarks/active_learning.py`); only the margin's
    choice was measured by retraining (docs/labelling.md).
    """
    top = sorted(scores.values(), reverse=True)
    return top[0] - top[1] if len(top) > 1 else 1.0


def order_candidates(candidates: Sequence[Candidate], order: LabelOrder) -> list[Candidate]:
    """``candidates`` in the order a person labels them.

    ``random`` is a fixed shuffle, by the sha256 of each id: the same statements come in the same
    order on every run, and the first N are a random sample of all the articles' statements (in
    reading order they would be the first articles'). ``uncertain`` puts the smallest `margin`
    first (ties in reading order); ``article`` keeps reading order.
    """
    if order == "article":
        return list(candidates)
    if order == "random":
        return sorted(candidates, key=lambda candidate: hashlib.sha256(candidate.row.id.encode("utf-8")).hexdigest())
    return sorted(candidates, key=lambda candidate: margin(candidate.scores))  # sorted() is stable


def quote_spans(text: str, context: str) -> list[tuple[int, int]]:
    """Where the quote ``text`` lies in ``context``, as ``(start, end)`` offsets into ``context``,
    for highlighting: a quote interrupted by its attribution ("…,” Lin said. “…”) is several spans.

    Greedy: from each word of the quote, the longest run of words found in ``context`` after the
    previous span. Runs shorter than three words (unless the quote is shorter) are not trusted:
    "the" is found anywhere. Whitespace is compared normalised, as the context stores it.
    """
    words = text.split()
    shortest = min(3, len(words))
    spans: list[tuple[int, int]] = []
    start_word, cursor = 0, 0
    while start_word < len(words):
        best = None
        for end_word in range(start_word + 1, len(words) + 1):
            run = " ".join(words[start_word:end_word])
            found = context.find(run, cursor)
            if found < 0:
                break
            best = (found, found + len(run), end_word)
        if best is None or best[2] - start_word < shortest:
            start_word += 1
            continue
        spans.append(best[:2])
        cursor, start_word = best[1], best[2]
    return spans
