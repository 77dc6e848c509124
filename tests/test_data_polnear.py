"""The PolNeAR-format gold reader that quote evaluation and tagger training share."""

from __future__ import annotations

import json

import pytest

from stance.data.polnear import read_polnear
from stance.errors import DataError, InputError

# Written for these tests.
TEXT = "The mayor said the plan would save money. “We are not going back,” the governor told reporters."


def spans_of(fragment: str) -> list[dict]:
    start = TEXT.index(fragment)
    return [{"start": start, "end": start + len(fragment), "text": fragment}]


def gold_row(doc_id: str, text: str, quotes: list[dict]) -> str:
    return json.dumps({"id": doc_id, "corpus": "test", "text": text, "quotes": quotes})


@pytest.fixture
def gold_file(tmp_path):
    quotes = [
        {"content": spans_of("the plan would save money"), "source": spans_of("The mayor"), "cue": spans_of("said"),
         "kind": "indirect"},
        {"content": spans_of("“We are not going back,”"), "source": spans_of("the governor"),
         "cue": spans_of("told reporters"), "kind": "direct", "resolved_speaker": "Governor"},
        # No content marked: nothing can match it, but its source and cue are still gold spans.
        {"content": [], "source": spans_of("reporters"), "cue": None, "kind": None},
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text("\n" + gold_row("one", TEXT, quotes) + "\n\n", encoding="utf-8")
    return path


def test_data_polnear_reads_every_attribution_and_scores_those_with_content(gold_file):
    (article,) = read_polnear(gold_file)
    assert (article.id, article.origin) == ("one", f"{gold_file}:2")
    assert [q.kind for q in article.attributions] == ["indirect", "direct", None]
    assert [q.kind for q in article.quotes] == ["indirect", "direct"]
    assert article.attributions[1].speaker == "Governor" and article.attributions[0].speaker is None
    for gold_quote in article.attributions:
        for span in gold_quote.parts + gold_quote.sources + gold_quote.cues:
            assert article.text[span.start : span.end] == span.text


def test_data_polnear_spans_by_type_include_attributions_without_content(gold_file):
    (article,) = read_polnear(gold_file)
    spans = article.spans
    assert [TEXT[start:end] for start, end in spans["content"]] == ["the plan would save money", "“We are not going back,”"]
    assert [TEXT[start:end] for start, end in spans["source"]] == ["The mayor", "the governor", "reporters"]
    assert [TEXT[start:end] for start, end in spans["cue"]] == ["said", "told reporters"]


def test_data_polnear_drops_empty_spans_and_numbers_rows_without_an_id(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({"text": "abc", "quotes": [{"content": [{"start": 1, "end": 1}]}]}) + "\n")
    (article,) = read_polnear(path)
    assert article.id == "gold:1" and article.attributions[0].parts == () and article.quotes == ()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "invalid JSON"),
        ('{"id": 1}', '"text"'),
        (gold_row("x", "short", ["a quote"]), "expected an object with content/source/cue spans"),
        (gold_row("x", "short", [{"content": [{"start": 0, "end": 99}]}]), "outside the text"),
        (gold_row("x", "short", [{"cue": [{"start": 3, "end": 2}]}]), "outside the text"),
        (gold_row("x", "short", [{"content": [{"begin": 0}]}]), "expected spans"),
    ],
)
def test_data_polnear_names_the_bad_line(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text("\n" + line + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=message) as caught:
        list(read_polnear(path))
    assert f"{path}:2" in str(caught.value)


def test_data_polnear_unreadable_file_is_an_input_error(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"text": "caf\xe9"}\n')
    with pytest.raises(InputError, match="UTF-8"):
        list(read_polnear(path))
    with pytest.raises(InputError):
        list(read_polnear(tmp_path / "missing.jsonl"))


def test_data_polnear_places_spans_given_by_text_alone_and_counts_the_rest(tmp_path):
    # The GenderGapTracker conversion leaves offsets out where it could not place a span.
    unplaced = {"start": None, "end": None, "text": "words the article never had"}
    quotes = [
        {"content": [{"start": None, "end": None, "text": "the plan would save money"}],
         "source": [{"start": None, "end": None, "text": "The mayor"}], "cue": None, "kind": "indirect"},
        {"content": [unplaced], "source": spans_of("the governor"), "cue": None, "kind": "direct"},
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text(gold_row("one", TEXT, quotes) + "\n", encoding="utf-8")
    (article,) = read_polnear(path)
    assert article.unplaced == 1 and len(article.quotes) == 1
    (placed,) = article.quotes
    assert placed.parts[0].text == TEXT[placed.parts[0].start : placed.parts[0].end] == "the plan would save money"
    assert placed.sources[0].text == "The mayor"
