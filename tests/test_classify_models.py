"""Stance models: resolution, batched inference, NLI zero-shot, labels from scores, save -> load."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from stance.classify import NliStanceClassifier, StanceClassifier, load_model, model_input, with_stances
from stance.classify.inputs import SAID_TEMPLATE
from stance.classify.models import DEFAULT_MODEL, TASK, StanceConfig, resolve_model
from stance.errors import ModelError
from stance.models import folder as model_folder
from stance.models.folder import models_dir, read_model_record, write_model_record
from stance.records import STANCE_LABELS, StanceInput, most_probable

STATEMENTS = [
    StanceInput("gun control", "Permits are issued on weekdays.", "the sheriff"),
    StanceInput("immigration enforcement", "We need more agents at the border and a wall.", None, "At a rally he spoke."),
    StanceInput("a tax on sugary drinks", "The tax raised money " * 20, "the budget office"),
    StanceInput("immigration enforcement", "The raids must stop.", "the coalition"),
    StanceInput("renewable energy subsidies", "Jobs.", "the union"),
]


def test_classify_truncation_cuts_context_before_quote(tiny_stance_dir):
    model = load_model(tiny_stance_dir)
    item = StanceInput("gun control", "ban assault weapons", "the parent", "permits " * 400)
    first, second = model_input(item)
    encoded = model.tokenizer(first, second, truncation="only_second", max_length=24)
    text = model.tokenizer.decode(encoded["input_ids"])
    assert len(encoded["input_ids"]) == 24
    assert "ban assault weapons" in text and "gun control" in text


def test_classify_resolve_model_folder_short_name_and_hub_id(tmp_path, monkeypatch, tiny_stance_dir):
    monkeypatch.setattr(model_folder, "models_dir", lambda: tmp_path)
    (tmp_path / "mine").mkdir()
    assert resolve_model(tiny_stance_dir) == tiny_stance_dir
    assert resolve_model("mine") == tmp_path / "mine"
    assert resolve_model(None) == DEFAULT_MODEL  # not in this models dir: a hub id
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
    assert model.predict(STATEMENTS) == [most_probable(p) for p in batched]
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
    assert model.predict(STATEMENTS) == [most_probable(row) for row in scores]


def test_classify_with_stances_takes_the_most_probable_label_and_ties_go_to_neutral(seed_analysis):
    quotes = seed_analysis.quotes[:3]
    scores = [
        {"favor": 0.7, "against": 0.2, "neutral": 0.1},
        {"favor": 0.4, "against": 0.4, "neutral": 0.2},
        {"favor": 0.4, "against": 0.2, "neutral": 0.4},
    ]
    labelled = with_stances(quotes, scores)
    assert [quote.stance for quote in labelled] == ["favor", "favor", "neutral"]
    assert [quote.scores for quote in labelled] == scores
    assert [(quote.start, quote.end, quote.text) for quote in labelled] == [(q.start, q.end, q.text) for q in quotes]
    with pytest.raises(ValueError):
        with_stances(quotes, scores[:2])


def test_classify_save_load_roundtrip_keeps_config_and_predictions(tmp_path, tiny_stance_dir):
    model = load_model(tiny_stance_dir, precision="fp32")
    model.config = StanceConfig(template=SAID_TEMPLATE, max_length=40, use_context=False, temperature=1.5)
    folder = model.save_pretrained(tmp_path / "copy", training={"note": "by hand"})
    record = read_model_record(folder, TASK)
    assert record.weights.stored == "full" and record.labels == STANCE_LABELS
    assert record.config == {"template": SAID_TEMPLATE, "max_length": 40, "use_context": False, "temperature": 1.5}
    assert record.base == {"name": str(tiny_stance_dir)} and record.training == {"note": "by hand"}
    loaded = load_model(folder, precision="fp32")
    assert loaded.config == model.config and loaded.base == record.base
    assert loaded.predict_proba(STATEMENTS) == model.predict_proba(STATEMENTS)


def test_classify_changed_weights_fail_the_hash_check(tmp_path, tiny_stance_dir):
    folder = load_model(tiny_stance_dir).save_pretrained(tmp_path / "copy")
    record = read_model_record(folder, TASK)
    write_model_record(folder, replace(record, weights=replace(record.weights, sha256="0" * 64)))
    with pytest.raises(ModelError, match="sha256 mismatch"):
        load_model(folder)


SHIPPED = models_dir() / DEFAULT_MODEL


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
