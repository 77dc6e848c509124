import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stance.aggregate import (
    MIN_QUOTE_WEIGHT,
    POLAR_MARGIN,
    aggregate_speakers,
    decide_stance,
    merge_corpus,
    quote_weight,
)
from stance.records import STANCE_LABELS, Quote, Span, Speaker, SpeakerStance

TEXT = "x" * 200


def quote(speaker, favor, against, neutral, at=0):
    scores = {"favor": favor, "against": against, "neutral": neutral}
    return Quote(
        at, at + 5, TEXT[at : at + 5], "direct", (Span.of(TEXT, at, at + 5),),
        speaker=speaker, stance=max(scores, key=scores.get), scores=scores,
    )  # fmt: skip


def speaker_stance(name, scores, quotes, articles=1, role=None):
    stance = max(scores, key=scores.get)
    return SpeakerStance(
        name, "person", role, stance, scores, quotes,
        counts={"favor": 0, "against": 0, "neutral": 0} | {stance: quotes}, articles=articles,
    )  # fmt: skip


def vector(favor, against, neutral):
    return {"favor": favor, "against": against, "neutral": neutral}


@pytest.mark.parametrize(
    "vectors, expected",
    [
        ([vector(0.7, 0.1, 0.2)], "favor"),
        ([vector(0.1, 0.6, 0.3)], "against"),
        ([vector(0.2, 0.2, 0.6)], "neutral"),
        # a confident factual (neutral) quote does not outvote the quote that takes a side
        ([vector(0.9, 0.05, 0.05), vector(0.02, 0.02, 0.96)], "favor"),
        ([vector(0.05, 0.6, 0.35), vector(0.01, 0.01, 0.98), vector(0.01, 0.01, 0.98)], "against"),
        ([vector(0.02, 0.02, 0.96), vector(0.1, 0.1, 0.8)], "neutral"),
        # both sides about equally: neutral rule
        ([vector(0.9, 0.05, 0.05), vector(0.05, 0.9, 0.05)], "neutral"),
        # a side whose lead over the other is below the margin: neutral rule
        ([vector(0.45, 0.40, 0.15)], "neutral"),
        ([vector(0.40, 0.45, 0.15)], "neutral"),
        # exactly the margin is enough
        ([vector(0.5, 0.5 - POLAR_MARGIN, POLAR_MARGIN)], "favor"),
    ],
)
def test_aggregate_stance_from_quotes_that_take_a_side(vectors, expected):
    quotes = [quote("Ann", *v.values(), at=i) for i, v in enumerate(vectors)]
    [ann] = aggregate_speakers(quotes, [])
    assert ann.stance == expected
    assert decide_stance([q.stance for q in quotes], vectors, [quote_weight(v) for v in vectors]).stance == expected


@pytest.mark.parametrize(
    "vectors, stance, confidence",
    [
        # one quote: its probability of the stance shown
        ([vector(0.7, 0.1, 0.2)], "favor", 0.7),
        ([vector(0.1, 0.6, 0.3)], "against", 0.6),
        ([vector(0.2, 0.1, 0.7)], "neutral", 0.7),
        # no quote takes a side: the weighted neutral probability of them all
        ([vector(0.02, 0.02, 0.96), vector(0.1, 0.1, 0.8)], "neutral", (0.96 * 0.82189 + 0.8 * 0.41833) / 1.24022),
        # a factual quote doesn't dilute the side: the one quote that takes a side decides
        ([vector(0.9, 0.05, 0.05), vector(0.02, 0.02, 0.96), vector(0.02, 0.02, 0.96)], "favor", 0.9),
        # sides within the margin: the neutral probability of the quotes that take sides, low
        ([vector(0.45, 0.40, 0.15)], "neutral", 0.15),
        ([vector(0.9, 0.05, 0.05), vector(0.05, 0.9, 0.05)], "neutral", 0.05),
        # docs/formats.md's worked example: weights 0.641, 0.183, 0.641; F 0.767, A 0.172
        ([vector(0.90, 0.05, 0.05), vector(0.30, 0.60, 0.10), vector(0.05, 0.05, 0.90)], "favor", 0.76694),
    ],
)
def test_aggregate_confidence_is_the_probability_of_the_stance_shown(vectors, stance, confidence):
    quotes = [quote("Ann", *v.values(), at=i) for i, v in enumerate(vectors)]
    [ann] = aggregate_speakers(quotes, [])
    assert (ann.stance, ann.confidence) == (stance, pytest.approx(confidence, abs=1e-5))


