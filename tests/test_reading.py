import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stance.errors import InputError
from stance.reading import ReadOptions, estimate_documents, read_documents
from stance.records import Article, Failure


def test_reading_txt_folder_and_jsonl(tmp_path):
    (tmp_path / "a.txt").write_text("First article.", encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    rows = [{"id": "x", "text": "X text", "target": "gun control"}, {"id": "y", "text": "Y text"}]
    (sub / "more.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    docs = list(read_documents([tmp_path]))
    assert [d.id for d in docs] == ["a", "x", "y"]
    assert docs[1] == Article("x", "X text", "gun control", f"{sub / 'more.jsonl'}:1")


def test_reading_malformed_jsonl_line_is_a_failure_and_the_rest_is_read(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text('{"id": "a", "text": "A"}\n{not json\n{"id": "b", "text": "B"}\n', encoding="utf-8")
    docs = list(read_documents([path]))
    assert [type(d) for d in docs] == [Article, Failure, Article]
    assert docs[1].origin == f"{path}:2"


def test_reading_missing_path_raises_naming_it(tmp_path):
    with pytest.raises(InputError, match="nope.txt"):
        list(read_documents([tmp_path / "nope.txt"]))


def _read(paths, **options):
    return list(read_documents(paths, ReadOptions(**options)))


def test_reading_folder_ids_are_relative_paths_and_glob_filters(tmp_path):
    (tmp_path / "2024" / "01").mkdir(parents=True)
    (tmp_path / "2024" / "01" / "story.txt").write_text("A story.", encoding="utf-8")
    (tmp_path / "2024" / "notes.md").write_text("Some notes.", encoding="utf-8")
    (tmp_path / "skip.bin").write_bytes(b"\0\1")
    assert [d.id for d in _read([tmp_path])] == ["2024/01/story", "2024/notes"]
    assert [d.id for d in _read([tmp_path], glob="*.txt")] == ["2024/01/story"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty or whitespace-only"),
        (b"  \n\t\n", "empty or whitespace-only"),
        (b"PK\x03\x04\x00\x00binary", "binary content"),
        (b"abc \x81\x8d\x90 def", "neither decodes"),
        (b"x" * 101, "at most 100 characters"),
    ],
)
def test_reading_bad_text_file_is_a_failure_with_reason(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    [failure] = _read([path], max_chars=100)
    assert isinstance(failure, Failure)
    assert failure.id == "bad" and failure.origin == str(path)
    assert reason in failure.reason


def test_reading_cp1252_falls_back_and_utf8_bom_is_dropped(tmp_path):
    (tmp_path / "a.txt").write_bytes("“Quoted,” she said. Café.".encode("cp1252"))
    (tmp_path / "b.txt").write_bytes("\ufeffPlain UTF-8 é.".encode("utf-8"))
    a, b = _read([tmp_path])
    assert a.text == "“Quoted,” she said. Café."
    assert b.text == "Plain UTF-8 é."


def test_reading_jsonl_row_failures_name_the_line(tmp_path):
    path = tmp_path / "docs.jsonl"
    lines = [
        json.dumps({"id": 1, "text": "One."}),
        "[1, 2]",
        json.dumps({"id": "no-text", "body": "Two."}),
        json.dumps({"id": "blank", "text": "   "}),
        "",
        json.dumps({"text": "No id."}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs = _read([path])
    assert [(d.id, d.origin) for d in docs] == [
        ("1", f"{path}:1"),
        (None, f"{path}:2"),
        ("no-text", f"{path}:3"),
        ("blank", f"{path}:4"),
        ("docs:6", f"{path}:6"),
    ]
    assert [type(d) for d in docs] == [Article, Failure, Failure, Failure, Article]
    assert "--text-field" in docs[2].reason


def test_reading_csv_with_configured_fields_multiline_and_bad_rows(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "doc,body,topic\n"
        'a,"First line,\nsecond line.",gun control\n'
        "b,too,many,fields\n"
        "c,Third.,\n",
        encoding="utf-8",
    )
    docs = _read([path], id_field="doc", text_field="body", target_field="topic")
    assert docs[0] == Article("a", "First line,\nsecond line.", "gun control", f"{path}:2")
    assert isinstance(docs[1], Failure) and docs[1].origin == f"{path}:4"
    assert "expected 3 fields" in docs[1].reason
    assert docs[2] == Article("c", "Third.", None, f"{path}:5")


def test_reading_csv_without_the_text_column_fails_the_file(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("id,body\na,Text.\n", encoding="utf-8")
    [failure] = _read([path])
    assert failure.origin == str(path) and '"text" column' in failure.reason


def test_reading_parquet(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    path = tmp_path / "docs.parquet"
    pq.write_table(pa.table({"id": ["p1", "p2"], "text": ["Parquet text.", ""]}), path)
    ok, bad = _read([path])
    assert ok == Article("p1", "Parquet text.", None, f"{path}:row 1")
    assert isinstance(bad, Failure) and bad.origin == f"{path}:row 2"


@pytest.mark.parametrize(
    ("data", "stdin_format", "expected"),
    [
        (b"A plain article.\n", "auto", [("stdin", "A plain article.\n")]),
        (b'\n{"id": "j", "text": "From JSONL."}\n', "auto", [("j", "From JSONL.")]),
        (b"id,text\nc,From CSV.\n", "csv", [("c", "From CSV.")]),
    ],
)
def test_reading_stdin(data, stdin_format, expected):
    docs = list(read_documents(["-"], ReadOptions(stdin_format=stdin_format), stdin=io.BytesIO(data)))
    assert [(d.id, d.text) for d in docs] == expected


def test_reading_estimate_documents_counts_files_lines_and_rows(tmp_path):
    (tmp_path / "a.txt").write_text("A.", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"text": "1"}\n\n{"text": "2"}\n', encoding="utf-8")
    (tmp_path / "c.csv").write_text("id,text\nx,X\ny,Y\nz,Z\n", encoding="utf-8")
    assert estimate_documents([tmp_path]) == 1 + 2 + 3
    assert estimate_documents([tmp_path / "a.txt", "-"]) is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), min_size=1).filter(str.strip),
    prefix=st.sampled_from(["", "a\n\ufeff"]),  # U+FEFF inside a text is text, not a byte-order mark
)
def test_reading_any_text_round_trips_through_jsonl_and_csv(tmp_path, text, prefix):
    text = prefix + text
    jsonl_path, csv_path = tmp_path / "one.jsonl", tmp_path / "one.csv"
    jsonl_path.write_text(json.dumps({"id": "a", "text": text}) + "\n", encoding="utf-8")
    with csv_path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([["id", "text"], ["a", text]])
    for path in (jsonl_path, csv_path):
        [doc] = _read([path])
        assert isinstance(doc, Article) and doc.text == text, doc
