"""Does `stance label --order uncertain` choose statements that teach the model more than a random choice?

    python -m stance.training.splits ../shared/data/stance runs/stance-splits-v2
    python benchmarks/active_learning.py ../shared/data/stance runs/stance-splits-v2 [--size 200] [--seeds 13 14 15]

The workflow `stance label` serves, replayed on labelled data: the shipped model suggests labels for
the statements of articles it never saw; a person labels ``--size`` of them; `stance train FILE`
continues training the shipped model on those (its defaults: 3 epochs, a tenth held out by page to
pick the epoch). The articles are the stored pages of ``immigration_pages2_train.jsonl`` (the
shipped model was trained before they were added) on the training side of the split: the pool. Two
ways of choosing the statements are compared, with the same training recipe and seeds:

- ``uncertain``: the pool ordered as `stance label --order uncertain` orders it (smallest margin
  between the shipped model's two most probable labels first; `stance.labelling.rows`), the first
  ``--size``; the same choice for every seed, which then only seeds training;
- ``random``: a seeded random sample of ``--size`` (the seed also seeds training).

Each model is scored (macro-F1) on the immigration statements held out by article or page: the
splits' ``immigration_test.jsonl`` plus the held-out pages of ``immigration_pages2_train.jsonl``
when the splits do not hold them already; ``pages2`` is that part alone (the new articles' own
held-out pages). The shipped model's scores are the reference, also with its input cut to the
recipe's ``max_length`` (the retrained models read 160 tokens, the shipped one 192), which tells
what the shorter input alone costs; ``--references-only`` scores just these. The top ``--size`` by entropy is
compared with the top by margin (how many statements they share) to show whether the choice of
uncertainty measure matters. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

from stance.classify import load_model
from stance.data.statements import LabelledStatement
from stance.evaluation.metrics import macro_f1
from stance.labelling.rows import Candidate, LabelRow, order_candidates
from stance.records import STANCE_LABELS, StanceInput
from stance.training import TrainingArguments, fit_stance
from stance.training.splits import group_key, held_out, read_jsonl

POOL_FILE = "immigration_pages2_train.jsonl"
BASE_MODEL = "stance-minilm"


def statement(row: dict) -> LabelledStatement:
    """A corpus row as `stance train` reads it, grouped by its page (or article)."""
    item = StanceInput(row["target"], row["text"], row.get("speaker"), row.get("context"), row.get("cue"))
    group = row.get("group") or row.get("article") or row.get("source_url")
    return LabelledStatement(item, row["label"], row.get("dataset"), row["id"], group)


def entropy(scores: dict[str, float]) -> float:
    return -sum(p * math.log(p) for p in scores.values() if p > 0)


def score(model, statements: list[LabelledStatement]) -> float:
    predicted = model.predict([row.input for row in statements], batch_size=64)
    return macro_f1([row.label for row in statements], predicted, STANCE_LABELS)


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path, help="The shared stance corpora, e.g. ../shared/data/stance.")
    parser.add_argument("splits", type=Path, help="The folder `python -m stance.training.splits` wrote.")
    parser.add_argument("--size", type=int, default=200, help="Statements labelled, as a person would.")
    parser.add_argument("--seeds", type=int, nargs="+", default=[13, 14, 15])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--references-only", action="store_true", help="Score the shipped model only; no training.")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    started, load_before = time.monotonic(), os.getloadavg()

    new_pages = read_jsonl(args.data_dir / POOL_FILE)
    pool = [statement(row) for row in new_pages if not held_out(group_key(row))]
    test = [statement(row) for row in read_jsonl(args.splits / "immigration_test.jsonl")]
    known = {row.origin for row in test}
    pages2_test = [statement(row) for row in new_pages if held_out(group_key(row))]
    test += [row for row in pages2_test if row.origin not in known]
    test_sets = {"immigration_test": test, "pages2_test": pages2_test}

    shipped = load_model(BASE_MODEL, precision="fp32")
    pool_scores = shipped.predict_proba([row.input for row in pool], batch_size=64)
    candidates = [
        Candidate(LabelRow(row.origin, row.group or "", row.input.text, row.input.target), scores)
        for row, scores in zip(pool, pool_scores, strict=True)
    ]
    by_id = {row.origin: row for row in pool}
    chosen_by_margin = [by_id[c.row.id] for c in order_candidates(candidates, "uncertain")[: args.size]]
    by_entropy = sorted(range(len(pool)), key=lambda i: -entropy(pool_scores[i]))[: args.size]
    overlap = len({row.origin for row in chosen_by_margin} & {pool[i].origin for i in by_entropy})

    recipe = TrainingArguments()
    results: dict = {"shipped": {name: round(score(shipped, rows), 4) for name, rows in test_sets.items()}}
    shipped.config = replace(shipped.config, max_length=recipe.max_length)
    results[f"shipped_at_{recipe.max_length}_tokens"] = {name: round(score(shipped, rows), 4) for name, rows in test_sets.items()}
    results |= {"uncertain": [], "random": []}
    def label_counts(chosen: list[LabelledStatement]) -> dict[str, int]:
        return {label: sum(row.label == label for row in chosen) for label in STANCE_LABELS}

    picks: dict = {"uncertain": label_counts(chosen_by_margin), "random": []}
    for seed in [] if args.references_only else args.seeds:
        for strategy in ("uncertain", "random"):
            chosen = chosen_by_margin if strategy == "uncertain" else random.Random(seed).sample(pool, args.size)
            if strategy == "random":
                picks["random"].append(label_counts(chosen))
            run_started = time.monotonic()
            trained = fit_stance(chosen, replace(recipe, seed=seed), base_model=BASE_MODEL).classifier
            run = {"seed": seed, **{name: round(score(trained, rows), 4) for name, rows in test_sets.items()}}
            run["seconds"] = round(time.monotonic() - run_started)
            results[strategy].append(run)
            print(json.dumps({strategy: run}), file=sys.stderr, flush=True)
    for strategy in ("uncertain", "random"):
        for name in test_sets:
            values = [run[name] for run in results[strategy]]
            if not values:
                continue
            results[f"{strategy}_mean_{name}"] = round(statistics.mean(values), 4)
            results[f"{strategy}_sd_{name}"] = round(statistics.stdev(values), 4) if len(values) > 1 else None
    return {
        "pool": len(pool),
        "test_rows": {name: len(rows) for name, rows in test_sets.items()},
        "size": args.size,
        "seeds": args.seeds,
        "recipe": f"fit_stance(chosen, TrainingArguments(seed=seed), base_model={BASE_MODEL!r}): `stance train FILE` defaults",
        "labels_chosen": picks,
        "entropy_margin_overlap": overlap,
        **results,
        "threads": args.threads,
        "wall_seconds": round(time.monotonic() - started),
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), indent=2))
