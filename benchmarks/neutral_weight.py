"""Would a bias toward or away from `neutral` help? Macro-F1 when neutral's probability is scaled.

    python benchmarks/neutral_weight.py --gold runs/stance-splits/immigration_val.jsonl \\
        --gold runs/stance-splits/immigration_test.jsonl --gold runs/stance-splits/gwsd_test.jsonl [--model M]

A statement's label is the argmax of (favor, against, w × neutral): w < 1 lets weaker favor or
against evidence win (an agency's statement that leans favor at 0.30 would count), w > 1 asks for
more. The model scores each gold file once; prints a markdown table of macro-F1 per weight and
file. Pick a weight on the validation file only; the held-out ones are there to see if it carries.
"""

from __future__ import annotations

import argparse
import sys

from stance.aggregate import TIE_ORDER
from stance.classify import load_model
from stance.evaluation.stance import macro_f1
from stance.training import read_labelled

WEIGHTS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.5)


def weighted_label(scores: dict[str, float], neutral_weight: float) -> str:
    weighted = {**scores, "neutral": scores["neutral"] * neutral_weight}
    return max(TIE_ORDER, key=weighted.__getitem__)


def sweep(model_name: str | None, gold_paths: list[str], precision: str) -> dict[float, dict[str, float]]:
    model = load_model(model_name, precision=precision)
    scored = {}
    for path in gold_paths:
        statements = read_labelled([path])
        scored[path] = ([row.label for row in statements], model.predict_proba([row.input for row in statements]))
    return {
        weight: {
            path: macro_f1(gold, [weighted_label(scores, weight) for scores in probabilities])
            for path, (gold, probabilities) in scored.items()
        }
        for weight in WEIGHTS
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", action="append", required=True, help="labelled statements (repeatable)")
    parser.add_argument("--model", default=None, help="default: the shipped model")
    parser.add_argument("--precision", default="fp32", choices=["auto", "fp32", "bf16"])
    args = parser.parse_args(argv)
    table = sweep(args.model, args.gold, args.precision)
    print("| neutral weight | " + " | ".join(args.gold) + " |")
    print("|---" * (len(args.gold) + 1) + "|")
    for weight, scores in table.items():
        print(f"| {weight} | " + " | ".join(f"{scores[path]:.3f}" for path in args.gold) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
