"""Speaker aggregation: each speaker's stance from the stances of their quotes.

The rule, for one speaker in one article:

1. **Scores.** Every classified quote attributed to the speaker contributes its probability
   vector (favor, against, neutral), weighted by how sure the classifier was about it:
   ``weight = max(1 - H(p) / log 3, MIN_QUOTE_WEIGHT)``, where ``H`` is the entropy. A confident
   quote weighs about 1, a quote spread evenly over the three labels almost nothing; the floor
   keeps the mean defined. The speaker's scores (the shares in the table) are the weighted mean.
2. **Stance: neutral quotes are no evidence.** Following the annotation guidelines, *neutral*
   means a statement shows no evident position (facts, numbers, procedure). So a speaker's
   factual statements do not outvote the ones where they take a side: the stance is decided by
   the quotes whose own label is favor or against, alone. Their weighted mean favor and against
   scores are compared; the leading side wins if it leads by at least ``POLAR_MARGIN``.
3. **Neutral rule.** The speaker is neutral when none of their quotes takes a side, or when the
   two sides are within ``POLAR_MARGIN`` of each other (someone arguing both sides about equally
   has no clear stance).
4. **Confidence: the probability of the stance shown, from the quotes that decided it**
   (`decide_stance`, the one place it is computed): the stance's weighted mean probability over
   the quotes that take a side, or over all the speaker's quotes when none does. Factual quotes
   thus dilute a side's confidence no more than they decide its stance; a speaker shown neutral
   because the sides are within the margin gets the (low) neutral probability of quotes that do
   take sides. ``benchmarks/speaker_confidence.py`` measures how well this matches speaker
   accuracy on held-out statements, against the alternatives considered.

So a speaker with one quote has that quote's label (unless favor and against are within the
margin). ``docs/experiments/aggregation-rules.md`` compares this rule with plain and weighted argmax
of the mean and with majority voting on held-out labelled statements.

Quotes with no resolved speaker, or not classified, are not aggregated. ``counts`` keeps the
number of the speaker's quotes per label (each quote's own stance), ``quotes`` their number.

Across a corpus (`merge_corpus`), the same speaker (same canonical name, ignoring case and
spacing) is merged: quotes, counts and articles add up, the scores are the mean of the
per-article scores weighted by each article's number of quotes, and the stance and its
confidence are decided the same way one level up: by the articles where the speaker took a side.
Merge only articles analysed for the same target: a stance is always toward a target.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from stance.records import STANCE_LABELS, Quote, Speaker, SpeakerStance, StanceLabel, most_probable

# Favor/against must lead the other polar side by this much of the speaker's score, else neutral.
POLAR_MARGIN = 0.10
# The least a classified quote weighs, so a speaker whose quotes are all uncertain still has scores.
MIN_QUOTE_WEIGHT = 0.05
# Kind given to a speaker that quotes name but the speakers stage did not list.
FALLBACK_KIND = "person"


@dataclass(frozen=True)
class Decision:
    """A speaker's stance and the confidence behind it (step 4 of the rule above)."""

    stance: StanceLabel
    confidence: float


def aggregate_speakers(
    quotes: Sequence[Quote], speakers: Sequence[Speaker], *, margin: float = POLAR_MARGIN
) -> list[SpeakerStance]:
    """Each speaker's stance in one article from their classified quotes.

    Speakers come out in the order of ``speakers`` (then any speaker a quote names that is not
    listed, in quote order); speakers with no classified quote are left out.
    """
    by_name: dict[str, list[Quote]] = {}
    for quote in quotes:
        if quote.speaker is not None and quote.scores is not None:
            by_name.setdefault(quote.speaker, []).append(quote)
    known = {speaker.name: speaker for speaker in speakers}
    ordered = [speaker.name for speaker in speakers if speaker.name in by_name]
    ordered += [name for name in by_name if name not in known]

    stances = []
    for name in ordered:
        said = by_name[name]
        vectors = [probabilities(quote.scores) for quote in said]
        labels = [quote.stance or most_probable(vector) for quote, vector in zip(said, vectors)]
        weights = [quote_weight(vector) for vector in vectors]
        speaker = known.get(name)
        decision = decide_stance(labels, vectors, weights, margin=margin)
        stances.append(
            SpeakerStance(
                name=name,
                kind=speaker.kind if speaker else FALLBACK_KIND,
                role=speaker.role if speaker else None,
                stance=decision.stance,
                scores=_weighted_mean(vectors, weights),
                quotes=len(said),
                counts=_count_labels(labels),
                confidence=decision.confidence,
            )
        )
    return stances


