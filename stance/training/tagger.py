"""Training the quote tagger (`stance.quotes.tagger`) on PolNeAR-format attributions.

One path: read the gold articles (`stance.data.polnear`) -> cut them into token windows with BIO
tags -> fine-tune the top encoder layers and the head through the shared loop
(`stance.training.loop`) -> round the trained tensors to fp16 (what the folder stores) -> save
the folder with its model card. `stance train-tagger` calls `train_tagger`; tests call
`fit_tagger` on a tiny model.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from itertools import islice
from pathlib import Path

import numpy as np

from stance.data.polnear import GoldArticle, GoldQuote, read_polnear
from stance.errors import DataError
from stance.evaluation.quotes import evaluate_quotes
from stance.models.folder import read_model_record, write_model_record
from stance.pipeline import extract
from stance.quotes.acts import act_of
from stance.quotes.tagger import (
    IGNORE_INDEX,
    SPAN_TYPES,
    TAGS,
    TASK,
    QuoteTagger,
    TaggerConfig,
    load_tagger,
    token_tags,
    trained_prefixes,
)
from stance.training.loop import LoopSettings, StepReport, run_loop, seed_everything, total_steps

logger = logging.getLogger(__name__)

DEFAULT_TRAIN_DATA = "../shared/data/polnear/train.jsonl"
DEFAULT_OUTPUT = "models/quote-tagger"

# progress(phase, done, total): phase is "training", counted in optimizer steps.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class TaggerTrainingArguments:
    """Everything `train_tagger` needs; `stance train-tagger` options map to these fields."""

    train_path: str = DEFAULT_TRAIN_DATA
    output: str = DEFAULT_OUTPUT
    epochs: float = 2.0
    learning_rate: float = 2e-4
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    seed: int = 13
    max_steps: int | None = None  # stop early (smoke tests)
    limit_articles: int | None = None  # train on the first articles only
    num_threads: int = 2
    log_every: int = 20
    tagger: TaggerConfig = field(default_factory=TaggerConfig)


@dataclass(frozen=True)
class TaggerTrainingRun:
    """What `train_tagger` did: the saved folder, the trained tagger, the training record saved
    in the folder (steps, losses, time) and the held-out figures by gold file."""

    folder: Path
    tagger: QuoteTagger
    record: dict
    evaluation: dict[str, dict]


def read_training_articles(path: str | Path, limit: int | None = None) -> list[GoldArticle]:
    """The first ``limit`` (None: all) gold articles of a PolNeAR-format file; raises `DataError`
    when it has none."""
    articles = list(islice(read_polnear(path), limit))
    if not articles:
        raise DataError(f"{path}: expected annotated articles, found none")
    return articles


def training_windows(tagger: QuoteTagger, articles: Sequence[GoldArticle]) -> list[tuple[list[int], np.ndarray]]:
    """(token ids, BIO tags of shape (tokens, span types)) for every window of every article: the
    spans of its statements only when the tagger is to find ``speech`` attributions."""
    windows = []
    for article in articles:
        if tagger.config.attributions == "speech":
            article = statements_of(article)
        ids, offsets = tagger.encode(article.text)
        tags = token_tags(offsets, article.spans)
        for start, end in tagger.windows(ids):
            windows.append((ids[start:end], tags[start:end]))
    return windows


def statements_of(article: GoldArticle) -> GoldArticle:
    """``article`` with only its gold attributions that are statements (`stance.quotes.acts.act_of`
    of their kind and cue): the others' spans become outside, for the tagger to leave alone."""
    def act(quote: GoldQuote) -> str:
        return act_of(quote.kind, " ".join(cue.text for cue in quote.cues) if quote.cues else None)

    return replace(article, attributions=tuple(quote for quote in article.attributions if act(quote) == "speech"))


def _batches(windows: list, batch_size: int, rng: random.Random) -> Iterator[list]:
    order = list(range(len(windows)))
    rng.shuffle(order)
    for start in range(0, len(order), batch_size):
        yield [windows[index] for index in order[start : start + batch_size]]


