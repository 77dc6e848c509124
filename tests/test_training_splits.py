"""The stance recipe's data splits: held-out articles, validation, statements to label next."""

from __future__ import annotations

import json

import pytest
from conftest import shared_data

from stance.training import splits


def test_training_splits_annotation_candidates_are_unlabelled_training_statements_about_immigration(tmp_path):
    words = splits.IMMIGRATION_WORDS
    assert all(words.search(text) for text in ("a ban on Muslims entering the U.S.", "ICE agents", "deportations"))
    assert not any(words.search(text) for text in ("the police chief", "a good choice", "Wall Street"))
    # One training article and one held-out article; the text is written for this test.
    names = [f"article-{n}" for n in range(100)]
    kept = next(name for name in names if not splits.held_out("article:" + name) and not splits.validation(name))
    held = next(name for name in names if splits.held_out("article:" + name))
    text = "Smith said deportations must go up. Jones said the weather was fine. Lee said ICE was cruel."

    def attribution(start: int, end: int, source: int) -> dict:
        content = [{"start": start, "end": end, "text": text[start:end]}]
        mention = [{"start": source, "end": source + 5, "text": text[source : source + 5]}]
        return {"content": content, "source": mention, "cue": None, "kind": "indirect"}

    quotes = [attribution(11, 34, 0), attribution(47, 67, 36), attribution(78, 92, 68)]
    polnear = tmp_path / "train.jsonl"
    polnear.write_text("".join(json.dumps({"id": name, "text": text, "quotes": quotes}) + "\n" for name in (kept, held)))
    candidates = splits.annotation_candidates(polnear, labelled_ids={f"polnear-train-{kept}-2"})
    assert [(row["id"], row["text"], row["source"]) for row in candidates] == [(f"polnear-train-{kept}-0", "deportations must go up", "Smith")]
    # The statement carries what the stance model reads: target, speaker as written, context.
    (row,) = candidates
    assert row["target"] == splits.TARGET and row["speaker"] == "Smith" and row["context"] == text


def test_training_splits_unlabelled_attributions_are_the_other_statements_of_the_fit_articles(tmp_path):
    text = "Smith said deportations must go up. Jones said the weather was fine."
    quotes = [
        {"content": [{"start": 11, "end": 34}], "source": [{"start": 0, "end": 5}], "cue": [{"start": 6, "end": 10}],
         "kind": "indirect"},
        {"content": [], "source": None, "cue": None, "kind": None},  # no content: not a statement
        {"content": [{"start": 47, "end": 67}], "source": None, "cue": None, "kind": "indirect"},
    ]
    polnear = tmp_path / "train.jsonl"
    polnear.write_text("".join(json.dumps({"id": name, "text": text, "quotes": quotes}) + "\n" for name in ("a", "b")))
    fit = [{"id": "polnear-train-a-0", "article": "a"}]
    rows = splits.unlabelled_attributions(polnear, fit)
    assert [(row["id"], row["text"], row.get("speaker"), row["source"]) for row in rows] == [
        ("polnear-train-a-2", "the weather was fine", None, None)
    ]


@pytest.fixture(scope="module")
def shared_splits() -> dict[str, list[dict]]:
    return splits.make_splits(shared_data("stance"))


def test_training_splits_keep_articles_and_pages_apart(shared_splits):
    made = shared_splits
    train_groups = {splits.group_key(row) for row in made["immigration_train.jsonl"]}
    test_groups = {splits.group_key(row) for row in made["immigration_test.jsonl"]}
    assert train_groups and test_groups and not train_groups & test_groups
    # The `group` field evaluation resamples by is the same unit, so no group is on both sides either.
    train_pages = {row["group"] for row in made["immigration_train.jsonl"]}
    assert not train_pages & {row["group"] for row in made["immigration_test.jsonl"]}
    train_ids = {row["id"] for name, rows in made.items() if "train" in name for row in rows}
    assert not train_ids & {row["id"] for row in made["gwsd_test.jsonl"]}
    assert not {splits.group_key(row) for row in made["multitarget_train.jsonl"]} & {
        splits.group_key(row) for row in made["gwsd_test.jsonl"]
    }
    fit_units = {splits.validation_unit(row) for row in made["immigration_fit.jsonl"]}
    val_units = {splits.validation_unit(row) for row in made["immigration_val.jsonl"]}
    assert fit_units and val_units and not fit_units & val_units
    assert sorted(row["id"] for name in ("immigration_fit.jsonl", "immigration_val.jsonl") for row in made[name]) == sorted(
        row["id"] for row in made["immigration_train.jsonl"]
    )
    assert all(row["group"] for name in ("immigration_train.jsonl", "immigration_test.jsonl") for row in made[name])


def test_training_splits_every_immigration_file_is_on_both_sides(shared_splits):
    data = shared_data("stance")
    for name in splits.IMMIGRATION_FILES:
        ids = {row["id"] for row in splits.read_jsonl(data / name)}
        for side in ("immigration_train.jsonl", "immigration_test.jsonl", "immigration_val.jsonl"):
            assert ids & {row["id"] for row in shared_splits[side]}, (name, side)
    every = {row["id"] for name in splits.IMMIGRATION_FILES for row in splits.read_jsonl(data / name)}
    placed = [row["id"] for side in ("immigration_train.jsonl", "immigration_test.jsonl") for row in shared_splits[side]]
    dev = {row["id"] for row in splits.read_jsonl(data / splits.IMMIGRATION_DEV_FILE)}
    assert sorted(placed) == sorted(every | dev)  # each statement once, the dev articles all held out
    assert dev <= {row["id"] for row in shared_splits["immigration_test.jsonl"]}


def test_training_splits_pages_of_one_article_are_one_unit():
    first = "http://example.org/2005/showdown?page=0,0"
    assert splits.page_key(first) == splits.page_key("http://example.org/2005/showdown?page=0,1")
    assert splits.page_key("https://example.org/story?id=7&page=2") == "https://example.org/story?id=7"
    kept = "https://example.org/?p=22250"  # other parameters name the article: the url stays as written
    assert splits.page_key(kept) == kept
    row = {"id": "x", "source_url": first, "dataset": "pages"}
    assert splits.group_key(row) == "url:http://example.org/2005/showdown"
    assert splits.validation_unit(row) == "http://example.org/2005/showdown"


def test_training_splits_other_target_rows_are_configurable(shared_splits):
    def others(made):
        return [row for row in made["multitarget_train.jsonl"] if row["dataset"] != "gwsd"]

    assert len(others(shared_splits)) == splits.OTHER_TARGET_ROWS
    fewer = splits.make_splits(shared_data("stance"), other_target_rows=40)
    assert len(others(fewer)) == 40
    assert fewer["immigration_test.jsonl"] == shared_splits["immigration_test.jsonl"]