def merge_corpus(
    per_article: Iterable[Sequence[SpeakerStance]], *, margin: float = POLAR_MARGIN
) -> list[SpeakerStance]:
    """The same speaker (by canonical name) merged across articles.

    Speakers come out by number of articles, then quotes (most first), then name. The name, kind
    and role shown are the first seen (the first non-empty role).
    """
    groups: dict[str, list[SpeakerStance]] = {}
    for stances in per_article:
        for stance in stances:
            groups.setdefault(_name_key(stance.name), []).append(stance)

    merged = []
    for group in groups.values():
        first = group[0]
        vectors = [probabilities(stance.scores) for stance in group]
        weights = [max(stance.quotes, 1) for stance in group]
        counts = {label: sum(stance.counts.get(label, 0) for stance in group) for label in STANCE_LABELS}
        decision = decide_stance([s.stance for s in group], vectors, weights, margin=margin)
        merged.append(
            SpeakerStance(
                name=first.name,
                kind=first.kind,
                role=next((stance.role for stance in group if stance.role), None),
                stance=decision.stance,
                scores=_weighted_mean(vectors, weights),
                quotes=sum(stance.quotes for stance in group),
                counts=counts,
                articles=sum(stance.articles for stance in group),
                confidence=decision.confidence,
            )
        )
    return sorted(merged, key=lambda s: (-s.articles, -s.quotes, s.name.casefold()))


def quote_weight(vector: Mapping[str, float]) -> float:
    """How much one quote counts: 1 minus its normalised entropy, at least ``MIN_QUOTE_WEIGHT``."""
    entropy = -sum(p * math.log(p) for p in vector.values() if p > 0)
    return max(1.0 - entropy / math.log(len(STANCE_LABELS)), MIN_QUOTE_WEIGHT)


def decide_stance(
    labels: Sequence[str],
    vectors: Sequence[Mapping[str, float]],
    weights: Sequence[float],
    *,
    margin: float = POLAR_MARGIN,
) -> Decision:
    """The side taken by the evidence (quotes, or articles) whose own label is favor or against,
    and the confidence behind it (steps 2 to 4 of the rule in the module docstring).

    ``labels[i]``, ``vectors[i]`` and ``weights[i]`` describe one piece of evidence (at least
    one). Neutral when none takes a side or when the weighted favor and against scores of those
    that do are within ``margin`` of each other.
    """
    polar = [index for index, label in enumerate(labels) if label != "neutral"]
    deciding = polar or range(len(vectors))
    mean = _weighted_mean([vectors[i] for i in deciding], [weights[i] for i in deciding])
    stance: StanceLabel = "neutral"
    # The tolerance keeps a lead of exactly ``margin`` from losing to float rounding.
    if polar and mean["favor"] - mean["against"] >= margin - 1e-9:
        stance = "favor"
    elif polar and mean["against"] - mean["favor"] >= margin - 1e-9:
        stance = "against"
    return Decision(stance, mean[stance])


def probabilities(scores: Mapping[str, float]) -> dict[str, float]:
    """``scores`` over exactly the stance labels, summing to 1 (uniform when all are zero)."""
    values = {label: max(float(scores.get(label, 0.0)), 0.0) for label in STANCE_LABELS}
    total = sum(values.values())
    if total <= 0:
        return {label: 1.0 / len(STANCE_LABELS) for label in STANCE_LABELS}
    return {label: value / total for label, value in values.items()}


def _weighted_mean(vectors: Sequence[Mapping[str, float]], weights: Sequence[float]) -> dict[str, float]:
    total = sum(weights)
    return {
        label: sum(w * vector[label] for vector, w in zip(vectors, weights)) / total
        for label in STANCE_LABELS
    }


def _count_labels(labels: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(STANCE_LABELS, 0)
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return counts


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()
