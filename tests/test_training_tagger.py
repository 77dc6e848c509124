"""Training the quote tagger: windows with gold tags, the shared loop, train -> save -> load,
`train_tagger` and `stance train-tagger`."""

from __future__ import annotations

import json

import pytest
from conftest import TRAINING_SENTENCES, annotated, assert_quotes_in_bounds
from typer.testing import CliRunner

from stance.cli import app
from stance.errors import DataError
from stance.models.folder import CONFIG_FILE, WEIGHTS_FILE
from stance.quotes.tagger import LABELS, SPAN_TYPES, QuoteTagger
from stance.training.tagger import (
    TaggerTrainingArguments,
    fit_tagger,
    model_card,
    read_training_articles,
    statements_of,
    training_windows,
)


def polnear_rows(sentences=TRAINING_SENTENCES) -> list[dict]:
    """The test sentences as rows of a PolNeAR-format file."""
    rows = []
    for index, (sentence, *rest) in enumerate(sentences):
        spans = annotated(sentence, *rest).spans
        quote = {key: [{"start": s, "end": e, "text": sentence[s:e]} for s, e in spans[key]] for key in SPAN_TYPES}
        rows.append({"id": str(index), "text": sentence, "quotes": [quote]})
    return rows


def test_training_tagger_windows_carry_the_gold_tags_of_their_tokens(tiny_tagger):
    articles = [annotated(*row) for row in TRAINING_SENTENCES]
    windows = training_windows(tiny_tagger, articles)
    # The tiny tagger reads 14 tokens per window; every sentence needs at least one.
    assert len(windows) >= len(articles)
    for ids, tags in windows:
        assert len(ids) == len(tags) <= tiny_tagger.config.max_length - 2 and tags.shape[1] == len(SPAN_TYPES)
    assert all((tags != 0).any() for _, tags in windows[:1])


def test_training_tagger_for_statements_learns_only_gold_statements(tiny_tagger):
    from dataclasses import replace

    said = annotated(*TRAINING_SENTENCES[0])
    believed = annotated("Voters believe the plan would cut costs.", "the plan would cut costs", "Voters", "believe")
    both = replace(said, attributions=said.attributions + believed.attributions)
    assert statements_of(both).attributions == said.attributions
    # For a statement tagger a belief's spans are outside; for an attribution tagger they are not.
    tiny_tagger.config = replace(tiny_tagger.config, attributions="speech")
    assert not any(tags.any() for _, tags in training_windows(tiny_tagger, [believed]))
    assert all(tags.any() for _, tags in training_windows(tiny_tagger, [said]))
    tiny_tagger.config = replace(tiny_tagger.config, attributions="all")
    assert all(tags.any() for _, tags in training_windows(tiny_tagger, [believed]))


def test_training_tagger_train_save_load_gives_identical_predictions(tiny_tagger, tmp_path, monkeypatch):
    monkeypatch.setenv("STANCE_CACHE", str(tmp_path / "cache"))  # where the int8 export goes
    texts = [annotated(*row) for row in TRAINING_SENTENCES]
    steps = []
    record = fit_tagger(
        tiny_tagger, texts, TaggerTrainingArguments(max_steps=3, log_every=1),
        progress=lambda phase, done, total: steps.append((phase, done, total)),
    )
    assert record["steps"] == 3 and len(record["losses"]) == 3 and record["windows"] >= 4
    assert steps == [("training", 1, 3), ("training", 2, 3), ("training", 3, 3)]
    folder = tiny_tagger.save_pretrained(tmp_path / "tagger")
    saved = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    assert saved["labels"] == list(LABELS) and saved["base"] is None
    loaded = QuoteTagger.from_pretrained(folder)
    articles = [sentence + " " + sentence for sentence, *_ in TRAINING_SENTENCES]
    assert loaded.tag(articles) == tiny_tagger.tag(articles)
    predicted = loaded.predict(articles)
    assert predicted == tiny_tagger.predict(articles)
    for text, quotes in zip(articles, predicted):
        assert_quotes_in_bounds(text, quotes)
    # Faster inference precisions run on the same inputs and keep spans in bounds.
    for precision in ("int8", "bf16"):
        for text, quotes in zip(articles, QuoteTagger.from_pretrained(folder, precision=precision).predict(articles)):
            assert_quotes_in_bounds(text, quotes)


def test_training_tagger_reads_the_first_articles_and_refuses_an_empty_file(tmp_path):
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in polnear_rows()), encoding="utf-8")
    assert [article.id for article in read_training_articles(data, limit=2)] == ["0", "1"]
    assert len(read_training_articles(data)) == len(TRAINING_SENTENCES)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(DataError, match="expected annotated articles, found none"):
        read_training_articles(empty)


def test_training_tagger_cli_trains_and_evaluates_a_folder_on_the_packaged_encoder(tmp_path, seed_text):
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in polnear_rows()), encoding="utf-8")
    output = tmp_path / "tagger"
    result = CliRunner().invoke(
        app, ["train-tagger", "--train", str(data), "--output", str(output), "--max-steps", "1",
              "--max-length", "32", "--stride", "8", "--layers", "2", "--trained-layers", "1", "--attributions", "speech", "--evaluate", str(data)],
    )
    assert result.exit_code == 0, result.output
    assert f"saved {output} in 1 steps" in " ".join(result.output.split())  # Rich wraps long lines
    assert {path.name for path in output.iterdir()} >= {CONFIG_FILE, WEIGHTS_FILE, "config.json", "README.md", "tokenizer.json"}
    # Only the trained layer and the head are stored: far smaller than the 90 MB base.
    assert (output / WEIGHTS_FILE).stat().st_size < 5_000_000
    saved = json.loads((output / CONFIG_FILE).read_text(encoding="utf-8"))
    assert saved["training"]["arguments"]["max_steps"] == 1 and saved["training"]["articles"] == 4
    assert saved["config"]["attributions"] == "speech"
    assert set(saved["evaluation"][str(data)]) == {"rules + tagger", "rules only (--fast)"}
    card = (output / "README.md").read_text(encoding="utf-8")
    assert card == model_card(saved) and "| rules only (--fast) |" in card and "--attributions speech" in card and f"--evaluate {data}" in card
    tagger = QuoteTagger.from_pretrained(output)
    [quotes] = tagger.predict([seed_text])
    assert_quotes_in_bounds(seed_text, quotes)
