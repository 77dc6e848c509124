"""Cross-validate the shipped stance recipe over the training ARTICLES: a far larger score to
choose recipes by than the 77-statement validation split.

    python -m stance.training.cross_validation runs/stance-splits runs/cv-shipped [--folds 5] [--set learning_rate=6e-5]
    python -m stance.training.cross_validation runs/stance-splits runs/cv-other --compare runs/cv-shipped

The immigration training statements (``immigration_fit.jsonl`` + ``immigration_val.jsonl`` of
`stance.training.splits`; the held-out files are never read) are cut into ``--folds`` folds by
article (sha256 of ``"cv:" + article`` mod folds). For each fold the recipe recorded in the
shipped ``models/stance-minilm`` trains on the other folds, in place of ``immigration_fit.jsonl``
in its data list (so the immigration rows keep their weight and the multi-target rows are all
there), and scores the fold. There is no validation inside a fold: the recipe runs the recorded
kept epoch's number of epochs and keeps the last. ``--set NAME=VALUE`` changes one training
argument (`stance.training.stance.TrainingArguments`), e.g. to try another recipe.

Writes ``out/predictions.jsonl`` (each statement's fold, gold label and probabilities; a fold
already there is not trained again) and prints one JSON object: each fold's macro-F1, and the
macro-F1 of all out-of-fold predictions with a 95% bootstrap interval (articles resampled
whole). ``--compare DIR`` adds the paired difference against another run's predictions.
``--pool DIR`` adds runs of this recipe with other seeds (``--set seed=14``): the figures are then
also given pooled over the seeds, with each run's own figure (the bootstrap intervals resample
articles, not training runs, so the spread between seeds is the yardstick a difference between
recipes must clear), and ``--compare`` takes one run of the other recipe per seed:

    python -m stance.training.cross_validation runs/stance-splits runs/cv-b --set seed=14 --pool runs/cv-b13 \\
        --compare runs/cv-a14 --compare runs/cv-a13
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from stance.data.statements import LabelledStatement, read_labelled, statement_groups
from stance.errors import DataError, StanceError
from stance.evaluation.metrics import macro_f1
from stance.evaluation.stance import bootstrap_intervals, paired_bootstrap
from stance.records import most_probable
from stance.training.stance import TrainingArguments, fit_stance

IMMIGRATION = ("immigration_fit.jsonl", "immigration_val.jsonl")
PREDICTIONS = "predictions.jsonl"


def fold_of(group: str | None, origin: str, folds: int) -> int:
    """The fold of a statement: its article's (or, without one, its own) hash modulo ``folds``."""
    return int(hashlib.sha256(("cv:" + (group or origin)).encode("utf-8")).hexdigest(), 16) % folds


def recorded_training() -> dict:
    """The ``training`` record of the shipped MiniLM model: its arguments, data and kept epoch
    (cross-validating its recipe takes an hour on 2 cores; MPNet's would take a day)."""
    from stance.classify.models import FAST_MODEL, TASK
    from stance.models.folder import models_dir, read_model_record

    return read_model_record(models_dir() / FAST_MODEL, TASK).training


def recipe_arguments(overrides: Sequence[str]) -> TrainingArguments:
    """The recorded training arguments, the kept epoch as the number of epochs, no validation,
    then the ``NAME=VALUE`` ``overrides`` (JSON values, or plain words such as ``fp32``)."""
    training = recorded_training()
    fields = {field.name for field in dataclasses.fields(TrainingArguments)}
    arguments = {key: value for key, value in training["arguments"].items() if key in fields}
    arguments |= {"epochs": training["best_epoch"], "validation_fraction": 0.0, "precision": "bf16"}
    for override in overrides:
        name, _, value = override.partition("=")
        if name not in fields:
            raise DataError(f"--set {override}: expected one of {', '.join(sorted(fields))}")
        try:
            arguments[name] = json.loads(value)
        except json.JSONDecodeError:  # a plain word, e.g. precision=fp32
            arguments[name] = value
    return TrainingArguments(**arguments)


def recipe_data(splits: Path) -> list[Path]:
    """The recorded data files, found in ``splits``; ``immigration_fit.jsonl`` marks where the
    fold's training statements go."""
    return [splits / Path(name).name for name in recorded_training()["data"]]


def read_predictions(out: Path) -> dict[str, dict]:
    """The predictions a run has written so far, by statement origin."""
    path = out / PREDICTIONS
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as lines:
        return {row["origin"]: row for row in map(json.loads, lines)}


def complete_predictions(out: Path, statements: Sequence[LabelledStatement]) -> dict[str, dict]:
    """A finished run's predictions; a `DataError` when it lacks one for any statement."""
    predictions = read_predictions(out)
    if missing := [row.origin for row in statements if row.origin not in predictions]:
        raise DataError(f"{out / PREDICTIONS}: no prediction for {len(missing)} statements, e.g. {missing[0]}")
    return predictions


def predicted_labels(predictions: dict[str, dict], statements: Sequence[LabelledStatement]) -> list[str]:
    return [most_probable(predictions[row.origin]["scores"]) for row in statements]


