"""Stance models: (target, speaker, quote, context) -> favor / against / neutral probabilities.

Two kinds of model answer the same calls (``labels``, ``predict_proba``, ``predict``):

- `StanceClassifier`: a sequence-classification model whose labels are the stance labels, as
  written by ``stance train`` (the shipped ``models/stance-minilm`` is one);
- `NliStanceClassifier`: a natural-language-inference model used zero-shot, recognised from its
  label names (entailment / contradiction / neutral); it scores hypotheses about the speaker and
  the target.

`load_model` resolves ``--model`` (a folder, a short name in the project's models folder, or a
Hugging Face hub id) and returns one of them. Model folders are read and written by
`stance.models.folder`: only safetensors are read and no remote code is run.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from stance.classify.calibration import softmax
from stance.classify.inputs import INPUT_TEMPLATE, SAID_TEMPLATE, model_input
from stance.devices import autocast, bucketed, torch_device, uses_bf16
from stance.errors import ModelError
from stance.models.folder import (
    find_model_folder,
    from_pretrained_safely,
    has_model_record,
    load_model_folder,
    load_tokenizer,
    read_transformers_config,
    save_model_folder,
)
from stance.models.lora import LoraAdapter
from stance.records import STANCE_LABELS, Quote, StanceInput, most_probable

logger = logging.getLogger(__name__)

TASK = "stance-classification"
# The shipped stance models, folders in models/ that `--model` names by these short names.
FAST_MODEL = "stance-minilm"  # MiniLM: partial weights over the packaged encoder
MPNET_MODEL = "stance-mpnet"  # MPNet with a LoRA adapter: more accurate, reads the statement over the party
# What `--model` defaults to: the one place to switch the default.
DEFAULT_MODEL = MPNET_MODEL
NLI_HYPOTHESES = {
    "favor": "{speaker} supports {target}.",
    "against": "{speaker} opposes {target}.",
}
NLI_LABELS = ("entailment", "neutral", "contradiction")


@dataclass(frozen=True)
class StanceConfig:
    """How a stance model reads its input, and the ``temperature`` its logits are divided by
    before the softmax (fitted by `stance calibrate`; 1 leaves them as trained): the ``config``
    section of its folder's record."""

    template: str = INPUT_TEMPLATE
    max_length: int = 160
    use_context: bool = True
    temperature: float = 1.0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> StanceConfig:
        known = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


def resolve_model(name_or_path: str | Path | None) -> str | Path:
    """A local folder for ``name_or_path``, or the string itself when it can only be a hub id.

    None means the shipped default; an existing folder is used as is; a short name is looked up
    in the project's models folder; anything else is taken for a Hugging Face hub id.
    """
    name_or_path = DEFAULT_MODEL if name_or_path is None else name_or_path
    return find_model_folder(name_or_path) or str(name_or_path)


def load_model(name_or_path: str | Path | None = None, *, device: str = "auto", precision: str = "auto"):
    """Load a stance model: a folder, a short name in models/, or a hub id; None = shipped default.

    Returns a `StanceClassifier` or, for an NLI model, an `NliStanceClassifier`, that runs on
    ``device`` in ``precision`` (see `stance.devices`).
    """
    source = resolve_model(name_or_path)
    labels = [str(label).lower() for label in read_transformers_config(source).id2label.values()]
    if set(labels) == set(STANCE_LABELS):
        logger.debug("%s: a stance classifier", source)
        return StanceClassifier.from_pretrained(source, device=device, precision=precision)
    if {"entailment", "contradiction"} <= set(labels):
        logger.debug("%s: an NLI model, used zero-shot", source)
        return NliStanceClassifier.from_pretrained(source, device=device, precision=precision)
    raise ModelError(
        f"{source}: expected a stance model (labels {list(STANCE_LABELS)}) or an NLI model (labels "
        f"entailment/neutral/contradiction), found labels {labels}; train one with `stance train`"
    )


