"""How far the packaged encoder gets with no fine-tuning: a logistic head on frozen sentence embeddings.

    python benchmarks/frozen_encoder_baseline.py --train runs/stance-splits/immigration_fit.jsonl \\
        --gold runs/stance-splits/immigration_val.jsonl --gold runs/stance-splits/immigration_test.jsonl

Each statement is read as the stance models read it (``<speaker> <cue>: <quote> context: …``,
`stance.classify.model_input`; the target is left out, so train and gold should share one target)
and embedded as all-MiniLM-L6-v2 is meant to be used: the mean of its last hidden states,
normalised. A multinomial logistic regression (L2 penalty, strength 1/C per statement as in
scikit-learn) is fitted on the training file and scores each gold file. Prints a markdown table of
macro-F1 per C. The gap between these figures and a fine-tuned model's is what fine-tuning adds;
if it is small, the encoder and the data, not the recipe, bound the model.
"""

from __future__ import annotations

import argparse

import torch
from transformers import AutoModel, AutoTokenizer

from stance.classify import model_input
from stance.encoder import packaged_encoder_dir
from stance.evaluation.stance import macro_f1
from stance.records import STANCE_LABELS
from stance.training import read_labelled

C_VALUES = (0.1, 0.3, 1.0, 3.0)


def embed(statements, encoder, tokenizer, max_length: int, batch_size: int = 64) -> torch.Tensor:
    chunks = []
    with torch.inference_mode():
        for start in range(0, len(statements), batch_size):
            texts = [model_input(row.input)[1] for row in statements[start : start + batch_size]]
            batch = tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
            hidden = encoder(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            chunks.append(torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1))
    return torch.cat(chunks)


def fit_logistic(features: torch.Tensor, labels: torch.Tensor, c: float) -> torch.nn.Linear:
    head = torch.nn.Linear(features.shape[1], len(STANCE_LABELS))
    optimizer = torch.optim.LBFGS(head.parameters(), max_iter=500, line_search_fn="strong_wolfe")

    def objective():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(head(features), labels)
        loss = loss + head.weight.square().sum() / (2 * c * len(labels))
        loss.backward()
        return loss

    optimizer.step(objective)
    return head


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", required=True, help="Labelled statements to fit the head on.")
    parser.add_argument("--gold", action="append", required=True, help="Labelled statements to score (repeat).")
    parser.add_argument("--max-length", type=int, default=192)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    folder = packaged_encoder_dir()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    encoder = AutoModel.from_pretrained(folder, use_safetensors=True).eval()
    training = read_labelled([args.train])
    features = embed(training, encoder, tokenizer, args.max_length)
    labels = torch.tensor([STANCE_LABELS.index(row.label) for row in training])
    gold = {path: read_labelled([path]) for path in args.gold}
    gold_features = {path: embed(rows, encoder, tokenizer, args.max_length) for path, rows in gold.items()}

    print("| C | " + " | ".join(args.gold) + " |")
    print("|---|" + "---|" * len(args.gold))
    for c in C_VALUES:
        head = fit_logistic(features, labels, c)
        with torch.no_grad():
            cells = [
                macro_f1([row.label for row in rows], [STANCE_LABELS[i] for i in head(gold_features[path]).argmax(1)])
                for path, rows in gold.items()
            ]
        print(f"| {c} | " + " | ".join(f"{cell:.3f}" for cell in cells) + " |")


if __name__ == "__main__":
    main()
