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
    CONFIG_FILE,
    IGNORE_INDEX,
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


def train_tagger(args: TaggerTrainingArguments, evaluate: Sequence[str | Path] = ()) -> QuoteTagger:
    """Train a tagger on the packaged encoder and save it, with its model card, to ``args.output``;
    the gold files in ``evaluate`` are scored afterwards (`evaluate_saved_tagger`)."""
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
    write_model_card(folder)
    if evaluate:
        evaluate_saved_tagger(folder, evaluate)
    return tagger


def evaluate_saved_tagger(folder: str | Path, gold_paths: Sequence[str | Path]) -> dict:
    """Score the tagger in ``folder`` as the pipeline uses it (rules' direct quotes + tagger, then
    speaker resolution) and as `--fast` rules alone, on each gold file; the figures go into the
    folder's ``stance_config.json`` and model card."""
    from functools import partial

    from stance.evaluation.quotes import evaluate_quotes
    from stance.pipeline import extract
    from stance.tagger import load_tagger

    tagger = load_tagger(folder)
    figures = {}
    for gold in gold_paths:
        figures[str(gold)] = {
            "rules + tagger": _summary(evaluate_quotes(gold, extractor=partial(extract, tagger=tagger))),
            "rules only (--fast)": _summary(evaluate_quotes(gold, extractor=partial(extract, fast=True))),
        }
    config_path = Path(folder) / CONFIG_FILE
    saved = json.loads(config_path.read_text(encoding="utf-8"))
    saved["evaluation"] = figures
    config_path.write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
    write_model_card(folder)
    return figures


def _summary(scores: dict) -> dict:
    """The figures of `stance.evaluation.quotes.evaluate_quotes` that the model card reports."""
    return {
        "documents": scores["documents"],
        "gold_quotes": scores["gold_quotes"],
        "predicted_quotes": scores["predicted_quotes"],
        **{
            f"f1@{threshold}": round(row["f1"], 3)
            for threshold, row in scores["thresholds"].items()
        },
        **{
            f"precision@{threshold}": round(row["precision"], 3)
            for threshold, row in scores["thresholds"].items()
        },
        **{f"recall@{threshold}": round(row["recall"], 3) for threshold, row in scores["thresholds"].items()},
        "recall_by_kind@0.3": {
            kind: round(value, 3)
            for kind, value in scores["thresholds"].get("0.3", {}).get("recall_by_kind", {}).items()
        },
        "speaker_correct": round(scores["speaker"]["share"], 3),
    }


def write_model_card(folder: str | Path) -> Path:
    """(Re)generate ``folder/README.md`` from its ``stance_config.json``."""
    folder = Path(folder)
    saved = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    path = folder / "README.md"
    path.write_text(model_card(saved), encoding="utf-8")
    return path


