"""Time getting the packaged MPNet encoder ready and loading stance models built on it.

    python benchmarks/model_load.py [--rank 8] [--repeats 3] [--threads 2]

Prints, as JSON:

- ``assembly_seconds``: assembling MPNet from its five installed parts into an empty cache (a
  temporary ``STANCE_CACHE``): every part's sha256, the zip's, extraction and the weights' sha256;
  ``cached_seconds``: finding the assembled folder again; ``weights_sha256_seconds``: the hash
  check of its 438 MB ``model.safetensors`` that every load of a model on it repeats;
- ``lora_folder``: a stance model folder with a LoRA adapter of ``--rank`` over MPNet (random
  adapter and head, as `stance train --lora-rank` writes one), its files and size;
- ``load_seconds``: the median of ``--repeats`` loads (`stance.classify.load_model`, which verifies
  both hashes, builds MPNet and merges the adapter) of that folder, of plain MPNet
  (``from_pretrained`` alone, without hashes or adapter) and of the shipped MiniLM model; and
  ``predict_seconds``: 32 statements through the merged model and through the unmerged peft model.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

from stance.classify.models import FAST_MODEL, TASK, StanceClassifier, load_model
from stance.models.encoders import MPNET, file_sha256
from stance.models.folder import load_tokenizer, save_model_folder
from stance.models.lora import LoraSettings, merge_trained, with_lora
from stance.records import STANCE_LABELS, StanceInput

STATEMENT = StanceInput(
    "immigration enforcement", "We will keep removing people who break our laws.", "the agency", None, "said"
)


def timed(action, repeats: int = 1) -> float:
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def lora_folder(folder: Path, base: Path, rank: int):
    """A LoRA stance folder over MPNet with a random adapter and head; returns the unmerged model too."""
    from transformers import AutoModelForSequenceClassification

    torch.manual_seed(0)
    id2label = dict(enumerate(STANCE_LABELS))
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=3, id2label=id2label, label2id={label: i for i, label in id2label.items()}
    )
    peft_model = with_lora(model, LoraSettings.for_model(model, rank))
    with torch.no_grad():
        for name, parameter in peft_model.named_parameters():
            if "lora_B" in name:  # zero at start; random here so that merging changes the weights
                parameter.normal_(0, 0.01)
    unmerged = StanceClassifier(peft_model.eval(), load_tokenizer(base), base=MPNET.record())
    unmerged_probabilities = unmerged.predict_proba([STATEMENT] * 32)
    merged, adapter = merge_trained(peft_model, LoraSettings.for_model(model, rank))
    save_model_folder(folder, merged, load_tokenizer(base), task=TASK, config={}, base=MPNET.record(), adapter=adapter)
    return unmerged, unmerged_probabilities


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["STANCE_CACHE"] = str(Path(scratch) / "cache")
        assembly = timed(MPNET.directory)
        cached = timed(MPNET.directory, args.repeats)
        base = MPNET.directory()
        hashing = timed(lambda: file_sha256(base / "model.safetensors"), args.repeats)
        folder = Path(scratch) / "stance-mpnet-lora"
        unmerged, unmerged_probabilities = lora_folder(folder, base, args.rank)
        files = {path.name: path.stat().st_size for path in sorted(folder.iterdir())}
        loaded = load_model(folder, precision="fp32")
        merged_probabilities = loaded.predict_proba([STATEMENT] * 32)
        difference = max(
            abs(merged[label] - plain[label])
            for merged, plain in zip(merged_probabilities, unmerged_probabilities, strict=True)
            for label in STANCE_LABELS
        )
        from transformers import AutoModelForSequenceClassification

        load_seconds = {
            "stance-mpnet LoRA folder (verify, build, merge)": timed(
                lambda: load_model(folder, precision="fp32"), args.repeats
            ),
            "MPNet from_pretrained alone": timed(
                lambda: AutoModelForSequenceClassification.from_pretrained(base, num_labels=3), args.repeats
            ),
            f"{FAST_MODEL} (shipped)": timed(lambda: load_model(FAST_MODEL, precision="fp32"), args.repeats),
        }
        predict_seconds = {
            "merged": timed(lambda: loaded.predict_proba([STATEMENT] * 32), args.repeats),
            "unmerged peft": timed(lambda: unmerged.predict_proba([STATEMENT] * 32), args.repeats),
        }
    return {
        "threads": args.threads,
        "assembly_seconds": round(assembly, 2),
        "cached_seconds": round(cached, 4),
        "weights_sha256_seconds": round(hashing, 2),
        "lora_folder": {"rank": args.rank, "files": files, "megabytes": round(sum(files.values()) / 1e6, 2)},
        "merged_vs_unmerged_max_probability_difference": difference,
        "load_seconds": {name: round(value, 2) for name, value in load_seconds.items()},
        "predict_seconds": {name: round(value, 3) for name, value in predict_seconds.items()},
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), indent=2))
