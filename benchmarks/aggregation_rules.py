"""Compare speaker-aggregation rules on labelled statements grouped by (article, speaker).

    python benchmarks/aggregation_rules.py runs/stance-splits/immigration_test.jsonl [--model M]

Rows are in the ``../shared/data/stance/`` format (read by path; nothing is copied). Statements of
the same speaker in the same article (``article`` or ``source_url``, and ``speaker``) form one
speaker. The model scores every statement once; each rule then turns a speaker's statement
probabilities into one stance, which is compared with a reference stance made from the GOLD
statement labels, in two readings:

- ``majority``: the majority gold label (a favor/against tie is neutral), which treats a
  factual statement as evidence of neutrality;
- ``polar``: the annotation guidelines' reading of neutral as "no evident position": the side of
  most of the speaker's polar statements, neutral when there are none or a tie — what the
  shipped rule says with a perfect classifier.

Prints one JSON object: per reference and rule, the speaker-level macro-F1 over all speakers and
over speakers with several statements (the only ones where rules can differ much).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

import torch

from stance.aggregate import POLAR_MARGIN, decide_stance, probabilities, quote_weight, speaker_scores
from stance.classify import load_model
from stance.evaluation.stance import macro_f1
from stance.records import STANCE_LABELS
from stance.training import read_labelled

Vector = dict[str, float]


def _argmax(vector: Vector) -> str:
    # A tie with neutral is no evidence of a side (as in stance.aggregate).
    return max(("neutral", "favor", "against"), key=vector.__getitem__)


def mean_argmax(vectors: Sequence[Vector]) -> str:
    return _argmax({label: sum(v[label] for v in vectors) / len(vectors) for label in STANCE_LABELS})


def majority_vote(vectors: Sequence[Vector]) -> str:
    return mean_argmax([{label: float(label == _argmax(v)) for label in STANCE_LABELS} for v in vectors])


def weighted_argmax(vectors: Sequence[Vector]) -> str:
    return _argmax(speaker_scores(vectors))


def weighted_argmax_margin(vectors: Sequence[Vector]) -> str:
    """Weighted argmax, but favor/against must lead the other side by the margin, else neutral."""
    scores = speaker_scores(vectors)
    best = _argmax(scores)
    other = {"favor": "against", "against": "favor"}.get(best)
    return best if other is None or scores[best] - scores[other] >= POLAR_MARGIN - 1e-9 else "neutral"


def shipped_rule(vectors: Sequence[Vector]) -> str:
    """`stance.aggregate.aggregate_speakers`: decided by the quotes that take a side."""
    return decide_stance([_argmax(v) for v in vectors], vectors, [quote_weight(v) for v in vectors])


def majority_reference(vectors: Sequence[Vector]) -> str:
    """Gold one-hot labels: the majority label, neutral on a favor/against tie."""
    return weighted_argmax_margin(vectors)


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
    "weighted_argmax_margin": weighted_argmax_margin,
    "polar_quotes (shipped)": shipped_rule,
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
    # The same inputs as training and `stance evaluate stance` (speaker, cue, context).
    inputs = [statement.input for statement in read_labelled([args.gold])]
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
