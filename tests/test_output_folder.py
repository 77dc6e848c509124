"""The batch output folder: appended lines, repair after a crash, resume, and the two CSV tables.

Whole runs (crash, Ctrl-C, resume) are checked through `run_batch` in test_batch.py.
"""

import csv
import io
import json
from collections import Counter

import pytest

from stance.errors import InputError
from stance.output.folder import (
    ARTICLES_FILE,
    CORPUS_FILE,
    FAILURES_FILE,
    QUOTES_FILE,
    SPEAKERS_FILE,
    OutputFolder,
    count_lines,
    cut_partial_line,
    read_jsonl,
    write_tables,
)
from stance.output.tables import CORPUS_COLUMNS, CSV_DECIMALS, AnalysisWriter
from stance.records import Article, Failure


def two_documents(seed_analysis):
    second = type(seed_analysis)(
        "second", seed_analysis.text, seed_analysis.target, seed_analysis.quotes[:4],
        seed_analysis.speakers, seed_analysis.stances[:2],
    )  # fmt: skip
    return [seed_analysis, second]


def written_folder(folder, results):
    with OutputFolder(folder, resume=False) as outputs:
        counts = outputs.write(results)
    return counts


def test_folder_appends_articles_quotes_and_failures_as_lines(tmp_path, seed_analysis):
    documents = two_documents(seed_analysis)
    failure = Failure("in.jsonl:3", "expected JSON, found junk", "broken")
    counts = written_folder(tmp_path, [documents[0], failure, documents[1]])
    assert counts == Counter(documents=3, failures=1, quotes=len(seed_analysis.quotes) + 4)
    assert list(read_jsonl(tmp_path / ARTICLES_FILE)) == [document.to_dict() for document in documents]
    assert list(read_jsonl(tmp_path / FAILURES_FILE)) == [failure.to_dict()]
    quotes = list(read_jsonl(tmp_path / QUOTES_FILE))
    assert quotes[0] == {"document": seed_analysis.id, "target": seed_analysis.target,
                         **seed_analysis.quotes[0].to_dict()}
    for quote in quotes:
        assert seed_analysis.text[quote["start"] : quote["end"]] == quote["text"]
    assert count_lines(tmp_path / ARTICLES_FILE) == 2 and count_lines(tmp_path / "missing.jsonl") == 0


def test_folder_speakers_csv_is_the_csv_format_and_corpus_csv_merges(tmp_path, seed_analysis):
    documents = two_documents(seed_analysis)
    written_folder(tmp_path, documents)
    assert write_tables(tmp_path) == len(seed_analysis.stances)

    stream = io.StringIO()
    with AnalysisWriter(stream, "csv") as writer:
        for document in documents:
            writer.write(document)
    assert (tmp_path / SPEAKERS_FILE).read_text(encoding="utf-8") == stream.getvalue()

    rows = list(csv.DictReader((tmp_path / CORPUS_FILE).open(encoding="utf-8")))
    assert tuple(rows[0]) == CORPUS_COLUMNS
    by_name = {row["speaker"]: row for row in rows}
    first = seed_analysis.stances[0]
    assert int(by_name[first.name]["articles"]) == 2
    assert int(by_name[first.name]["quotes"]) == 2 * first.quotes
    for row in rows:
        for label in ("favor", "against", "neutral", "confidence"):
            assert len(row[label].partition(".")[2]) <= CSV_DECIMALS


def test_folder_refuses_results_unless_resuming(tmp_path, seed_analysis):
    written_folder(tmp_path, [seed_analysis])
    with pytest.raises(InputError, match="--resume"):
        OutputFolder(tmp_path, resume=False)
    assert OutputFolder(tmp_path, resume=True).done_ids == {seed_analysis.id}


def test_folder_resume_cuts_a_partial_line_and_rebuilds_quotes(tmp_path, seed_analysis):
    documents = two_documents(seed_analysis)
    written_folder(tmp_path, documents)
    expected_quotes = (tmp_path / QUOTES_FILE).read_text(encoding="utf-8")
    articles = (tmp_path / ARTICLES_FILE).read_text(encoding="utf-8")
    # A kill mid-write: the second line cut short, quotes.jsonl behind.
    first_line = articles.splitlines(keepends=True)[0]
    (tmp_path / ARTICLES_FILE).write_text(first_line + '{"id": "second", "tar', encoding="utf-8")
    (tmp_path / QUOTES_FILE).write_text(expected_quotes[:50], encoding="utf-8")

    resumed = OutputFolder(tmp_path, resume=True)
    assert resumed.done_ids == {seed_analysis.id}
    assert (tmp_path / ARTICLES_FILE).read_text(encoding="utf-8") == first_line
    assert [q["document"] for q in read_jsonl(tmp_path / QUOTES_FILE)] == [seed_analysis.id] * len(
        seed_analysis.quotes
    )
    with resumed:
        resumed.write(documents[1:])
    assert (tmp_path / ARTICLES_FILE).read_text(encoding="utf-8") == articles
    assert (tmp_path / QUOTES_FILE).read_text(encoding="utf-8") == expected_quotes


def test_folder_pending_skips_what_is_done_and_fails_repeated_ids(tmp_path, seed_analysis):
    failure = Failure("in.jsonl:2", "expected JSON, found junk")
    written_folder(tmp_path, [seed_analysis, failure])
    outputs = OutputFolder(tmp_path, resume=True)
    counts: Counter[str] = Counter()
    incoming = [
        Article(seed_analysis.id, "done before", origin="in.jsonl:1"),
        Failure("in.jsonl:2", "expected JSON, found junk"),
        Article("new", "text", origin="in.jsonl:3"),
        Article("new", "again", origin="in.jsonl:4"),
    ]
    pending = list(outputs.pending(incoming, counts))
    assert counts["skipped"] == 2
    assert pending[0] == incoming[2]
    assert isinstance(pending[1], Failure) and pending[1].origin == "in.jsonl:4"
    assert "unique document id" in pending[1].reason and "in.jsonl:3" in pending[1].reason


@pytest.mark.parametrize(
    "content, kept",
    [
        (b"", b""),
        (b'{"a": 1}\n', b'{"a": 1}\n'),
        (b'{"a": 1}\n{"a": ', b'{"a": 1}\n'),
        (b'{"a": ', b""),
        # A cut line longer than the 64 KiB the search reads at a time.
        (b'{"a": 1}\n' + b"x" * 200_000, b'{"a": 1}\n'),
    ],
)
def test_folder_cut_partial_line(tmp_path, content, kept):
    path = tmp_path / ARTICLES_FILE
    path.write_bytes(content)
    cut_partial_line(path)
    assert path.read_bytes() == kept


def test_folder_malformed_line_names_file_and_line(tmp_path):
    path = tmp_path / ARTICLES_FILE
    path.write_text(json.dumps({"id": "a"}) + "\nnot json\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"{ARTICLES_FILE}:2"):
        list(read_jsonl(path))
