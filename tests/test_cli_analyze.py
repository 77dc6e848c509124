import csv
import io
import json
import math
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stance.cli import app, main
from stance.errors import EXIT_SOME_FAILED, EXIT_USAGE, ModelError
from stance.output.folder import ARTICLES_FILE, QUOTES_FILE

runner = CliRunner()

DOCUMENTS = [
    {"id": "one", "text": "Ann Lee: We support the new rules.\nBo Ray: These rules are cruel.\n"},
    {"id": "two", "text": "Ann Lee: I welcome the progress.\n", "target": "the budget"},
    {"id": "three", "text": "Ann Lee: We support it again.\n?: Nobody knows.\n"},
]


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in DOCUMENTS), encoding="utf-8")
    return path


@pytest.fixture
def fake_model(monkeypatch, keyword_model, scripted_quotes):
    """`stance analyze` with the keyword model and scripted quotes, whatever --model says."""
    monkeypatch.setattr("stance.classify.load_model", lambda name=None, **options: keyword_model)
    return keyword_model


def invoke(*args):
    result = runner.invoke(app, ["analyze", *map(str, args)])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_cli_analyze_table_per_document_and_corpus(fake_model, corpus):
    result = invoke(corpus, "--target", "the rules")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "one: stance toward “the rules”" in out
    assert "two: stance toward “the budget”" in out  # the row's own target wins
    assert "All 2 documents: stance toward “the rules”" in out
    assert "1 document: stance toward “the budget”" in out
    assert "Bo Ray" in out and "against" in out


def test_cli_analyze_jsonl_one_object_per_document(fake_model, corpus):
    result = invoke(corpus, "--format", "jsonl", "--target", "the rules")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(row["id"], row["target"]) for row in rows] == [
        ("one", "the rules"), ("two", "the budget"), ("three", "the rules"),
    ]  # fmt: skip
    speakers = {s["name"]: s for s in rows[0]["speakers"]}
    assert speakers["Ann Lee"]["stance"] == "favor" and speakers["Bo Ray"]["stance"] == "against"
    for row in rows:
        assert set(row) >= {"id", "target", "speakers", "quotes"}
        for speaker in row["speakers"]:
            assert set(speaker) >= {"name", "kind", "stance", "scores", "quotes"}
        for quote in row["quotes"]:
            assert set(quote) >= {"text", "start", "end", "kind", "speaker", "cue", "parts", "stance", "scores"}


def test_cli_analyze_json_speaker_values(fake_model, tmp_path):
    # The keyword model scores "support" 5:1:2 (favor:against:neutral), "cruel" 1:5:2 and a
    # statement with no cue word 1:1:2; a speaker's shares are the certainty-weighted mean.
    path = tmp_path / "doc.txt"
    path.write_text(
        "Ann Lee: We support the plan.\nBo Ray: The plan is cruel.\nBo Ray: It starts in May.\n", encoding="utf-8"
    )
    result = invoke(path, "--format", "json", "--target", "the plan")
    assert result.exit_code == 0, result.output
    (document,) = json.loads(result.stdout)["documents"]
    speakers = {speaker["name"]: speaker for speaker in document["speakers"]}
    assert list(speakers) == ["Ann Lee", "Bo Ray"]
    ann, bo = speakers["Ann Lee"], speakers["Bo Ray"]
    assert (ann["stance"], ann["quotes"], ann["counts"]) == ("favor", 1, {"favor": 1, "against": 0, "neutral": 0})
    assert ann["scores"] == pytest.approx({"favor": 5 / 8, "against": 1 / 8, "neutral": 2 / 8})
    # Bo Ray's factual statement does not outvote the one that takes a side.
    assert (bo["stance"], bo["quotes"], bo["counts"]) == ("against", 2, {"favor": 0, "against": 1, "neutral": 1})
    polar, factual = (1 / 8, 5 / 8, 2 / 8), (1 / 4, 1 / 4, 2 / 4)
    weights = [1 - sum(-p * math.log(p) for p in vector) / math.log(3) for vector in (polar, factual)]
    expected = [sum(w * vector[i] for w, vector in zip(weights, (polar, factual))) / sum(weights) for i in range(3)]
    assert bo["scores"] == pytest.approx(dict(zip(("favor", "against", "neutral"), expected)))
    assert [(quote["speaker"], quote["stance"]) for quote in document["quotes"]] == [
        ("Ann Lee", "favor"), ("Bo Ray", "against"), ("Bo Ray", "neutral"),
    ]  # fmt: skip


@pytest.mark.parametrize("format", ["json", "csv", "markdown"])
def test_cli_analyze_writes_each_format_to_output(fake_model, corpus, tmp_path, format):
    output = tmp_path / "out" / f"result.{format}"
    result = invoke(corpus, "--format", format, "--output", output, "--batch-size", 2)
    assert result.exit_code == 0 and result.stdout == ""
    text = output.read_text(encoding="utf-8")
    if format == "json":
        data = json.loads(text)
        assert [doc["id"] for doc in data["documents"]] == ["one", "two", "three"]
        assert {corpus["target"] for corpus in data["corpus"]} == {"immigration enforcement", "the budget"}
    elif format == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [(row["document"], row["speaker"]) for row in rows] == [
            ("one", "Ann Lee"), ("one", "Bo Ray"), ("two", "Ann Lee"), ("three", "Ann Lee"),
        ]  # fmt: skip
    else:
        assert text.count("### ") == 5  # three documents, two corpus tables (two targets)


