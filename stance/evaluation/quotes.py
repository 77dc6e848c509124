"""Scoring extracted quotes against gold attributions in the PolNeAR JSONL format.

A gold row is ``{"id", "text", "quotes": [{"content": [span...], "source": [span...] | null,
"cue": [span...] | null, "kind": ...}]}`` with character-offset spans, read by
`stance.data.polnear.read_polnear` (see ``docs/formats.md``).

A predicted quote *matches* a gold quote at threshold ``t`` when the characters its parts share
with the gold content spans cover at least ``t`` of the gold content characters. Matching is
one-to-one, greedy by best coverage. The speaker of a matched quote (at the loosest threshold) is
correct when the predicted mention overlaps the gold source span, or when the canonical speaker
name shares a word with the gold source text ("Morton" / "John Morton", "ICE" / "Immigration and
Customs Enforcement (ICE)"). Gold quotes without a source are left out of the speaker share: the
gold gives nothing to compare with.

Corpora differ on one convention: PolNeAR annotates a quote interrupted by its attribution
("…,” she said. “…") as one attribution with two content spans, GenderGapTracker as two quotes.
``split_parts`` scores each part of a predicted quote as a quote of its own, for the latter.
Precision is also reported per cue (its lemma) and per predicted kind, so that false positives
can be traced to their cause.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from stance.data.polnear import GoldQuote, read_polnear
from stance.errors import DataError
from stance.evaluation.bootstrap import CONFIDENCE, RESAMPLES, percentile_interval, resampled_rows
from stance.evaluation.metrics import f1_score, ratio
from stance.evaluation.speakers import name_words
from stance.pipeline import extract
from stance.quotes.acts import cue_lemma
from stance.records import QUOTE_KINDS, Analysis, Article, Quote, Span

DEFAULT_THRESHOLDS = (0.3, 0.8)
# Words that name nobody in particular: a canonical name and a gold source sharing only these
# do not designate the same speaker (a longer list than `stance.evaluation.speakers.FILLER_WORDS`;
# each evaluation keeps the list its recorded figures were measured with).
NAME_STOPWORDS = frozenset(
    "the a an of and for in on at to by with from said says mr mrs ms dr his her its their".split()
)


def predicted_parts(quote: Quote) -> tuple[Span, ...]:
    """The content spans of a predicted quote (its whole span when it has no parts)."""
    return quote.parts or (Span(quote.start, quote.end, quote.text),)


def separate_parts(quote: Quote) -> list[Quote]:
    """Each part of ``quote`` as a quote of its own, with the quote's cue, mention and speaker."""
    if len(quote.parts) < 2:
        return [quote]
    return [
        replace(quote, start=part.start, end=part.end, text=part.text, parts=(part,))
        for part in quote.parts
    ]


def coverage(predicted: Sequence[Span], gold: Sequence[Span]) -> float:
    """Share of the gold characters that the predicted spans cover (spans within a side don't overlap)."""
    gold_chars = sum(span.end - span.start for span in gold)
    if not gold_chars:
        return 0.0
    shared = sum(max(0, min(p.end, g.end) - max(p.start, g.start)) for p in predicted for g in gold)
    return min(shared, gold_chars) / gold_chars


def match_quotes(
    predicted: Sequence[Quote], gold: Sequence[GoldQuote], threshold: float
) -> list[tuple[int, int]]:
    """One-to-one (predicted index, gold index) pairs whose coverage reaches ``threshold``,
    taken greedily from the best coverage down."""
    candidates = []
    for p_index, quote in enumerate(predicted):
        parts = predicted_parts(quote)
        for g_index, gold_quote in enumerate(gold):
            if quote.end <= gold_quote.parts[0].start or gold_quote.parts[-1].end <= quote.start:
                continue
            score = coverage(parts, gold_quote.parts)
            if score >= threshold and score > 0:
                candidates.append((score, p_index, g_index))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_predicted: set[int] = set()
    used_gold: set[int] = set()
    pairs = []
    for _, p_index, g_index in candidates:
        if p_index in used_predicted or g_index in used_gold:
            continue
        used_predicted.add(p_index)
        used_gold.add(g_index)
        pairs.append((p_index, g_index))
    return pairs


def speaker_correct(quote: Quote, gold: GoldQuote) -> bool:
    """Whether the predicted attribution points at the gold source (see the module docstring)."""
    mention = quote.mention
    if mention is not None and any(
        min(mention.end, s.end) > max(mention.start, s.start) for s in gold.sources
    ):
        return True
    if quote.speaker:
        speaker = name_words(quote.speaker, NAME_STOPWORDS)
        return any(speaker & name_words(s.text, NAME_STOPWORDS) for s in gold.sources)
    return False


