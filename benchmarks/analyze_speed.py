"""Time `stance analyze` on a corpus: quote extraction, then classification per document vs shared batches.

    python benchmarks/analyze_speed.py ../shared/data/polnear/dev.jsonl --limit 40 [--model M]

Reads the documents by path (nothing is copied), extracts their quotes once, then classifies them
twice with the same loaded model: one model call per document (what a per-article loop costs),
and with `Pipeline.classify` over all documents at once (the quotes of many documents share
length-sorted batches). Prints one JSON object with the timings, documents/s and quotes/s.
Figures depend on the machine and its load: run it on an idle machine and say which one.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from itertools import islice

import torch

from stance.pipeline import Pipeline, extract
from stance.reading import read_documents
from stance.records import DEFAULT_TARGET, Article


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--model", default=None, help="default: the shipped model")
    parser.add_argument("--target", default=DEFAULT_TARGET)
    parser.add_argument("--limit", type=int, default=40, help="documents to read")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    articles = [doc for doc in islice(read_documents(args.paths), args.limit) if isinstance(doc, Article)]
    pipeline = Pipeline(args.model, device="cpu", batch_size=args.batch_size)

    started = time.perf_counter()
    found = [replace(extract(article), target=article.target or args.target) for article in articles]
    extract_s = time.perf_counter() - started
    quotes = sum(len(doc.quotes) for doc in found)

    started = time.perf_counter()
    per_document = [result for doc in found for result in pipeline.classify([doc])]
    per_document_s = time.perf_counter() - started

    started = time.perf_counter()
    shared = pipeline.classify(found)
    shared_s = time.perf_counter() - started
    # The two ways must agree up to float noise; the shared batches only change the padding.
    disagreements = sum(
        a.stance != b.stance for x, y in zip(per_document, shared) for a, b in zip(x.stances, y.stances)
    )

    return {
        "documents": len(found),
        "quotes": quotes,
        "batch_size": args.batch_size,
        "threads": args.threads,
        "extract_s": round(extract_s, 3),
        "classify_per_document_s": round(per_document_s, 3),
        "classify_shared_batches_s": round(shared_s, 3),
        "quotes_per_s_per_document": round(quotes / per_document_s, 1) if per_document_s else None,
        "quotes_per_s_shared_batches": round(quotes / shared_s, 1) if shared_s else None,
        "speaker_stance_disagreements": disagreements,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), indent=2))