def pool(runs: list[dict[str, dict]], statements: Sequence[LabelledStatement]) -> tuple[list[str], list[str], list[list[int]]]:
    """Gold labels, predicted labels and bootstrap units of several runs' predictions together.

    Runs of one recipe with different seeds count as more statements of the same articles: an
    article is resampled with its statements of every run, and the figure averages over the seeds.
    """
    gold = [row.label for row in statements] * len(runs)
    predicted = [label for run in runs for label in predicted_labels(run, statements)]
    units = [
        [index + copy * len(statements) for copy in range(len(runs)) for index in unit]
        for unit in statement_groups(statements).values()
    ]
    return gold, predicted, units


def predict_folds(
    splits: Path, out: Path, arguments: TrainingArguments, folds: int, statements: Sequence[LabelledStatement]
) -> dict[str, dict]:
    """Train on all folds but one and score that one, for every fold not yet in ``out``;
    returns all the run's predictions (appended to ``out/predictions.jsonl`` fold by fold)."""
    fold_by_row = [fold_of(row.group, row.origin, folds) for row in statements]
    data = recipe_data(splits)
    others = read_labelled([path for path in data if path.name != "immigration_fit.jsonl"])
    copies = sum(path.name == "immigration_fit.jsonl" for path in data)
    done = read_predictions(out)
    for fold in range(folds):
        scored = [row for row, f in zip(statements, fold_by_row) if f == fold]
        if all(row.origin in done for row in scored):
            continue
        fitting = [row for row, f in zip(statements, fold_by_row) if f != fold]
        result = fit_stance(fitting * copies + others, arguments, validation=[])
        probabilities = result.classifier.predict_proba([row.input for row in scored], batch_size=64)
        with (out / PREDICTIONS).open("a", encoding="utf-8") as stream:
            for row, scores in zip(scored, probabilities):
                record = {"origin": row.origin, "fold": fold, "label": row.label, "scores": scores}
                stream.write(json.dumps(record) + "\n")
                done[row.origin] = record
    return done


def cross_validate(
    splits: str | Path,
    out: str | Path,
    *,
    folds: int = 5,
    overrides: Sequence[str] = (),
    pooled: Sequence[str | Path] = (),
    compare: Sequence[str | Path] = (),
) -> dict:
    """Cross-validate the recipe (with ``overrides``) on the split files in ``splits``, writing
    predictions to ``out``; returns the report of the module docstring. ``pooled`` are runs of
    this recipe with other seeds, ``compare`` one run of another recipe per run of this one."""
    splits, out = Path(splits), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    arguments = recipe_arguments(overrides)
    statements = read_labelled([splits / name for name in IMMIGRATION])
    fold_by_row = [fold_of(row.group, row.origin, folds) for row in statements]
    done = predict_folds(splits, out, arguments, folds, statements)

    gold, predicted, units = pool([done], statements)
    report = {
        "arguments": arguments.to_dict(),
        "statements": len(statements),
        "articles": len(units),
        "folds": {
            fold: round(
                macro_f1(
                    [g for g, f in zip(gold, fold_by_row) if f == fold], [p for p, f in zip(predicted, fold_by_row) if f == fold]
                ),
                4,
            )
            for fold in range(folds)
        },
        "macro_f1": round(macro_f1(gold, predicted), 4),
        "intervals": bootstrap_intervals(gold, predicted, units),
    }
    runs = {out: done} | {Path(path): complete_predictions(Path(path), statements) for path in pooled}
    pooled_gold, pooled_predicted, pooled_units = pool(list(runs.values()), statements)
    if pooled:
        # The bootstrap resamples articles, not training runs: how far seeds of one recipe land
        # apart is the yardstick a difference between recipes must clear.
        report["pooled"] = {
            "runs": {str(path): round(macro_f1(gold, predicted_labels(run, statements)), 4) for path, run in runs.items()},
            "macro_f1": round(macro_f1(pooled_gold, pooled_predicted), 4),
            "intervals": bootstrap_intervals(pooled_gold, pooled_predicted, pooled_units),
        }
    if compare:
        if len(compare) != len(runs):
            raise DataError(f"--compare: give as many runs ({len(compare)}) as this recipe has ({len(runs)})")
        _, other, _ = pool([complete_predictions(Path(run), statements) for run in compare], statements)
        report["compared_with"] = {
            "runs": [str(run) for run in compare],
            **paired_bootstrap(pooled_gold, other, pooled_predicted, pooled_units),
        }
    return report


def main(argv: list[str] | None = None) -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("splits", type=Path, help="Folder written by `python -m stance.training.splits`.")
    parser.add_argument("out", type=Path, help="Folder for the predictions.")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument(
        "--pool", type=Path, action="append", default=[], help="A run of this recipe with another seed, pooled with this one."
    )
    parser.add_argument(
        "--compare", type=Path, action="append", default=[], help="Another recipe's run (one per run of this recipe): the paired difference."
    )
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    try:
        report = cross_validate(
            args.splits, args.out, folds=args.folds, overrides=args.overrides, pooled=args.pool, compare=args.compare
        )
    except StanceError as error:
        parser.exit(2, f"error: {error}\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
