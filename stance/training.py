"""Fine-tuning a stance classifier on labelled statements (``stance train``).

Data: JSONL or CSV rows with ``text``, ``target``, ``label`` (favor / against / neutral) and
optionally ``speaker``, ``cue``, ``context`` and ``dataset``. The model is the `StanceClassifier` of
`stance.classify`; this module owns the data, the loop and the metrics.

The default base is the packaged MiniLM encoder: its embeddings and lowest layers stay frozen so
that a saved model holds only the trained tensors (a few MB). ``base_model`` may also be a stance
model folder (to continue training one, e.g. the shipped default) or any other local folder or
hub id of an encoder, which is then saved whole.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from stance.devices import autocast, uses_bf16
from stance.errors import DataError
from stance.evaluation.bootstrap import format_interval
from stance.records import STANCE_LABELS, StanceInput

logger = logging.getLogger(__name__)

REQUIRED_FIELDS = ("text", "target", "label")
UNLABELLED_FIELDS = ("text", "target")
DATA_SUFFIXES = (".jsonl", ".json", ".csv")
# With group_by_length, rows are sorted by length within pools of this many batches (as in
# transformers' length-grouped sampler): large enough to group well, small enough to stay random.
LENGTH_POOL_BATCHES = 50

# progress(phase, done, total): phase is "epoch N" while training, "validation" while scoring.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class LabelledStatement:
    """One row of training or evaluation data; ``origin`` is ``file:line``; ``group`` the article
    (or other unit) the statement came from, which evaluation resamples as a whole."""

    input: StanceInput
    label: str
    dataset: str | None
    origin: str
    group: str | None = None


@dataclass(frozen=True)
class TrainingArguments:
    """How `train` fine-tunes; saved with the model under ``training`` in ``stance_config.json``."""

    epochs: int = 3
    batch_size: int = 16
    learning_rate: float = 5e-5
    # The classification head starts from random weights and learns faster than the encoder.
    head_learning_rate: float = 1e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_length: int = 160
    use_context: bool = True
    # Frozen parts keep the saved model small and training fast on CPU.
    freeze_embeddings: bool = True
    frozen_layers: int = 2
    validation_fraction: float = 0.1
    # With teachers, a labelled statement's target is this much the teachers' mean probabilities and
    # the rest its gold label; an unlabelled statement's target is the teachers' probabilities.
    teacher_weight: float = 0.5
    seed: int = 13
    # Matrix products in bfloat16 (torch autocast) where the hardware has units for it: see
    # `stance.devices`. Weights and optimizer state stay float32.
    precision: str = "fp32"
    # Batch statements of similar token length together (see `training_batches`): far less padding
    # when tweets and news paragraphs are mixed. Off by default: earlier recipes reproduce, and on
    # the shipped model's data it trained 3.4x faster but scored lower held out (README).
    group_by_length: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class EpochReport:
    epoch: int
    train_loss: float
    validation_macro_f1: float | None
    seconds: float


@dataclass
class TrainingResult:
    classifier: object  # stance.classify.StanceClassifier
    history: list[EpochReport] = field(default_factory=list)
    best_epoch: int | None = None
    examples: dict[str, int] = field(default_factory=dict)


def read_labelled(paths: Sequence[str | Path]) -> list[LabelledStatement]:
    """Read labelled statements from JSONL/CSV files with the `datasets` library.

    Raises `DataError` naming the file and line of the first row with a missing field or a label
    outside favor / against / neutral.
    """
    rows: list[LabelledStatement] = []
    for path in map(Path, paths):
        rows.extend(_read_labelled_file(path))
    return rows


def read_unlabelled(paths: Sequence[str | Path]) -> list[StanceInput]:
    """Read statements without labels (``text``, ``target``; ``speaker``, ``cue``, ``context``
    optional) for distillation: the teachers label them. Raises `DataError` like `read_labelled`."""
    return [_statement_input(row) for path in map(Path, paths) for _, row in _rows(path, UNLABELLED_FIELDS)]


def read_column(paths: Sequence[str | Path], name: str) -> list[str | None]:
    """The values of column ``name`` in the rows `read_labelled` reads from ``paths``, in the same
    order, as text (None where empty). Raises `DataError` naming a file without the column."""
    values = []
    for path in map(Path, paths):
        for _, row in _rows(path, REQUIRED_FIELDS):
            if name not in row:
                raise DataError(f"{path}: expected a column `{name}` to split the scores by, found {sorted(row)}")
            values.append(_optional(str(row[name])) if row[name] is not None else None)
    return values


def _statement_input(row: dict) -> StanceInput:
    return StanceInput(
        target=row["target"].strip(),
        text=row["text"].strip(),
        speaker=_optional(row.get("speaker")),
        context=_optional(row.get("context")),
        cue=_optional(row.get("cue")),
    )


def _read_labelled_file(path: Path) -> list[LabelledStatement]:
    statements = []
    for origin, row in _rows(path, REQUIRED_FIELDS):
        label = row["label"].strip().lower()
        if label not in STANCE_LABELS:
            raise DataError(f"{origin}: expected a label in {list(STANCE_LABELS)}, found {row['label']!r}")
        statements.append(
            LabelledStatement(
                input=_statement_input(row),
                label=label,
                dataset=_optional(row.get("dataset")),
                origin=origin,
                group=_optional(row.get("group") or row.get("article")),
            )
        )
    return statements


def _rows(path: Path, required: Sequence[str]) -> Iterator[tuple[str, dict]]:
    """``(origin, row)`` for every row of a JSONL/CSV file, read with `datasets`; ``origin`` is
    ``file:line``. Raises `DataError` on an unreadable file, a missing column or an empty field."""
    from datasets import Dataset

    if not path.is_file():
        raise DataError(f"{path}: no such file; expected a JSONL or CSV file of statements")
    suffix = path.suffix.lower()
    if suffix not in DATA_SUFFIXES:
        raise DataError(f"{path}: expected a .jsonl or .csv file, found {suffix or 'no suffix'}")
    try:
        table = Dataset.from_csv(str(path)) if suffix == ".csv" else Dataset.from_json(str(path))
    except Exception as error:  # datasets/pyarrow raise many kinds on malformed files
        raise DataError(f"{path}: can't read it as {suffix[1:].upper()}: {error}") from None
    missing = [name for name in required if name not in table.column_names]
    if missing:
        raise DataError(
            f"{path}: expected the columns {list(required)} (speaker, cue, context, dataset optional), "
            f"found {table.column_names}; add {missing}"
        )
    if not len(table):
        raise DataError(f"{path}: expected rows, found none")
    first_line = 2 if suffix == ".csv" else 1  # CSV line 1 is the header
    for number, row in enumerate(table, start=first_line):
        origin = f"{path}:{number}"
        for name in required:
            if not isinstance(row[name], str) or not row[name].strip():
                raise DataError(f"{origin}: expected a non-empty `{name}`, found {row[name]!r}; fill it or drop the row")
        yield origin, row


def _optional(value) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def split_validation(
    statements: Sequence[LabelledStatement], fraction: float, seed: int
) -> tuple[list[LabelledStatement], list[LabelledStatement]]:
    """A seeded random (train, validation) split; no validation when ``fraction`` is 0.

    Whole groups (articles) go to one side, so validation never scores an article the model
    trained on; statements without a group are units of their own.
    """
    size = int(round(len(statements) * fraction)) if fraction > 0 else 0
    size = min(size, len(statements) - 1)
    units = list(statement_groups(statements).values())
    random.Random(seed).shuffle(units)
    held: set[int] = set()
    for unit in units:
        if len(held) >= size:
            break
        if len(held) + len(unit) < len(statements):
            held.update(unit)
    return (
        [row for i, row in enumerate(statements) if i not in held],
        [row for i, row in enumerate(statements) if i in held],
    )


def statement_groups(statements: Sequence[LabelledStatement]) -> dict:
    """Indices of ``statements`` by group, in order of first appearance; ungrouped rows alone."""
    groups: dict = {}
    for i, row in enumerate(statements):
        groups.setdefault(row.group if row.group is not None else ("row", i), []).append(i)
    return groups


def train(
    statements: Sequence[LabelledStatement],
    args: TrainingArguments = TrainingArguments(),
    *,
    base_model: str | Path | None = None,
    validation: Sequence[LabelledStatement] | None = None,
    teachers: Sequence = (),
    unlabelled: Sequence[StanceInput] = (),
    progress: Progress | None = None,
    on_epoch: Callable[[EpochReport], None] | None = None,
):
    """Fine-tune a stance classifier; returns a `TrainingResult` (the model is not saved).

    Without ``validation``, ``args.validation_fraction`` of ``statements`` is held out (seeded).
    The epoch with the best validation macro-F1 is kept (the last one without validation).
    ``teachers`` (loaded stance models, e.g. fine-tuned runs or a hub NLI model) distil their mean
    probabilities into the model, on ``statements`` (see `soft_targets`) and on ``unlabelled``
    statements, which need them. ``progress`` is called after every step and ``on_epoch`` after
    every epoch.
    """
    import torch
    from transformers import get_linear_schedule_with_warmup

    from stance.evaluation.stance import macro_f1

    _seed_everything(args.seed)
    if validation is None:
        statements, validation = split_validation(statements, args.validation_fraction, args.seed)
    if not statements:
        raise DataError("expected at least one training row, found none")
    if unlabelled and not teachers:
        raise DataError("unlabelled statements need a teacher model to label them; pass one")
    classifier = initial_classifier(base_model, args)
    model = classifier.model
    _freeze(model, args)
    bf16 = uses_bf16(args.precision, model.device.type)
    inputs = [row.input for row in statements] + list(unlabelled)
    gold = [row.label for row in statements] + [None] * len(unlabelled)
    # Tokenized once; each batch is padded to its longest member.
    encoded = classifier.tokenizer(
        *zip(*classifier.encode_pairs(inputs), strict=True), truncation="only_second", max_length=args.max_length
    )
    lengths = [len(ids) for ids in encoded["input_ids"]]
    taught = teacher_probabilities(teachers, inputs) if teachers else None
    targets = torch.tensor(soft_targets(gold, taught, classifier.labels, args.teacher_weight), device=model.device)

    head = [p for n, p in model.named_parameters() if p.requires_grad and n.startswith("classifier")]
    body = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("classifier")]
    optimizer = torch.optim.AdamW(
        [{"params": body, "lr": args.learning_rate}, {"params": head, "lr": args.head_learning_rate}],
        weight_decay=args.weight_decay,
    )
    steps_per_epoch = -(-len(inputs) // args.batch_size)
    total_steps = steps_per_epoch * args.epochs
    scheduler = get_linear_schedule_with_warmup(optimizer, int(total_steps * args.warmup_ratio), total_steps)

    examples = {"train": len(statements), "validation": len(validation)}
    result = TrainingResult(classifier, examples=examples | ({"unlabelled": len(unlabelled)} if unlabelled else {}))
    best_score, best_state = None, None
    for epoch in range(1, args.epochs + 1):
        started = time.monotonic()
        model.train()
        batches = training_batches(lengths, args.batch_size, args.seed + epoch, group_by_length=args.group_by_length)
        losses = []
        for step, batch in enumerate(batches):
            features = classifier.tokenizer.pad(
                [{key: encoded[key][i] for key in encoded} for i in batch], padding="longest", return_tensors="pt"
            ).to(model.device)
            with autocast(bf16, model.device.type):
                logits = model(**features).logits
            # Cross-entropy with soft targets: with one-hot targets (no teacher) the usual loss.
            loss = -(targets[batch] * torch.log_softmax(logits.float(), dim=-1)).sum(dim=-1).mean()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(body + head, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            losses.append(loss.item())
            if progress:
                progress(f"epoch {epoch}", step + 1, steps_per_epoch)
        score = None
        if validation:
            predicted = classifier.predict([row.input for row in validation], batch_size=64)
            score = macro_f1([row.label for row in validation], predicted, classifier.labels)
        report = EpochReport(epoch, sum(losses) / len(losses), score, time.monotonic() - started)
        result.history.append(report)
        logger.info("epoch %d: loss %.4f, validation macro-F1 %s", epoch, report.train_loss, score)
        if on_epoch:
            on_epoch(report)
        if score is None or best_score is None or score > best_score:
            best_score, result.best_epoch = score, epoch
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()} if validation else None
    if best_state is not None and result.best_epoch != args.epochs:
        model.load_state_dict(best_state)
    model.eval()
    return result


def training_batches(lengths: Sequence[int], batch_size: int, seed: int, *, group_by_length: bool = False) -> list[list[int]]:
    """One epoch's batches: row indices, every row once, in a seeded random order.

    With ``group_by_length``, the shuffled rows are cut into pools of `LENGTH_POOL_BATCHES`
    batches, each pool is sorted by token length and cut into batches, and the batches are
    shuffled: a batch then holds statements of about one length, so padding to the longest costs
    little, while the pools keep the batches' make-up random from epoch to epoch.
    """
    order = list(range(len(lengths)))
    shuffler = random.Random(seed)
    shuffler.shuffle(order)
    if not group_by_length:
        return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    pool_size = batch_size * LENGTH_POOL_BATCHES
    batches = []
    for start in range(0, len(order), pool_size):
        pool = sorted(order[start : start + pool_size], key=lengths.__getitem__)
        batches += [pool[first : first + batch_size] for first in range(0, len(pool), batch_size)]
    shuffler.shuffle(batches)
    return batches


def teacher_probabilities(teachers: Sequence, inputs: Sequence[StanceInput]) -> list[dict[str, float]]:
    """The teachers' mean ``{label: probability}`` for every input (batched, teachers in turn)."""
    per_teacher = [teacher.predict_proba(inputs, batch_size=64) for teacher in teachers]
    return [
        {label: sum(scores[label] for scores in row) / len(row) for label in STANCE_LABELS}
        for row in zip(*per_teacher, strict=True)
    ]


