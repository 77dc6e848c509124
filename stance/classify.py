"""Stance classification: (target, speaker, quote, context) -> favor / against / neutral.

Two kinds of model answer the same calls (``labels``, ``predict_proba``, ``predict``):

- `StanceClassifier`: a sequence-classification model whose labels are the stance labels, as
  written by ``stance train`` (the shipped ``models/stance-minilm`` is one);
- `NliStanceClassifier`: a natural-language-inference model used zero-shot, recognised from its
  label names (entailment / contradiction / neutral); it scores hypotheses about the speaker and
  the target.

`load_model` resolves ``--model`` (a folder, a short name in the project's models folder, or a
Hugging Face hub id) and returns one of them. Only safetensors are read and no remote code is run.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from stance.devices import autocast, torch_device, uses_bf16
from stance.errors import ModelError
from stance.records import STANCE_LABELS, Quote, StanceInput

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "stance-minilm"
STANCE_CONFIG = "stance_config.json"
WEIGHTS_FILE = "model.safetensors"
# How the quote segment is written; `model_input` fills it. Models record theirs in
# stance_config.json (models trained before the cue was used have SAID_TEMPLATE).
INPUT_TEMPLATE = "{speaker} {cue}: {quote}"
SAID_TEMPLATE = "{speaker} said: {quote}"
UNKNOWN_SPEAKER = "someone"
DEFAULT_CUE = "said"
CUE_PUNCTUATION = " :;,.—–-\"“”"
# Context beyond the quote is a hint, not the statement: keep it short so the quote is never cut.
CONTEXT_CHARS = 300
NLI_HYPOTHESES = {
    "favor": "{speaker} supports {target}.",
    "against": "{speaker} opposes {target}.",
}
NLI_LABELS = ("entailment", "neutral", "contradiction")


@dataclass(frozen=True)
class StanceConfig:
    """The small self-description saved as ``stance_config.json`` in a stance model folder.

    ``weights`` says how ``model.safetensors`` relates to the base: ``"partial"`` (only trained
    tensors; the rest is the packaged encoder named in ``base``) or ``"full"``.
    """

    labels: tuple[str, ...] = STANCE_LABELS
    template: str = INPUT_TEMPLATE
    max_length: int = 160
    use_context: bool = True
    weights: str = "full"
    weights_sha256: str | None = None
    base: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["labels"] = list(self.labels)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> StanceConfig:
        known = {key: value for key, value in data.items() if key in cls.__dataclass_fields__}
        if "labels" in known:
            known["labels"] = tuple(known["labels"])
        return cls(**known)


def model_input(item: StanceInput, *, template: str = INPUT_TEMPLATE, use_context: bool = True) -> tuple[str, str]:
    """The text pair a stance model reads for one statement.

    First segment: ``"target: <target>"``. Second: ``template`` filled, by default
    ``"<speaker> <cue>: <quote>"`` (``someone`` when the speaker is unknown, ``said`` when there is
    no cue), then ``" context: <context>"`` when there is context. The cue is kept because
    reported speech often puts the stance in it ("Lin criticized the deportations"). The context
    comes last so that truncation to the model's max length cuts it before the quote.
    """
    cue = " ".join((item.cue or "").split()).strip(CUE_PUNCTUATION) or DEFAULT_CUE
    second = template.format(speaker=item.speaker or UNKNOWN_SPEAKER, cue=cue, quote=item.text)
    if use_context and item.context:
        second = f"{second} context: {item.context}"
    return f"target: {item.target}", second


def stance_input(text: str, quote: Quote, target: str) -> StanceInput:
    """What the classifier sees for ``quote`` of the article ``text``.

    The context is the paragraph around the quote (at most `CONTEXT_CHARS` on each side): it
    carries the attribution of indirect speech ("Lin also said the deportations ...") and what
    "it" or "the plan" refer to.
    """
    speaker = quote.speaker or (quote.mention.text if quote.mention else None)
    return StanceInput(
        target=target,
        text=quote.content,
        speaker=speaker,
        context=_paragraph_around(text, quote.start, quote.end),
        cue=quote.cue.text if quote.cue else None,
    )


def _paragraph_around(text: str, start: int, end: int) -> str | None:
    begin = max(text.rfind("\n", 0, start) + 1, start - CONTEXT_CHARS)
    stop = text.find("\n", end)
    stop = min(len(text) if stop < 0 else stop, end + CONTEXT_CHARS)
    context = re.sub(r"\s+", " ", text[begin:stop]).strip()
    return context or None


def classify_quotes(model, text: str, quotes: Sequence[Quote], target: str, batch_size: int = 32) -> list[Quote]:
    """Return ``quotes`` with ``stance`` and ``scores`` filled (one batched pass)."""
    inputs = [stance_input(text, quote, target) for quote in quotes]
    return with_stances(quotes, model.predict_proba(inputs, batch_size=batch_size))


def with_stances(quotes: Sequence[Quote], probabilities: Sequence[dict[str, float]]) -> list[Quote]:
    """``quotes`` labelled with their most probable stance, keeping the scores behind it."""
    return [
        replace(quote, stance=max(scores, key=scores.get), scores=scores)
        for quote, scores in zip(quotes, probabilities, strict=True)
    ]


def models_dir() -> Path:
    """The project's models folder: ``models/`` next to the package, or ``stance/_models`` in a wheel."""
    package = Path(__file__).resolve().parent
    source_tree = package.parent / "models"
    return source_tree if source_tree.is_dir() else package / "_models"


