"""Compare stance models on gold statements, each against the first, with paired bootstrap intervals.

    python benchmarks/compare_stance_models.py models/stance-minilm runs/model-b runs/model-c \\
        --gold runs/stance-splits/immigration_test.jsonl --gold runs/stance-splits/gwsd_test.jsonl [--ensemble]

For each gold file, prints each model's macro-F1 with its 95% bootstrap interval, and how much it
beats the first model: the difference, its paired interval and the share of resamples in which it
is higher (`stance.evaluation.stance.paired_bootstrap`; an article's statements are resampled
together). ``--ensemble`` adds the models' mean probabilities as one more candidate: what
distilling them (`stance train --teacher A --teacher B ...`) can aim at. ``--json`` prints the
figures as one object instead.
"""

from __future__ import annotations

import argparse
import json
import sys

from stance.classify import load_model
from stance.evaluation.bootstrap import format_interval
from stance.evaluation.stance import bootstrap_intervals, macro_f1, paired_bootstrap
from stance.training import read_labelled, statement_groups, teacher_probabilities


def compare(model_names: list[str], gold_paths: list[str], *, ensemble: bool, precision: str) -> dict:
    models = {name: load_model(name, precision=precision) for name in model_names}
    report = {}
    for path in gold_paths:
        statements = read_labelled([path])
        gold = [row.label for row in statements]
        inputs = [row.input for row in statements]
        units = list(statement_groups(statements).values())
        predictions = {name: model.predict(inputs) for name, model in models.items()}
        if ensemble:
            mean = teacher_probabilities(list(models.values()), inputs)
            predictions["ensemble"] = [max(row, key=row.get) for row in mean]
        baseline = predictions[model_names[0]]
        report[path] = {}
        for name, predicted in predictions.items():
            score = {"macro_f1": macro_f1(gold, predicted), "interval": bootstrap_intervals(gold, predicted, units)["macro_f1"]}
            if name != model_names[0]:
                score["versus_first"] = paired_bootstrap(gold, baseline, predicted, units)
            report[path][name] = score
    return report


def markdown(report: dict, first: str) -> str:
    lines = []
    for path, scores in report.items():
        lines += [
            f"{path} (differences against {first})",
            "",
            "| model | macro-F1 | 95% interval | difference | paired 95% interval | higher in |",
            "|---|---|---|---|---|---|",
        ]
        for name, score in scores.items():
            versus = score.get("versus_first")
            cells = (
                [f"{versus['macro_f1_difference']:+.3f}", "{:+.3f} to {:+.3f}".format(*versus["interval"]),
                 f"{versus['candidate_higher']:.0%}"]
                if versus else ["", "", ""]
            )
            lines.append(
                f"| {name} | {score['macro_f1']:.3f} | {format_interval(score['interval'])} | " + " | ".join(cells) + " |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="Model folders, models/ names or hub ids; the first is the baseline.")
    parser.add_argument("--gold", action="append", required=True, help="Gold statements (repeatable).")
    parser.add_argument("--ensemble", action="store_true", help="Also score the models' mean probabilities.")
    parser.add_argument("--precision", default="fp32", choices=["auto", "fp32", "bf16"])
    parser.add_argument("--json", action="store_true", help="Print one JSON object instead of tables.")
    args = parser.parse_args(argv)
    report = compare(args.models, args.gold, ensemble=args.ensemble, precision=args.precision)
    print(json.dumps(report, indent=2) if args.json else markdown(report, args.models[0]))


if __name__ == "__main__":
    main(sys.argv[1:])
