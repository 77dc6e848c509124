"""The labelling loop's library and `stance label`: rows and their ids, the order, label files,
the terminal session's answers, skips and undos, and reruns that keep what was labelled."""

from __future__ import annotations

import csv
import json

import pytest
from conftest import KeywordStanceModel
from typer.testing import CliRunner

from stance.cli import app
from stance.data.statements import read_statements
from stance.errors import DataError
from stance.labelling import (
    LABEL_COLUMNS,
    LabelSettings,
    is_label_file,
    margin,
    open_label_session,
    read_label_file,
    write_label_queue,
)
from stance.labelling.rows import Candidate, LabelRow, order_candidates, quote_spans
from stance.pipeline import Pipeline
from stance.records import Article

# The keyword model is sure of "support"/"oppose" statements and unsure of the others.
# "?: ..." is a quote with no speaker; the model reads its mention, "?", as the speaker.
ARTICLE = (
    "Lead paragraph without a quote.\n"
    "Ana Ruiz: We support the new shelter and welcome the families.\n"
    "Tom Hale: The raids are a question for the courts.\n"
    "?: Nobody knows what happens next.\n"
    "Dan Moss: We oppose the cruel raids.\n"
)
SECOND = "Lena Ortiz: The county has not decided yet.\n"


@pytest.fixture
def pipeline(scripted_quotes) -> Pipeline:
    return Pipeline(model=KeywordStanceModel())


def articles() -> list[Article]:
    return [Article("harbor", ARTICLE), Article("county", SECOND)]


@pytest.mark.parametrize(
    "scores, expected",
    [
        ({"favor": 0.5, "against": 0.3, "neutral": 0.2}, 0.2),
        ({"favor": 0.4, "against": 0.4, "neutral": 0.2}, 0.0),
        ({"favor": 1.0, "against": 0.0, "neutral": 0.0}, 1.0),
        ({"favor": 0.1, "against": 0.2, "neutral": 0.7}, 0.5),
    ],
)
def test_labelling_margin_is_the_gap_between_the_two_most_probable_labels(scores, expected):
    assert margin(scores) == pytest.approx(expected)


def test_labelling_order_uncertain_puts_the_smallest_margin_first_ties_in_reading_order():
    def candidate(name, favor, against):
        return Candidate(LabelRow(name, "a", name, "t"), {"favor": favor, "against": against, "neutral": 1 - favor - against})

    candidates = [candidate("sure", 0.9, 0.05), candidate("tie1", 0.45, 0.45), candidate("mid", 0.6, 0.3), candidate("tie2", 0.1, 0.45)]
    assert [c.row.id for c in order_candidates(candidates, "uncertain")] == ["tie1", "tie2", "mid", "sure"]
    assert [c.row.id for c in order_candidates(candidates, "article")] == ["sure", "tie1", "mid", "tie2"]


def test_labelling_order_random_is_a_fixed_shuffle_by_id():
    candidates = [Candidate(LabelRow(f"article-{i // 10}:{i}-{i + 5}", "a", "x", "t"), {"favor": 1.0}) for i in range(40)]
    shuffled = [c.row.id for c in order_candidates(candidates, "random")]
    assert sorted(shuffled) == sorted(c.row.id for c in candidates)
    assert shuffled != [c.row.id for c in candidates]
    # The first ten are not one article's: a sample across all of them.
    assert len({identifier.split(":")[0] for identifier in shuffled[:10]}) > 1
    # The same ids in another order (a rerun, more articles) keep their relative order.
    assert [c.row.id for c in order_candidates(candidates[::-1][:25], "random")] == [i for i in shuffled if i in {c.row.id for c in candidates[15:]}]


@pytest.mark.parametrize(
    "text, context, expected",
    [
        ("the plan works", "Lee said the plan works well.", ["the plan works"]),
        # Interrupted by the attribution: two spans, the attribution left out.
        ("“We will win,” “They will not.”", "“We will win,” Lin said. “They will not.”", ["“We will win,”", "“They will not.”"]),
        ("Parking Plan", "Mayor Defends Parking Plan", ["Parking Plan"]),
        # Two words of the quote found apart are not a match: the quote is not in the context.
        ("the cost of the wall", "He said the cost was high and the wall was built.", []),
        ("Not here at all", "", []),
    ],
)
def test_labelling_quote_spans_find_the_quote_in_its_context(text, context, expected):
    spans = quote_spans(text, context)
    assert [context[start:end] for start, end in spans] == expected