def test_aggregate_worked_example_confidence_is_not_the_diluted_share():
    quotes = [quote("Ann", 0.90, 0.05, 0.05), quote("Ann", 0.30, 0.60, 0.10, at=10), quote("Ann", 0.05, 0.05, 0.90, at=20)]
    [ann] = aggregate_speakers(quotes, [])
    assert [round(quote_weight(q.scores), 3) for q in quotes] == [0.641, 0.183, 0.641]
    # the table's favor share is below one half (the factual quote dilutes it); the confidence is not
    assert ann.scores == pytest.approx({"favor": 0.4532, "against": 0.1186, "neutral": 0.4282}, abs=1e-4)
    assert ann.confidence == pytest.approx((0.90 * 0.641 + 0.30 * 0.183) / (0.641 + 0.183), abs=1e-3)


@pytest.mark.parametrize(
    "probabilities, expected",
    [
        ({"favor": 1.0, "against": 0.0, "neutral": 0.0}, 1.0),
        ({"favor": 1 / 3, "against": 1 / 3, "neutral": 1 / 3}, MIN_QUOTE_WEIGHT),
    ],
)
def test_aggregate_quote_weight_ends(probabilities, expected):
    assert quote_weight(probabilities) == pytest.approx(expected)


def test_aggregate_confident_quote_outweighs_unsure_one():
    sure = quote("Ann Lee", 0.9, 0.05, 0.05)
    unsure = quote("Ann Lee", 0.2, 0.45, 0.35, at=10)
    [ann] = aggregate_speakers([sure, unsure], [Speaker("Ann Lee", "person", "mayor")])
    assert ann.stance == "favor"
    assert ann.scores["favor"] > (0.9 + 0.2) / 2  # more than the plain mean
    assert math.fsum(ann.scores.values()) == pytest.approx(1.0)
    assert (ann.quotes, ann.counts) == (2, {"favor": 1, "against": 1, "neutral": 0})
    assert (ann.kind, ann.role, ann.articles) == ("person", "mayor", 1)


def test_aggregate_speaker_arguing_both_sides_is_neutral():
    quotes = [quote("Bo", 0.9, 0.05, 0.05), quote("Bo", 0.05, 0.9, 0.05, at=10)]
    [bo] = aggregate_speakers(quotes, [Speaker("Bo", "person")])
    assert bo.stance == "neutral"
    assert bo.counts == {"favor": 1, "against": 1, "neutral": 0}


def test_aggregate_skips_quotes_without_speaker_or_scores_and_keeps_speaker_order():
    unclassified = Quote(0, 5, TEXT[:5], "direct", (Span.of(TEXT, 0, 5),), speaker="Cy")
    quotes = [
        quote("Di", 0.1, 0.8, 0.1),
        quote(None, 0.9, 0.05, 0.05, at=20),
        unclassified,
        quote("The Agency", 0.8, 0.1, 0.1, at=40),
        quote("Unlisted", 0.1, 0.1, 0.8, at=60),
    ]
    speakers = [Speaker("The Agency", "organization"), Speaker("Cy", "person"), Speaker("Di", "person")]
    stances = aggregate_speakers(quotes, speakers)
    assert [(s.name, s.kind, s.stance) for s in stances] == [
        ("The Agency", "organization", "favor"),
        ("Di", "person", "against"),
        ("Unlisted", "person", "neutral"),
    ]
    assert sum(s.quotes for s in stances) == 3


def test_aggregate_no_quotes_no_stances():
    assert aggregate_speakers([], [Speaker("Ann Lee", "person")]) == []