def _labels(batch: list, width: int):
    import torch

    labels = torch.full((len(batch), width, len(SPAN_TYPES)), IGNORE_INDEX, dtype=torch.long)
    for row, (_, tags) in enumerate(batch):
        labels[row, 1 : 1 + len(tags)] = torch.from_numpy(tags)
    return labels


def fit_tagger(
    tagger: QuoteTagger,
    articles: Sequence[GoldArticle],
    args: TaggerTrainingArguments,
    *,
    progress: Progress | None = None,
) -> dict:
    """Fine-tune ``tagger`` in place on ``articles``; returns the training record (windows, steps,
    losses, time). ``progress`` is called after every step.

    Only the tensors that the folder will store are trained (`stance.quotes.tagger.trained_prefixes`);
    they are rounded to fp16 at the end, so the returned model predicts what its saved copy will.
    """
    import torch

    seed_everything(args.seed)
    # One generator for the whole run: each epoch continues its sequence of shuffles.
    rng = random.Random(args.seed)
    prefixes = trained_prefixes(tagger.config, tagger.base)
    trainable = []
    for name, parameter in tagger.model.named_parameters():
        parameter.requires_grad = name.startswith(prefixes)
        if parameter.requires_grad:
            trainable.append(parameter)
    windows = training_windows(tagger, articles)
    if not windows:
        raise DataError("expected training texts with at least one token, found none")
    steps_per_epoch = -(-len(windows) // tagger.config.batch_size)
    settings = LoopSettings(
        epochs=args.epochs, weight_decay=args.weight_decay, warmup_ratio=args.warmup_ratio, max_steps=args.max_steps
    )
    total = total_steps(steps_per_epoch, settings.epochs, settings.max_steps)
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=IGNORE_INDEX)
    logger.info("training on %d windows: %d steps, %d trainable tensors", len(windows), total, len(trainable))
    started, recent, losses = time.perf_counter(), [], []

    def forward(batch: list):
        ids, mask = tagger.window_inputs([piece for piece, _ in batch])
        return tagger.model(input_ids=ids, attention_mask=mask).logits

    def loss(logits, batch: list):
        return loss_fn(logits.reshape(-1, len(TAGS)), _labels(batch, logits.shape[1]).reshape(-1))

    def step_done(step: StepReport) -> None:
        recent.append(step.loss)
        if step.total_step % args.log_every == 0 or step.total_step == step.total_steps:
            losses.append({"step": step.total_step, "loss": round(float(np.mean(recent)), 4)})
            logger.info(
                "step %d/%d loss %.4f (%.0fs)", step.total_step, step.total_steps, np.mean(recent),
                time.perf_counter() - started,
            )
            recent.clear()
        if progress:
            progress("training", step.total_step, step.total_steps)

    steps = run_loop(
        tagger.model,
        [{"params": trainable, "lr": args.learning_rate}],
        lambda epoch: _batches(windows, tagger.config.batch_size, rng),
        forward,
        loss,
        settings,
        steps_per_epoch=steps_per_epoch,
        train_mode=lambda model: _train_mode(model, prefixes),
        on_step=step_done,
    )
    with torch.no_grad():
        for parameter in trainable:
            parameter.copy_(parameter.half().float())
    return {
        "windows": len(windows),
        "steps": steps,
        "losses": losses,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _train_mode(model, prefixes: tuple[str, ...]) -> None:
    """Dropout on in the trained modules only: frozen ones run as at inference, and faster."""
    model.eval()
    for name, module in model.named_modules():
        if name and f"{name}.".startswith(prefixes):
            module.train()


def train_tagger(
    args: TaggerTrainingArguments, evaluate: Sequence[str | Path] = (), *, progress: Progress | None = None
) -> TaggerTrainingRun:
    """Train a tagger on the packaged encoder and save it, with its model card, to ``args.output``;
    the gold files in ``evaluate`` are scored afterwards (`evaluate_saved_tagger`)."""
    import torch

    torch.set_num_threads(args.num_threads)
    articles = read_training_articles(args.train_path, args.limit_articles)
    tagger = QuoteTagger.from_packaged_encoder(args.tagger)
    record = fit_tagger(tagger, articles, args, progress=progress)
    training = {
        "arguments": {key: value for key, value in asdict(args).items() if key != "tagger"},
        "articles": len(articles),
        **record,
    }
    folder = tagger.save_pretrained(args.output, training=training)
    write_model_card(folder)
    evaluation = evaluate_saved_tagger(folder, evaluate) if evaluate else {}
    return TaggerTrainingRun(Path(folder), tagger, training, evaluation)


def evaluate_saved_tagger(folder: str | Path, gold_paths: Sequence[str | Path]) -> dict:
    """Score the tagger in ``folder`` as the pipeline uses it (rules' direct quotes + tagger, then
    speaker resolution) and as `--fast` rules alone, keeping the attributions it was trained for
    (`TaggerConfig.attributions`), on each gold file; the figures go into the folder's
    ``stance_config.json`` and model card."""
    tagger = load_tagger(folder)
    # In the attribution mode the tagger was trained for: statements, or every attribution.
    all_attributions = tagger.config.attributions == "all"
    figures = {}
    for gold in gold_paths:
        scores = {
            system: evaluate_quotes(gold, extractor=partial(extract, **options, all_attributions=all_attributions))
            for system, options in (("rules + tagger", {"tagger": tagger}), ("rules only (--fast)", {"fast": True}))
        }
        figures[str(gold)] = {system: _summary(report) for system, report in scores.items()}
    record = read_model_record(folder, TASK)
    write_model_record(folder, replace(record, extra={**record.extra, "evaluation": figures}))
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
    path = Path(folder) / "README.md"
    path.write_text(model_card(read_model_record(folder, TASK).to_dict()), encoding="utf-8")
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
        f"# {Path(args.get('output') or DEFAULT_OUTPUT).name}",
        "",
        "Token tagger for attributions in news (who said what): three independent BIO tags per token",
        f"for content, source and cue spans (labels: {', '.join(saved['labels'])}).",
        "`stance.quotes.tagger.QuoteTagger` loads it and turns the tags into quotes (interrupted contents",
        "joined, each linked to the nearest cue and source in the same or an adjacent sentence);",
        "`stance.pipeline.extract` combines them with the rule extractor's (`stance.quotes.combine.combine_quotes`:",
        "the rules' direct quotes, the tagger's other quotes, the rules' quotes where the tagger found none).",
        "",
        "## Model",
        (
            f"- Base: `{base.get('name')}` from PyPI `{base.get('package')}=={base.get('version')}`"
            f" (sha256 `{base.get('sha256')}`), cut to its lower {config['num_layers']} layers."
        ),
        f"- Trained: the top {config['trained_layers']} layers and the linear head; only those tensors are",
        f"  in `model.safetensors` (fp16, sha256 `{saved['weights']['sha256']}`); loading verifies both",
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
        f"--precision {config['precision']} --attributions {config.get('attributions', 'all')}"
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
            f"`{gold}`, `--attributions {config.get('attributions', 'all')}` (quote F1 with one-to-one matching at "
            "overlap 0.3 / 0.8 of the gold content;",
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
        (
            "- Trained on statements only (`--attributions speech`): the gold attributions whose cue is a speech act "
            "(`stance.quotes.acts`) and quotations; PolNeAR's beliefs, findings and plans were outside."
            if config.get("attributions") == "speech"
            else "- PolNeAR's attributions are broad (beliefs, reports, \"polls show\"); the tagger marks those too."
        ),
        "- Trained on 2015-2016 US political news; other genres and periods will score lower.",
        "- Speaker names are resolved by `stance.speakers`, not here; `mention` is the source span.",
        "- Linking content to cue and source is a distance rule, not learned.",
        "- Speed: the encoder reads the sentences where a statement's cue can be (about half of an article's",
        "  1,000 tokens; all of them with `--attributions all`) on CPU; measure with",
        "  `python benchmarks/extraction.py --tagger`, and use `--fast` (rules only) for bulk runs.",
        "",
    ]
    return "\n".join(lines)
