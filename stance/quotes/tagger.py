"""The learned quote tagger: a token classifier that marks content, source and cue spans.

Each token gets three independent BIO tags, one per span type (content / source / cue), because
PolNeAR nests attributions: the content of one quote can hold the source and cue of another
("He said *she thinks* ..."). The model is the packaged MiniLM encoder, cut to its lower
``num_layers`` layers, with a linear head of 3 x 3 logits per token. Long articles are read in
windows of ``max_length`` tokens that overlap by ``stride`` tokens; each token takes its tags from
the window where it sits furthest from an edge.

Characters are the currency outside this module: the fast tokenizer's offset mapping takes gold
spans to token tags (training) and tagged tokens back to character spans (prediction), and
`stance.quotes.assemble` turns those spans into `Quote` records (parts, kind, cue, mention; no
speaker name — that is the speakers stage's job).

Training lives in `stance.training.tagger`; this module only loads, runs and saves the model.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Literal

import numpy as np

from stance.devices import bucketed, cpu_has_bf16_units
from stance.errors import ModelError
from stance.models.encoders import DEFAULT_ENCODER
from stance.models.folder import (
    find_model_folder,
    load_model_folder,
    load_tokenizer,
    models_dir,
    packaged_state_dict,
    save_model_folder,
)
from stance.quotes.assemble import TaggedText, assemble_quotes
from stance.records import Quote, Span

logger = logging.getLogger(__name__)

SPAN_TYPES = ("content", "source", "cue")
TAGS = ("O", "B", "I")
OUTSIDE, BEGIN, INSIDE = range(len(TAGS))
# One logit per (span type, tag): the head's outputs, in this order, reshaped to (types, tags).
LABELS = tuple(f"{tag}-{span_type.upper()}" for span_type in SPAN_TYPES for tag in TAGS)
IGNORE_INDEX = -100  # special and padding tokens carry no tag
TASK = "quote-tagging"
Precision = Literal["auto", "int8", "bf16", "fp32"]
PRECISIONS: tuple[Precision, ...] = ("auto", "int8", "bf16", "fp32")
# Which attributions a tagger finds: statements by a source, or beliefs, findings and plans too.
Attributions = Literal["speech", "all"]
ATTRIBUTIONS: tuple[Attributions, ...] = ("speech", "all")
# The shipped folders in models/, by the attributions the pipeline keeps: a smaller tagger trained
# on statements only is enough for them (and twice as fast); PolNeAR's broader notion takes more.
SHIPPED_TAGGERS: dict[Attributions, str] = {"speech": "quote-tagger", "all": "attribution-tagger"}

LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class TaggerConfig:
    """How the tagger reads text; saved with the model in ``stance_config.json``."""

    max_length: int = 256  # tokens per window, with [CLS] and [SEP]
    stride: int = 32  # tokens shared by consecutive windows
    num_layers: int = 4  # lower encoder layers kept from the base model
    trained_layers: int = 4  # top layers fine-tuned (and saved) with the head
    batch_size: int = 16  # windows per forward pass
    # Of the weights at inference: bf16 runs on the AMX / AVX512-BF16 units of recent CPUs; int8
    # (ONNX Runtime) is the faster choice on CPUs without them. auto picks (see `set_precision`).
    precision: Precision = "auto"
    # Per span type (content, source, cue): the probability of "not outside" that marks a token.
    inside_thresholds: tuple[float, float, float] = (0.3, 0.15, 0.15)
    # The attributions it was trained to find: statements only (speech), or every one (all).
    attributions: Attributions = "all"

    def __post_init__(self) -> None:
        if self.max_length < 8 or not 0 <= self.stride < self.max_length - 2:
            raise ModelError(
                f"expected max_length >= 8 and 0 <= stride < max_length - 2, found "
                f"max_length={self.max_length}, stride={self.stride}; lower the stride"
            )
        if self.attributions not in ATTRIBUTIONS:
            raise ModelError(f"expected attributions in {ATTRIBUTIONS}, found {self.attributions!r}")
        if self.precision not in PRECISIONS:
            raise ModelError(f"expected a precision in {PRECISIONS}, found {self.precision!r}")
        if not 0 <= self.trained_layers <= self.num_layers:
            raise ModelError(
                f"expected 0 <= trained_layers <= num_layers, found trained_layers="
                f"{self.trained_layers}, num_layers={self.num_layers}"
            )

    @classmethod
    def from_dict(cls, values: dict) -> TaggerConfig:
        known = {field.name for field in fields(cls)}
        values = {key: value for key, value in values.items() if key in known}
        if "inside_thresholds" in values:
            values["inside_thresholds"] = tuple(values["inside_thresholds"])
        return cls(**values)



def token_windows(n_tokens: int, size: int, stride: int) -> list[tuple[int, int]]:
    """``[start, end)`` token ranges of at most ``size`` tokens covering ``n_tokens``, consecutive
    ranges sharing at least ``stride`` tokens.

    Uses the fewest windows that can hold the text and spreads them evenly, all of one width, so
    the encoder reads few tokens twice and an article's windows batch without padding.
    """
    if n_tokens <= size:
        return [(0, n_tokens)] if n_tokens else []
    count = -(-(n_tokens - stride) // (size - stride))
    width = -(-(n_tokens + (count - 1) * stride) // count)
    starts = [index * (n_tokens - width) // (count - 1) for index in range(count)]
    return [(start, start + width) for start in starts]


def token_tags(
    offsets: Sequence[tuple[int, int]], spans: dict[str, Sequence[tuple[int, int]]]
) -> np.ndarray:
    """BIO tags of shape (tokens, span types) for character ``spans`` by type.

    A token is inside a span when their characters overlap; the first such token begins it.
    Spans of one type that overlap each other (rare nested contents) keep the earlier one's tags.
    """
    tags = np.full((len(offsets), len(SPAN_TYPES)), OUTSIDE, dtype=np.int64)
    if not len(offsets):
        return tags
    starts = np.array([start for start, _ in offsets])
    ends = np.array([end for _, end in offsets])
    for column, span_type in enumerate(SPAN_TYPES):
        for start, end in sorted(spans.get(span_type, ())):
            inside = np.flatnonzero((starts < end) & (ends > start))
            if not len(inside) or (tags[inside, column] != OUTSIDE).any():
                continue
            tags[inside, column] = INSIDE
            tags[inside[0], column] = BEGIN
    return tags


def tagged_spans(tags: Sequence[int], offsets: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character ``[start, end)`` spans of the BIO ``tags`` of one span type (an I after O
    starts a span too)."""
    spans = []
    current: list[int] | None = None
    for index, tag in enumerate(tags):
        if tag == BEGIN or (tag == INSIDE and current is None):
            if current is not None:
                spans.append(current)
            current = [offsets[index][0], offsets[index][1]]
        elif tag == INSIDE:
            current[1] = offsets[index][1]
        elif current is not None:
            spans.append(current)
            current = None
    if current is not None:
        spans.append(current)
    return [(start, end) for start, end in spans if end > start]


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span that starts or ends inside a word (a tagged word piece) to the whole word."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    return start, end


