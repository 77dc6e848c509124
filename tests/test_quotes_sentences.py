"""Quotation-mark segments and sentences of a paragraph, the units the quote rules read."""

from __future__ import annotations

import pytest

from stance.quotes.sentences import quote_segments, sentence_spans


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("He said “yes” and “no.”", [("“yes”", True), ("“no.”", True)]),
        ('She said "it is over', [('"it is over', False)]),
        ("“One “two” three", [("“One ", False), ("“two”", True)]),
        ("A stray ” mark and “a quote”", [("“a quote”", True)]),
        ("''Doubled,'' he said.", [("''Doubled,''", True)]),
        ("", []),
    ],
)
def test_quotes_segments_pair_marks_within_a_paragraph(paragraph, expected):
    found = [
        (paragraph[s.start : s.end], s.closed) for s in quote_segments(paragraph, 0, len(paragraph))
    ]
    assert found == expected


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("Mr. Smith said no. Dr. Jones agreed.", ["Mr. Smith said no.", "Dr. Jones agreed."]),
        (
            "“It ended. We left,” he said. Then he sat.",
            ["“It ended. We left,” he said.", "Then he sat."],
        ),
        ("The U.S. Army said so. J. Smith left.", ["The U.S. Army said so.", "J. Smith left."]),
    ],
)
def test_quotes_sentences_ignore_stops_in_quotes_and_abbreviations(paragraph, expected):
    segments = list(quote_segments(paragraph, 0, len(paragraph)))
    found = [paragraph[a:b] for a, b in sentence_spans(paragraph, 0, len(paragraph), segments)]
    assert found == expected