def resolve_model(name_or_path: str | Path | None) -> str | Path:
    """A local folder for ``name_or_path``, or the string itself when it can only be a hub id.

    None means the shipped default; an existing folder is used as is; a short name is looked up
    in `models_dir`; anything else is taken for a Hugging Face hub id.
    """
    if name_or_path is None:
        name_or_path = DEFAULT_MODEL
    path = Path(name_or_path)
    if path.is_dir():
        return path
    shipped = models_dir() / str(name_or_path)
    if shipped.is_dir():
        return shipped
    if path.exists():
        raise ModelError(f"{path}: expected a model folder (config.json, model.safetensors), found a file")
    return str(name_or_path)


def load_model(name_or_path: str | Path | None = None, *, device: str = "auto", precision: str = "auto"):
    """Load a stance model: a folder, a short name in models/, or a hub id; None = shipped default.

    Returns a `StanceClassifier` or, for an NLI model, an `NliStanceClassifier`, that runs on
    ``device`` in ``precision`` (see `stance.devices`).
    """
    source = resolve_model(name_or_path)
    config = read_transformers_config(source)
    labels = [str(label).lower() for label in config.id2label.values()]
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


class StanceClassifier:
    """A sequence-classification stance model with its tokenizer and `StanceConfig`.

    ``precision`` applies to inference only (`predict_proba`); training always runs in float32.
    """

    def __init__(self, model, tokenizer, config: StanceConfig, device: str = "auto", precision: str = "fp32"):
        self.model = model.to(torch_device(device))
        self.tokenizer = tokenizer
        self.config = config
        self.bf16 = uses_bf16(precision, self.model.device.type)

    @property
    def labels(self) -> tuple[str, ...]:
        return self.config.labels

    def encode_pairs(self, inputs: Sequence[StanceInput]) -> list[tuple[str, str]]:
        return [model_input(item, template=self.config.template, use_context=self.config.use_context) for item in inputs]

    def predict_proba(self, inputs: Sequence[StanceInput], batch_size: int = 32) -> list[dict[str, float]]:
        """One ``{label: probability}`` per input, in input order."""
        probabilities = pair_probabilities(
            self.model, self.tokenizer, self.encode_pairs(inputs), self.config.max_length, batch_size, bf16=self.bf16
        )
        return [dict(zip(self.labels, row, strict=True)) for row in probabilities]

    def predict(self, inputs: Sequence[StanceInput], batch_size: int = 32) -> list[str]:
        return [max(scores, key=scores.get) for scores in self.predict_proba(inputs, batch_size)]

    def save_pretrained(self, folder: str | Path) -> Path:
        """Write a ``save_pretrained`` layout plus ``stance_config.json``.

        A model fine-tuned from the packaged encoder with its embeddings frozen is saved partially
        (only the tensors training changed, fp16); any other is saved whole.
        """
        from stance import encoder

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.tokenizer.save_pretrained(folder)
        trained = _trained_prefixes(self.model)
        if self.config.base.get("package") == encoder.PACKAGED_ENCODER and trained is not None:
            self.model.config.save_pretrained(folder)
            sha256 = encoder.save_partial_weights(self.model, folder, trained)
            config = replace(self.config, weights="partial", weights_sha256=sha256)
        else:
            self.model.save_pretrained(folder, safe_serialization=True)
            config = replace(self.config, weights="full", weights_sha256=encoder.file_sha256(folder / WEIGHTS_FILE))
        config = replace(config, versions=library_versions())
        (folder / STANCE_CONFIG).write_text(json.dumps(config.to_dict(), indent=2) + "\n", encoding="utf-8")
        self.config = config
        return folder

    @classmethod
    def from_pretrained(cls, source: str | Path, *, device: str = "auto", precision: str = "auto") -> StanceClassifier:
        """Load a folder written by `save_pretrained`, or any stance-labelled transformers model."""
        from transformers import AutoModelForSequenceClassification

        from stance import encoder

        config = _read_stance_config(source)
        tokenizer = load_tokenizer(source)
        if config.weights == "partial":
            model = AutoModelForSequenceClassification.from_config(read_transformers_config(source))
            encoder.load_partial_weights(model, Path(source), config.weights_sha256, _base_prefix(model))
        else:
            if config.weights_sha256 and Path(source).is_dir():
                encoder.verify_sha256(Path(source) / WEIGHTS_FILE, config.weights_sha256)
            model = from_pretrained_safely(AutoModelForSequenceClassification, source)
        # The label order is the model's own; the saved config must agree.
        labels = tuple(str(model.config.id2label[i]).lower() for i in range(model.config.num_labels))
        return cls(model.eval(), tokenizer, replace(config, labels=labels), device, precision)


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
        return [max(scores, key=scores.get) for scores in self.predict_proba(inputs, batch_size)]

    @classmethod
    def from_pretrained(cls, source: str | Path, *, device: str = "auto", precision: str = "auto") -> NliStanceClassifier:
        from transformers import AutoModelForSequenceClassification

        model = from_pretrained_safely(AutoModelForSequenceClassification, source)
        return cls(model.eval(), load_tokenizer(source), device=device, precision=precision)


