"""Where `stance train` starts from: a packaged encoder with a new head, a stance model to train
further (a LoRA one keeps training its adapter), or any other encoder folder or hub id."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from stance.classify.models import TASK, StanceClassifier, StanceConfig, load_model, resolve_model
from stance.errors import DataError
from stance.models.encoders import DEFAULT_ENCODER, PACKAGED_ENCODERS
from stance.models.folder import (
    WEIGHTS_FILE,
    from_pretrained_safely,
    has_model_record,
    load_model_folder,
    load_tokenizer,
    read_model_record,
    read_transformers_config,
    verify_sha256,
)
from stance.models.lora import LoraSettings
from stance.records import STANCE_LABELS


def initial_classifier(
    base_model: str | Path | None, *, max_length: int, use_context: bool, lora_rank: int = 0
) -> StanceClassifier:
    """The model training starts from: a packaged encoder (None: the default; or its short
    name), a stance model, or another encoder; it will read ``max_length`` tokens, with the
    context or not, and train LoRA adapters of ``lora_rank`` (0: none)."""
    from transformers import AutoModelForSequenceClassification

    id2label = dict(enumerate(STANCE_LABELS))
    label2id = {label: i for i, label in id2label.items()}
    config = StanceConfig(max_length=max_length, use_context=use_context)
    encoder = DEFAULT_ENCODER if base_model is None else PACKAGED_ENCODERS.get(str(base_model))
    if encoder is not None:
        folder = encoder.directory()
        verify_sha256(folder / WEIGHTS_FILE, encoder.sha256)
        model = from_pretrained_safely(
            AutoModelForSequenceClassification, folder, num_labels=3, id2label=id2label, label2id=label2id
        )
        return StanceClassifier(model, load_tokenizer(folder), config, encoder.record())
    source = resolve_model(base_model)
    if has_model_record(source) and read_model_record(source, TASK).weights.stored == "lora":
        return _continued_adapter(source, config, lora_rank)
    loaded = load_model(source, precision="fp32") if _is_stance_model(source) else None
    if isinstance(loaded, StanceClassifier):
        loaded.config = _training_config(loaded.config, config)
        if lora_rank:
            # Its weights are no longer the packaged encoder's: an adapter over that would lose them.
            loaded.base = {"name": str(base_model)}
        return loaded
    model = from_pretrained_safely(
        AutoModelForSequenceClassification,
        source,
        num_labels=3,
        id2label=id2label,
        label2id=label2id,
        ignore_mismatched_sizes=True,
    )
    return StanceClassifier(model, load_tokenizer(source), config, {"name": str(base_model)})


def _continued_adapter(source: str | Path, config: StanceConfig, lora_rank: int) -> StanceClassifier:
    """A LoRA stance model whose adapter trains on, unmerged over its packaged base, so that the
    new folder stores an adapter again (a few MB) rather than the whole merged model."""
    from transformers import AutoModelForSequenceClassification

    model, record = load_model_folder(source, AutoModelForSequenceClassification, TASK, merge_adapter=False)
    rank = LoraSettings.of_model(model).rank
    if lora_rank not in (0, rank):
        raise DataError(f"{source}: its LoRA adapter has rank {rank}, found --lora-rank {lora_rank}; leave it out")
    return StanceClassifier(model, load_tokenizer(source), _training_config(StanceConfig.from_dict(record.config), config), record.base)


def _training_config(trained: StanceConfig, wanted: StanceConfig) -> StanceConfig:
    """A trained model's config for training it further: how ``wanted`` reads, and the
    temperature back to 1, since new logits need their own (`stance calibrate`)."""
    return replace(trained, max_length=wanted.max_length, use_context=wanted.use_context, temperature=1.0)


def _is_stance_model(source: str | Path) -> bool:
    labels = {str(label).lower() for label in read_transformers_config(source).id2label.values()}
    return labels == set(STANCE_LABELS)