def trained_prefixes(config: TaggerConfig, base: dict | None) -> tuple[str, ...]:
    """Names of the tensors training changes: the top ``trained_layers`` layers and the head, or
    everything when the model was not built on the packaged encoder. Training leaves only these
    requiring grad, so a saved folder stores just them (`stance.models.folder.save_model_folder`)."""
    if base is None:
        return ("",)
    top = range(config.num_layers - config.trained_layers, config.num_layers)
    return tuple(f"bert.encoder.layer.{layer}." for layer in top) + ("classifier.",)


class QuoteTagger:
    """A token-classification model plus its tokenizer and `TaggerConfig`.

    ``base`` is the packaged encoder's record (`stance.models.encoders.PackagedEncoder.record`)
    when the model was built on it, so a saved folder stores only the trained tensors; None when
    the model is self-contained (e.g. a tiny model built in a test).
    """

    def __init__(self, model, tokenizer, config: TaggerConfig, base: dict | None = None):
        if not getattr(tokenizer, "is_fast", False):
            raise ModelError(
                f"expected a fast (Rust) tokenizer with offset mappings, found {type(tokenizer).__name__}; "
                "save the tokenizer with tokenizer.json"
            )
        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        self.base = base
        self.converted = False  # weights changed for inference (see `set_precision`)
        self.precision: Precision = "fp32"  # what the weights are now; set_precision resolves auto

    @classmethod
    def from_packaged_encoder(cls, config: TaggerConfig | None = None) -> QuoteTagger:
        """A new tagger on the packaged MiniLM encoder (lower ``num_layers`` layers, untrained head)."""
        from transformers import AutoTokenizer, BertConfig, BertForTokenClassification

        config = config or TaggerConfig()
        encoder_dir = DEFAULT_ENCODER.directory()
        bert_config = BertConfig.from_pretrained(
            encoder_dir,
            num_hidden_layers=config.num_layers,
            num_labels=len(LABELS),
            id2label=dict(enumerate(LABELS)),
            label2id={label: index for index, label in enumerate(LABELS)},
            # Dropout on attention probabilities doubles the cost of a training step on CPU.
            attention_probs_dropout_prob=0.0,
        )
        model = BertForTokenClassification(bert_config)
        model.load_state_dict(packaged_state_dict(DEFAULT_ENCODER, "bert."), strict=False)
        tokenizer = AutoTokenizer.from_pretrained(encoder_dir)
        return cls(model, tokenizer, config, DEFAULT_ENCODER.record())

    @classmethod
    def from_pretrained(cls, folder: str | Path, *, precision: Precision | None = None) -> QuoteTagger:
        """Load a tagger saved by `save_pretrained`, verifying its weights' sha256 (and the base's).

        ``precision`` overrides the saved config's inference precision.
        """
        from transformers import AutoModelForTokenClassification

        model, record = load_model_folder(folder, AutoModelForTokenClassification, TASK)
        if record.labels != LABELS:
            raise ModelError(
                f"{folder}: expected a quote tagger with labels {list(LABELS)}, found labels "
                f"{list(record.labels)}; this is not a quote tagger of this version of stance"
            )
        config = TaggerConfig.from_dict(record.config)
        tagger = cls(model, load_tokenizer(folder), config, record.base)
        tagger.set_precision(precision or config.precision)
        return tagger

    def set_precision(self, precision: Precision) -> None:
        """Convert the model for inference: bf16 weights, or an int8 copy on ONNX Runtime
        (`stance.models.onnx`). ``auto`` picks bf16 where the CPU has bf16 units and int8 elsewhere.
        On a 2-core AVX512-BF16 CPU, the tagger reads 1.5x as fast in bf16 as in fp32, and 1.1-1.3x
        faster again in int8, whose spans differ from fp32's slightly more (PolNeAR dev F1 -0.004,
        GGT +0.001), so bf16 is kept there. A converted tagger can no longer be trained or saved."""
        import torch

        if precision not in PRECISIONS:
            raise ModelError(f"expected a precision in {PRECISIONS}, found {precision!r}")
        if precision == "auto":
            precision = "bf16" if cpu_has_bf16_units() else "int8"
        if precision == "int8":
            from stance.models.onnx import int8_token_classifier

            self.model = int8_token_classifier(self.model)
        elif precision == "bf16":
            self.model = self.model.to(torch.bfloat16)
        self.converted = precision != "fp32"
        self.precision = precision

    def save_pretrained(self, folder: str | Path, *, training: dict | None = None) -> Path:
        """Write the model folder (`stance.models.folder.save_model_folder`) with ``training``,
        the record of how it was trained; returns the folder."""
        if self.converted:
            raise ModelError("a tagger converted to int8 or bf16 can't be saved; load it with precision='fp32'")
        save_model_folder(
            folder, self.model, self.tokenizer, task=TASK, config=asdict(self.config), base=self.base, training=training
        )
        return Path(folder)

    def encode(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """Token ids and character offsets of ``text``, without special tokens."""
        # The tokenizer rejects lone surrogates; one replacement character each keeps offsets.
        text = LONE_SURROGATE.sub("\ufffd", text)
        encoded = self.tokenizer(
            text, add_special_tokens=False, return_offsets_mapping=True, verbose=False
        )
        return encoded["input_ids"], [tuple(pair) for pair in encoded["offset_mapping"]]

    def windows(self, ids: Sequence[int]) -> list[tuple[int, int]]:
        return token_windows(len(ids), self.config.max_length - 2, self.config.stride)

    def window_inputs(self, pieces: Sequence[Sequence[int]]):
        """Padded ``input_ids`` and ``attention_mask`` tensors for token windows, with [CLS]/[SEP]."""
        import torch

        width = max(len(piece) for piece in pieces) + 2
        ids = torch.full((len(pieces), width), self.tokenizer.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(pieces), width), dtype=torch.long)
        for row, piece in enumerate(pieces):
            tokens = [self.tokenizer.cls_token_id, *piece, self.tokenizer.sep_token_id]
            ids[row, : len(tokens)] = torch.tensor(tokens)
            mask[row, : len(tokens)] = 1
        return ids, mask

    def token_probabilities(
        self, texts: Sequence[str], regions: Sequence[Sequence[tuple[int, int]] | None] | None = None
    ) -> list[tuple[np.ndarray, list[tuple[int, int]]]]:
        """Per text: tag probabilities of shape (tokens, span types, tags) and the tokens'
        character offsets. Each token takes the window where it has most context on both sides.

        ``regions`` (one per text; None: all of it) limits the reading to the tokens inside those
        ``[start, end)`` character ranges, read as one sequence; the other tokens stay outside
        every span.
        """
        import torch

        encoded = [self.encode(text) for text in texts]
        # Positions of the tokens read, per text.
        read = [
            _tokens_within(offsets, None if regions is None else regions[index])
            for index, (_, offsets) in enumerate(encoded)
        ]
        # Longest windows first, so each batch holds windows of about one width (little padding).
        jobs = sorted(
            (
                (index, start, end)
                for index, positions in enumerate(read)
                for start, end in self.windows(positions)
            ),
            key=lambda job: job[1] - job[2],
        )
        shape = (len(SPAN_TYPES), len(TAGS))
        probabilities = [np.zeros((len(ids), *shape), dtype=np.float32) for ids, _ in encoded]
        for unread in probabilities:
            unread[:, :, OUTSIDE] = 1.0  # until read: outside every span
        centrality = [np.full(len(positions), -1) for positions in read]
        self.model.eval()
        with torch.inference_mode():
            for batch_start in range(0, len(jobs), self.config.batch_size):
                batch = jobs[batch_start : batch_start + self.config.batch_size]
                pieces = [[encoded[i][0][position] for position in read[i][start:end]] for i, start, end in batch]
                ids, mask = self.window_inputs(pieces)
                inputs = bucketed(
                    {"input_ids": ids, "attention_mask": mask}, {"input_ids": self.tokenizer.pad_token_id},
                    self.config.max_length,
                )  # fmt: skip
                logits = self.model(**inputs).logits.float()
                predicted = logits.view(*logits.shape[:2], *shape).softmax(-1).numpy()
                for row, (index, start, end) in enumerate(batch):
                    positions = np.arange(end - start)
                    score = np.minimum(positions, end - start - 1 - positions)
                    better = score > centrality[index][start:end]
                    centrality[index][start:end][better] = score[better]
                    probabilities[index][read[index][start:end][better]] = predicted[row, 1 : 1 + end - start][better]
        return [(probs, offsets) for probs, (_, offsets) in zip(probabilities, encoded)]

    def tag(
        self, texts: Sequence[str], regions: Sequence[Sequence[tuple[int, int]] | None] | None = None
    ) -> list[TaggedText]:
        """The content, source and cue spans of each text (same length and order as ``texts``),
        found within its ``regions`` (see `token_probabilities`)."""
        return [
            _spans_of(text, decode_tags(probs, self.config.inside_thresholds), offsets)
            for text, (probs, offsets) in zip(texts, self.token_probabilities(texts, regions))
        ]

    def predict(
        self, texts: Sequence[str], regions: Sequence[Sequence[tuple[int, int]] | None] | None = None
    ) -> list[list[Quote]]:
        """The quotes of each text (``speaker`` left None), same length and order as ``texts``,
        found within its ``regions`` (see `token_probabilities`)."""
        return [assemble_quotes(text, tagged) for text, tagged in zip(texts, self.tag(texts, regions))]