def evaluate_quotes(
    gold_path: str | Path,
    *,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    extractor: Callable[[Article], Analysis] = extract,
    limit: int | None = None,
    resamples: int = RESAMPLES,
    split_parts: bool = False,
) -> dict:
    """Score ``extractor`` (by default `stance.pipeline.extract`: rules + speaker resolution) on
    the gold file; returns a JSON-ready dict of counts, P/R/F1 and recall per kind at each
    threshold, the speaker share and precision per cue and per predicted kind at the lowest
    threshold, with ``intervals`` (95% bootstrap over articles) for F1 and the speaker share
    unless ``resamples`` is 0. ``limit`` scores the first articles only; ``split_parts`` scores
    each part of a predicted quote as a separate quote (the GenderGapTracker convention)."""
    thresholds = sorted(thresholds)
    if not thresholds or not all(0 < t <= 1 for t in thresholds):
        raise DataError(f"expected overlap thresholds in (0, 1], found {list(thresholds)}")
    kinds = [*QUOTE_KINDS, "other"]
    counts = {t: {"matched": 0, "by_kind": dict.fromkeys(kinds, 0)} for t in thresholds}
    gold_by_kind = dict.fromkeys(kinds, 0)
    n_gold = n_predicted = documents = unplaced = 0
    # Predicted and matched (at the lowest threshold) quotes per cue lemma and per kind.
    predicted_by = {"cue": Counter(), "kind": Counter()}
    matched_by = {"cue": Counter(), "kind": Counter()}
    speaker_scored = speaker_hits = speaker_unscored = 0
    # Per article: predicted, gold, matched per threshold, speakers scored and correct.
    per_article: list[tuple[int, int, dict[float, int], int, int]] = []
    started = time.perf_counter()
    for article in read_polnear(gold_path):
        if limit is not None and documents >= limit:
            break
        documents += 1
        unplaced += article.unplaced
        predicted = extractor(
            Article(id=article.id, text=article.text, origin=article.origin)
        ).quotes
        if split_parts:
            predicted = tuple(piece for quote in predicted for piece in separate_parts(quote))
        n_predicted += len(predicted)
        for quote in predicted:
            predicted_by["cue"][_cue_name(quote)] += 1
            predicted_by["kind"][quote.kind] += 1
        n_gold += len(article.quotes)
        for gold_quote in article.quotes:
            gold_by_kind[_kind(gold_quote)] += 1
        matched_here, scored_here, hits_here = {}, 0, 0
        for threshold in thresholds:
            pairs = match_quotes(predicted, article.quotes, threshold)
            matched_here[threshold] = len(pairs)
            counts[threshold]["matched"] += len(pairs)
            for _, g_index in pairs:
                counts[threshold]["by_kind"][_kind(article.quotes[g_index])] += 1
            if threshold == thresholds[0]:
                for p_index, _ in pairs:
                    matched_by["cue"][_cue_name(predicted[p_index])] += 1
                    matched_by["kind"][predicted[p_index].kind] += 1
                for p_index, g_index in pairs:
                    gold_quote = article.quotes[g_index]
                    if not gold_quote.sources:
                        speaker_unscored += 1
                        continue
                    scored_here += 1
                    hits_here += speaker_correct(predicted[p_index], gold_quote)
        speaker_scored += scored_here
        speaker_hits += hits_here
        per_article.append((len(predicted), len(article.quotes), matched_here, scored_here, hits_here))
    by_threshold = {}
    for threshold in thresholds:
        matched = counts[threshold]["matched"]
        precision, recall = ratio(matched, n_predicted), ratio(matched, n_gold)
        by_threshold[str(threshold)] = {
            "matched": matched,
            "precision": precision,
            "recall": recall,
            "f1": f1_score(precision, recall),
            "recall_by_kind": {
                kind: ratio(counts[threshold]["by_kind"][kind], gold_by_kind[kind])
                for kind in kinds
                if gold_by_kind[kind]
            },
        }
    report = {
        "gold": str(gold_path),
        "documents": documents,
        "gold_quotes": n_gold,
        "gold_unplaced": unplaced,
        "predicted_quotes": n_predicted,
        "split_parts": split_parts,
        "gold_by_kind": {kind: n for kind, n in gold_by_kind.items() if n},
        "thresholds": by_threshold,
        "speaker": {
            "threshold": thresholds[0],
            "scored": speaker_scored,
            "correct": speaker_hits,
            "share": ratio(speaker_hits, speaker_scored),
            "without_gold_source": speaker_unscored,
        },
        "precision_by_cue": _precision_by(predicted_by["cue"], matched_by["cue"]),
        "precision_by_kind": _precision_by(predicted_by["kind"], matched_by["kind"]),
        "seconds": time.perf_counter() - started,
    }
    if resamples:
        report["intervals"] = article_intervals(per_article, thresholds, resamples)
    return report


def article_intervals(per_article: Sequence[tuple], thresholds: Sequence[float], resamples: int) -> dict:
    """95% bootstrap intervals of F1 at each threshold and of the speaker share, resampling articles."""
    f1s: dict[float, list[float]] = {threshold: [] for threshold in thresholds}
    shares = []
    for rows in resampled_rows([[i] for i in range(len(per_article))], resamples):
        drawn = [per_article[i] for i in rows]
        predicted, gold = sum(row[0] for row in drawn), sum(row[1] for row in drawn)
        for threshold in thresholds:
            matched = sum(row[2][threshold] for row in drawn)
            f1s[threshold].append(f1_score(ratio(matched, predicted), ratio(matched, gold)))
        scored = sum(row[3] for row in drawn)
        if scored:  # the share is undefined for a draw of articles with no scored speaker
            shares.append(sum(row[4] for row in drawn) / scored)
    return {
        "confidence": CONFIDENCE,
        "resamples": resamples,
        "units": len(per_article),
        "f1": {str(threshold): percentile_interval(values) for threshold, values in f1s.items()},
        "speaker_share": percentile_interval(shares) if shares else None,
    }


def _precision_by(predicted: Counter, matched: Counter) -> dict:
    """``{group: {predicted, matched, precision}}``, the groups with most false positives first."""
    order = sorted(predicted, key=lambda group: (matched[group] - predicted[group], group))
    return {
        group: {
            "predicted": predicted[group],
            "matched": matched[group],
            "precision": ratio(matched[group], predicted[group]),
        }
        for group in order
    }


def _cue_name(quote: Quote) -> str:
    return cue_lemma(quote.cue.text) if quote.cue else "(no cue)"


def _kind(quote: GoldQuote) -> str:
    return quote.kind if quote.kind in QUOTE_KINDS else "other"
