"""The batch engines side by side: documents/s, the same records, and memory against corpus size.

    python benchmarks/scale.py [--docs 2000] [--runs local,ray-1,ray-2] [--memory-docs 40] [--fast] [--model M] [--json runs/scale-benchmark.json]

One run, each measure a ``stance analyze --output-dir`` in a child process (models, Ray start
and writing included):

(a) documents/s on a ``--docs`` copy of PolNeAR dev (84 articles cycled, each copy with its own
    id) with the local engine, and with ``--engine ray`` and 1 and 2 workers (Ray actors) on a
    local Ray of all the machine's cores; in float32 (``--precision``), so that
(b) the Ray folders hold the same records as the local one (`stance.output.compare.folder_differences`:
    after matching by id, floats within 1e-4; in bfloat16 a quote's scores move by ~1e-3 with
    the quotes it is batched with);
(c) peak memory of both engines for ``--memory-docs`` and 10x as many PolNeAR training articles,
    at the default precision: the peak of the summed PSS of the child and all its descendants
    (Ray's raylet, GCS and workers; PSS counts Ray's shared object store once), sampled every
    0.2 s.

The corpora are written to a scratch folder (``--scratch``, a temporary one by default), never
into the repository. Prints a table and writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLNEAR = ROOT.parent / "shared" / "data" / "polnear"
MEMORY_FACTOR = 10
SAMPLE_SECONDS = 0.2
RUNS = {"local": [], "ray-1": ["--engine", "ray", "--workers", "1"], "ray-2": ["--engine", "ray", "--workers", "2"]}


def copy_corpus(source: Path, target: Path, documents: int) -> Path:
    """``documents`` rows of ``source`` (cycled), ids made unique by the copy number."""
    rows = [json.loads(line) for line in source.open(encoding="utf-8")]
    with target.open("w", encoding="utf-8") as stream:
        for n, row in enumerate(islice(cycle(rows), documents)):
            copy = n // len(rows)
            stream.write(json.dumps({**row, "id": f"{row['id']}#{copy}" if copy else row["id"]}) + "\n")
    return target


def tree_pss_mib(root: int) -> float:
    """The summed PSS of process ``root`` and all its descendants, MiB."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        pending += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                total += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
        except (OSError, StopIteration):
            continue
    return total / 1024


def analyze(corpus: Path, out: Path, options: list[str]) -> dict:
    """Run ``stance analyze corpus --output-dir out`` with ``options``: seconds and peak memory."""
    command = [sys.executable, "-m", "stance", "analyze", str(corpus), "--output-dir", str(out), "--quiet", *options]
    started = time.monotonic()
    child = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    peak = [0.0]

    def sample() -> None:
        while child.poll() is None:
            peak[0] = max(peak[0], tree_pss_mib(child.pid))
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.monotonic() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    sampler.join()
    if child.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed: {child.stderr.read()[-3000:]}")
    documents = sum(1 for _ in (out / "articles.jsonl").open(encoding="utf-8"))
    return {
        "seconds": round(seconds, 1),
        "documents": documents,
        "documents_per_s": round(documents / seconds, 2),
        "peak_tree_pss_mib": round(peak[0], 1),
        "child_max_rss_mib": round(usage.ru_maxrss / 1024, 1),
    }


