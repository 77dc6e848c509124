import json

import pytest

from stance.errors import InputError
from stance.reading import read_documents
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
