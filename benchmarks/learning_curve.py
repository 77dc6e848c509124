"""How held-out stance macro-F1 grows with the immigration training data (a learning curve).

    python benchmarks/learning_curve.py runs/stance-splits runs/learning-curve --fractions 25 50 75

Trains the shipped model's recipe (the ``command`` recorded in
``models/stance-minilm/stance_config.json``) again, with ``immigration_fit.jsonl`` cut down to a
share of its ARTICLES: an article is kept when the sha256 of ``"curve:" + article`` mod 100 is under
the percentage, so the smaller sets are subsets of the larger ones. Everything else (the
multi-target rows, validation, seed, epochs) stays as recorded; ``--precision`` (bf16 by
default, which measured the same as fp32 here and trains 1.4x faster) is the one change. Each run
is scored on the held-out files with bootstrap intervals, and a table of the figures is printed at
the end. If the curve still climbs at 100%, more labelled statements are what would lift the model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import subprocess
import sys
from pathlib import Path

from stance.evaluation.bootstrap import format_interval

RECIPE = Path("models/stance-minilm/stance_config.json")
HELD_OUT = ("immigration_test.jsonl", "gwsd_test.jsonl")


def kept(row: dict, percent: int) -> bool:
    unit = row.get("article") or row.get("source_url") or row["id"]
    return int(hashlib.sha256(("curve:" + unit).encode("utf-8")).hexdigest(), 16) % 100 < percent


def subset(fit: Path, percent: int, out: Path) -> tuple[Path, int, int]:
    """Write the rows of the kept articles; returns the file, its rows and its articles."""
    rows = [json.loads(line) for line in fit.open(encoding="utf-8") if line.strip()]
    chosen = [row for row in rows if kept(row, percent)]
    path = out / f"immigration_fit_{percent}.jsonl"
    with path.open("w", encoding="utf-8") as stream:
        stream.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in chosen)
    articles = {row.get("article") or row.get("source_url") or row["id"] for row in chosen}
    return path, len(chosen), len(articles)


def recipe_command(splits: Path, fit: Path, output: Path, precision: str) -> list[str]:
    """The recorded training command with the fit file, output and precision swapped, no held-out scoring."""
    recorded = shlex.split(json.loads(RECIPE.read_text())["training"]["command"])
    command, skip = [], False
    for word in recorded[2:]:  # drop "stance train"
        if skip:
            skip = False
        elif word in ("--output", "--evaluate", "--precision"):
            skip = True
        elif word.endswith("immigration_fit.jsonl"):
            command.append(str(fit))
        elif word.startswith("runs/stance-splits/"):
            command.append(str(splits / Path(word).name))
        else:
            command.append(word)
    return [sys.executable, "-m", "stance", "train", *command, "--output", str(output), "--precision", precision]


def evaluate(model: Path, gold: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "stance", "evaluate", "stance", str(gold), "--model", str(model), "--format", "json",
         "--precision", "fp32"],
        check=True, capture_output=True, text=True,
    )
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("splits", type=Path, help="Folder written by benchmarks/stance_splits.py.")
    parser.add_argument("out", type=Path, help="Folder for the subsets and the models.")
    parser.add_argument("--fractions", type=int, nargs="+", default=[25, 50, 75], help="Percentages of articles.")
    parser.add_argument("--precision", default="bf16", choices=["auto", "fp32", "bf16"])
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    results = []
    for percent in args.fractions:
        fit, rows, articles = subset(args.splits / "immigration_fit.jsonl", percent, args.out)
        model = args.out / f"model-{percent}"
        if not (model / "stance_config.json").exists():
            subprocess.run(recipe_command(args.splits, fit, model, args.precision), check=True)
        scores = {name: evaluate(model, args.splits / name) for name in HELD_OUT}
        results.append({"percent": percent, "rows": rows, "articles": articles, "scores": scores})
        (args.out / "results.json").write_text(json.dumps(results, indent=2))

    print("| articles kept | immigration rows | val | " + " | ".join(HELD_OUT) + " |")
    print("|---|---|---|" + "---|" * len(HELD_OUT))
    for result in results:
        config = json.loads((args.out / f"model-{result['percent']}" / "stance_config.json").read_text())
        validation = max(epoch["validation_macro_f1"] for epoch in config["training"]["history"])
        cells = []
        for name in HELD_OUT:
            scores = result["scores"][name]
            interval = scores.get("intervals", {}).get("macro_f1")
            cells.append(f"{scores['macro_f1']:.3f}" + (f" ({format_interval(interval)})" if interval else ""))
        row = [f"{result['percent']}% ({result['articles']})", str(result["rows"]), f"{validation:.3f}", *cells]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
