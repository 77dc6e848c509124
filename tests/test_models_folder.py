"""Model folders: the one record schema, save -> load, partial weights over the packaged encoder,
hash checks, lookup; and the shipped folders in their current schema."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from conftest import ROOT

from stance.errors import ModelError
from stance.models import folder as model_folder
from stance.models.encoders import MINILM, MPNET, packaged_encoder
from stance.models.folder import (
    CONFIG_FILE,
    WEIGHTS_FILE,
    file_sha256,
    find_model_folder,
    library_versions,
    load_model_folder,
    load_tokenizer,
    read_model_record,
    save_model_folder,
    trained_prefixes,
    write_model_record,
)

TASK = "stance-classification"
SENTENCES = ["target: gun control", "the sheriff said: permits are issued on weekdays."]
# Each shipped folder: its task, the packaged encoder under it, and how its own weights are stored.
SHIPPED = {
    "stance-mpnet": ("stance-classification", MPNET, "lora"),
    "stance-minilm": ("stance-classification", MINILM, "partial"),
    "quote-tagger": ("quote-tagging", MINILM, "partial"),
    "attribution-tagger": ("quote-tagging", MINILM, "partial"),
}


def _logits(model, tokenizer):
    import torch

    with torch.inference_mode():
        return model(**tokenizer(*SENTENCES, return_tensors="pt")).logits


def _auto():
    from transformers import AutoModelForSequenceClassification

    return AutoModelForSequenceClassification


def _sequence_classifier(source, **options):
    return _auto().from_pretrained(str(source), **options).eval()


def test_models_folder_full_save_load_gives_identical_predictions(tmp_path, tiny_stance_dir):
    model, tokenizer = _sequence_classifier(tiny_stance_dir), load_tokenizer(tiny_stance_dir)
    folder = tmp_path / "tiny"
    record = save_model_folder(
        folder, model, tokenizer, task=TASK, config={"max_length": 32}, base={"name": "tiny"},
        training={"epochs": 1}, extra={"evaluation": {"dev": 0.5}},
    )
    assert {"config.json", "tokenizer.json", WEIGHTS_FILE, CONFIG_FILE} <= {path.name for path in folder.iterdir()}
    assert record.weights.stored == "full" and record.weights.sha256 == file_sha256(folder / WEIGHTS_FILE)
    assert record.labels == ("favor", "against", "neutral") and "transformers" in record.versions
    saved = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    assert list(saved) == ["task", "labels", "config", "base", "weights", "versions", "training", "evaluation"]
    assert read_model_record(folder, TASK) == record
    loaded, loaded_record = load_model_folder(folder, _auto(), TASK)
    assert loaded_record == record
    assert _logits(loaded, tokenizer).equal(_logits(model, tokenizer))


def test_models_folder_partial_save_stores_only_trained_tensors_and_loads_them_over_the_base(tmp_path):
    import torch

    model = _sequence_classifier(MINILM.directory(), num_labels=3, id2label={0: "favor", 1: "against", 2: "neutral"})
    tokenizer = load_tokenizer(MINILM.directory())
    torch.manual_seed(0)
    for name, parameter in model.named_parameters():
        parameter.requires_grad = name.startswith(("bert.encoder.layer.5.", "bert.pooler.", "classifier."))
        if parameter.requires_grad:
            with torch.no_grad():  # "trained", and exact in the fp16 the folder stores
                parameter.add_(0.01 * torch.randn_like(parameter)).copy_(parameter.half().float())
    folder = tmp_path / "partial"
    record = save_model_folder(folder, model, tokenizer, task=TASK, config={}, base=MINILM.record())
    assert record.weights.stored == "partial"
    assert record.weights.trained_prefixes == ("bert.encoder.layer.5.", "bert.pooler.", "classifier.")
    assert (folder / WEIGHTS_FILE).stat().st_size < 5_000_000  # the base is 90 MB
    loaded, _ = load_model_folder(folder, _auto(), TASK)
    saved, restored = model.state_dict(), loaded.state_dict()
    assert saved.keys() == restored.keys() and all(saved[key].equal(restored[key]) for key in saved)
    # Same weights; the CPU kernels may still round the last bit differently between two copies.
    assert torch.allclose(_logits(loaded, tokenizer), _logits(model, tokenizer), rtol=0, atol=1e-6)


def test_models_folder_changed_weights_raise_a_model_error_naming_the_file(tmp_path, tiny_stance_dir):
    folder = tmp_path / "tiny"
    save_model_folder(folder, _sequence_classifier(tiny_stance_dir), load_tokenizer(tiny_stance_dir), task=TASK, config={}, base=None)
    weights = folder / WEIGHTS_FILE
    weights.write_bytes(weights.read_bytes()[:-1] + b" ")
    with pytest.raises(ModelError, match=re.escape(str(weights)) + ": sha256 mismatch"):
        load_model_folder(folder, _auto(), TASK)


def test_models_folder_record_errors_name_the_file_and_say_what_to_do(tmp_path, tiny_stance_dir):
    with pytest.raises(ModelError, match=f"expected a model folder with {CONFIG_FILE}.*`stance train`"):
        read_model_record(tmp_path, TASK)
    folder = tmp_path / "tiny"
    record = save_model_folder(folder, _sequence_classifier(tiny_stance_dir), load_tokenizer(tiny_stance_dir), task=TASK, config={}, base=None)
    with pytest.raises(ModelError, match="expected a quote-tagging model, found a stance-classification model"):
        read_model_record(folder, "quote-tagging")
    # The schema before stance_config.json had one: flat, with "weights" a string.
    old = {"labels": list(record.labels), "weights": "full", "weights_sha256": record.weights.sha256}
    (folder / CONFIG_FILE).write_text(json.dumps(old), encoding="utf-8")
    with pytest.raises(ModelError, match=re.escape(str(folder / CONFIG_FILE)) + ".*retrain it"):
        read_model_record(folder, TASK)
    write_model_record(folder, replace(record, extra={"evaluation": {"dev": 1.0}}))
    assert read_model_record(folder, TASK).extra == {"evaluation": {"dev": 1.0}}


def test_models_folder_trained_prefixes_follow_requires_grad(tiny_stance_dir):
    model = _sequence_classifier(tiny_stance_dir)
    assert trained_prefixes(model) is None  # the embeddings train too: store the whole model
    model.bert.embeddings.requires_grad_(False)
    model.bert.encoder.layer[0].requires_grad_(False)
    assert trained_prefixes(model) == ("bert.encoder.layer.1.", "bert.pooler.", "classifier.")


def test_models_folder_find_model_folder(tmp_path, monkeypatch, tiny_stance_dir):
    monkeypatch.setattr(model_folder, "models_dir", lambda: tmp_path)
    (tmp_path / "mine").mkdir()
    assert find_model_folder(tiny_stance_dir) == tiny_stance_dir
    assert find_model_folder("mine") == tmp_path / "mine"
    assert find_model_folder("org/hub-model") is None
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(ModelError, match="expected a model folder"):
        find_model_folder(tmp_path / "file.txt")


def test_models_folder_library_versions_name_the_libraries_that_wrote_it():
    assert {"stance", "torch", "transformers", "tokenizers", "safetensors"} <= set(library_versions())


@pytest.mark.parametrize("name", SHIPPED)
def test_models_folder_shipped_folders_have_the_current_schema_and_their_hashes(name):
    from safetensors import safe_open

    from stance.models.folder import ADAPTER_FILE

    task, encoder, stored = SHIPPED[name]
    folder = ROOT / "models" / name
    record = read_model_record(folder, task)
    assert packaged_encoder(record.base) is encoder and record.weights.stored == stored
    weights_file = folder / (ADAPTER_FILE if stored == "lora" else WEIGHTS_FILE)
    assert file_sha256(weights_file) == record.weights.sha256
    if stored == "partial":
        with safe_open(str(weights_file), "pt") as weights:
            assert all(key.startswith(record.weights.trained_prefixes) for key in weights.keys())
    assert record.training  # how it was made stays with it
    assert (folder / "README.md").is_file()  # and its card


def _lora_model(encoder, rank: int = 2):
    """A stance model on ``encoder`` with a LoRA adapter of random weights (B starts at zero)."""
    import torch

    from stance.models.lora import LoraSettings, with_lora

    torch.manual_seed(0)
    model = _sequence_classifier(encoder.directory(), num_labels=3, id2label={0: "favor", 1: "against", 2: "neutral"})
    settings = LoraSettings.for_model(model, rank)
    peft_model = with_lora(model, settings)
    with torch.no_grad():
        for name, parameter in peft_model.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0, 0.5)
    return peft_model.eval(), settings


def test_models_folder_lora_save_stores_the_adapter_and_load_merges_it_identically(tmp_path, packaged_tiny_encoder):
    from stance.models.folder import ADAPTER_FILE
    from stance.models.lora import merge_trained

    peft_model, settings = _lora_model(packaged_tiny_encoder)
    tokenizer = load_tokenizer(packaged_tiny_encoder.directory())
    unmerged = _logits(peft_model, tokenizer)
    merged, adapter = merge_trained(peft_model, settings)
    assert not merged.training and torch_allclose(_logits(merged, tokenizer), unmerged)
    folder = tmp_path / "lora"
    (folder).mkdir()
    (folder / WEIGHTS_FILE).write_bytes(b"an older model's weights")
    record = save_model_folder(
        folder, merged, tokenizer, task=TASK, config={}, base=packaged_tiny_encoder.record(), adapter=adapter
    )
    assert record.weights.stored == "lora" and record.weights.lora == settings.to_dict()
    assert record.weights.sha256 == file_sha256(folder / ADAPTER_FILE) and not (folder / WEIGHTS_FILE).exists()
    assert read_model_record(folder, TASK) == record
    loaded, _ = load_model_folder(folder, _auto(), TASK)
    assert type(loaded) is type(merged) and not loaded.training
    assert _logits(loaded, tokenizer).equal(_logits(merged, tokenizer))  # the same merge of the same tensors
    base_weights = packaged_tiny_encoder.directory() / WEIGHTS_FILE
    base_weights.write_bytes(base_weights.read_bytes()[:-1] + b" ")
    with pytest.raises(ModelError, match=re.escape(str(base_weights)) + ": sha256 mismatch"):
        load_model_folder(folder, _auto(), TASK)
    adapter_file = folder / ADAPTER_FILE
    adapter_file.write_bytes(adapter_file.read_bytes()[:-1] + b" ")
    with pytest.raises(ModelError, match="sha256 mismatch"):
        load_model_folder(folder, _auto(), TASK)


def torch_allclose(first, second) -> bool:
    import torch

    return torch.allclose(first, second, rtol=0, atol=1e-5)


def test_models_folder_lora_adapter_of_other_settings_is_refused(tmp_path, packaged_tiny_encoder):
    from stance.models.lora import merge_trained

    peft_model, settings = _lora_model(packaged_tiny_encoder)
    merged, adapter = merge_trained(peft_model, settings)
    folder = tmp_path / "lora"
    record = save_model_folder(folder, merged, load_tokenizer(packaged_tiny_encoder.directory()),
                               task=TASK, config={}, base=packaged_tiny_encoder.record(), adapter=adapter)
    other = replace(record, weights=replace(record.weights, lora=settings.to_dict() | {"target_modules": r".*attn\.q"}))
    write_model_record(folder, other)
    with pytest.raises(ModelError, match="expected adapter tensors that fit the model"):
        load_model_folder(folder, _auto(), TASK)
