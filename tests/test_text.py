"""Sentences and paragraphs of news text: where a sentence ends, and which full stops belong to an
abbreviation."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stance.quotes.sentences import quote_segments, sentence_spans
from stance.speakers.lexicon import NAME_ABBREVIATIONS
from stance.text import (
    ABBREVIATIONS,
    PARAGRAPH,
    is_abbreviation,
    sentence_of,
    sentence_starts,
)


def sentences(text: str) -> list[str]:
    starts = sentence_starts(text)
    return [text[a:b].strip() for a, b in pairwise([*starts, len(text)])]


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Smith said so.",
        "The U.S. government said so.",
        "Sen. Ted Cruz, R-Texas, said so.",
        "A student from Fresno, Calif., said so.",
        "Gov. Jerry Brown of Calif. Democrats said so.",
        "George H.W. Bush said so.",
        "Donald J. Trump said so.",
        "The vote is on Nov. 8 this year.",
        "Roe v. Wade stands.",
        "Clinton vs. Trump is the race.",
        "It starts at 9 p.m. Eastern time.",
        "They ranked No. 2 in the poll.",
        "He met then-Sen. Barack Obama.",
        "“Mr. Trump is wrong,” she said.",
    ],
)
def test_text_an_abbreviation_does_not_end_a_sentence(text):
    assert sentences(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He left. She stayed.", ["He left.", "She stayed."]),
        ("Why? Nobody knows! Really.", ["Why?", "Nobody knows!", "Really."]),
        ("“We won.” Then he left.", ["“We won.”", "Then he left."]),
        ("He said no. The vote failed.", ["He said no.", "The vote failed."]),
        ("It was hard to miss. He knew.", ["It was hard to miss.", "He knew."]),
        ("He was ill. Doctors came.", ["He was ill.", "Doctors came."]),
        ("It rose in 2016. Then it fell.", ["It rose in 2016.", "Then it fell."]),
        # a state after a place ends its sentence; a dateline's agency does not
        ("It is in Lodi, N.J. Its phone is dead.", ["It is in Lodi, N.J.", "Its phone is dead."]),
        ("He spoke in Selma, Ala. But he left.", ["He spoke in Selma, Ala.", "But he left."]),
        ("RENO, Nev. (AP) — Voters came.", ["RENO, Nev. (AP) — Voters came."]),
        ("a headline\nMr. Smith said so", ["a headline", "Mr. Smith said so"]),
        ("Sen.\nSmith said so", ["Sen.", "Smith said so"]),
        ("One.\n\n  Two.", ["One.", "Two."]),
    ],
)
def test_text_stops_and_line_breaks_end_sentences(text, expected):
    assert sentences(text) == expected


def test_text_a_stop_before_a_lower_case_word_does_not_end_a_sentence():
    assert sentences("It cost $3.5 million. and more") == ["It cost $3.5 million. and more"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Mr", True), ("Sen", True), ("Calif", True), ("U.S", True), ("J", True), ("H.W", True),
        ("a.m", True), ("vs", True), ("SEN", True), ("miss", False), ("ill", False), ("s", False),
        ("said", False), ("whitehouse.gov", False),
    ],
)  # fmt: skip
def test_text_is_abbreviation(word, expected):
    assert is_abbreviation(word) is expected


def test_text_sentence_of_finds_the_sentence_holding_an_offset():
    text = "Mr. Smith left. Ms. Jones stayed."
    starts = sentence_starts(text)
    assert starts == [0, text.index("Ms.")]
    assert [sentence_of(starts, text.index(w)) for w in ("Smith", "left", "Jones", "stayed")] == [
        0, 0, 1, 1,
    ]  # fmt: skip


def test_text_paragraphs_are_lines_with_text():
    text = "Headline\n\n \nFirst paragraph.\n\u00a0\nSecond."
    found = [m.group() for m in PARAGRAPH.finditer(text)]
    assert found == ["Headline", "First paragraph.", "Second."]


def test_text_name_abbreviations_are_sentence_abbreviations():
    assert NAME_ABBREVIATIONS <= ABBREVIATIONS


@pytest.mark.parametrize(
    "expected",
    [
        ["“It ended. We left,” he said.", "Then he sat."],
        ["Calif. Gov. Jerry Brown said so.", "Sen. Cruz did not."],
        ["“We won,” said Sen. Graham, R-S.C.", "“I know it.”"],
    ],
)
def test_text_quote_sentences_skip_stops_inside_quotation_marks_only(expected):
    paragraph = " ".join(expected)
    segments = list(quote_segments(paragraph, 0, len(paragraph)))
    found = [paragraph[a:b] for a, b in sentence_spans(paragraph, 0, len(paragraph), segments)]
    assert found == expected


@given(st.text(alphabet=st.sampled_from(list("ab AB.!?\n“”\"'()0")), max_size=60))
def test_text_sentence_starts_ascend_inside_the_text(text):
    starts = sentence_starts(text)
    assert starts[0] == 0
    assert all(a < b < len(text) for a, b in pairwise(starts))
