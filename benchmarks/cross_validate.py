"""Cross-validate the shipped stance recipe over the training ARTICLES: a far larger score to
choose recipes by than the 77-statement validation split.

    python benchmarks/cross_validate.py runs/stance-splits runs/cv-shipped [--folds 5] [--set learning_rate=6e-5]
    python benchmarks/cross_validate.py runs/stance-splits runs/cv-other --compare runs/cv-shipped

The immigration training statements (``immigration_fit.jsonl`` + ``immigration_val.jsonl`` of
`benchmarks/stance_splits.py`; the held-out files are never read) are cut into ``--folds`` folds by
article (sha256 of ``"cv:" + article`` mod folds). For each fold the recipe recorded in
``models/stance-minilm/stance_config.json`` trains on the other folds, in place of
``immigration_fit.jsonl`` in its data list (so the immigration rows keep their weight and the
multi-target rows are all there), and scores the fold. There is no validation inside a fold: the
recipe runs the recorded kept epoch's number of epochs and keeps the last. ``--set NAME=VALUE``
changes one training argument (``stance.training.TrainingArguments``), e.g. to try another recipe.

Writes ``out/predictions.jsonl`` (each statement's fold, gold label and probabilities; a fold
already there is not trained again) and prints one JSON object: each fold's macro-F1, and the
macro-F1 of all out-of-fold predictions with a 95% bootstrap interval (articles resampled
whole). ``--compare DIR`` adds the paired difference against another run's predictions.
``--pool DIR`` adds runs of this recipe with other seeds (``--set seed=14``): the figures are then
also given pooled over the seeds, with each run's own figure (the bootstrap intervals resample
articles, not training runs, so the spread between seeds is the yardstick a difference between
recipes must clear), and ``--compare`` takes one run of the other recipe per seed:

    python benchmarks/cross_validate.py runs/stance-splits runs/cv-b --set seed=14 --pool runs/cv-b13 \\
        --compare runs/cv-a14 --compare runs/cv-a13
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
from pathlib import Path

import torch

from stance.aggregate import TIE_ORDER
from stance.evaluation.stance import bootstrap_intervals, macro_f1, paired_bootstrap
from stance.training import TrainingArguments, read_labelled, statement_groups, train

RECIPE = Path(__file__).resolve().parents[1] / "models" / "stance-minilm" / "stance_config.json"
IMMIGRATION = ("immigration_fit.jsonl", "immigration_val.jsonl")
PREDICTIONS = "predictions.jsonl"


def fold_of(group: str | None, origin: str, folds: int) -> int:
    return int(hashlib.sha256(("cv:" + (group or origin)).encode("utf-8")).hexdigest(), 16) % folds


def recipe_arguments(overrides: list[str]) -> TrainingArguments:
    """The recorded training arguments, the kept epoch as the number of epochs, no validation."""
    training = json.loads(RECIPE.read_text(encoding="utf-8"))["training"]
    fields = {field.name for field in dataclasses.fields(TrainingArguments)}
    arguments = {key: value for key, value in training["arguments"].items() if key in fields}
    arguments |= {"epochs": training["best_epoch"], "validation_fraction": 0.0, "precision": "bf16"}
    for override in overrides:
        name, _, value = override.partition("=")
        if name not in fields:
            raise SystemExit(f"--set {override}: expected one of {', '.join(sorted(fields))}")
        try:
            arguments[name] = json.loads(value)
        except json.JSONDecodeError:  # a plain word, e.g. precision=fp32
            arguments[name] = value
    return TrainingArguments(**arguments)


def recipe_data(splits: Path) -> list[Path]:
    """The recorded data files, found in ``splits``; ``immigration_fit.jsonl`` marks where the
    fold's training statements go."""
    return [splits / Path(name).name for name in json.loads(RECIPE.read_text(encoding="utf-8"))["training"]["data"]]


def read_predictions(out: Path) -> dict[str, dict]:
    path = out / PREDICTIONS
    if not path.exists():
        return {}
    return {row["origin"]: row for row in map(json.loads, path.open(encoding="utf-8"))}


def complete_predictions(out: Path, statements) -> dict[str, dict]:
    predictions = read_predictions(out)
    if missing := [row.origin for row in statements if row.origin not in predictions]:
        raise SystemExit(f"{out / PREDICTIONS}: no prediction for {len(missing)} statements, e.g. {missing[0]}")
    return predictions


def predicted_labels(predictions: dict[str, dict], statements) -> list[str]:
    return [max(TIE_ORDER, key=predictions[row.origin]["scores"].get) for row in statements]


def pool(runs: list[dict[str, dict]], statements) -> tuple[list[str], list[str], list[list[int]]]:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("splits", type=Path, help="Folder written by benchmarks/stance_splits.py.")
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
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)

    arguments = recipe_arguments(args.overrides)
    statements = read_labelled([args.splits / name for name in IMMIGRATION])
    folds = [fold_of(row.group, row.origin, args.folds) for row in statements]
    data = recipe_data(args.splits)
    others = read_labelled([path for path in data if path.name != "immigration_fit.jsonl"])
    copies = sum(path.name == "immigration_fit.jsonl" for path in data)
    done = read_predictions(args.out)
    for fold in range(args.folds):
        scored = [row for row, f in zip(statements, folds) if f == fold]
        if all(row.origin in done for row in scored):
            continue
        fitting = [row for row, f in zip(statements, folds) if f != fold]
        result = train(fitting * copies + others, arguments, validation=[])
        probabilities = result.classifier.predict_proba([row.input for row in scored], batch_size=64)
        with (args.out / PREDICTIONS).open("a", encoding="utf-8") as stream:
            for row, scores in zip(scored, probabilities):
                record = {"origin": row.origin, "fold": fold, "label": row.label, "scores": scores}
                stream.write(json.dumps(record) + "\n")
                done[row.origin] = record

    gold, predicted, units = pool([done], statements)
    report = {
        "arguments": arguments.to_dict(),
        "statements": len(statements),
        "articles": len(units),
        "folds": {
            fold: round(macro_f1([g for g, f in zip(gold, folds) if f == fold], [p for p, f in zip(predicted, folds) if f == fold]), 4)
            for fold in range(args.folds)
        },
        "macro_f1": round(macro_f1(gold, predicted), 4),
        "intervals": bootstrap_intervals(gold, predicted, units),
    }
    runs = {args.out: done} | {path: complete_predictions(path, statements) for path in args.pool}
    pooled_gold, pooled, pooled_units = pool(list(runs.values()), statements)
    if args.pool:
        # The bootstrap resamples articles, not training runs: how far seeds of one recipe land
        # apart is the yardstick a difference between recipes must clear.
        report["pooled"] = {
            "runs": {str(path): round(macro_f1(gold, predicted_labels(run, statements)), 4) for path, run in runs.items()},
            "macro_f1": round(macro_f1(pooled_gold, pooled), 4),
            "intervals": bootstrap_intervals(pooled_gold, pooled, pooled_units),
        }
    if args.compare:
        if len(args.compare) != len(runs):
            raise SystemExit(f"--compare: give as many runs ({len(args.compare)}) as this recipe has ({len(runs)})")
        _, other, _ = pool([complete_predictions(run, statements) for run in args.compare], statements)
        report["compared_with"] = {
            "runs": [str(run) for run in args.compare],
            **paired_bootstrap(pooled_gold, other, pooled, pooled_units),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