def soft_targets(
    gold: Sequence[str | None],
    taught: Sequence[dict[str, float]] | None,
    labels: Sequence[str],
    teacher_weight: float,
) -> list[list[float]]:
    """Training targets over ``labels``: one-hot gold labels, mixed with the teachers'
    probabilities (``teacher_weight`` of them) when there are teachers; the teachers'
    probabilities alone for a statement without a gold label (None)."""
    targets = []
    for i, label in enumerate(gold):
        one_hot = [float(name == label) for name in labels]
        if taught is None:
            targets.append(one_hot)
        elif label is None:
            targets.append([taught[i][name] for name in labels])
        else:
            targets.append([(1 - teacher_weight) * hot + teacher_weight * taught[i][name] for hot, name in zip(one_hot, labels)])
    return targets


def initial_classifier(base_model: str | Path | None, args: TrainingArguments):
    """The model training starts from: the packaged encoder, a stance model, or another encoder."""
    from transformers import AutoModelForSequenceClassification

    from stance import classify, encoder

    id2label = dict(enumerate(STANCE_LABELS))
    label2id = {label: i for i, label in id2label.items()}
    config = classify.StanceConfig(max_length=args.max_length, use_context=args.use_context)
    if base_model is None:
        folder = encoder.packaged_encoder_dir()
        encoder.verify_sha256(folder / classify.WEIGHTS_FILE, encoder.PACKAGED_ENCODER_SHA256)
        model = classify.from_pretrained_safely(
            AutoModelForSequenceClassification, folder, num_labels=3, id2label=id2label, label2id=label2id
        )
        return classify.StanceClassifier(model, classify.load_tokenizer(folder), replace(config, base=encoder.base_record()))
    source = classify.resolve_model(base_model)
    loaded = classify.load_model(source, precision="fp32") if _is_stance_model(source) else None
    if isinstance(loaded, classify.StanceClassifier):
        loaded.config = replace(loaded.config, max_length=args.max_length, use_context=args.use_context)
        return loaded
    model = classify.from_pretrained_safely(
        AutoModelForSequenceClassification,
        source,
        num_labels=3,
        id2label=id2label,
        label2id=label2id,
        ignore_mismatched_sizes=True,
    )
    return classify.StanceClassifier(model, classify.load_tokenizer(source), replace(config, base={"name": str(base_model)}))


