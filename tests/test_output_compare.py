import json
import shutil

from stance.output.compare import folder_differences
from stance.output.folder import ARTICLES_FILE, CORPUS_FILE, QUOTES_FILE


def write_folder(folder, score=0.25, documents=("a", "b")):
    folder.mkdir()
    quote = {"text": "x", "start": 0, "end": 1, "stance": "favor", "scores": {"favor": score}}
    (folder / ARTICLES_FILE).write_text(
        "".join(json.dumps({"id": d, "target": "t", "speakers": [], "quotes": [quote]}) + "\n" for d in documents)
    )
    (folder / QUOTES_FILE).write_text(
        "".join(json.dumps({"document": d, "target": "t", **quote}) + "\n" for d in documents for _ in range(2))
    )
    (folder / CORPUS_FILE).write_text(f"target,speaker,favor\nt,Ann,{score}\n")
    return folder


def test_output_compare_same_records_in_another_order_and_within_tolerance(tmp_path):
    first = write_folder(tmp_path / "first")
    second = write_folder(tmp_path / "second", score=0.25004, documents=("b", "a"))
    assert folder_differences(first, second, tolerance=1e-4) == []


def test_output_compare_lists_scores_beyond_tolerance_and_missing_records(tmp_path):
    first = write_folder(tmp_path / "first")
    second = write_folder(tmp_path / "second", score=0.26, documents=("a",))
    found = folder_differences(first, second, tolerance=1e-4)
    assert any(line.startswith(f"{ARTICLES_FILE}: ('b', 0) only in") for line in found)
    assert any(line.startswith(f"{QUOTES_FILE}: ('a', 1) differs") for line in found)
    assert any(line.startswith(f"{CORPUS_FILE}: ('t', 'Ann', 0) differs") for line in found)
    shutil.rmtree(second)
    assert any("only in" in line for line in folder_differences(first, write_folder(second, documents=())))
