"""The stance models side by side: the README's table of speed, load time and install size.

    python benchmarks/models.py [--models stance-mpnet stance-minilm] [--repeats 3] [--json runs/models.json]

For each model (a `models/` name or a folder), on ``--threads`` CPU threads at the precision
``auto`` picks (bfloat16 on CPUs with AMX / AVX512-BF16, else float32):

- ``load_seconds``: median of ``--repeats`` loads (`stance.classify.load_model`: hashes checked,
  the packaged encoder built, a LoRA adapter merged), the encoder's cache already assembled;
- ``quotes_per_second``: the quotes of the first ``--documents`` PolNeAR dev articles (extracted
  once by the rules and the tagger, outside the timing) classified by `Pipeline.classify`, median
  of ``--repeats``;
- ``analyze_seconds``: wall time of ``stance analyze <the seed article> --model M`` in a fresh
  process (import, model load, extraction, classification), median of ``--repeats`` after one
  warm-up run that fills the caches;
- ``git_mb``: the model folder as committed; ``install_mb``: what the model needs on disk besides
  the project: the encoder's installed distributions plus its assembled cache folder (MPNet).

Figures depend on the machine and its load: run it on an idle machine. Prints JSON.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from itertools import islice
from pathlib import Path

import torch

from stance.classify.models import TASK, load_model, resolve_model
from stance.models.encoders import packaged_encoder
from stance.models.folder import read_model_record
from stance.pipeline import Pipeline, extract
from stance.reading import read_documents
from stance.records import DEFAULT_TARGET, Article

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "fixtures" / "cnn-ice-record-deportations-2011.txt"
POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev.jsonl"
MB = 1 << 20


def folder_bytes(path: Path) -> int:
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def encoder_install_bytes(folder: Path) -> int:
    """The installed distributions of the model's packaged encoder, and its assembled cache."""
    encoder = packaged_encoder(read_model_record(folder, TASK).base)
    if encoder is None:
        return 0
    packages = [part.package for part in encoder.archive.parts] if encoder.archive else [encoder.package]
    total = 0
    for package in packages:
        distribution = importlib.metadata.distribution(package)
        total += sum(Path(distribution.locate_file(file)).stat().st_size for file in distribution.files or ())
    if encoder.archive:
        total += folder_bytes(encoder.directory())
    return total


def analyze_seconds(model: str, repeats: int) -> float:
    command = [str(Path(sys.executable).parent / "stance"), "analyze", str(SEED), "--model", model]
    subprocess.run(command, check=True, capture_output=True)  # warm-up: caches filled
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(model: str, found, repeats: int) -> dict:
    folder = Path(resolve_model(model))
    loads = []
    for _ in range(repeats):
        started = time.perf_counter()
        load_model(folder)
        loads.append(time.perf_counter() - started)
    pipeline = Pipeline(model, device="cpu")
    quotes = sum(len(doc.quotes) for doc in found)
    classify = []
    for _ in range(repeats):
        started = time.perf_counter()
        pipeline.classify(found)
        classify.append(time.perf_counter() - started)
    return {
        "model": model,
        "load_seconds": round(statistics.median(loads), 2),
        "quotes": quotes,
        "quotes_per_second": round(quotes / statistics.median(classify), 1),
        "analyze_seconds": round(analyze_seconds(model, repeats), 2),
        "git_mb": round(folder_bytes(folder) / MB, 1),
        "install_mb": round(encoder_install_bytes(folder) / MB, 1),
    }


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["stance-mpnet", "stance-minilm"])
    parser.add_argument("--documents", type=int, default=40, help="PolNeAR dev articles whose quotes are classified")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    articles = [doc for doc in islice(read_documents([POLNEAR_DEV]), args.documents) if isinstance(doc, Article)]
    found = [replace(extract(article), target=article.target or DEFAULT_TARGET) for article in articles]
    figures = {
        "threads": args.threads,
        "documents": len(found),
        "models": [measure(model, found, args.repeats) for model in args.models],
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return figures


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), indent=2))
