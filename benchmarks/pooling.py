"""How well the packaged encoder's vectors, frozen, separate the stances: mean pooling vs the pooler.

    python benchmarks/pooling.py [--splits runs/stance-splits] [--c 1.0]

Embeds the immigration statements (the model input of `stance.classify.model_input`) with the
packaged all-MiniLM-L6-v2, untrained, two ways: the mean of the token vectors over the real
tokens (how sentence-transformers trained it) and transformers' pooler output on [CLS] (what
``BertForSequenceClassification`` reads). A logistic regression is fitted on
``immigration_fit`` + ``immigration_val`` and scored on ``immigration_test`` (splits written by
``benchmarks/stance_splits.py``). The gap is why stance heads use mean pooling
(`stance.mean_pooled`). Needs scikit-learn (not a dependency of stance).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def embed(statements, tokenizer, encoder, max_length: int = 128):
    """Mean-pooled and pooler vectors of each statement's model input."""
    import numpy as np
    import torch

    from stance.classify import model_input

    pairs = [model_input(row.input) for row in statements]
    means, pooled = [], []
    with torch.inference_mode():
        for begin in range(0, len(pairs), 64):
            batch = pairs[begin : begin + 64]
            features = tokenizer(
                [first for first, _ in batch], [second for _, second in batch],
                truncation="only_second", max_length=max_length, padding=True, return_tensors="pt",
            )  # fmt: skip
            output = encoder(**features)
            mask = features["attention_mask"].unsqueeze(-1).float()
            means.append(((output.last_hidden_state * mask).sum(1) / mask.sum(1)).numpy())
            pooled.append(output.pooler_output.numpy())
    return np.concatenate(means), np.concatenate(pooled)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=Path, default=Path("runs/stance-splits"))
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation of the logistic regression")
    args = parser.parse_args()

    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from transformers import AutoModel

    from stance.classify import WEIGHTS_FILE, from_pretrained_safely, load_tokenizer
    from stance.encoder import PACKAGED_ENCODER_SHA256, packaged_encoder_dir, verify_sha256
    from stance.training import read_labelled

    folder = packaged_encoder_dir()
    verify_sha256(folder / WEIGHTS_FILE, PACKAGED_ENCODER_SHA256)
    tokenizer, encoder = load_tokenizer(folder), from_pretrained_safely(AutoModel, folder).eval()
    train = read_labelled([args.splits / "immigration_fit.jsonl", args.splits / "immigration_val.jsonl"])
    test = read_labelled([args.splits / "immigration_test.jsonl"])
    train_vectors, test_vectors = embed(train, tokenizer, encoder), embed(test, tokenizer, encoder)
    for name, index in (("mean of token vectors", 0), ("pooler output ([CLS])", 1)):
        classifier = LogisticRegression(C=args.c, max_iter=5000).fit(train_vectors[index], [row.label for row in train])
        predicted = classifier.predict(test_vectors[index])
        score = f1_score([row.label for row in test], predicted, average="macro")
        print(f"{name}: held-out immigration macro-F1 {score:.3f} ({len(train)} train, {len(test)} test rows)")


if __name__ == "__main__":
    main()
