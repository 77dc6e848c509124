"""The stance recipe's data splits: held-out articles, validation, statements to label next."""

from __future__ import annotations

import json

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


def test_training_splits_keep_articles_apart():
    stance_data = shared_data("stance")
    made = splits.make_splits(stance_data)
    train_articles = {row.get("article") or row.get("source_url") for row in made["immigration_train.jsonl"]}
    test_articles = {row.get("article") or row.get("source_url") for row in made["immigration_test.jsonl"]}
    assert not train_articles & test_articles
    train_ids = {row["id"] for name, rows in made.items() if "train" in name for row in rows}
    assert not train_ids & {row["id"] for row in made["gwsd_test.jsonl"]}
    fit_ids = {row["id"] for row in made["immigration_fit.jsonl"]}
    assert fit_ids and not fit_ids & {row["id"] for row in made["immigration_val.jsonl"]}
    assert all(row["group"] for row in made["immigration_test.jsonl"] if row.get("article"))