def test_labelling_queue_has_one_row_per_quote_with_stable_ids_and_the_train_fields(tmp_path, pipeline):
    output = tmp_path / "to_label.csv"
    queue = write_label_queue(articles(), output, pipeline, LabelSettings(order="article"))
    assert (queue.found, queue.labelled, queue.queued) == (5, 0, 5)
    with output.open(newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        assert tuple(reader.fieldnames) == LABEL_COLUMNS
        rows = list(reader)
    assert [row["speaker"] for row in rows] == ["Ana Ruiz", "Tom Hale", "?", "Dan Moss", "Lena Ortiz"]
    assert all(row["label"] == "" and row["target"] == "immigration enforcement" for row in rows)
    first = rows[0]
    start, end = map(int, first["id"].removeprefix("harbor:").split("-"))
    assert ARTICLE[start:end] == first["text"] == "We support the new shelter and welcome the families."
    assert first["article"] == "harbor" and first["suggested"] == "favor"
    assert float(first["probability"]) == 0.75  # the keyword model: two favor words, 9 / (9 + 1 + 2)
    assert first["context"].startswith("Ana Ruiz: We support")
    # The same articles give the same ids: a rerun recognises its statements.
    again = tmp_path / "again.csv"
    write_label_queue(articles(), again, pipeline, LabelSettings(order="article"))
    assert [row.id for row in read_label_file(again)] == [row["id"] for row in rows]


def test_labelling_queue_uncertain_first_and_limited(tmp_path, pipeline):
    output = tmp_path / "to_label.jsonl"
    queue = write_label_queue(articles(), output, pipeline, LabelSettings(order="uncertain", limit=3))
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert queue.queued == 3 and len(rows) == 3
    # The three statements without a keyword (neutral 0.5, the others 0.25: margin 0.25) before the sure ones (0.58).
    assert {row["speaker"] for row in rows} == {"Tom Hale", "?", "Lena Ortiz"}
    assert all(row["suggested"] == "neutral" and row["label"] == "" for row in rows)
    assert list(rows[0]) == list(LABEL_COLUMNS)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_labelling_rerun_keeps_the_labels_and_queues_only_the_rest(tmp_path, pipeline, suffix):
    output = tmp_path / f"to_label{suffix}"
    write_label_queue(articles(), output, pipeline, LabelSettings(order="article"))
    rows = read_label_file(output)
    # A person labels two rows in a spreadsheet; the file is saved back.
    filled = [row.answered({"Ana Ruiz": "favor", "Dan Moss": "against"}.get(row.speaker, "")) for row in rows]
    from stance.labelling.files import write_label_file

    write_label_file(output, filled, suffix[1:])
    queue = write_label_queue(articles(), output, pipeline, LabelSettings(order="uncertain", limit=2))
    assert (queue.labelled, queue.queued) == (2, 2)
    again = read_label_file(output)
    assert [(row.speaker, row.label) for row in again[:2]] == [("Ana Ruiz", "favor"), ("Dan Moss", "against")]
    assert len(again) == 4 and len({row.id for row in again}) == 4
    assert all(row.label == "" for row in again[2:])
    # `stance train` reads the file as it is: the labelled rows, the empty ones counted.
    read = read_statements([output])
    assert [row.label for row in read.labelled] == ["favor", "against"] and read.unlabelled == 2
    assert read.labelled[0].group == "harbor" and read.labelled[0].input.speaker == "Ana Ruiz"
    assert is_label_file(output)


def test_labelling_session_appends_each_answer_at_once_and_undo_cuts_only_the_last(tmp_path, pipeline):
    output = tmp_path / "answers.csv"
    session = open_label_session(articles(), output, pipeline, LabelSettings(order="article"))
    assert [row.speaker for row in session.rows] == ["Ana Ruiz", "Tom Hale", "?", "Dan Moss", "Lena Ortiz"]
    session.answer("favor")
    # On disk before the next question, read through another handle while the session is open.
    assert [(row.speaker, row.label) for row in read_label_file(output)] == [("Ana Ruiz", "favor")]
    after_first = output.read_bytes()
    session.answer("neutral")
    session.skip()
    assert session.current.speaker == "Dan Moss" and session.labelled == 2
    undone = session.undo()
    assert undone.speaker == "Tom Hale" and session.current is undone
    assert output.read_bytes() == after_first
    session.answer("against")
    session.answer("neutral")  # the statement skipped before the undo is asked again
    assert session.undo().speaker == "?" and session.undo().speaker == "Tom Hale"
    assert session.undo().speaker == "Ana Ruiz" and session.undo() is None
    assert read_label_file(output) == []
    with pytest.raises(DataError, match="expected a label in"):
        session.answer("maybe")
    session.answer("favor")
    session.close()
    # A new session asks only what is not labelled; skipped statements come back.
    with open_label_session(articles(), output, pipeline, LabelSettings(order="article")) as resumed:
        assert [row.speaker for row in resumed.rows] == ["Tom Hale", "?", "Dan Moss", "Lena Ortiz"]
        assert resumed.labelled == 1


def test_labelling_session_on_a_queue_file_drops_the_unlabelled_rows_it_asks_again(tmp_path, pipeline):
    output = tmp_path / "to_label.jsonl"
    write_label_queue(articles(), output, pipeline, LabelSettings(order="article"))
    with open_label_session(articles(), output, pipeline, LabelSettings(order="article", limit=2)) as session:
        assert len(session.rows) == 2 and read_label_file(output) == []
        session.answer("favor")
    assert [row.label for row in read_label_file(output)] == ["favor"]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("to_label.txt", None, "ending in .csv or .jsonl"),
        ("gold.csv", "text,target,label\nhello,x,favor\n", "expected a label file written by `stance label`"),
        ("broken.jsonl", '{"id": "a", "text": "x", "target": "t", "label": ""}\nnot json\n', "broken.jsonl:2"),
    ],
)
def test_labelling_refuses_an_output_that_is_not_a_label_file(tmp_path, pipeline, name, content, message):
    output = tmp_path / name
    if content is not None:
        output.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        write_label_queue(articles(), output, pipeline)
    if content is not None:
        assert output.read_text(encoding="utf-8") == content  # left as it was