def test_aggregate_factual_quotes_keep_their_share_but_do_not_decide():
    quotes = [quote("Cy", 0.9, 0.05, 0.05), quote("Cy", 0.02, 0.02, 0.96, at=10), quote("Cy", 0.02, 0.02, 0.96, at=20)]
    [cy] = aggregate_speakers(quotes, [])
    assert cy.stance == "favor"
    assert cy.scores["neutral"] > cy.scores["favor"]  # the shares still show every quote
    assert cy.confidence == pytest.approx(0.9)  # the factual quotes don't dilute it
    assert cy.counts == {"favor": 1, "against": 0, "neutral": 2}


def test_aggregate_merge_corpus_merges_same_name_across_articles():
    first = [
        speaker_stance("Ann Lee", {"favor": 0.8, "against": 0.1, "neutral": 0.1}, 3),
        speaker_stance("Bo", {"favor": 0.1, "against": 0.8, "neutral": 0.1}, 1),
    ]
    second = [
        speaker_stance("ann  lee", {"favor": 0.2, "against": 0.2, "neutral": 0.6}, 1, role="mayor"),
    ]
    merged = merge_corpus([first, second])
    assert [(s.name, s.articles, s.quotes) for s in merged] == [("Ann Lee", 2, 4), ("Bo", 1, 1)]
    ann = merged[0]
    # weighted by each article's quotes: (3 * 0.8 + 1 * 0.2) / 4
    assert ann.scores["favor"] == pytest.approx(0.65)
    assert (ann.stance, ann.role) == ("favor", "mayor")
    assert ann.counts == {"favor": 3, "against": 0, "neutral": 1}
    assert ann.confidence == pytest.approx(0.8)  # the one article that takes a side


def test_aggregate_merge_corpus_decides_by_the_articles_that_take_a_side():
    neutral = {"favor": 0.1, "against": 0.1, "neutral": 0.8}
    per_article = [
        [speaker_stance("Di", {"favor": 0.1, "against": 0.7, "neutral": 0.2}, 1)],
        [speaker_stance("Di", neutral, 2)],
        [speaker_stance("Di", neutral, 2)],
    ]
    [di] = merge_corpus(per_article)
    assert (di.stance, di.articles, di.quotes) == ("against", 3, 5)
    assert di.scores["neutral"] > di.scores["against"]
    assert di.confidence == pytest.approx(0.7)


def test_aggregate_merge_corpus_of_one_article_keeps_its_stances():
    stances = [speaker_stance("Bo", {"favor": 0.1, "against": 0.8, "neutral": 0.1}, 2)]
    [bo] = merge_corpus([stances])
    assert (bo.stance, bo.quotes, bo.articles) == ("against", 2, 1)
    assert bo.scores == pytest.approx(stances[0].scores)


probabilities = st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3).filter(lambda v: sum(v) > 1e-6)


@given(st.lists(probabilities, min_size=1, max_size=8))
def test_aggregate_scores_are_a_distribution_within_the_quotes_range(vectors):
    quotes = [quote("Ann", *vector, at=i) for i, vector in enumerate(vectors)]
    [ann] = aggregate_speakers(quotes, [])
    assert math.fsum(ann.scores.values()) == pytest.approx(1.0)
    for index, label in enumerate(STANCE_LABELS):
        shares = [vector[index] / sum(vector) for vector in vectors]
        assert min(shares) - 1e-9 <= ann.scores[label] <= max(shares) + 1e-9
    assert ann.quotes == sum(ann.counts.values()) == len(vectors)
    # a side needs at least one quote labelled with it
    assert ann.stance == "neutral" or ann.counts[ann.stance] > 0
    # a probability; a side shown leads the other side by the margin
    assert 0.0 <= ann.confidence <= 1.0 + 1e-9
    assert ann.stance == "neutral" or ann.confidence >= POLAR_MARGIN - 1e-9


def test_aggregate_merge_corpus_of_neutral_articles_is_as_sure_as_their_neutral_share():
    neutral = {"favor": 0.2, "against": 0.1, "neutral": 0.7}
    factual = {"favor": 0.0, "against": 0.0, "neutral": 1.0}
    [di] = merge_corpus([[speaker_stance("Di", neutral, 1)], [speaker_stance("Di", factual, 3)]])
    # weighted by each article's quotes
    assert (di.stance, di.confidence) == ("neutral", pytest.approx((0.7 + 3 * 1.0) / 4))
