"""Training the quote tagger (`stance.tagger`) on PolNeAR-format attributions.

One path: read the gold articles -> cut them into token windows with BIO tags -> fine-tune the top
encoder layers and the head -> round the trained tensors to fp16 (what the folder stores) -> save
the folder with its model card. `stance train-tagger` calls `train_tagger`; tests call
`fit_tagger` on a tiny model.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from stance.errors import DataError, InputError
from stance.tagger import (
    IGNORE_INDEX,
    LABELS,
    SPAN_TYPES,
    TAGS,
    QuoteTagger,
    TaggerConfig,
    token_tags,
    trained_prefixes,
)

logger = logging.getLogger(__name__)

DEFAULT_TRAIN_DATA = "../shared/data/polnear/train.jsonl"
DEFAULT_OUTPUT = "models/quote-tagger"


@dataclass(frozen=True)
class AnnotatedText:
    """A text with its gold character spans by type (content / source / cue)."""

    text: str
    spans: dict[str, tuple[tuple[int, int], ...]]


@dataclass(frozen=True)
class TaggerTrainingArguments:
    """Everything `train_tagger` needs; `stance train-tagger` options map to these fields."""

    train_path: str = DEFAULT_TRAIN_DATA
    output: str = DEFAULT_OUTPUT
    epochs: float = 2.0
    learning_rate: float = 2e-4
    warmup_share: float = 0.06
    weight_decay: float = 0.01
    seed: int = 13
    max_steps: int | None = None  # stop early (smoke tests)
    limit_articles: int | None = None  # train on the first articles only
    num_threads: int = 2
    log_every: int = 20
    tagger: TaggerConfig = field(default_factory=TaggerConfig)


def read_annotated(path: str | Path) -> list[AnnotatedText]:
    """Read a PolNeAR-format JSONL file (``../shared/README.md``) into `AnnotatedText`s."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(str(path), f"can't read the training file as UTF-8 text: {error}") from error
    texts = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text = row["text"]
            spans = {span_type: [] for span_type in SPAN_TYPES}
            for quote in row.get("quotes") or ():
                for span_type in SPAN_TYPES:
                    for span in quote.get(span_type) or ():
                        start, end = int(span["start"]), int(span["end"])
                        if not 0 <= start <= end <= len(text):
                            raise ValueError(f"span {start}-{end} outside the text ({len(text)} chars)")
                        spans[span_type].append((start, end))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            raise DataError(
                f"{path}:{number}: expected a PolNeAR-format object (text, quotes with content/"
                f"source/cue character spans), found an invalid row ({error}); fix or remove the line"
            ) from error
        texts.append(AnnotatedText(text, {key: tuple(value) for key, value in spans.items()}))
    if not texts:
        raise DataError(f"{path}: expected annotated articles, found none")
    return texts


def training_windows(
    tagger: QuoteTagger, texts: Sequence[AnnotatedText]
) -> list[tuple[list[int], np.ndarray]]:
    """(token ids, BIO tags of shape (tokens, span types)) for every window of every text."""
    windows = []
    for annotated in texts:
        ids, offsets = tagger.encode(annotated.text)
        tags = token_tags(offsets, annotated.spans)
        for start, end in tagger.windows(ids):
            windows.append((ids[start:end], tags[start:end]))
    return windows


def _batches(windows: list, batch_size: int, rng: random.Random) -> Iterator[list]:
    order = list(range(len(windows)))
    rng.shuffle(order)
    for start in range(0, len(order), batch_size):
        yield [windows[index] for index in order[start : start + batch_size]]


def _labels(tagger: QuoteTagger, batch: list, width: int):
    import torch

    labels = torch.full((len(batch), width, len(SPAN_TYPES)), IGNORE_INDEX, dtype=torch.long)
    for row, (_, tags) in enumerate(batch):
        labels[row, 1 : 1 + len(tags)] = torch.from_numpy(tags)
    return labels


