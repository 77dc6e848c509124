"""Batch analysis speed and memory on a corpus generated from the project's own fixtures.

    python benchmarks/batch.py --docs 100 [--model M] [--json runs/batch-benchmark.json]

One run measures, on the same generated corpus (``--docs`` documents, cycling through
``fixtures/*.txt`` and ``fixtures/articles/*.txt``, each copy with its own id):

(a) quote extraction (quotes + speakers), articles/s: rules and quote tagger (the default), and
    rules only (``--fast``);
(b) stance classification, quotes/s: the batch path (`Pipeline.classify` on batches of
    `stance.batch.DOCUMENTS_PER_BATCH` documents, whose quotes share length-sorted model batches)
    against a naive baseline that sends the same model the same inputs one quote at a time through
    ``transformers.pipeline("text-classification")`` (on the first ``--naive-quotes`` quotes).
    The batch path runs in the precision ``--precision auto`` picks on this machine (bfloat16 on
    CPUs with AMX / AVX512-BF16, else float32) and, like for like, in float32; the naive pipeline
    runs as a plain ``transformers.pipeline`` does (float32) and, where the batch path is bfloat16,
    under the same bfloat16 autocast, so each ratio can be read on its own;
(c) peak RSS of ``stance analyze --output-dir`` in a subprocess for N and 10×N documents
    (``ru_maxrss`` of the finished child): streaming keeps the second close to the first.

Prints a table and writes the figures as JSON. Figures depend on the machine and its load; the
JSON records the thread count and CPU count.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from statistics import median
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_GLOBS = ("fixtures/*.txt", "fixtures/articles/*.txt")
RSS_FACTOR = 10


def fixture_texts() -> list[tuple[str, str]]:
    paths = sorted(path for pattern in FIXTURE_GLOBS for path in ROOT.glob(pattern))
    return [(path.stem, path.read_text(encoding="utf-8")) for path in paths]


def write_corpus(path: Path, documents: int) -> Path:
    """``documents`` JSONL rows cycling through the fixtures, ids ``<fixture>-<n>``."""
    texts = fixture_texts()
    with path.open("w", encoding="utf-8") as stream:
        for n in range(documents):
            name, text = texts[n % len(texts)]
            stream.write(json.dumps({"id": f"{name}-{n}", "text": text}, ensure_ascii=False) + "\n")
    return path


def measure_extraction(articles, fast: bool) -> tuple[list, float]:
    from stance.pipeline import extract
    from stance.records import DEFAULT_TARGET

    started = time.perf_counter()
    found = [replace(extract(article, fast=fast), target=DEFAULT_TARGET) for article in articles]
    return found, time.perf_counter() - started


def measure_batched(pipeline, found) -> float:
    from stance.batch import DOCUMENTS_PER_BATCH

    started = time.perf_counter()
    for begin in range(0, len(found), DOCUMENTS_PER_BATCH):
        pipeline.classify(found[begin : begin + DOCUMENTS_PER_BATCH])
    return time.perf_counter() - started


def measure_naive(model, found, limit: int, bf16: bool = False) -> tuple[int, float]:
    """One quote at a time through transformers' text-classification pipeline, same model."""
    from transformers import pipeline as hf_pipeline

    from stance.classify import stance_input
    from stance.devices import autocast

    classifier = hf_pipeline(
        "text-classification", model=model.model, tokenizer=model.tokenizer, device=model.model.device
    )
    inputs = [stance_input(doc.text, quote, doc.target) for doc in found for quote in doc.quotes][:limit]
    pairs = model.encode_pairs(inputs)
    started = time.perf_counter()
    with autocast(bf16, model.model.device.type):
        for first, second in pairs:
            classifier(
                {"text": first, "text_pair": second}, top_k=None, truncation="only_second",
                max_length=model.config.max_length,
            )  # fmt: skip
    return len(pairs), time.perf_counter() - started


def median_run(measure, repeats: int) -> tuple[int, float]:
    """``measure()`` returns (quotes, seconds); the median seconds over ``repeats`` runs."""
    runs = [measure() for _ in range(repeats)]
    return runs[0][0], median(seconds for _, seconds in runs)


