import csv
import io
import json

import pytest
from rich.console import Console

from stance.aggregate import aggregate_speakers
from stance.records import Analysis, Quote, Span, Speaker
from stance.writing import (
    CSV_COLUMNS,
    AnalysisWriter,
    OutputFormat,
    corpus_table,
    csv_rows,
    markdown_document,
    speaker_table,
)

TEXT = "Mayor Ann Lee said she supports the plan. A critic, Bo | Ray, called it cruel. It rained."
TARGET = "the plan"


def classified(text, said, speaker, favor, against, neutral):
    start = text.index(said)
    end = start + len(said)
    scores = {"favor": favor, "against": against, "neutral": neutral}
    return Quote(
        start, end, text[start:end], "indirect", (Span.of(text, start, end),),
        speaker=speaker, stance=max(scores, key=scores.get), scores=scores,
    )  # fmt: skip


def analysis(doc_id="doc-1", target=TARGET, text=TEXT):
    quotes = (
        classified(text, "she supports the plan", "Ann Lee", 0.8, 0.1, 0.1),
        classified(text, "it cruel", "Bo | Ray", 0.1, 0.8, 0.1),
        classified(text, "It rained.", None, 0.1, 0.1, 0.8),
    )
    speakers = (Speaker("Ann Lee", "person", "Mayor"), Speaker("Bo | Ray", "person"))
    return Analysis(doc_id, text, target, quotes, speakers, tuple(aggregate_speakers(quotes, speakers)))


def render(renderable) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(renderable)
    return console.file.getvalue()


def written(format, analyses) -> str:
    stream = io.StringIO()
    with AnalysisWriter(stream, format, Console(file=stream, width=200, color_system=None)) as writer:
        for item in analyses:
            writer.write(item)
    return stream.getvalue()


def test_writing_fixture_offsets_hold():
    for quote in analysis().quotes:
        assert TEXT[quote.start : quote.end] == quote.text


def test_writing_speaker_table_has_every_column_and_speaker():
    out = render(speaker_table(analysis()))
    for header in ("speaker", "role", "quotes", "favor", "against", "neutral", "stance", "confidence"):
        assert header in out
    ann_row = next(line for line in out.splitlines() if "Ann Lee" in line)
    assert "Mayor" in ann_row and "favor" in ann_row
    assert "against" in next(line for line in out.splitlines() if "Bo | Ray" in line)
    assert "3 quotes (1 with no speaker, not counted), 2 speakers" in out


def test_writing_caption_counts_in_the_singular_for_one():
    one = analysis()
    one = Analysis(one.id, one.text, one.target, one.quotes[:1], one.speakers, one.stances[:1])
    assert "1 quote, 1 speaker" in render(speaker_table(one))


def test_writing_corpus_table_shows_articles():
    stances = analysis().stances
    out = render(corpus_table(stances, TARGET, documents=2))
    assert "articles" in out and "All 2 documents" in out


def test_writing_jsonl_has_the_documented_shape():
    [line] = written("jsonl", [analysis()]).splitlines()
    row = json.loads(line)
    assert (row["id"], row["target"]) == ("doc-1", TARGET)
    ann = row["speakers"][0]
    assert {"name", "kind", "stance", "scores", "quotes"} <= ann.keys()
    assert set(ann["scores"]) == {"favor", "against", "neutral"}
    assert (ann["name"], ann["stance"], ann["quotes"]) == ("Ann Lee", "favor", 1)
    assert len(row["quotes"]) == 3
    for quote in row["quotes"]:
        assert TEXT[quote["start"] : quote["end"]] == quote["text"]
        assert quote["stance"] in ("favor", "against", "neutral") and set(quote["scores"]) == {
            "favor", "against", "neutral",
        }  # fmt: skip


def test_writing_json_holds_documents_and_a_corpus_per_target():
    docs = [analysis("a"), analysis("b"), analysis("c", target="other target")]
    out = json.loads(written("json", docs))
    assert [doc["id"] for doc in out["documents"]] == ["a", "b", "c"]
    by_target = {corpus["target"]: corpus for corpus in out["corpus"]}
    assert set(by_target) == {TARGET, "other target"}
    assert by_target[TARGET]["documents"] == 2
    ann = next(s for s in by_target[TARGET]["speakers"] if s["name"] == "Ann Lee")
    assert (ann["articles"], ann["quotes"], ann["stance"]) == (2, 2, "favor")


def test_writing_csv_rows_per_speaker_with_header():
    out = written("csv", [analysis("a"), analysis("b")])
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(r["document"], r["speaker"], r["stance"]) for r in rows] == [
        ("a", "Ann Lee", "favor"), ("a", "Bo | Ray", "against"),
        ("b", "Ann Lee", "favor"), ("b", "Bo | Ray", "against"),
    ]  # fmt: skip
    assert float(rows[0]["favor"]) == pytest.approx(0.8, abs=1e-4)
    assert len(csv_rows(analysis())) == 2


def test_writing_csv_of_nothing_is_a_header():
    assert written("csv", []).splitlines() == [",".join(CSV_COLUMNS)]


def test_writing_markdown_escapes_pipes_and_rows_have_equal_cells():
    out = markdown_document(analysis())
    table = [line for line in out.splitlines() if line.startswith("|")]
    assert len(table) == 4  # header, rule, two speakers
    cells = {line.replace("\\|", "").count("|") for line in table}
    assert len(cells) == 1
    assert "Bo \\| Ray" in out


@pytest.mark.parametrize("format", ["table", "markdown"])
def test_writing_corpus_tables_only_for_several_documents(format):
    one = written(format, [analysis("a")])
    several = written(format, [analysis("a"), analysis("b")])
    assert "All" not in one
    assert "All 2 documents" in several


def test_writing_formats_are_the_documented_ones():
    assert [f.value for f in OutputFormat] == ["table", "jsonl", "json", "csv", "markdown"]