def test_cli_analyze_unreadable_document_is_skipped_with_exit_1(fake_model, tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text('{"id": "ok", "text": "Ann Lee: We support it."}\n{broken\n', encoding="utf-8")
    result = invoke(path, "--format", "jsonl")
    assert result.exit_code == EXIT_SOME_FAILED
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["ok"]
    assert f"Skipped {path}:2" in result.stderr


def test_cli_analyze_bad_model_fails_before_reading_documents(tmp_path):
    not_a_folder = tmp_path / "weights.bin"
    not_a_folder.write_bytes(b"\0")
    result = runner.invoke(app, ["analyze", str(tmp_path / "missing.txt"), "--model", str(not_a_folder)])
    assert isinstance(result.exception, ModelError)
    assert "weights.bin" in str(result.exception) and "missing.txt" not in str(result.exception)


def test_cli_analyze_main_maps_model_error_to_stderr_and_exit_code(monkeypatch, capsys, tmp_path):
    def refuse(name=None, **options):
        raise ModelError(f"{name}: expected a model folder, found nothing; pass --model FOLDER")

    monkeypatch.setattr("stance.classify.load_model", refuse)
    monkeypatch.setattr(sys, "argv", ["stance", "analyze", str(tmp_path), "--model", "nowhere"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == EXIT_USAGE
    assert "Error: nowhere: expected a model folder" in capsys.readouterr().err


ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "fixtures" / "cnn-ice-record-deportations-2011.txt"
# The speaker-by-stance table's cells, in order (see stance.output.tables).
TABLE_COLUMNS = ("speaker", "role", "quotes", "favor", "against", "neutral", "stance", "confidence")


def table_rows(out: str) -> list[list[str]]:
    """The cells of the speaker rows of the printed tables (long names wrap onto more lines)."""
    rows: list[list[str]] = []
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if len(cells) != len(TABLE_COLUMNS):
            continue
        if cells[2]:  # a quote count starts a row; a wrapped row's next lines have none
            rows.append(cells)
        elif rows:
            rows[-1][0] = f"{rows[-1][0]} {cells[0]}".strip()
    return rows


def table_stances(out: str) -> dict[str, str]:
    """speaker -> stance, read from the rows of the printed tables."""
    stances: dict[str, str] = {}
    for cells in table_rows(out):
        stances.setdefault(cells[0], cells[6])
    return stances


@pytest.fixture(scope="module")
def seed_table() -> str:
    """`stance analyze` on the seed article with the shipped model, run once for these tests."""
    result = runner.invoke(app, ["analyze", str(SEED)])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.slow
def test_cli_analyze_seed_article_table_lists_the_speakers(seed_table):
    # The quote counts come from the extractors and the speakers stage, not from the model.
    quotes = {cells[0]: int(cells[2]) for cells in table_rows(seed_table)}
    # Napolitano's quotation and "the approach is ..." (the gold's third, "she gave advance notice
    # that ...", has a cue that is not a speech act); Morton's and Lin's interrupted quotations
    # count once each.
    expected = {"John Morton": 2, "Joanne Lin": 2, "Janet Napolitano": 2, "Gregory Palmore": 1}
    assert {name: quotes.get(name) for name in expected} == expected, seed_table
    (agency,) = [name for name in quotes if name == "ICE" or "Customs Enforcement" in name]
    assert quotes[agency] == 5, seed_table


@pytest.mark.slow
@pytest.mark.parametrize(
    "speaker, expected",
    [
        ("John Morton", {"favor"}),
        ("Joanne Lin", {"against"}),
        ("American Civil Liberties Union (ACLU)", {"against"}),
        ("Gregory Palmore", {"favor", "neutral"}),
        ("Janet Napolitano", {"favor"}),
        ("Immigration and Customs Enforcement (ICE)", {"favor"}),
        # They call the review "a back-door amnesty program": against the review, for enforcement.
        ("some people who favor more deportations", {"favor"}),
    ],
)
def test_cli_analyze_seed_article_speaker_stances(seed_table, speaker, expected):
    stances = table_stances(seed_table)
    assert stances[speaker] in expected, seed_table


# Written for this test: a statement, and a belief that only --attributions all keeps.
BELIEF_TEXT = "Mayor Jane Smith said the budget is balanced.\n\nJane Smith believes the plan will fail.\n"


@pytest.mark.parametrize("attributions, expected", [
    ("speech", [("the budget is balanced", "speech")]),
    ("all", [("the budget is balanced", "speech"), ("the plan will fail", "other")]),
])  # fmt: skip
def test_cli_analyze_batch_keeps_the_attributions_asked_for(
    monkeypatch, keyword_model, tmp_path, attributions, expected
):
    monkeypatch.setattr("stance.classify.load_model", lambda name=None, **options: keyword_model)
    source = tmp_path / "smith.txt"
    source.write_text(BELIEF_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(source, "--fast", "--quiet", "--output-dir", out, "--attributions", attributions)
    assert result.exit_code == 0, result.output
    quotes = [json.loads(line) for line in (out / QUOTES_FILE).read_text(encoding="utf-8").splitlines()]
    assert [(quote["text"], quote["act"]) for quote in quotes] == expected
    assert {quote["speaker"] for quote in quotes} == {"Jane Smith"}
    (article,) = [json.loads(line) for line in (out / ARTICLES_FILE).read_text(encoding="utf-8").splitlines()]
    assert article["attributions"] == attributions
