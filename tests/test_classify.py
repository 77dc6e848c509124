"""Stance classification: model input, model resolution, batched inference, NLI zero-shot."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from stance import classify
from stance.classify import (
    NliStanceClassifier,
    StanceClassifier,
    classify_quotes,
    load_model,
    model_input,
    resolve_model,
    stance_input,
)
from stance.errors import ModelError
from stance.records import STANCE_LABELS, Quote, Span, StanceInput

STATEMENTS = [
    StanceInput("gun control", "Permits are issued on weekdays.", "the sheriff"),
    StanceInput("immigration enforcement", "We need more agents at the border and a wall.", None, "At a rally he spoke."),
    StanceInput("a tax on sugary drinks", "The tax raised money " * 20, "the budget office"),
    StanceInput("immigration enforcement", "The raids must stop.", "the coalition"),
    StanceInput("renewable energy subsidies", "Jobs.", "the union"),
]


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (StanceInput("gun control", "Ban them.", "Jane Ortiz"), ("target: gun control", "Jane Ortiz said: Ban them.")),
        (StanceInput("gun control", "Ban them.", None), ("target: gun control", "someone said: Ban them.")),
        (
            StanceInput("gun control", "Ban them.", "she", "Ortiz spoke."),
            ("target: gun control", "she said: Ban them. context: Ortiz spoke."),
        ),
        (
            StanceInput("gun control", "the ban", "Ortiz", cue=" criticized\n"),
            ("target: gun control", "Ortiz criticized: the ban"),
        ),
        (StanceInput("gun control", "Ban them.", "Ortiz", cue=":"), ("target: gun control", "Ortiz said: Ban them.")),
    ],
)
def test_classify_model_input_segments(item, expected):
    assert model_input(item) == expected


def test_classify_model_input_keeps_a_models_own_template():
    item = StanceInput("gun control", "the ban", "Ortiz", cue="criticized")
    assert model_input(item, template=classify.SAID_TEMPLATE) == ("target: gun control", "Ortiz said: the ban")


def test_classify_stance_input_carries_the_cue():
    text = "Ortiz criticized the ban on Monday."
    quote = Quote(17, 24, "the ban", "indirect", (Span(17, 24, "the ban"),), cue=Span(6, 16, "criticized"), speaker="Ortiz")
    assert stance_input(text, quote, "gun control").cue == "criticized"


def test_classify_model_input_without_context():
    item = StanceInput("gun control", "Ban them.", "she", "Ortiz spoke.")
    assert model_input(item, use_context=False) == ("target: gun control", "she said: Ban them.")


def test_classify_truncation_cuts_context_before_quote(tiny_stance_dir):
    model = load_model(tiny_stance_dir)
    item = StanceInput("gun control", "ban assault weapons", "the parent", "permits " * 400)
    first, second = model_input(item)
    encoded = model.tokenizer(first, second, truncation="only_second", max_length=24)
    text = model.tokenizer.decode(encoded["input_ids"])
    assert len(encoded["input_ids"]) == 24
    assert "ban assault weapons" in text and "gun control" in text


def _quote(text: str, content: str, speaker: str | None) -> Quote:
    start = text.index(content)
    end = start + len(content)
    return Quote(start, end, content, "direct", (Span.of(text, start, end),), speaker=speaker)


def test_classify_stance_input_takes_paragraph_context(seed_text):
    quote = _quote(seed_text, "uncontrolled, unwarranted", "Joanne Lin")
    item = stance_input(seed_text, quote, "immigration enforcement")
    assert item.text == "uncontrolled, unwarranted"
    assert item.speaker == "Joanne Lin" and item.target == "immigration enforcement"
    assert "Lin also said" in item.context and "\n" not in item.context
    assert "Napolitano" not in item.context  # the next paragraph is not part of it


def test_classify_stance_input_falls_back_to_mention():
    text = "She said the plan works."
    quote = Quote(9, 24, text[9:24], "indirect", (Span.of(text, 9, 24),), mention=Span.of(text, 0, 3))
    assert stance_input(text, quote, "the plan").speaker == "She"


def test_classify_resolve_model_folder_short_name_and_hub_id(tmp_path, monkeypatch, tiny_stance_dir):
    monkeypatch.setattr(classify, "models_dir", lambda: tmp_path)
    (tmp_path / "mine").mkdir()
    assert resolve_model(tiny_stance_dir) == tiny_stance_dir
    assert resolve_model("mine") == tmp_path / "mine"
    assert resolve_model(None) == classify.DEFAULT_MODEL  # not in this models dir: a hub id
    assert resolve_model("org/some-model") == "org/some-model"


def test_classify_hub_id_offline_says_how_to_use_a_folder(monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ModelError, match="--model FOLDER"):
        load_model("no-such-org/no-such-stance-model")


def test_classify_rejects_model_with_other_labels(tiny_encoder_dir):
    with pytest.raises(ModelError, match="expected a stance model"):
        load_model(tiny_encoder_dir)


def test_classify_predict_proba_batched_in_input_order(tiny_stance_dir):
    model = load_model(tiny_stance_dir)
    assert isinstance(model, StanceClassifier) and model.labels == STANCE_LABELS
    batched = model.predict_proba(STATEMENTS, batch_size=2)
    one_by_one = [model.predict_proba([item])[0] for item in STATEMENTS]
    assert len(batched) == len(STATEMENTS)
    for got, expected in zip(batched, one_by_one, strict=True):
        assert set(got) == set(STANCE_LABELS)
        assert math.isclose(sum(got.values()), 1.0, rel_tol=1e-5)
        assert all(math.isclose(got[label], expected[label], abs_tol=1e-5) for label in STANCE_LABELS)
    assert model.predict(STATEMENTS) == [max(p, key=p.get) for p in batched]
    assert model.predict_proba([]) == []


def test_classify_nli_model_zero_shot(tiny_nli_dir):
    model = load_model(tiny_nli_dir)
    assert isinstance(model, NliStanceClassifier) and model.labels == STANCE_LABELS
    scores = model.predict_proba(STATEMENTS, batch_size=3)
    assert len(scores) == len(STATEMENTS)
    for row in scores:
        assert set(row) == set(STANCE_LABELS)
        assert math.isclose(sum(row.values()), 1.0, rel_tol=1e-6)
        assert all(0.0 <= value <= 1.0 for value in row.values())
    assert model.predict(STATEMENTS) == [max(row, key=row.get) for row in scores]


def test_classify_quotes_fills_stance_and_scores(seed_text, tiny_stance_dir):
    model = load_model(tiny_stance_dir)
    quotes = [
        _quote(seed_text, "uncontrolled, unwarranted", "Joanne Lin"),
        _quote(seed_text, "These year-end totals indicate that we are making progress", None),
    ]
    classified = classify_quotes(model, seed_text, quotes, "immigration enforcement", batch_size=1)
    assert [quote.text for quote in classified] == [quote.text for quote in quotes]
    for quote in classified:
        assert quote.stance == max(quote.scores, key=quote.scores.get)
        assert seed_text[quote.start : quote.end] == quote.text


def test_classify_save_load_roundtrip_full_weights(tmp_path, tiny_stance_dir):
    model = load_model(tiny_stance_dir)
    folder = model.save_pretrained(tmp_path / "copy")
    config = json.loads((folder / "stance_config.json").read_text())
    assert config["weights"] == "full" and config["labels"] == list(STANCE_LABELS)
    assert "transformers" in config["versions"]
    assert load_model(folder).predict_proba(STATEMENTS) == model.predict_proba(STATEMENTS)


def test_classify_changed_weights_fail_the_hash_check(tmp_path, tiny_stance_dir):
    folder = load_model(tiny_stance_dir).save_pretrained(tmp_path / "copy")
    config = json.loads((folder / "stance_config.json").read_text())
    config["weights_sha256"] = "0" * 64
    (folder / "stance_config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match="sha256 mismatch"):
        load_model(folder)


SHIPPED = Path(classify.models_dir()) / classify.DEFAULT_MODEL


@pytest.mark.skipif(not SHIPPED.is_dir(), reason="the shipped default model is not in models/")
@pytest.mark.parametrize(
    ("speaker", "statement", "expected"),
    [
        # Written for this test: plain statements of position, not from any corpus or fixture.
        ("Senator Mark Hale", "We need more agents at the border and a wall that stops illegal crossings.", "favor"),
        ("the immigrant rights coalition", "These raids are cruel and tear families apart. Stop the deportations now.", "against"),
    ],
)
def test_classify_shipped_default_reads_clear_positions(speaker, statement, expected):
    model = load_model(None)
    assert model.predict([StanceInput("immigration enforcement", statement, speaker)]) == [expected]


@pytest.mark.parametrize(
    ("precision", "bf16_units", "bf16"),
    [("bf16", False, True), ("auto", True, True), ("auto", False, False), ("fp32", True, False)],
)
def test_classify_precision_runs_inference_under_bf16_autocast(
    monkeypatch, tiny_stance_dir, tiny_nli_dir, precision, bf16_units, bf16
):
    import torch

    import stance.devices

    monkeypatch.setattr(stance.devices, "cpu_has_bf16_units", lambda: bf16_units)
    for folder in (tiny_stance_dir, tiny_nli_dir):
        model = load_model(folder, device="cpu", precision=precision)
        seen = []
        model.model.register_forward_hook(lambda *_: seen.append(torch.is_autocast_enabled("cpu")))
        scores = model.predict_proba(STATEMENTS[:2])
        assert seen and set(seen) == {bf16}
        assert all(math.isclose(sum(row.values()), 1.0, rel_tol=1e-5) for row in scores)
        # The weights stay float32 either way: precision is how inference runs, not what is stored.
        assert next(model.model.parameters()).dtype == torch.float32


def test_classify_precision_unknown_is_a_model_error(tiny_stance_dir):
    with pytest.raises(ModelError, match="precision"):
        load_model(tiny_stance_dir, device="cpu", precision="fp8")
