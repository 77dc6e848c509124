"""The source check: a speaker mention must be able to name a person, group, organisation or document."""

from __future__ import annotations

import pytest

from stance.records import Quote, Span
from stance.speakers.sources import attributable, is_source_mention

# Mentions written for these tests.
SOURCES = [
    "Joanne Lin, ACLU legislative counsel,",
    "the agency",
    "he",
    "officials",
    "authorities",
    "the report",
    "Ms. May",
    "Some",
    "the rookie defenceman",
    "environmentalists",
    "Gingrich cynically",
    "who is representing herself,",
    "his",
]
FRAGMENTS = [
    "Witnesses heard him",
    "We can't",
    "the rich",
    "MORE",
    "people with",
    "despite numerous",
    "the school has a number of issues",
    "I’m",
    "It also now",
]


@pytest.mark.parametrize("mention", SOURCES)
def test_speakers_sources_accepts_sources(mention):
    assert is_source_mention(mention, 0, len(mention))


@pytest.mark.parametrize("mention", FRAGMENTS)
def test_speakers_sources_rejects_fragments(mention):
    assert not is_source_mention(mention, 0, len(mention))


def test_speakers_sources_rejects_a_mention_cut_inside_a_word():
    text = "Hua's comments add to the strain."
    start = text.index("s comments")
    assert not is_source_mention(text, start, start + len("s comments"))


def test_speakers_sources_a_report_without_a_mention_needs_quote_marks():
    text = "“We will win,” the crowd chanted. Taxes will rise."
    direct = Span.of(text, 0, text.index(" the crowd"))
    reported = Span.of(text, text.index("Taxes"), len(text) - 1)
    assert attributable(text, Quote(direct.start, direct.end, direct.text, "direct", (direct,)))
    assert not attributable(text, Quote(reported.start, reported.end, reported.text, "indirect", (reported,)))