def with_stances(quotes: Sequence[Quote], probabilities: Sequence[dict[str, float]]) -> list[Quote]:
    """``quotes`` labelled with their most probable stance (`stance.records.most_probable`),
    keeping the scores behind it."""
    return [
        replace(quote, stance=most_probable(scores), scores=scores)
        for quote, scores in zip(quotes, probabilities, strict=True)
    ]


class StanceClassifier:
    """A sequence-classification stance model with its tokenizer and `StanceConfig`.

    ``base`` records what training started from (a packaged encoder's record, or ``{"name": ...}``),
    so that a folder built on a packaged encoder stores only the trained tensors; ``adapter`` is
    the LoRA adapter merged into ``model`` by training, which the folder then stores instead.
    ``precision`` applies to inference only (`predict_proba`); training always runs in float32.
    """

    def __init__(
        self,
        model,
        tokenizer,
        config: StanceConfig | None = None,
        base: dict | None = None,
        *,
        device: str = "auto",
        precision: str = "fp32",
        adapter: LoraAdapter | None = None,
    ):
        self.model = model.to(torch_device(device))
        self.tokenizer = tokenizer
        self.config = config or StanceConfig()
        self.base = base
        self.adapter = adapter
        self.bf16 = uses_bf16(precision, self.model.device.type)

    @property
    def labels(self) -> tuple[str, ...]:
        """The model's own labels, in the order of its outputs."""
        config = self.model.config
        return tuple(str(config.id2label[index]).lower() for index in range(config.num_labels))

    def encode_pairs(self, inputs: Sequence[StanceInput]) -> list[tuple[str, str]]:
        return [model_input(item, template=self.config.template, use_context=self.config.use_context) for item in inputs]

    def predict_logits(self, inputs: Sequence[StanceInput], batch_size: int = 32) -> list[list[float]]:
        """One row of logits per input, in input order, in the order of `labels`; before the temperature."""
        return pair_logits(
            self.model, self.tokenizer, self.encode_pairs(inputs), self.config.max_length, batch_size, bf16=self.bf16
        )

    def predict_proba(self, inputs: Sequence[StanceInput], batch_size: int = 32) -> list[dict[str, float]]:
        """One ``{label: probability}`` per input, in input order: the softmax of the logits
        divided by ``config.temperature``."""
        return [
            dict(zip(self.labels, softmax(row, self.config.temperature), strict=True))
            for row in self.predict_logits(inputs, batch_size)
        ]

    def predict(self, inputs: Sequence[StanceInput], batch_size: int = 32) -> list[str]:
        return [most_probable(scores) for scores in self.predict_proba(inputs, batch_size)]

    def save_pretrained(self, folder: str | Path, *, training: dict | None = None) -> Path:
        """Write the model folder (`stance.models.folder.save_model_folder`) with ``training``,
        the record of how it was trained; returns the folder."""
        save_model_folder(
            folder, self.model, self.tokenizer, task=TASK, config=self.config.to_dict(), base=self.base,
            training=training, adapter=self.adapter,
        )
        return Path(folder)

    @classmethod
    def from_pretrained(cls, source: str | Path, *, device: str = "auto", precision: str = "auto") -> StanceClassifier:
        """Load a folder written by `save_pretrained`, or any stance-labelled transformers model (folder or hub id)."""
        from transformers import AutoModelForSequenceClassification

        if has_model_record(source):
            model, record = load_model_folder(source, AutoModelForSequenceClassification, TASK)
            config, base = StanceConfig.from_dict(record.config), record.base
        else:
            model = from_pretrained_safely(AutoModelForSequenceClassification, source).eval()
            config, base = StanceConfig(), {"name": str(source)}
        return cls(model, load_tokenizer(source), config, base, device=device, precision=precision)