def fit_tagger(
    tagger: QuoteTagger, texts: Sequence[AnnotatedText], args: TaggerTrainingArguments
) -> dict:
    """Fine-tune ``tagger`` in place on ``texts``; returns the training record (steps, losses, time).

    Only the tensors that the folder will store are trained (`stance.tagger.trained_prefixes`);
    they are rounded to fp16 at the end, so the returned model predicts what its saved copy will.
    """
    import torch

    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    prefixes = trained_prefixes(tagger.config, tagger.base)
    trainable = []
    for name, parameter in tagger.model.named_parameters():
        parameter.requires_grad = name.startswith(prefixes)
        if parameter.requires_grad:
            trainable.append(parameter)
    windows = training_windows(tagger, texts)
    if not windows:
        raise DataError("expected training texts with at least one token, found none")
    steps_per_epoch = -(-len(windows) // tagger.config.batch_size)
    total = max(1, round(args.epochs * steps_per_epoch))
    if args.max_steps is not None:
        total = min(total, args.max_steps)
    warmup = int(total * args.warmup_share)
    optimizer = torch.optim.AdamW(trainable, lr=args.learning_rate, weight_decay=args.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: (step + 1) / (warmup + 1) if step < warmup else max(0.0, (total - step) / max(1, total - warmup)),
    )
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=IGNORE_INDEX)
    logger.info("training on %d windows: %d steps, %d trainable tensors", len(windows), total, len(trainable))
    _train_mode(tagger.model, prefixes)
    started, step, recent, losses = time.perf_counter(), 0, [], []
    while step < total:
        for batch in _batches(windows, tagger.config.batch_size, rng):
            ids, mask = tagger.window_inputs([piece for piece, _ in batch])
            labels = _labels(tagger, batch, ids.shape[1])
            logits = tagger.model(input_ids=ids, attention_mask=mask).logits
            loss = loss_fn(logits.reshape(-1, len(TAGS)), labels.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            recent.append(loss.item())
            if step % args.log_every == 0 or step == total:
                losses.append({"step": step, "loss": round(float(np.mean(recent)), 4)})
                logger.info("step %d/%d loss %.4f (%.0fs)", step, total, np.mean(recent), time.perf_counter() - started)
                recent = []
            if step >= total:
                break
    tagger.model.eval()
    with torch.no_grad():
        for parameter in trainable:
            parameter.copy_(parameter.half().float())
    return {
        "windows": len(windows),
        "steps": total,
        "losses": losses,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _train_mode(model, prefixes: tuple[str, ...]) -> None:
    """Dropout on in the trained modules only: frozen ones run as at inference, and faster."""
    model.eval()
    for name, module in model.named_modules():
        if name and f"{name}.".startswith(prefixes):
            module.train()


def train_tagger(args: TaggerTrainingArguments) -> QuoteTagger:
    """Train a tagger on the packaged encoder and save it, with its model card, to ``args.output``."""
    import torch

    torch.set_num_threads(args.num_threads)
    texts = read_annotated(args.train_path)
    if args.limit_articles is not None:
        texts = texts[: args.limit_articles]
    tagger = QuoteTagger.from_packaged_encoder(args.tagger)
    record = fit_tagger(tagger, texts, args)
    training = {
        "arguments": {key: value for key, value in asdict(args).items() if key != "tagger"},
        "articles": len(texts),
        **record,
    }
    folder = tagger.save(args.output, extra={"training": training})
    (folder / "README.md").write_text(model_card(tagger, training), encoding="utf-8")
    return tagger


def model_card(tagger: QuoteTagger, training: dict, metrics: dict | None = None) -> str:
    """The folder's README.md: what the model is, its data, how to reproduce it, its limits."""
    config = tagger.config
    args = training["arguments"]
    final_loss = training["losses"][-1]["loss"] if training["losses"] else None
    lines = [
        "# quote-tagger",
        "",
        "Token tagger for attributions in news (who said what): three independent BIO tags per token",
        f"for content, source and cue spans (labels: {', '.join(LABELS)}). `stance.tagger.QuoteTagger`",
        "loads it and turns the tags into quotes (interrupted contents joined, each linked to the",
        "nearest cue and source in the same or an adjacent sentence).",
        "",
        "## Model",
        f"- Base: `{tagger.base['name']}` from PyPI `{tagger.base['package']}=={tagger.base['version']}`"
        f" (sha256 `{tagger.base['sha256'][:12]}…`), cut to its lower {config.num_layers} layers.",
        f"- Trained: the top {config.trained_layers} layers and the linear head; only those tensors are in",
        "  `model.safetensors` (fp16); loading lays them over the verified base.",
        f"- Windows of {config.max_length} tokens overlapping by {config.stride}; "
        f"inference precision: {config.precision}.",
        "",
        "## Data",
        f"- `{args['train_path']}`: {training['articles']} PolNeAR articles (Newell, Margolin & Ruths,",
        f"  LREC 2018), {training['windows']} windows. The dev split is not used in training.",
        "",
        "## Reproduce",
        "```",
        f"stance train-tagger --train {args['train_path']} --output {args['output']} "
        f"--epochs {args['epochs']} --learning-rate {args['learning_rate']} --seed {args['seed']} "
        f"--max-length {config.max_length} --stride {config.stride} --layers {config.num_layers} "
        f"--trained-layers {config.trained_layers}",
        "```",
        f"{training['steps']} steps of batch {config.batch_size}, {training['seconds']:.0f} s on "
        f"{args['num_threads']} CPU threads; final training loss {final_loss}.",
        "",
        "## Metrics",
        "`stance evaluate quotes ../shared/data/polnear/dev.jsonl` — see the project README and the",
        "commit that shipped this folder for the figures of the revision in git.",
        "",
        "## Limits",
        "- PolNeAR's attributions are broad (beliefs, reports, \"polls show\"); the tagger marks those too.",
        "- Trained on 2015-2016 US political news; other genres and periods will score lower.",
        "- Speaker names are not resolved here (see `stance.speakers`); `mention` is the source span.",
        "- Linking content to cue and source is a distance rule, not learned.",
        "",
    ]
    return "\n".join(lines)
