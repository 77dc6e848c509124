"""From the tagger's spans to quotes: quote kinds, interrupted quotes, cue and source links,
paragraph limits; built by hand, without a model."""

from __future__ import annotations

import pytest
from conftest import assert_quotes_in_bounds, spans_of

from stance.quotes.assemble import TaggedText, assemble_quotes, quote_kind, split_at_line_breaks
from stance.records import Span


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“We will win,”", "direct"),
        ("\"Taxes are too high.\"", "direct"),
        ("that the policy was “a disaster” for families", "mixed"),
        ("that the plan would cut costs", "indirect"),
        ("the agency’s record", "indirect"),
    ],
)
def test_assemble_quote_kind_follows_the_quote_marks(text, expected):
    assert quote_kind(text, [Span(0, len(text), text)]) == expected


def test_assemble_joins_an_interrupted_quote_and_links_its_cue_and_source():
    text = "“The numbers speak for themselves,” she said. “We are not done yet.”"
    tagged = TaggedText(
        contents=spans_of(text, "“The numbers speak for themselves,”", "“We are not done yet.”"),
        sources=spans_of(text, "she"),
        cues=spans_of(text, "said"),
    )
    [quote] = assemble_quotes(text, tagged)
    assert [part.text for part in quote.parts] == [span.text for span in tagged.contents]
    assert (quote.kind, quote.cue.text, quote.mention.text) == ("direct", "said", "she")
    assert_quotes_in_bounds(text, [quote])


def test_assemble_keeps_separate_statements_with_their_own_speakers():
    text = "The governor said taxes will fall. Critics argued the cuts will hurt schools."
    tagged = TaggedText(
        contents=spans_of(text, "taxes will fall", "the cuts will hurt schools"),
        sources=spans_of(text, "The governor", "Critics"),
        cues=spans_of(text, "said", "argued"),
    )
    quotes = assemble_quotes(text, tagged)
    assert [(q.mention.text, q.cue.text, q.kind) for q in quotes] == [
        ("The governor", "said", "indirect"),
        ("Critics", "argued", "indirect"),
    ]


def test_assemble_drops_a_content_that_says_where_the_statement_was_made():
    # Written for this test: the tagger marks a cue's adjunct as content.
    text = "Rents rose, the agency said in a news release. The mayor said on Monday that rents will fall."
    tagged = TaggedText(
        contents=spans_of(text, "Rents rose", "a news release", "that rents will fall"),
        sources=spans_of(text, "the agency", "The mayor"),
        cues=(*spans_of(text, "said"), Span(text.index("said on"), text.index("said on") + 4, "said")),
    )
    quotes = assemble_quotes(text, tagged)
    assert [q.text for q in quotes] == ["Rents rose", "that rents will fall"]


def test_assemble_prefers_a_cue_of_the_quotes_paragraph_to_one_opening_the_next():
    text = ("The council said the library would close in May. “Its branches will move to the school.”"
            "\n\nThe plan drew fire from parents, who called it rushed.")
    tagged = TaggedText(
        contents=spans_of(text, "the library would close in May", "“Its branches will move to the school.”"),
        sources=spans_of(text, "The council", "parents"),
        cues=spans_of(text, "said", "drew fire from"),
    )
    # "drew fire from" is nearer the second statement, but a new paragraph starts a new statement.
    assert [(q.text, q.cue.text, q.mention.text) for q in assemble_quotes(text, tagged)] == [
        ("the library would close in May", "said", "The council"),
        ("“Its branches will move to the school.”", "said", "The council"),
    ]


def test_assemble_reported_speech_takes_its_cue_from_its_own_sentence():
    # Without quote marks, the sentence after "…, he said." is the writer's, not the speaker's.
    text = "The new branch is ready, the mayor said. But first it needs a permit from the state."
    tagged = TaggedText(
        contents=spans_of(text, "The new branch is ready", "first it needs a permit from the state"),
        sources=spans_of(text, "the mayor"),
        cues=spans_of(text, "said"),
    )
    assert [(q.text, q.cue.text if q.cue else None) for q in assemble_quotes(text, tagged)] == [
        ("The new branch is ready", "said"),
        ("first it needs a permit from the state", None),
    ]


def test_assemble_takes_the_next_paragraphs_cue_when_the_quotes_own_paragraph_has_none():
    text = "“We will not back down.”\n\nThat was the word from the mayor on Friday."
    tagged = TaggedText(
        contents=spans_of(text, "“We will not back down.”"),
        sources=spans_of(text, "the mayor"),
        cues=spans_of(text, "was the word from"),
    )
    [quote] = assemble_quotes(text, tagged)
    assert (quote.kind, quote.cue.text, quote.mention.text) == ("direct", "was the word from", "the mayor")


def test_assemble_cuts_content_that_runs_past_its_paragraph():
    text = "Board Backs Budget\n\nThe board on Tuesday said the budget was balanced."
    run_on = Span.of(text, text.index("Budget"), text.index(" on Tuesday"))
    tagged = TaggedText(
        contents=(run_on, *spans_of(text, "the budget was balanced")),
        sources=spans_of(text, "Board", "The board"),
        cues=spans_of(text, "Backs", "said"),
    )
    # Each line's piece is judged alone: "Budget" is under MIN_CONTENT_WORDS and goes.
    quotes = assemble_quotes(text, tagged)
    assert [q.text for q in quotes] == ["The board", "the budget was balanced"]
    assert quotes[1].cue.text == "said"
    assert [piece.text for piece in split_at_line_breaks(text, run_on)] == ["Budget", "The board"]