def _is_stance_model(source: str | Path) -> bool:
    from stance.classify import read_transformers_config

    labels = {str(label).lower() for label in read_transformers_config(source).id2label.values()}
    return labels == set(STANCE_LABELS)


def _freeze(model, args: TrainingArguments) -> None:
    """Freeze the embeddings and the lowest ``args.frozen_layers`` encoder layers (BERT-like models)."""
    base = model.base_model
    for parameter in model.parameters():
        parameter.requires_grad = True
    if args.freeze_embeddings and hasattr(base, "embeddings"):
        base.embeddings.requires_grad_(False)
    layers = getattr(getattr(base, "encoder", None), "layer", None)
    if layers is not None:
        for layer in list(layers)[: args.frozen_layers]:
            layer.requires_grad_(False)


def _seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    torch.manual_seed(seed)


def save_trained(
    result: TrainingResult,
    folder: str | Path,
    args: TrainingArguments,
    *,
    data: Sequence[str | Path] = (),
    command: str | None = None,
    evaluations: dict[str, dict] | None = None,
    notes: str | None = None,
    teachers: Sequence[str] = (),
    unlabelled: Sequence[str | Path] = (),
) -> Path:
    """Save the model, its training arguments and history, and a generated README.md model card.

    ``notes`` (Markdown: where the data came from, how it was split) is added to the card.
    """
    from stance.classify import StanceConfig

    classifier = result.classifier
    training = {
        "arguments": args.to_dict(),
        "data": [str(path) for path in data],
        **({"teachers": list(teachers), "unlabelled": [str(path) for path in unlabelled]} if teachers else {}),
        "examples": result.examples,
        "best_epoch": result.best_epoch,
        "history": [asdict(report) for report in result.history],
        "command": command,
        "evaluations": evaluations or {},
    }
    config: StanceConfig = classifier.config
    classifier.config = replace(config, training=training)
    folder = classifier.save_pretrained(folder)
    card = model_card(Path(folder).name, classifier.config, notes)
    (Path(folder) / "README.md").write_text(card, encoding="utf-8")
    return Path(folder)