def pair_probabilities(
    model, tokenizer, pairs: Sequence[tuple[str, str]], max_length: int, batch_size: int, *, bf16: bool = False
) -> list[list[float]]:
    """Softmax outputs for text pairs, batched, under bfloat16 autocast when ``bf16``.

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
            batch = tokenizer.pad(features, padding="longest", return_tensors="pt").to(device)
            rows = torch.softmax(model(**batch).logits.float(), dim=-1).tolist()
            for i, row in zip(batch_ids, rows, strict=True):
                out[i] = row
    return out


def library_versions() -> dict:
    import importlib.metadata

    return {name: importlib.metadata.version(name) for name in ("stance", "torch", "transformers", "tokenizers")}


def _trained_prefixes(model) -> tuple[str, ...] | None:
    """Top-level modules with trainable parameters, or None when the embeddings were trained too."""
    trainable = [name for name, parameter in model.named_parameters() if parameter.requires_grad]
    if not trainable or any(".embeddings." in f".{name}" for name in trainable):
        return None
    prefixes = set()
    for name in trainable:
        parts = name.split(".")
        # "bert.encoder.layer.4.attention..." -> "bert.encoder.layer.4."; "classifier.weight" -> "classifier."
        depth = 4 if parts[1:3] == ["encoder", "layer"] else (2 if len(parts) > 2 else 1)
        prefixes.add(".".join(parts[:depth]) + ".")
    return tuple(sorted(prefixes))


def _base_prefix(model) -> str:
    return f"{model.base_model_prefix}."


def _read_stance_config(source: str | Path) -> StanceConfig:
    path = Path(source) / STANCE_CONFIG
    if not path.is_file():
        return StanceConfig()
    try:
        return StanceConfig.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as error:
        raise ModelError(f"{path}: expected the JSON object `stance train` writes, found: {error}") from None


def read_transformers_config(source: str | Path):
    from transformers import AutoConfig

    return from_pretrained_safely(AutoConfig, source)


def load_tokenizer(source: str | Path):
    from transformers import AutoTokenizer

    return from_pretrained_safely(AutoTokenizer, source)


def from_pretrained_safely(factory, source: str | Path, **kwargs):
    """``factory.from_pretrained`` with safetensors only, no remote code, and a clear `ModelError`."""
    if factory.__name__.startswith("AutoModel"):
        kwargs["use_safetensors"] = True
    try:
        return factory.from_pretrained(str(source), trust_remote_code=False, **kwargs)
    except (OSError, ValueError) as error:
        if isinstance(source, Path):
            raise ModelError(f"{source}: can't load the model folder: {error}") from None
        raise ModelError(
            f"{source!r} is not a model folder, nor a model in {models_dir()}, and it could not be "
            f"loaded from the Hugging Face hub ({type(error).__name__}). Offline, download it on a "
            "machine with internet (AutoModelForSequenceClassification.from_pretrained(...)."
            "save_pretrained(FOLDER), with its tokenizer) and pass --model FOLDER."
        ) from None