def model_card(saved: dict) -> str:
    """The README.md of a tagger folder: what the model is, its data, how to reproduce it, its
    metrics and limits; ``saved`` is the folder's ``stance_config.json``."""
    config = saved["config"]
    base = saved["base"] or {}
    training = saved.get("training", {})
    args = training.get("arguments", {})
    losses = training.get("losses") or [{"loss": None}]
    lines = [
        "# quote-tagger",
        "",
        "Token tagger for attributions in news (who said what): three independent BIO tags per token",
        f"for content, source and cue spans (labels: {', '.join(saved['labels'])}).",
        "`stance.tagger.QuoteTagger` loads it and turns the tags into quotes (interrupted contents",
        "joined, each linked to the nearest cue and source in the same or an adjacent sentence);",
        "`stance.pipeline.extract` combines them with the rule extractor's (`stance.tagger.combine_quotes`:",
        "the rules' direct quotes, the tagger's other quotes, the rules' quotes where the tagger found none).",
        "",
        "## Model",
        (
            f"- Base: `{base.get('name')}` from PyPI `{base.get('package')}=={base.get('version')}`"
            f" (sha256 `{base.get('sha256')}`), cut to its lower {config['num_layers']} layers."
        ),
        f"- Trained: the top {config['trained_layers']} layers and the linear head; only those tensors are",
        f"  in `model.safetensors` (fp16, sha256 `{saved['weights_sha256']}`); loading verifies both",
        "  hashes and lays the trained tensors over the base.",
        (
            f"- Windows of at most {config['max_length']} tokens overlapping by at least {config['stride']}; inference "
            f"precision {config['precision']}"
            + (" (bf16 on CPUs with AMX / AVX512-BF16, int8 elsewhere)" if config["precision"] == "auto" else "")
            + "; a token is inside a content / source / cue span when its "
            f"probability of not being outside reaches {config.get('inside_thresholds')}."
        ),
        f"- Libraries: {', '.join(f'{k} {v}' for k, v in saved.get('versions', {}).items())}.",
        "",
        "## Data",
        f"- `{args.get('train_path')}`: {training.get('articles')} PolNeAR articles (Newell, Margolin &",
        f"  Ruths, LREC 2018), {training.get('windows')} windows. The dev split is not used in training.",
        "",
        "## Reproduce",
        "```",
        f"stance train-tagger --train {args.get('train_path')} --output {args.get('output')} "
        f"--epochs {args.get('epochs')} --learning-rate {args.get('learning_rate')} --seed {args.get('seed')} "
        f"--max-length {config['max_length']} --stride {config['stride']} --layers {config['num_layers']} "
        f"--trained-layers {config['trained_layers']} --batch-size {config['batch_size']} "
        f"--precision {config['precision']}"
        + (f" --limit {args['limit_articles']}" if args.get("limit_articles") else "")
        + (f" --max-steps {args['max_steps']}" if args.get("max_steps") else "")
        + "".join(f" --evaluate {gold}" for gold in saved.get("evaluation", {})),
        "```",
        (
            f"{training.get('steps')} steps, {training.get('seconds')} s on {args.get('num_threads')} CPU "
            f"threads (shared); final training loss {losses[-1]['loss']}."
        ),
        *([training["note"]] if training.get("note") else []),
        "",
        "## Metrics",
    ]
    evaluation = saved.get("evaluation") or {}
    if not evaluation:
        lines.append("Not evaluated yet: `stance train-tagger --evaluate GOLD.jsonl` adds the figures here.")
    for gold, systems in evaluation.items():
        lines += [
            f"`{gold}` (quote F1 with one-to-one matching at overlap 0.3 / 0.8 of the gold content;",
            "speaker correct = share of matched quotes whose mention overlaps the gold source):",
            "",
            "| system | F1@0.3 | P@0.3 | R@0.3 | F1@0.8 | recall direct / indirect / mixed | speaker correct |",
            "|---|---|---|---|---|---|---|",
        ]
        for system, row in systems.items():
            kinds = row.get("recall_by_kind@0.3", {})
            lines.append(
                f"| {system} | {row.get('f1@0.3')} | {row.get('precision@0.3')} | {row.get('recall@0.3')} | "
                f"{row.get('f1@0.8')} | {kinds.get('direct')} / {kinds.get('indirect')} / {kinds.get('mixed')} | "
                f"{row.get('speaker_correct')} |"
            )
        lines.append("")
    speed = saved.get("speed")
    if speed:
        lines += [
            "## Speed",
            f"`{speed['command']}` ({speed['note']}):",
            f"{speed['articles_per_second']} articles/s, {speed['articles_per_cpu_second']} articles per CPU-second.",
            "",
        ]
    lines += [
        "",
        "## Limits",
        "- PolNeAR's attributions are broad (beliefs, reports, \"polls show\"); the tagger marks those too.",
        "- Trained on 2015-2016 US political news; other genres and periods will score lower.",
        "- Speaker names are resolved by `stance.speakers`, not here; `mention` is the source span.",
        "- Linking content to cue and source is a distance rule, not learned.",
        "- Speed: the encoder reads every token (about 1,000 per article) on CPU; measure with",
        "  `python benchmarks/extraction.py --tagger`, and use `--fast` (rules only) for bulk runs.",
        "",
    ]
    return "\n".join(lines)
