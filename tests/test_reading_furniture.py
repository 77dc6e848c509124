"""Page furniture: captions, credits and link lines recognised as spans of the untouched text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from stance.pipeline import extract
from stance.reading import page_furniture
from stance.records import Article

# Written for these tests.
PAGE = (
    "The mayor said the plan would pass.\n"
    "Open this photo in gallery:\n"
    "AGENCY/Jane Roe/File Photo\n"
    "READ MORE: Council says the vote is close\n"
    "Councillor Ann Poe says the vote is close. (Jim Lee/City News)\n"
    "“It will pass,” the mayor said.\n"
    "MORE: Another story says something\n"
)


def test_reading_furniture_lines():
    found = [span.text for span in page_furniture(PAGE)]
    assert found == [
        "Open this photo in gallery:",
        "AGENCY/Jane Roe/File Photo",
        "READ MORE: Council says the vote is close",
        "Councillor Ann Poe says the vote is close. (Jim Lee/City News)",
        "MORE: Another story says something",
    ]


def test_reading_furniture_quotes_are_not_extracted_from_it():
    found = extract(Article(id="page", text=PAGE), fast=True)
    spans = page_furniture(PAGE)
    assert found.quotes, "the prose quotes are still found"
    assert not any(q.start < s.end and s.start < q.end for q in found.quotes for s in spans)


@given(st.lists(st.sampled_from([*PAGE.splitlines(), "", "  ", "He said yes."]), max_size=12))
def test_reading_furniture_spans_index_the_untouched_text(lines):
    text = "\n".join(lines)
    for span in page_furniture(text):
        assert 0 <= span.start <= span.end <= len(text)
        assert text[span.start : span.end] == span.text
