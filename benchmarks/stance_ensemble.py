"""Macro-F1 of several stance models' mean probabilities (an ensemble) on gold statement files.

    python benchmarks/stance_ensemble.py runs/model-a runs/model-b --gold runs/stance-splits/immigration_test.jsonl

Shows what distilling the ensemble (`stance train --teacher A --teacher B ...`) can aim at. Prints
one JSON object: per gold file, each model's macro-F1 and the ensemble's.
"""

from __future__ import annotations

import argparse
import json
import sys

from stance.classify import load_model
from stance.evaluation.stance import macro_f1
from stance.training import read_labelled, teacher_probabilities


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+")
    parser.add_argument("--gold", action="append", required=True)
    args = parser.parse_args(argv)
    models = {name: load_model(name) for name in args.models}
    report = {}
    for path in args.gold:
        statements = read_labelled([path])
        gold = [row.label for row in statements]
        inputs = [row.input for row in statements]
        scores = {name: round(macro_f1(gold, model.predict(inputs)), 3) for name, model in models.items()}
        mean = teacher_probabilities(list(models.values()), inputs)
        scores["ensemble"] = round(macro_f1(gold, [max(row, key=row.get) for row in mean]), 3)
        report[path] = scores
    return report


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), indent=2))