def _tokens_within(offsets: Sequence[tuple[int, int]], regions: Sequence[tuple[int, int]] | None) -> np.ndarray:
    """Positions of the tokens whose characters lie in one of ``regions`` (all when None)."""
    if regions is None:
        return np.arange(len(offsets))
    starts = np.array([start for start, _ in offsets], dtype=np.int64)
    inside = np.zeros(len(offsets), dtype=bool)
    for start, end in regions:
        inside |= (starts >= start) & (starts < end)
    return np.flatnonzero(inside)


def decode_tags(probabilities: np.ndarray, inside_thresholds: Sequence[float]) -> np.ndarray:
    """BIO tags of shape (tokens, span types) from tag probabilities (tokens, types, tags).

    A token is inside a span of a type when the probability that it is not outside reaches that
    type's threshold; below 0.5 this bridges the uncertain middle of long contents, which plain
    argmax breaks into fragments. It begins a new span when B is likelier than I.
    """
    inside = 1.0 - probabilities[:, :, OUTSIDE] >= np.asarray(inside_thresholds)
    begins = probabilities[:, :, BEGIN] > probabilities[:, :, INSIDE]
    return np.where(inside, np.where(begins, BEGIN, INSIDE), OUTSIDE)


def _spans_of(text: str, tags: np.ndarray, offsets: Sequence[tuple[int, int]]) -> TaggedText:
    by_type = []
    for column in range(len(SPAN_TYPES)):
        spans = [snap_to_words(text, start, end) for start, end in tagged_spans(tags[:, column], offsets)]
        by_type.append(tuple(Span.of(text, start, end) for start, end in _disjoint(spans)))
    return TaggedText(*by_type)


def _disjoint(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge spans that overlap after snapping to words, in order."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def tagger_path(name_or_path: str | Path | None = None, attributions: Attributions = "speech") -> Path:
    """The folder of a tagger: an existing folder, or a name in models/ (None: the one shipped for
    ``attributions``)."""
    name = name_or_path or SHIPPED_TAGGERS[attributions]
    folder = find_model_folder(name)
    if folder is not None:
        return folder
    raise ModelError(
        f"{name}: expected a quote-tagger folder or the name of one in {models_dir()}, found neither; "
        "train one with `stance train-tagger`, or use rules only (--fast)"
    )


@functools.lru_cache(maxsize=4)
def _load_cached(folder: str) -> QuoteTagger:
    return QuoteTagger.from_pretrained(folder)


def load_tagger(name_or_path: str | Path | None = None, attributions: Attributions = "speech") -> QuoteTagger:
    """The tagger at ``name_or_path`` (None: the one shipped for ``attributions``), loaded once per
    process and path, so every article a worker extracts shares one model."""
    return _load_cached(str(tagger_path(name_or_path, attributions).resolve()))
