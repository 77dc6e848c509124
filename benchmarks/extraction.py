"""Throughput of quote extraction, single process, on the PolNeAR dev texts.

Measures articles per second of `stance.quotes.extract_quotes` alone and of extraction followed by
speaker resolution (`stance.speakers.resolve_speakers`), over several repeats, and reports the
median. Prints a table and writes the figures as JSON.

    python benchmarks/extraction.py                      # ../shared/data/polnear/dev.jsonl
    python benchmarks/extraction.py --repeats 7 --output benchmarks/results/extraction.json
    python benchmarks/extraction.py --tagger --repeats 1   # + the pipeline with the quote tagger

``--tagger`` adds the default path as the pipeline runs it (`stance.pipeline.extract_articles`
on groups of `ARTICLES_PER_EXTRACTION` articles: the rules, the learned quote tagger on the
sentences where a statement's cue can be, speaker resolution), the same with every attribution
(``--attributions all``: the attribution tagger reads all the text), and the quote tagger alone
on whole articles, on 2 torch threads (``--tagger FOLDER`` times that tagger in both modes instead
of the shipped models/quote-tagger and models/attribution-tagger; ``--precision`` overrides the
inference precision).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from rich.console import Console
from rich.table import Table

from stance.quotes import extract_quotes
from stance.speakers import resolve_speakers

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GOLD = ROOT.parent / "shared" / "data" / "polnear" / "dev.jsonl"
SHIPPED = "shipped"  # `--tagger` without a folder


def read_texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line)["text"] for line in lines if line.strip()]


def extract_rules(texts: list[str]) -> None:
    for text in texts:
        extract_quotes(text)


def extract_and_resolve(texts: list[str]) -> None:
    for text in texts:
        resolve_speakers(text, extract_quotes(text))


def articles_per_second(run: Callable[[list[str]], object], texts: list[str], repeats: int, group: int = 1) -> dict:
    """Median (and spread) of articles/s over ``repeats`` passes, after one warm-up pass;
    ``run`` takes ``group`` texts at a time.

    Wall-clock rates are the figure; CPU-time rates (this process only) are reported beside them
    because a shared machine slows the wall clock without changing the work done.
    """
    groups = [texts[start : start + group] for start in range(0, len(texts), group)]
    run(texts[:10])
    rates, cpu_rates = [], []
    for _ in range(repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        for texts_of_group in groups:
            run(texts_of_group)
        rates.append(len(texts) / (time.perf_counter() - started))
        cpu_rates.append(len(texts) / max(time.process_time() - cpu_started, 1e-9))
    return {
        "median": statistics.median(rates),
        "min": min(rates),
        "max": max(rates),
        "cpu_median": statistics.median(cpu_rates),
        "repeats": [round(rate, 1) for rate in rates],
    }


def tagger_stages(
    name_or_path: str | None, texts: list[str], repeats: int, threads: int, precision: str | None = None
) -> dict:
    """Throughput of the learned quote tagger alone and of the pipeline's `extract` with it: the
    shipped tagger of each attribution mode when ``name_or_path`` is None, else that one for both."""
    import torch

    from stance.pipeline import ARTICLES_PER_EXTRACTION, extract_articles
    from stance.records import Article
    from stance.quotes.tagger import QuoteTagger, tagger_path

    torch.set_num_threads(threads)
    folders = {attributions: tagger_path(name_or_path, attributions) for attributions in ("speech", "all")}
    loaded = {folder: QuoteTagger.from_pretrained(folder, precision=precision) for folder in set(folders.values())}
    taggers = {attributions: loaded[folder] for attributions, folder in folders.items()}

    def extract(texts: list[str], attributions: str = "speech") -> None:
        articles = [Article(id="", text=text) for text in texts]
        extract_articles(articles, tagger=taggers[attributions], all_attributions=attributions == "all")

    group = ARTICLES_PER_EXTRACTION
    speech, every = taggers["speech"].precision, taggers["all"].precision
    return {
        f"quote tagger alone, whole articles ({speech}, {threads} threads)": articles_per_second(
            taggers["speech"].predict, texts, repeats, group
        ),
        f"default: rules + tagger + resolve_speakers ({speech}, {threads} threads)": articles_per_second(
            extract, texts, repeats, group
        ),
        f"--attributions all: rules + attribution tagger + resolve_speakers ({every}, {threads} threads)": (
            articles_per_second(partial(extract, attributions="all"), texts, repeats, group)
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--gold", type=Path, default=DEFAULT_GOLD, help="PolNeAR-format JSONL (its texts are used)."
    )
    parser.add_argument("--repeats", type=int, default=5, help="Timed passes over the texts.")
    parser.add_argument("--output", type=Path, default=None, help="Write the figures here as JSON.")
    parser.add_argument(
        "--tagger", nargs="?", const=SHIPPED, default=None,
        help="Also time the pipeline with the shipped taggers, or with this one (folder or name in models/).",
    )
    parser.add_argument("--threads", type=int, default=2, help="Torch threads for the tagger.")
    parser.add_argument("--precision", choices=("int8", "bf16", "fp32"), default=None,
                        help="Override the tagger's inference precision.")
    args = parser.parse_args(argv)
    if not args.gold.is_file():
        print(
            f"error: no file {args.gold}; pass --gold with a PolNeAR-format JSONL file",
            file=sys.stderr,
        )
        return 2
    texts = read_texts(args.gold)
    results = {
        "gold": str(args.gold),
        "articles": len(texts),
        "characters": sum(len(text) for text in texts),
        "python": platform.python_version(),
        "machine": platform.processor() or platform.machine(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "stages": {
            "extract_quotes": articles_per_second(extract_rules, texts, args.repeats),
            "extract_quotes + resolve_speakers": articles_per_second(
                extract_and_resolve, texts, args.repeats
            ),
        },
    }
    if args.tagger:
        results["stages"].update(
            tagger_stages(
                None if args.tagger == SHIPPED else args.tagger, texts, args.repeats, args.threads, args.precision
            )
        )
    table = Table(
        title=f"Extraction throughput, {len(texts)} articles, single process, {args.repeats} repeats"
    )
    for column in ("stage", "median articles/s", "min", "max", "median by CPU time"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for stage, rate in results["stages"].items():
        table.add_row(
            stage, *(f"{rate[key]:.0f}" for key in ("median", "min", "max", "cpu_median"))
        )
    Console().print(table)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
