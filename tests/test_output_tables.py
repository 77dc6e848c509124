"""The writers of stance.output.tables, checked on the real pipeline's output and on hand-built records."""

import csv
import io
import json
from dataclasses import replace

import pytest
from rich.console import Console

from conftest import KeywordStanceModel
from stance.aggregate import aggregate_speakers
from stance.output.colours import STANCE_COLOURS
from stance.output.tables import (
    CORPUS_COLUMNS,
    CSV_COLUMNS,
    CSV_DECIMALS,
    AnalysisWriter,
    OutputFormat,
    corpus_csv_rows,
    corpus_table,
    csv_rows,
    markdown_document,
    speaker_table,
)
from stance.pipeline import Pipeline
from stance.records import STANCE_LABELS, Analysis, Article, Quote, Span, Speaker

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


@pytest.fixture(scope="module")
def seed_analysed(seed_text) -> Analysis:
    """The seed article through the real quote and speaker stages (rules only), scored by the
    keyword stand-in for the model."""
    (found,) = Pipeline(KeywordStanceModel(), fast=True).analyze([Article("seed", seed_text)])
    return found


def render(renderable, **options) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None, **options)
    console.print(renderable)
    return console.file.getvalue()


def written(format, analyses) -> str:
    stream = io.StringIO()
    with AnalysisWriter(stream, format, Console(file=stream, width=200, color_system=None)) as writer:
        for item in analyses:
            writer.write(item)
    return stream.getvalue()


def test_tables_jsonl_of_a_real_extraction_round_trips_with_offsets_into_the_text(seed_analysed, seed_text):
    [line] = written("jsonl", [seed_analysed]).splitlines()
    row = json.loads(line)
    assert row == seed_analysed.to_dict()  # every value, the model's floats included
    spans = []
    for quote in row["quotes"]:
        spans += [quote, *quote["parts"]] + [span for span in (quote["mention"], quote["cue"]) if span]
    for span in spans:
        assert seed_text[span["start"] : span["end"]] == span["text"]
    # Not a vacuous check: the seed has mentions, cues and quotes split by their attribution.
    assert all(quote["mention"] and quote["cue"] for quote in row["quotes"][:3])
    assert any(len(quote["parts"]) > 1 for quote in row["quotes"])
    assert len(row["speakers"]) == len(seed_analysed.stances) > 3


