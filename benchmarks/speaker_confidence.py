"""Does a speaker's confidence mean what it says? Speaker-level calibration on labelled statements.

    python benchmarks/speaker_confidence.py HELD_OUT.jsonl [--validation VAL.jsonl] [--model M]

Statements of the same speaker in the same article (``group``, ``article`` or ``source_url``, and
``speaker``) form one speaker, as in docs/experiments/aggregation-rules.md. The model scores
every statement once; `stance.aggregate.decide_stance` gives each speaker a stance and a
confidence; the reference stance is the guidelines' ("polar") reading of the GOLD labels: the
side of most of the speaker's favor/against statements, neutral when there are none or a tie.

A confidence means what it says when, among speakers shown with about 80%, about 80% have the
stance shown: the script reports speaker accuracy, mean confidence and the expected calibration
error (`stance.evaluation.metrics`) over all speakers and over those shown favor/against and
those shown neutral, for the shipped definition and two others computed from the same quotes
(F and A: the weighted mean favor and against probabilities of the quotes that take a side):

- ``probability (shipped)``: `stance.aggregate`: the stance's weighted mean probability over the
  quotes that take a side (F or A), or over all the quotes when none does (their neutral share);
  a speaker shown neutral with sides within the margin gets those quotes' neutral probability;
- ``neutral: not the leading side``: the same, but neutral shows ``1 - max(F, A)``;
- ``share of favor+against``: a side shows ``F / (F + A)`` (always above one half), neutral the
  share on which the sides cancel, ``1 - |F - A| / (F + A)``, or, when no quote takes a side,
  the neutral share;
- ``share of all quotes``: the stance's weighted mean over all the quotes (before issue 15).

With ``--validation``, a temperature is fitted there (`stance.training.calibrate`) and everything
is reported at temperature 1 and at the fitted one. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import torch

from stance.aggregate import decide_stance, probabilities, quote_weight
from stance.classify.calibration import softmax
from stance.classify.models import StanceClassifier, resolve_model
from stance.data.statements import read_labelled
from stance.evaluation.metrics import expected_calibration_error
from stance.records import STANCE_LABELS, most_probable
from stance.training.calibrate import calibrate_classifier

Vector = dict[str, float]


def polar_reference(labels: Sequence[str]) -> str:
    favor, against = labels.count("favor"), labels.count("against")
    return "favor" if favor > against else "against" if against > favor else "neutral"


def confidences(vectors: Sequence[Vector]) -> tuple[str, dict[str, float]]:
    """The shipped stance of one speaker and its confidence under each definition."""
    labels = [most_probable(vector) for vector in vectors]
    weights = [quote_weight(vector) for vector in vectors]
    decision = decide_stance(labels, vectors, weights)
    everything = _weighted_mean(list(zip(vectors, weights)))
    polar = [(v, w) for label, v, w in zip(labels, vectors, weights) if label != "neutral"]
    sides = _weighted_mean(polar) if polar else everything
    favor, against = sides["favor"], sides["against"]
    if decision.stance != "neutral":
        share = sides[decision.stance] / (favor + against)
    else:
        share = 1 - abs(favor - against) / (favor + against) if polar else everything["neutral"]
    not_leading = decision.confidence if decision.stance != "neutral" else 1 - max(favor, against)
    return decision.stance, {
        "probability (shipped)": decision.confidence,
        "neutral: not the leading side": not_leading,
        "share of favor+against": share,
        "share of all quotes (before)": everything[decision.stance],
    }


def _weighted_mean(pairs: Sequence[tuple[Vector, float]]) -> Vector:
    total = sum(weight for _, weight in pairs)
    return {label: sum(v[label] * w for v, w in pairs) / total for label in STANCE_LABELS}


def speaker_groups(statements) -> list[list[int]]:
    groups: dict[tuple[str, str], list[int]] = {}
    for index, row in enumerate(statements):
        groups.setdefault((row.group or str(index), row.input.speaker or ""), []).append(index)
    return list(groups.values())


def report(vectors: Sequence[Vector], gold: Sequence[str], groups: Sequence[list[int]], bins: int) -> dict:
    shown, right, by_definition = [], [], {}
    for group in groups:
        stance, confidence = confidences([vectors[i] for i in group])
        shown.append(stance)
        right.append(stance == polar_reference([gold[i] for i in group]))
        for name, value in confidence.items():
            by_definition.setdefault(name, []).append(value)
    out = {}
    for part, members in (
        ("all", range(len(groups))),
        ("shown favor/against", [n for n, s in enumerate(shown) if s != "neutral"]),
        ("shown neutral", [n for n, s in enumerate(shown) if s == "neutral"]),
    ):
        members = list(members)
        out[part] = {"speakers": len(members), "accuracy": sum(right[n] for n in members) / max(len(members), 1)}
        for name, values in by_definition.items():
            picked = [values[n] for n in members]
            out[part][name] = {
                "mean_confidence": sum(picked) / max(len(picked), 1),
                "ece": expected_calibration_error(picked, [right[n] for n in members], bins),
            }
    return out


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("held_out")
    parser.add_argument("--validation", help="fit a temperature on these statements and report with it too")
    parser.add_argument("--model", default=None, help="a stance model folder (default: the shipped model)")
    parser.add_argument("--bins", type=int, default=10, help="ECE bins (few speakers: fewer bins than per statement)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    model = StanceClassifier.from_pretrained(resolve_model(args.model), device="cpu", precision="fp32")
    statements = read_labelled([args.held_out])
    logits = model.predict_logits([row.input for row in statements])
    gold = [row.label for row in statements]
    groups = speaker_groups(statements)
    temperatures = {"stored": model.config.temperature}
    if args.validation:
        temperatures["fitted on validation"] = calibrate_classifier(model, read_labelled([args.validation])).temperature
    result: dict = {"statements": len(statements), "speakers": len(groups), "bins": args.bins}
    for name, temperature in temperatures.items():
        vectors = [probabilities(dict(zip(model.labels, softmax(row, temperature)))) for row in logits]
        result[f"temperature {temperature:.3f} ({name})"] = report(vectors, gold, groups, args.bins)
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), indent=2))