def peak_rss_mib(corpus: Path, model: str | None, threads: int) -> float:
    """Peak resident memory of ``stance analyze corpus --output-dir`` run in a child process."""
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "stance", "analyze", str(corpus), "--output-dir", out, "--quiet"]
        command += ["--model", model] if model else []
        env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
        child = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"stance analyze failed: {child.stderr.read().decode()}")
        return usage.ru_maxrss / 1024  # Linux reports KiB


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100, help="N: documents in the corpus (RSS: N and 10×N)")
    parser.add_argument("--model", default=None, help="default: the shipped model")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--naive-quotes", type=int, default=300, help="quotes timed one at a time")
    parser.add_argument("--repeats", type=int, default=3, help="(b) timings repeated; medians reported")
    parser.add_argument("--skip-rss", action="store_true", help="leave out (c)")
    parser.add_argument("--json", type=Path, default=ROOT / "runs" / "batch-benchmark.json")
    args = parser.parse_args(argv)

    import torch

    from stance.pipeline import Pipeline
    from stance.reading import read_documents
    from stance.records import Article

    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as scratch:
        corpus = write_corpus(Path(scratch) / "corpus.jsonl", args.docs)
        results = {}
        # (c) first: a forked child's ru_maxrss counts the parent's memory at the fork, so the
        # children are started before this process loads any model.
        if not args.skip_rss:
            large = write_corpus(Path(scratch) / "corpus-large.jsonl", args.docs * RSS_FACTOR)
            results["peak_rss_mib_n"] = round(peak_rss_mib(corpus, args.model, args.threads), 1)
            results[f"peak_rss_mib_{RSS_FACTOR}n"] = round(peak_rss_mib(large, args.model, args.threads), 1)
            results["rss_ratio"] = round(results[f"peak_rss_mib_{RSS_FACTOR}n"] / results["peak_rss_mib_n"], 3)

        articles = [doc for doc in read_documents([corpus]) if isinstance(doc, Article)]
        measure_extraction(articles[:1], fast=False)  # loads the quote tagger
        found, extract_s = measure_extraction(articles, fast=False)
        _, extract_fast_s = measure_extraction(articles, fast=True)
        quotes = sum(len(doc.quotes) for doc in found)

        pipelines = {
            precision: Pipeline(args.model, device="cpu", precision=precision, batch_size=args.batch_size)
            for precision in ("auto", "fp32")
        }
        batched_s = {}
        for precision, pipeline in pipelines.items():
            measure_batched(pipeline, found[: min(len(found), 8)])  # warm-up
            batched_s[precision] = median(measure_batched(pipeline, found) for _ in range(args.repeats))
        bf16 = pipelines["auto"].model.bf16
        naive_quotes, naive_s = median_run(
            lambda: measure_naive(pipelines["fp32"].model, found, args.naive_quotes), args.repeats
        )

        results |= {
            "documents": len(found),
            "quotes": quotes,
            "model": args.model or "shipped default",
            "batch_size": args.batch_size,
            "threads": args.threads,
            "cpus": os.cpu_count(),
            "extract_articles_per_s": round(len(found) / extract_s, 1),
            "extract_fast_articles_per_s": round(len(found) / extract_fast_s, 1),
            "auto_precision": "bf16" if bf16 else "fp32",
            "batched_quotes_per_s": round(quotes / batched_s["auto"], 1),
            "batched_fp32_quotes_per_s": round(quotes / batched_s["fp32"], 1),
            "naive_quotes_per_s": round(naive_quotes / naive_s, 1),
            "naive_quotes_timed": naive_quotes,
            "repeats": args.repeats,
        }
        naive = results["naive_quotes_per_s"]
        results["batched_over_naive"] = round(results["batched_quotes_per_s"] / naive, 2)
        results["batched_fp32_over_naive"] = round(results["batched_fp32_quotes_per_s"] / naive, 2)
        if bf16:
            naive_quotes, naive_bf16_s = median_run(
                lambda: measure_naive(pipelines["fp32"].model, found, args.naive_quotes, bf16=True), args.repeats
            )
            results["naive_bf16_quotes_per_s"] = round(naive_quotes / naive_bf16_s, 1)
            results["batched_over_naive_bf16"] = round(
                results["batched_quotes_per_s"] / results["naive_bf16_quotes_per_s"], 2
            )

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(results, args.docs)
    return results


def print_table(results: dict, docs: int) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Batch benchmark: {results['documents']} documents, {results['quotes']} quotes")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_row("(a) quote extraction, articles/s", f"{results['extract_articles_per_s']:,}", "")
    table.add_row("    rules only (--fast), articles/s", f"{results['extract_fast_articles_per_s']:,}", "")
    auto = results["auto_precision"]
    table.add_row("(b) naive per-quote transformers.pipeline (fp32), quotes/s", f"{results['naive_quotes_per_s']:,}", "")
    table.add_row(f"    batched, default precision ({auto}), quotes/s", f"{results['batched_quotes_per_s']:,}", "")
    table.add_row("    ratio batched (default) / naive", f"{results['batched_over_naive']}×", "≥ 3×")
    table.add_row("    batched, fp32, quotes/s", f"{results['batched_fp32_quotes_per_s']:,}", "")
    table.add_row("    ratio batched fp32 / naive fp32", f"{results['batched_fp32_over_naive']}×", "")
    if "naive_bf16_quotes_per_s" in results:
        table.add_row("    naive per-quote pipeline under bf16 autocast, quotes/s", f"{results['naive_bf16_quotes_per_s']:,}", "")
        table.add_row("    ratio batched bf16 / naive bf16", f"{results['batched_over_naive_bf16']}×", "")
    if "rss_ratio" in results:
        table.add_row(f"(c) peak RSS, {docs} docs, MiB", f"{results['peak_rss_mib_n']:,}", "")
        large = results[f"peak_rss_mib_{RSS_FACTOR}n"]
        table.add_row(f"    peak RSS, {docs * RSS_FACTOR} docs, MiB", f"{large:,}", "")
        table.add_row(f"    ratio {RSS_FACTOR}×N / N", f"{results['rss_ratio']}×", "≤ 1.3×")
    Console().print(table)
    Console().print(f"(b): medians of {results['repeats']} runs")


if __name__ == "__main__":
    main(sys.argv[1:])