def test_labelling_format_must_agree_with_the_suffix(tmp_path, pipeline):
    with pytest.raises(DataError, match="--format jsonl needs a file ending in .jsonl"):
        write_label_queue(articles(), tmp_path / "x.csv", pipeline, LabelSettings(format="jsonl"))


def test_labelling_cli_writes_the_queue_and_says_what_next(tmp_path, tiny_stance_dir, scripted_quotes):
    from stance.classify import load_model
    from stance.records import StanceInput

    article = tmp_path / "harbor.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    output = tmp_path / "to_label.csv"
    result = CliRunner().invoke(app, ["label", str(article), "--model", str(tiny_stance_dir), "--output", str(output), "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert "4 statements found" in result.output and "3 to label written, in random order" in result.output
    assert f"stance train {output}" in result.output
    rows = read_label_file(output)
    assert len(rows) == 3 and all(row.suggested in ("favor", "against", "neutral") for row in rows)
    model = load_model(tiny_stance_dir, precision="fp32")
    scores = model.predict_proba([StanceInput(row.target, row.text, row.speaker, row.context, row.cue) for row in rows])
    # The same suggestions as the model gives each statement alone (batches change the last digits).
    assert [row.suggested for row in rows] == [max(s, key=s.get) for s in scores]
    assert [row.probability for row in rows] == pytest.approx([max(s.values()) for s in scores], abs=1e-3)


def test_labelling_cli_interactive_keys_answer_skip_undo_and_quit(tmp_path, scripted_quotes, tiny_stance_dir):
    article = tmp_path / "harbor.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    output = tmp_path / "answers.jsonl"
    command = ["label", str(article), "--model", str(tiny_stance_dir), "--output", str(output), "--order", "article", "-i"]
    # favor, against, skip, undo (takes back "against"; asks Tom Hale again), neutral, x (ignored), quit
    result = CliRunner().invoke(app, command, input="fasunxq")
    assert result.exit_code == 0, result.output
    assert "statement 1 of 4" in result.output and "Ana Ruiz" in result.output and "suggested:" in result.output
    assert "undone, asking again" in result.output
    assert "2 labelled in this session, 2 in" in result.output
    assert [(row.speaker, row.label) for row in read_label_file(output)] == [("Ana Ruiz", "favor"), ("Tom Hale", "neutral")]
    resumed = CliRunner().invoke(app, command, input="a")  # then the input ends: the session stops
    assert resumed.exit_code == 0, resumed.output
    assert "statement 1 of 2" in resumed.output
    assert [row.label for row in read_label_file(output)] == ["favor", "neutral", "against"]


def test_labelling_train_cli_counts_empty_labels_and_continues_from_the_shipped_model(tmp_path, monkeypatch, pipeline):
    from stance.training.stance import StanceTrainingRun, TrainingResult

    output = tmp_path / "to_label.csv"
    write_label_queue(articles(), output, pipeline, LabelSettings(order="article"))
    rows = read_label_file(output)
    from stance.labelling.files import write_label_file

    write_label_file(output, [rows[0].answered("favor"), *rows[1:]], "csv")
    calls = {}

    def fake_train(data, folder, args, **options):
        calls.update(options)
        read = read_statements(data)
        return StanceTrainingRun(tmp_path / "model", TrainingResult(classifier=None), {}, "stance train", read.unlabelled)

    monkeypatch.setattr("stance.cli.train.train_stance", fake_train)
    result = CliRunner().invoke(app, ["train", str(output), "--output", str(tmp_path / "model")])
    assert result.exit_code == 0, result.output
    assert calls["base_model"] == "stance-minilm"
    assert "continuing from the shipped model stance-minilm" in result.output
    assert "4 rows without a label ignored" in result.output
    explicit = CliRunner().invoke(app, ["train", str(output), "--output", str(tmp_path / "m"), "--base-model", "mine"])
    assert explicit.exit_code == 0 and calls["base_model"] == "mine"