def test_tables_csv_of_a_real_extraction_holds_each_speaker_rounded(seed_analysed):
    rows = list(csv.DictReader(io.StringIO(written("csv", [seed_analysed]))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [row["speaker"] for row in rows] == [stance.name for stance in seed_analysed.stances]
    for row, stance in zip(rows, seed_analysed.stances):
        assert (row["document"], row["target"], row["stance"]) == ("seed", seed_analysed.target, stance.stance)
        assert int(row["quotes"]) == stance.quotes
        for label in STANCE_LABELS:
            assert float(row[label]) == round(stance.scores[label], CSV_DECIMALS)
        assert float(row["confidence"]) == round(stance.confidence, CSV_DECIMALS)


def test_tables_json_of_real_extractions_holds_documents_and_corpus(seed_analysed):
    other = Analysis("other", seed_analysed.text, seed_analysed.target, seed_analysed.quotes,
                     seed_analysed.speakers, seed_analysed.stances)
    out = json.loads(written("json", [seed_analysed, other]))
    assert out["documents"] == [seed_analysed.to_dict(), other.to_dict()]
    [corpus] = out["corpus"]
    assert corpus["documents"] == 2
    assert {s["name"]: s["quotes"] for s in corpus["speakers"]} == {
        s.name: 2 * s.quotes for s in seed_analysed.stances
    }


def test_tables_speaker_table_has_every_column_and_speaker():
    out = render(speaker_table(analysis()))
    for header in ("speaker", "role", "quotes", "favor", "against", "neutral", "stance", "confidence"):
        assert header in out
    ann_row = next(line for line in out.splitlines() if "Ann Lee" in line)
    assert "Mayor" in ann_row and "favor" in ann_row
    assert "against" in next(line for line in out.splitlines() if "Bo | Ray" in line)
    assert "3 quotes (1 with no speaker, not counted), 2 speakers · statements only" in out


def test_tables_stances_take_the_reports_colours():
    console = Console(file=io.StringIO(), width=200, color_system="truecolor", force_terminal=True)
    console.print(speaker_table(analysis()))
    out = console.file.getvalue()
    for label in ("favor", "against"):
        red, green, blue = (int(STANCE_COLOURS[label][i : i + 2], 16) for i in (1, 3, 5))
        assert f"38;2;{red};{green};{blue}m{label}" in out


def test_tables_caption_counts_in_the_singular_for_one():
    one = analysis()
    one = Analysis(one.id, one.text, one.target, one.quotes[:1], one.speakers, one.stances[:1])
    assert "1 quote, 1 speaker" in render(speaker_table(one))


def test_tables_caption_says_which_attributions_were_kept():
    everything = replace(analysis(), attributions="all")
    assert "2 speakers · all attributions" in render(speaker_table(everything))
    assert "2 speakers · all attributions" in markdown_document(everything)


def test_tables_corpus_table_shows_articles():
    stances = analysis().stances
    out = render(corpus_table(stances, TARGET, documents=2))
    assert "articles" in out and "All 2 documents" in out


def test_tables_json_holds_documents_and_a_corpus_per_target():
    docs = [analysis("a"), analysis("b"), analysis("c", target="other target")]
    out = json.loads(written("json", docs))
    assert [doc["id"] for doc in out["documents"]] == ["a", "b", "c"]
    by_target = {corpus["target"]: corpus for corpus in out["corpus"]}
    assert set(by_target) == {TARGET, "other target"}
    assert by_target[TARGET]["documents"] == 2
    ann = next(s for s in by_target[TARGET]["speakers"] if s["name"] == "Ann Lee")
    assert (ann["articles"], ann["quotes"], ann["stance"]) == (2, 2, "favor")


def test_tables_csv_rows_per_speaker_with_header():
    out = written("csv", [analysis("a"), analysis("b")])
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(r["document"], r["speaker"], r["stance"]) for r in rows] == [
        ("a", "Ann Lee", "favor"), ("a", "Bo | Ray", "against"),
        ("b", "Ann Lee", "favor"), ("b", "Bo | Ray", "against"),
    ]  # fmt: skip
    assert float(rows[0]["favor"]) == pytest.approx(0.8, abs=1e-4)
    assert len(csv_rows(analysis())) == 2


def test_tables_corpus_csv_rows_have_the_corpus_columns():
    [ann, bo] = corpus_csv_rows(None, analysis().stances)
    assert len(ann) == len(CORPUS_COLUMNS)
    row = dict(zip(CORPUS_COLUMNS, ann))
    assert (row["target"], row["speaker"], row["role"], row["stance"]) == ("", "Ann Lee", "Mayor", "favor")
    assert (row["favor_quotes"], row["against_quotes"], row["neutral_quotes"]) == (1, 0, 0)


def test_tables_csv_of_nothing_is_a_header():
    assert written("csv", []).splitlines() == [",".join(CSV_COLUMNS)]


def test_tables_markdown_escapes_pipes_and_rows_have_equal_cells():
    out = markdown_document(analysis())
    table = [line for line in out.splitlines() if line.startswith("|")]
    assert len(table) == 4  # header, rule, two speakers
    cells = {line.replace("\\|", "").count("|") for line in table}
    assert len(cells) == 1
    assert "Bo \\| Ray" in out


@pytest.mark.parametrize("format", ["table", "markdown"])
def test_tables_corpus_tables_only_for_several_documents(format):
    one = written(format, [analysis("a")])
    several = written(format, [analysis("a"), analysis("b")])
    assert "All" not in one
    assert "All 2 documents" in several


def test_tables_formats_are_the_documented_ones():
    assert [f.value for f in OutputFormat] == ["table", "jsonl", "json", "csv", "markdown"]