def model_card(name: str, config, notes: str | None = None) -> str:
    """A README.md for a trained model folder, from its `StanceConfig`."""
    training = config.training
    base = config.base.get("name", "?")
    if config.base.get("package"):
        base = f"{base} (PyPI `{config.base['package']}=={config.base['version']}`, sha256 `{config.base['sha256']}`)"
    lines = [
        f"# {name}",
        "",
        "A stance classifier: for a statement, who said it and a target, the probabilities that the "
        "speaker is in favor of, against, or neutral toward the target. Written by `stance train`.",
        "",
        "## Model",
        f"- Base: {base}",
        f"- Weights: `model.safetensors` ({config.weights}; sha256 `{config.weights_sha256}`)"
        + (" — only the trained tensors; the rest is the base, verified at load" if config.weights == "partial" else ""),
        f"- Labels: {', '.join(config.labels)}",
        "- Input: a text pair, `target: <target>` / `<speaker> said: <quote> context: <context>`, "
        f"truncated to {config.max_length} tokens (context cut first); context used: {config.use_context}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in config.versions.items()),
        "",
        "## Data",
    ]
    lines += [f"- `{path}`" for path in training.get("data", [])]
    examples = training.get("examples", {})
    lines += [f"- {examples.get('train', '?')} training rows, {examples.get('validation', '?')} validation rows", ""]
    if notes:
        lines += [notes.strip(), ""]
    if training.get("command"):
        lines += ["## Reproduce", "", "```", training["command"], "```", ""]
    lines += ["## Training", "", "| epoch | loss | validation macro-F1 | seconds |", "|---|---|---|---|"]
    for report in training.get("history", []):
        f1 = "—" if report["validation_macro_f1"] is None else f"{report['validation_macro_f1']:.3f}"
        lines.append(f"| {report['epoch']} | {report['train_loss']:.4f} | {f1} | {report['seconds']:.0f} |")
    total = sum(report["seconds"] for report in training.get("history", []))
    lines += [
        "",
        f"Kept epoch: {training.get('best_epoch')}; training took {total / 60:.0f} min. "
        f"Arguments: `{training.get('arguments')}`",
        "",
    ]
    evaluations = training.get("evaluations") or {}
    if evaluations:
        lines += [
            "## Held-out evaluation",
            "",
            "| data | rows | accuracy | macro-F1 | macro-F1, 95% bootstrap interval |",
            "|---|---|---|---|---|",
        ]
        for data_name, scores in evaluations.items():
            interval = (scores.get("intervals") or {}).get("macro_f1")
            span = format_interval(interval) if interval else "—"
            lines.append(
                f"| `{data_name}` | {scores['rows']} | {scores['accuracy']:.3f} | {scores['macro_f1']:.3f} | {span} |"
            )
        lines += [
            "",
            "Intervals resample the statements of one article together (`stance evaluate stance`).",
            "",
        ]
    lines += [
        "## Limits",
        "",
        "- Stance is judged from one statement and a little context; sarcasm, reported speech of a third "
        "party and statements that only imply a position are often missed.",
        "- Trained on English news, comments and tweets; other genres and languages are untested.",
        "- Probabilities are not calibrated.",
        "",
    ]
    return "\n".join(lines)
