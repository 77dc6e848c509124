"""The learned quote tagger: a token classifier that marks content, source and cue spans.

Each token gets three independent BIO tags, one per span type (content / source / cue), because
PolNeAR nests attributions: the content of one quote can hold the source and cue of another
("He said *she thinks* ..."). The model is the packaged MiniLM encoder, cut to its lower
``num_layers`` layers, with a linear head of 3 x 3 logits per token. Long articles are read in
windows of ``max_length`` tokens that overlap by ``stride`` tokens; each token takes its tags from
the window where it sits furthest from an edge.

Characters are the currency outside this module: the fast tokenizer's offset mapping takes gold
spans to token tags (training) and tagged tokens back to character spans (prediction), and
`assemble_quotes` turns those spans into `Quote` records (parts, kind, cue, mention; no speaker
name — that is the speakers stage's job).

Training lives in `stance.tagger_training`; this module only loads, runs and saves the model.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import logging
import re
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Literal

import numpy as np

from stance.devices import cpu_has_bf16_units
from stance.encoder import (
    base_record,
    load_partial_weights,
    load_safetensors,
    packaged_encoder_dir,
    packaged_encoder_state_dict,
    save_partial_weights,
)
from stance.errors import ModelError
from stance.quotes import describing_participle
from stance.records import Quote, QuoteKind, Span
from stance.text import PARAGRAPH, paragraph_of, paragraph_starts, sentence_of, sentence_starts

logger = logging.getLogger(__name__)

SPAN_TYPES = ("content", "source", "cue")
TAGS = ("O", "B", "I")
OUTSIDE, BEGIN, INSIDE = range(len(TAGS))
# One logit per (span type, tag): the head's outputs, in this order, reshaped to (types, tags).
LABELS = tuple(f"{tag}-{span_type.upper()}" for span_type in SPAN_TYPES for tag in TAGS)
IGNORE_INDEX = -100  # special and padding tokens carry no tag
CONFIG_FILE = "stance_config.json"
WEIGHTS_FILE = "model.safetensors"
TASK = "quote-tagging"
DEFAULT_TAGGER = "quote-tagger"  # the shipped folder in models/
Precision = Literal["auto", "int8", "bf16", "fp32"]
PRECISIONS: tuple[Precision, ...] = ("auto", "int8", "bf16", "fp32")

# Two content spans are one interrupted quote ("…,” he said. “…”) when no more than this many
# characters separate them and the gap holds only attribution words and punctuation.
MAX_INTERRUPTION_CHARS = 80
# A cue or source further than this from its content belongs to another statement.
MAX_LINK_CHARS = 200
# The tagger is least sure in the middle of long contents and may leave holes there: content
# pieces of one sentence this close, with no source or cue between them, are one content.
MAX_FRAGMENT_GAP_CHARS = 80
# A content of a single word is nearly always a stray fragment, not a statement.
MIN_CONTENT_WORDS = 2
WORD = re.compile(r"\w+")
DOUBLE_QUOTE_MARKS = "\"“”„«»"
OPENING_QUOTE_MARKS = "\"“„«‘"
CLOSING_QUOTE_MARKS = "\"”»’"
TRAILING_PUNCTUATION = ".,;:!?—–-"
ATTRIBUTION_GAP = re.compile(r"[\s\W]*", re.UNICODE)
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class TaggerConfig:
    """How the tagger reads text; saved with the model in ``stance_config.json``."""

    max_length: int = 256  # tokens per window, with [CLS] and [SEP]
    stride: int = 32  # tokens shared by consecutive windows
    num_layers: int = 4  # lower encoder layers kept from the base model
    trained_layers: int = 4  # top layers fine-tuned (and saved) with the head
    batch_size: int = 16  # windows per forward pass
    # Of the weights at inference: bf16 runs on the AMX / AVX512-BF16 units of recent Xeons, about
    # 2x int8 and 3x fp32 there; int8 is the faster choice on CPUs without them. auto picks.
    precision: Precision = "auto"
    # Per span type (content, source, cue): the probability of "not outside" that marks a token.
    inside_thresholds: tuple[float, float, float] = (0.3, 0.15, 0.15)

    def __post_init__(self) -> None:
        if self.max_length < 8 or not 0 <= self.stride < self.max_length - 2:
            raise ModelError(
                f"expected max_length >= 8 and 0 <= stride < max_length - 2, found "
                f"max_length={self.max_length}, stride={self.stride}; lower the stride"
            )
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


@dataclass(frozen=True)
class TaggedText:
    """The character spans the tagger found in one text, by type."""

    contents: tuple[Span, ...]
    sources: tuple[Span, ...]
    cues: tuple[Span, ...]


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


def quote_kind(text: str, parts: Sequence[Span]) -> QuoteKind:
    """``direct`` when every part is inside quote marks, ``mixed`` when some quoted words are,
    else ``indirect``."""
    if all(_fully_quoted(part.text) for part in parts):
        return "direct"
    if any(mark in part.text for part in parts for mark in DOUBLE_QUOTE_MARKS):
        return "mixed"
    return "indirect"


def _fully_quoted(part: str) -> bool:
    stripped = part.strip().rstrip(TRAILING_PUNCTUATION)
    body = stripped.rstrip(CLOSING_QUOTE_MARKS).rstrip(TRAILING_PUNCTUATION)
    return (
        len(stripped) > 1
        and stripped[0] in OPENING_QUOTE_MARKS
        and stripped[-1] in CLOSING_QUOTE_MARKS
        and not any(mark in body[1:] for mark in DOUBLE_QUOTE_MARKS)
    )


def _gap(a: Span, b: Span) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(0, b.start - a.end, a.start - b.end)


def _overlaps(a: Span | Quote, b: Span | Quote) -> bool:
    return a.start < b.end and b.start < a.end


def _interrupted(text: str, first: Span, second: Span, attributions: Sequence[Span]) -> bool:
    """Whether ``second`` continues the quote of ``first`` past an attribution ("…,” he said, “…")."""
    gap_start, gap_end = first.end, second.start
    if gap_end - gap_start > MAX_INTERRUPTION_CHARS:
        return False
    # A sentence that ends before the attribution starts a new statement ("X. She said Y").
    if first.text.rstrip(CLOSING_QUOTE_MARKS)[-1:] in ".!?":
        return False
    covered = [(s.start, s.end) for s in attributions if gap_start <= s.start and s.end <= gap_end]
    if not covered:
        return False
    rest = list(text[gap_start:gap_end])
    for start, end in covered:
        rest[start - gap_start : end - gap_start] = [" "] * (end - start)
    return ATTRIBUTION_GAP.fullmatch("".join(rest)) is not None and not re.match(
        r"\s*[.!?]", text[gap_start:gap_end]
    )


def _nearest(
    candidates: Sequence[Span], anchors: Sequence[Span], sentences: list[int], allowed: range
) -> Span | None:
    """The candidate closest to any of ``anchors``, outside them, within the ``allowed`` sentences."""
    best, best_gap = None, MAX_LINK_CHARS + 1
    for candidate in candidates:
        if any(_overlaps(candidate, anchor) for anchor in anchors):
            continue
        if sentence_of(sentences, candidate.start) not in allowed:
            continue
        gap = min(_gap(candidate, anchor) for anchor in anchors)
        if gap < best_gap:
            best, best_gap = candidate, gap
    return best


def split_at_line_breaks(text: str, span: Span) -> list[Span]:
    """The pieces of ``span`` on each line it touches, without surrounding spaces.

    News content does not run on past its paragraph: a quotation that goes on reopens its quote
    mark in the next one (PolNeAR's gold splits it there: 1 of 19,868 train content spans holds a
    line break). A span the tagger runs across a break ("Mayor Defends Parking Plan\n\nThe
    mayor") is cut into its lines, and each piece is judged on its own."""
    pieces = []
    for line in PARAGRAPH.finditer(text, span.start, span.end):
        stripped = line.group()
        start = line.start() + len(stripped) - len(stripped.lstrip())
        pieces.append(Span.of(text, start, line.start() + len(stripped.rstrip())))
    return pieces


def bridge_fragments(text: str, contents: Sequence[Span], attributions: Sequence[Span]) -> list[Span]:
    """Cut content pieces at line breaks, join pieces of one sentence that are at most
    `MAX_FRAGMENT_GAP_CHARS` apart with no source or cue between them, and drop pieces of fewer
    than `MIN_CONTENT_WORDS` words."""
    sentences = sentence_starts(text)
    pieces = [piece for content in contents for piece in split_at_line_breaks(text, content)]
    joined: list[Span] = []
    for content in sorted(pieces, key=lambda s: s.start):
        if joined:
            last = joined[-1]
            if (
                content.start - last.end <= MAX_FRAGMENT_GAP_CHARS
                and sentence_of(sentences, last.start) == sentence_of(sentences, content.start)
                and not any(last.end <= s.start and s.end <= content.start for s in attributions)
            ):
                joined[-1] = Span.of(text, last.start, content.end)
                continue
        joined.append(content)
    return [span for span in joined if len(WORD.findall(span.text)) >= MIN_CONTENT_WORDS]


def assemble_quotes(text: str, tagged: TaggedText) -> list[Quote]:
    """Turn tagged spans into quotes: bridge fragments, join interrupted contents, then link each
    quote to the nearest cue (and the source nearest that cue) in the same or an adjacent sentence,
    preferring a cue of the quote's own paragraphs to one opening the next paragraph."""
    # The tagger learned PolNeAR's cues, which include participles that describe a noun.
    cues = [cue for cue in tagged.cues if not describing_participle(text, cue.start, cue.end)]
    attributions = sorted(tagged.sources + tuple(cues), key=lambda s: s.start)
    groups: list[list[Span]] = []
    for content in bridge_fragments(text, tagged.contents, attributions):
        if groups and _interrupted(text, groups[-1][-1], content, attributions):
            groups[-1].append(content)
        else:
            groups.append([content])
    sentences = sentence_starts(text)
    paragraphs = paragraph_starts(text)
    quotes = []
    for parts in groups:
        first = sentence_of(sentences, parts[0].start)
        last = sentence_of(sentences, parts[-1].end - 1)
        allowed = range(first - 1, last + 2)
        # News attributes a statement within its paragraph: a cue that opens the next paragraph
        # ("… will close.\n\nThe plan drew fire from …") starts a new statement, and is the
        # quote's only when its own paragraphs hold no cue ("“…”\n\n- Sanders."). In PolNeAR
        # train, 12 of 19,831 cued attributions precede their cue's paragraph, 11 of them quotations.
        last_paragraph = paragraph_of(paragraphs, parts[-1].end - 1)
        own_cues = [cue for cue in cues if paragraph_of(paragraphs, cue.start) <= last_paragraph]
        cue = _nearest(own_cues, parts, sentences, allowed) or _nearest(cues, parts, sentences, allowed)
        # The speaker is named next to the cue ("the agency said", "said Smith").
        mention = _nearest(tagged.sources, [cue] if cue else parts, sentences, allowed)
        if mention is not None and any(_overlaps(mention, part) for part in parts):
            mention = None
        start, end = parts[0].start, parts[-1].end
        quotes.append(
            Quote(
                start=start,
                end=end,
                text=text[start:end],
                kind=quote_kind(text, parts),
                parts=tuple(parts),
                cue=cue,
                mention=mention,
            )
        )
    return quotes


def library_versions() -> dict[str, str]:
    versions = {}
    for package in ("torch", "transformers", "tokenizers", "safetensors", "stance"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def trained_prefixes(config: TaggerConfig, base: dict | None) -> tuple[str, ...]:
    """Names of the tensors training changes (and a model folder stores): the top layers and
    the head, or everything when the model was not built on the packaged encoder."""
    if base is None:
        return ("",)
    top = range(config.num_layers - config.trained_layers, config.num_layers)
    return tuple(f"bert.encoder.layer.{layer}." for layer in top) + ("classifier.",)


class QuoteTagger:
    """A token-classification model plus its tokenizer and `TaggerConfig`.

    ``base`` is the packaged encoder's record (`stance.encoder.base_record`) when the model was
    built on it, so a saved folder stores only the trained tensors; None when the model is
    self-contained (e.g. a tiny model built in a test).
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
        encoder_dir = packaged_encoder_dir()
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
        model.load_state_dict(packaged_encoder_state_dict("bert."), strict=False)
        tokenizer = AutoTokenizer.from_pretrained(encoder_dir)
        return cls(model, tokenizer, config, base_record())

    @classmethod
    def load(cls, folder: str | Path, *, precision: Precision | None = None) -> QuoteTagger:
        """Load a tagger saved by `save`, verifying its weights' sha256 (and the base's).

        ``precision`` overrides the saved config's inference precision.
        """
        from transformers import AutoTokenizer, BertConfig, BertForTokenClassification

        folder = Path(folder)
        config_path = folder / CONFIG_FILE
        if not config_path.is_file():
            raise ModelError(
                f"{folder}: expected a quote-tagger folder with {CONFIG_FILE}, found none; "
                "train one with `stance train-tagger` or pass the shipped models/quote-tagger"
            )
        saved = json.loads(config_path.read_text(encoding="utf-8"))
        if saved.get("task") != TASK or tuple(saved.get("labels", ())) != LABELS:
            raise ModelError(
                f"{config_path}: expected task {TASK!r} with labels {list(LABELS)}, found task "
                f"{saved.get('task')!r} and labels {saved.get('labels')}; this is not a quote tagger "
                "of this version of stance"
            )
        config = TaggerConfig.from_dict(saved["config"])
        model = BertForTokenClassification(BertConfig.from_pretrained(folder))
        base = saved.get("base")
        if base is not None:
            if base != base_record():
                raise ModelError(
                    f"{config_path}: expected the base encoder {base_record()}, found {base}; "
                    "install the pinned base package or retrain the tagger"
                )
            load_partial_weights(model, folder, saved["weights_sha256"], base_prefix="bert.")
        else:
            weights = load_safetensors(folder / WEIGHTS_FILE, saved["weights_sha256"])
            expected = model.state_dict()
            model.load_state_dict(
                {key: tensor.to(expected[key].dtype) for key, tensor in weights.items() if key in expected},
                strict=False,
            )
        model.eval()
        tagger = cls(model, AutoTokenizer.from_pretrained(folder), config, base)
        tagger.set_precision(precision or config.precision)
        return tagger

    def set_precision(self, precision: Precision) -> None:
        """Convert the weights for inference: int8 dynamic Linear layers or bf16 weights run
        two to three times as fast as fp32 on CPU (bf16 where the CPU has bf16 units; ``auto``
        picks bf16 there and int8 elsewhere). A converted tagger can no longer be trained or saved."""
        import torch

        if precision not in PRECISIONS:
            raise ModelError(f"expected a precision in {PRECISIONS}, found {precision!r}")
        if precision == "auto":
            precision = "bf16" if cpu_has_bf16_units() else "int8"
        if precision == "int8":
            with warnings.catch_warnings():
                # Eager dynamic quantization is deprecated in favour of torchao (not a dependency).
                warnings.simplefilter("ignore")
                self.model = torch.ao.quantization.quantize_dynamic(
                    self.model.eval(), {torch.nn.Linear}, dtype=torch.qint8
                )
        elif precision == "bf16":
            self.model = self.model.to(torch.bfloat16)
        self.converted = precision != "fp32"
        self.precision = precision

    def save(self, folder: str | Path, extra: dict | None = None) -> Path:
        """Write the folder: config.json, tokenizer, model.safetensors (trained tensors, fp16)
        and stance_config.json (labels, config, base and weight hashes, library versions, and
        ``extra``, e.g. the training record)."""
        if self.converted:
            raise ModelError("a tagger converted to int8 or bf16 can't be saved; load it with precision='fp32'")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.model.config.save_pretrained(folder)
        self.tokenizer.save_pretrained(folder)
        sha256 = save_partial_weights(self.model, folder, trained_prefixes(self.config, self.base))
        record = {
            "task": TASK,
            "labels": list(LABELS),
            "span_types": list(SPAN_TYPES),
            "config": asdict(self.config),
            "base": self.base,
            "weights_sha256": sha256,
            "versions": library_versions(),
            **(extra or {}),
        }
        (folder / CONFIG_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        return folder

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

    def token_probabilities(self, texts: Sequence[str]) -> list[tuple[np.ndarray, list[tuple[int, int]]]]:
        """Per text: tag probabilities of shape (tokens, span types, tags) and the tokens'
        character offsets. Each token takes the window where it has most context on both sides."""
        import torch

        encoded = [self.encode(text) for text in texts]
        # Longest windows first, so each batch holds windows of about one width (little padding).
        jobs = sorted(
            (
                (index, start, end)
                for index, (ids, _) in enumerate(encoded)
                for start, end in self.windows(ids)
            ),
            key=lambda job: job[1] - job[2],
        )
        shape = (len(SPAN_TYPES), len(TAGS))
        probabilities = [np.zeros((len(ids), *shape), dtype=np.float32) for ids, _ in encoded]
        centrality = [np.full(len(ids), -1) for ids, _ in encoded]
        self.model.eval()
        with torch.inference_mode():
            for batch_start in range(0, len(jobs), self.config.batch_size):
                batch = jobs[batch_start : batch_start + self.config.batch_size]
                ids, mask = self.window_inputs([encoded[i][0][start:end] for i, start, end in batch])
                logits = self.model(input_ids=ids, attention_mask=mask).logits.float()
                predicted = logits.view(*logits.shape[:2], *shape).softmax(-1).numpy()
                for row, (index, start, end) in enumerate(batch):
                    positions = np.arange(end - start)
                    score = np.minimum(positions, end - start - 1 - positions)
                    better = score > centrality[index][start:end]
                    centrality[index][start:end][better] = score[better]
                    probabilities[index][start:end][better] = predicted[row, 1 : 1 + end - start][better]
        return [(probs, offsets) for probs, (_, offsets) in zip(probabilities, encoded)]

    def tag(self, texts: Sequence[str]) -> list[TaggedText]:
        """The content, source and cue spans of each text (same length and order as ``texts``)."""
        return [
            _spans_of(text, decode_tags(probs, self.config.inside_thresholds), offsets)
            for text, (probs, offsets) in zip(texts, self.token_probabilities(texts))
        ]

    def predict(self, texts: Sequence[str]) -> list[list[Quote]]:
        """The quotes of each text (``speaker`` left None), same length and order as ``texts``."""
        return [assemble_quotes(text, tagged) for text, tagged in zip(texts, self.tag(texts))]


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


def combine_quotes(rules: Sequence[Quote], learned: Sequence[Quote]) -> list[Quote]:
    """The rule extractor's direct quotes, which it finds precisely (quote marks are
    unambiguous), the tagger's quotes that overlap none of them, then the rules' other quotes
    where neither found anything; in text order.

    A tagger quote that overlaps a rule quote with a speaker mention takes the rule's mention and
    cue: the rules attribute more accurately than the distance link of `assemble_quotes`. A tagger
    quote left with no cue is dropped: news attributes what was said with a verb or phrase
    ("said", "according to"; 19,833 of PolNeAR's 19,868 training attributions have one), and the
    tagger's cue-less spans are captions and headings ("... this summer. Story highlights").
    """
    direct = [quote for quote in rules if quote.kind == "direct"]
    attributed = [quote for quote in rules if quote.mention is not None]
    kept = []
    for quote in learned:
        if any(_overlaps(quote, other) for other in direct):
            continue
        overlapping = [other for other in attributed if _overlaps(quote, other)]
        if overlapping:
            best = max(overlapping, key=lambda other: min(other.end, quote.end) - max(other.start, quote.start))
            # A tagger span that runs into the speaker the rules found is cut wrong: the rules' quote is right.
            quote = best if _overlaps(quote, best.mention) else replace(quote, mention=best.mention, cue=best.cue)
        if quote.cue is not None:
            kept.append(quote)
    found = [*direct, *kept]
    found += [quote for quote in rules if not any(_overlaps(quote, other) for other in found)]
    return sorted(found, key=lambda quote: (quote.start, quote.end))


def tagger_path(name_or_path: str | Path | None = None) -> Path:
    """The folder of a tagger: an existing folder, or a name in models/ (None: the shipped one)."""
    from stance.classify import models_dir

    path = Path(name_or_path or DEFAULT_TAGGER)
    if path.is_dir():
        return path
    shipped = models_dir() / path
    if shipped.is_dir():
        return shipped
    raise ModelError(
        f"{path}: expected a quote-tagger folder or the name of one in {models_dir()}, found neither; "
        "train one with `stance train-tagger`, or use rules only (--fast)"
    )


@functools.lru_cache(maxsize=4)
def _load_cached(folder: str) -> QuoteTagger:
    return QuoteTagger.load(folder)


def load_tagger(name_or_path: str | Path | None = None) -> QuoteTagger:
    """The tagger at ``name_or_path`` (None: the shipped one), loaded once per process and path,
    so every article a worker extracts shares one model."""
    return _load_cached(str(tagger_path(name_or_path).resolve()))
