"""Compare speaker-aggregation rules on labelled statements grouped by (article, speaker).

    python benchmarks/aggregation_rules.py runs/stance-splits/immigration_test.jsonl [--model M]

Rows are in the ``../shared/data/stance/`` format (read by path; nothing is copied). Statements of
the same speaker in the same article (``article`` or ``source_url``, and ``speaker``) form one
speaker. The model scores every statement once; each rule then turns a speaker's statement
probabilities into one stance, which is compared with a reference stance made from the GOLD
statement labels, in two readings:

- ``majority``: the shipped rule on one-hot gold labels (the majority label; a favor/against tie
  is neutral) — what the shipped rule would say with a perfect classifier;
- ``polar``: the annotation guidelines' reading of neutral as "no evident position": the side of
  most of the speaker's polar statements, neutral when there are none or a tie.

Prints one JSON object: per reference and rule, the speaker-level macro-F1 over all speakers and
over speakers with several statements (the only ones where rules can differ much).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

import torch

from stance.aggregate import POLAR_MARGIN, decide_stance, probabilities, speaker_scores
from stance.classify import load_model
from stance.evaluation.stance import macro_f1
from stance.records import STANCE_LABELS, StanceInput

Vector = dict[str, float]


def _argmax(vector: Vector) -> str:
    return max(STANCE_LABELS, key=vector.__getitem__)


def mean_argmax(vectors: Sequence[Vector]) -> str:
    return _argmax({label: sum(v[label] for v in vectors) / len(vectors) for label in STANCE_LABELS})


def majority_vote(vectors: Sequence[Vector]) -> str:
    return mean_argmax([{label: float(label == _argmax(v)) for label in STANCE_LABELS} for v in vectors])


def weighted_argmax(vectors: Sequence[Vector]) -> str:
    return _argmax(speaker_scores(vectors))


def shipped_rule(vectors: Sequence[Vector]) -> str:
    """`stance.aggregate.aggregate_speakers`: confidence-weighted mean, then the neutral margin."""
    return decide_stance(speaker_scores(vectors))


def polar_share(min_share: float) -> Callable[[Sequence[Vector]], str]:
    """Weighted mean; the leading polar side wins when it has ``min_share`` and the margin."""

    def rule(vectors: Sequence[Vector]) -> str:
        scores = speaker_scores(vectors)
        leader, other = sorted(("favor", "against"), key=scores.__getitem__, reverse=True)
        polar = scores[leader] >= min_share and scores[leader] - scores[other] >= POLAR_MARGIN
        return leader if polar else "neutral"

    return rule


def majority_reference(vectors: Sequence[Vector]) -> str:
    """Gold one-hot labels through the shipped rule: the majority label, polar ties neutral."""
    return shipped_rule(vectors)


def polar_reference(vectors: Sequence[Vector]) -> str:
    """The annotation guidelines' reading: neutral means no evident position, so a speaker takes
    the side of most of their polar statements, and is neutral with none or a tie."""
    favor = sum(v["favor"] for v in vectors)
    against = sum(v["against"] for v in vectors)
    return "favor" if favor > against else "against" if against > favor else "neutral"


RULES: dict[str, Callable[[Sequence[Vector]], str]] = {
    "mean_argmax": mean_argmax,
    "majority_vote": majority_vote,
    "weighted_argmax": weighted_argmax,
    "weighted_margin (shipped)": shipped_rule,
    **{f"polar_share_{t:.2f}": polar_share(t) for t in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45)},
}
REFERENCES = {"majority": majority_reference, "polar": polar_reference}


def speaker_groups(rows: Sequence[dict]) -> dict[tuple[str, str], list[int]]:
    groups: dict[tuple[str, str], list[int]] = {}
    for index, row in enumerate(rows):
        article = row.get("article") or row.get("source_url") or row["id"]
        groups.setdefault((article, row.get("speaker") or ""), []).append(index)
    return groups


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold")
    parser.add_argument("--model", default=None, help="default: the shipped model")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    with open(args.gold, encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    model = load_model(args.model, device="cpu")
    inputs = [StanceInput(r["target"], r["text"], r.get("speaker"), r.get("context")) for r in rows]
    predicted = [probabilities(scores) for scores in model.predict_proba(inputs, batch_size=32)]
    gold = [{label: float(label == row["label"]) for label in STANCE_LABELS} for row in rows]

    groups = list(speaker_groups(rows).values())
    several = [n for n, group in enumerate(groups) if len(group) > 1]
    report: dict = {"statements": len(rows), "speakers": len(groups), "speakers_with_several": len(several)}
    for reference_name, reference_rule in REFERENCES.items():
        reference = [reference_rule([gold[i] for i in group]) for group in groups]
        report[f"reference={reference_name}"] = results = {}
        for name, rule in RULES.items():
            guesses = [rule([predicted[i] for i in group]) for group in groups]
            results[name] = {
                subset: round(macro_f1([reference[n] for n in chosen], [guesses[n] for n in chosen]), 4)
                for subset, chosen in (("all", range(len(groups))), ("several", several))
            }
    return report


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), indent=2))