def main(argv: list[str]) -> dict:
    from stance.output.compare import folder_differences

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000, help="(a, b): documents in the copy of PolNeAR dev")
    parser.add_argument("--memory-docs", type=int, default=40, help="(c): N; memory for N and 10×N articles")
    parser.add_argument("--precision", default="fp32", help="(a, b): the stance model's precision")
    parser.add_argument("--fast", action="store_true", help="quotes by the rules only (no quote tagger)")
    parser.add_argument("--model", default=None, help="stance model (default: the shipped default)")
    parser.add_argument("--skip-throughput", action="store_true", help="leave out (a) and (b)")
    parser.add_argument("--skip-memory", action="store_true", help="leave out (c)")
    parser.add_argument(
        "--runs", default="local,ray-1,ray-2", help="(a, b): of local, ray-1, ray-2 (local always runs: the reference)"
    )
    parser.add_argument(
        "--memory-engines", default="local,ray-2", help="(c): of local, ray-1, ray-2 (local alone for older code)"
    )
    parser.add_argument("--scratch", type=Path, default=None, help="folder for corpora and outputs")
    parser.add_argument("--json", type=Path, default=ROOT / "runs" / "scale-benchmark.json")
    args = parser.parse_args(argv)

    shared_options = (["--fast"] if args.fast else []) + (["--model", args.model] if args.model else [])
    results: dict = {
        "cpus": os.cpu_count(), "docs": args.docs, "precision": args.precision, "fast": args.fast, "model": args.model
    }
    with tempfile.TemporaryDirectory(dir=args.scratch) as scratch:
        scratch = Path(scratch)
        if not args.skip_throughput:
            corpus = copy_corpus(POLNEAR / "dev.jsonl", scratch / f"dev-{args.docs}.jsonl", args.docs)
            runs = ["local", *(name for name in args.runs.split(",") if name != "local")]
            for name in runs:
                results[name] = analyze(corpus, scratch / name, [*RUNS[name], "--precision", args.precision, *shared_options])
                print(name, results[name], flush=True)
            for name in runs[1:]:
                results[f"{name}_differences"] = folder_differences(scratch / "local", scratch / name, tolerance=1e-4)
                results[f"{name}_over_local"] = round(
                    results[name]["documents_per_s"] / results["local"]["documents_per_s"], 2
                )
            if {"ray-1", "ray-2"} <= set(runs):
                results["ray-2_over_ray-1"] = round(
                    results["ray-2"]["documents_per_s"] / results["ray-1"]["documents_per_s"], 2
                )
        engines = args.memory_engines.split(",")
        if not args.skip_memory:
            for size in (args.memory_docs, args.memory_docs * MEMORY_FACTOR):
                train = copy_corpus(POLNEAR / "train.jsonl", scratch / f"train-{size}.jsonl", size)
                for name in engines:
                    measured = analyze(train, scratch / f"memory-{name}-{size}", [*RUNS[name], *shared_options])
                    results[f"memory_{name}_{size}"] = measured
                    print(f"memory {name} {size}", measured, flush=True)
            for name in engines:
                small = results[f"memory_{name}_{args.memory_docs}"]["peak_tree_pss_mib"]
                large = results[f"memory_{name}_{args.memory_docs * MEMORY_FACTOR}"]["peak_tree_pss_mib"]
                results[f"memory_{name}_ratio"] = round(large / small, 3)

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(results, args, engines)
    return results


def print_table(results: dict, args, engines: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    if not args.skip_throughput:
        print_throughput(results, args)
    if not args.skip_memory:
        memory = Table(title=f"Peak memory, {args.memory_docs} and {args.memory_docs * MEMORY_FACTOR} PolNeAR training articles")
        for column in ("engine", "N, MiB", "10×N, MiB", "ratio (target ≤ 1.3×)"):
            memory.add_column(column, justify="right")
        for name in engines:
            small = results[f"memory_{name}_{args.memory_docs}"]["peak_tree_pss_mib"]
            large = results[f"memory_{name}_{args.memory_docs * MEMORY_FACTOR}"]["peak_tree_pss_mib"]
            memory.add_row(name, f"{small}", f"{large}", f"{results[f'memory_{name}_ratio']}×")
        Console().print(memory)


def print_throughput(results: dict, args) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Engines on {results['cpus']} CPUs, {args.docs} PolNeAR documents, {args.precision}")
    for column in ("run", "documents/s", "seconds", "peak PSS (tree), MiB", "same records as local"):
        table.add_column(column, justify="right")
    for name in [name for name in RUNS if name in results]:
        run = results[name]
        same = "" if name == "local" else ("yes" if not results[f"{name}_differences"] else "NO")
        table.add_row(name, f"{run['documents_per_s']}", f"{run['seconds']}", f"{run['peak_tree_pss_mib']}", same)
    Console().print(table)
    ratios = [f"{name.replace('_over_', ' / ')}: {value}×" for name, value in results.items() if "_over_" in name]
    Console().print(", ".join(ratios))


if __name__ == "__main__":
    main(sys.argv[1:])