class NliStanceClassifier:
    """An NLI model used zero-shot: does the statement entail "<speaker> supports/opposes <target>"?

    For each statement the two hypotheses of `NLI_HYPOTHESES` are scored against the premise
    ``"<speaker> said: <quote>"``. favor and against are the entailment probabilities of their
    hypothesis; neutral is the mean probability that neither is entailed. The three are then
    normalised to sum to one.
    """

    def __init__(self, model, tokenizer, *, max_length: int = 256, device: str = "auto", precision: str = "fp32"):
        self.model = model.to(torch_device(device))
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.bf16 = uses_bf16(precision, self.model.device.type)
        id2label = {i: str(label).lower() for i, label in model.config.id2label.items()}
        self.entailment = next(i for i, label in id2label.items() if label == "entailment")

    labels = STANCE_LABELS

    def predict_proba(self, inputs: Sequence[StanceInput], batch_size: int = 32) -> list[dict[str, float]]:
        pairs = []
        for item in inputs:
            premise = model_input(item, template=SAID_TEMPLATE, use_context=False)[1]
            speaker = item.speaker or "The speaker"
            pairs += [(premise, NLI_HYPOTHESES[label].format(speaker=speaker, target=item.target)) for label in NLI_HYPOTHESES]
        probabilities = pair_probabilities(self.model, self.tokenizer, pairs, self.max_length, batch_size, bf16=self.bf16)
        out = []
        for favor_row, against_row in zip(probabilities[0::2], probabilities[1::2], strict=True):
            favor, against = favor_row[self.entailment], against_row[self.entailment]
            neutral = ((1 - favor) + (1 - against)) / 2
            total = favor + against + neutral
            out.append({"favor": favor / total, "against": against / total, "neutral": neutral / total})
        return out

    def predict(self, inputs: Sequence[StanceInput], batch_size: int = 32) -> list[str]:
        return [most_probable(scores) for scores in self.predict_proba(inputs, batch_size)]

    @classmethod
    def from_pretrained(cls, source: str | Path, *, device: str = "auto", precision: str = "auto") -> NliStanceClassifier:
        from transformers import AutoModelForSequenceClassification

        model = from_pretrained_safely(AutoModelForSequenceClassification, source)
        return cls(model.eval(), load_tokenizer(source), device=device, precision=precision)


def pair_probabilities(
    model, tokenizer, pairs: Sequence[tuple[str, str]], max_length: int, batch_size: int, *, bf16: bool = False
) -> list[list[float]]:
    """Softmax outputs for text pairs (see `pair_logits`)."""
    return [softmax(row) for row in pair_logits(model, tokenizer, pairs, max_length, batch_size, bf16=bf16)]


def pair_logits(
    model, tokenizer, pairs: Sequence[tuple[str, str]], max_length: int, batch_size: int, *, bf16: bool = False
) -> list[list[float]]:
    """Logits for text pairs, batched, under bfloat16 autocast when ``bf16``.

    Pairs are sorted by token length and cut into batches padded to their longest member, so
    short statements don't pay for long ones; results come back in input order.
    """
    import torch

    if not pairs:
        return []
    encoded = tokenizer(
        [first for first, _ in pairs], [second for _, second in pairs], truncation="only_second", max_length=max_length
    )
    order = sorted(range(len(pairs)), key=lambda i: len(encoded["input_ids"][i]))
    device = next(model.parameters()).device
    out: list[list[float] | None] = [None] * len(pairs)
    model.eval()
    with torch.inference_mode(), autocast(bf16, device.type):
        for begin in range(0, len(order), batch_size):
            batch_ids = order[begin : begin + batch_size]
            features = [{key: encoded[key][i] for key in encoded} for i in batch_ids]
            batch = tokenizer.pad(features, padding="longest", return_tensors="pt")
            batch = bucketed(batch, {"input_ids": tokenizer.pad_token_id}, max_length)
            rows = model(**{k: v.to(device) for k, v in batch.items()}).logits[: len(batch_ids)].float().tolist()
            for i, row in zip(batch_ids, rows, strict=True):
                out[i] = row
    return out
