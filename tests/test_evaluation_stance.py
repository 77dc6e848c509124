"""Stance scoring: bootstrap intervals, `evaluate_stance` per target/dataset, `stance evaluate stance`."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import shared_data
from stance.cli import app
from stance.data.statements import read_labelled
from stance.errors import DataError
from stance.evaluation.metrics import macro_f1
from stance.evaluation.stance import (
    bootstrap_intervals,
    evaluate_stance,
    evaluate_stance_files,
    paired_bootstrap,
)
from stance.training.splits import make_splits

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "stance-train-example.jsonl"


def test_evaluation_stance_bootstrap_resamples_whole_units():
    # Two articles of 50 statements: one all right, one all wrong. Resampled as articles, a
    # resample's accuracy is 0, 0.5 or 1; resampled as statements it would stay near 0.5.
    gold = ["favor"] * 100
    predicted = ["favor"] * 50 + ["against"] * 50
    by_article = bootstrap_intervals(gold, predicted, [list(range(50)), list(range(50, 100))])
    assert by_article["units"] == 2 and by_article["accuracy"] == [0.0, 1.0]
    by_statement = bootstrap_intervals(gold, predicted, [[i] for i in range(100)])
    low, high = by_statement["accuracy"]
    assert 0.35 < low < 0.5 < high < 0.65
    assert bootstrap_intervals(gold, predicted, [[i] for i in range(100)]) == by_statement  # seeded
    perfect = bootstrap_intervals(gold, gold, [[i] for i in range(100)], resamples=50)
    assert perfect["macro_f1"] == [1.0, 1.0] and perfect["resamples"] == 50


def test_evaluation_stance_paired_bootstrap_sees_a_small_consistent_gain():
    # The candidate fixes 6 of the baseline's 40 errors and breaks none: separate intervals would
    # overlap, but on the same resamples the candidate is never worse.
    gold = ["favor", "against", "neutral"] * 40
    baseline = list(gold)
    for i in range(0, 120, 3):
        baseline[i] = "neutral"
    candidate = list(baseline)
    for i in range(0, 18, 3):
        candidate[i] = "favor"
    units = [[i] for i in range(120)]
    result = paired_bootstrap(gold, baseline, candidate, units, resamples=200)
    assert result["macro_f1_difference"] > 0 and result["candidate_higher"] > 0.95
    assert result["interval"][0] >= 0
    assert paired_bootstrap(gold, baseline, baseline, units, resamples=50)["interval"] == [0.0, 0.0]


class LabelEcho:
    """A model that predicts "favor" for one target and "neutral" otherwise."""

    labels = ("favor", "against", "neutral")

    def predict(self, inputs, batch_size=32):
        return ["favor" if item.target == "gun control" else "neutral" for item in inputs]


def test_evaluation_stance_groups_by_target_and_dataset():
    statements = read_labelled([EXAMPLE])
    report = evaluate_stance(LabelEcho(), statements)
    assert {"accuracy", "macro_f1", "per_label", "confusion", "by_target", "by_dataset"} <= set(report)
    assert set(report["by_target"]) == {row.input.target for row in statements}
    assert sum(part["rows"] for part in report["by_target"].values()) == len(statements) == report["rows"]
    guns = [row for row in statements if row.input.target == "gun control"]
    expected = sum(row.label == "favor" for row in guns) / len(guns)
    assert math.isclose(report["by_target"]["gun control"]["accuracy"], expected)


def test_evaluation_stance_cli_json_and_table(tiny_stance_dir, tmp_path):
    output = tmp_path / "scores.json"
    result = CliRunner().invoke(
        app, ["evaluate", "stance", str(EXAMPLE), "--model", str(tiny_stance_dir), "--format", "json", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(output.read_text())
    assert {"accuracy", "macro_f1", "per_label", "confusion", "by_target"} <= set(scores)
    assert scores["rows"] == 30 and set(scores["per_label"]) == {"favor", "against", "neutral"}
    low, high = scores["intervals"]["macro_f1"]
    assert low <= scores["macro_f1"] <= high and scores["intervals"]["units"] == 30
    assert "intervals" in scores["by_target"]["gun control"]
    table = CliRunner().invoke(app, ["evaluate", "stance", str(EXAMPLE), "--model", str(tiny_stance_dir)])
    assert table.exit_code == 0, table.output
    assert "macro-F1" in table.output and "target: gun control" in table.output and "confusion" in table.output
    assert "95% interval" in table.output
    plain = CliRunner().invoke(
        app, ["evaluate", "stance", str(EXAMPLE), "--model", str(tiny_stance_dir), "--bootstrap", "0"]
    )
    assert plain.exit_code == 0 and "95% interval" not in plain.output


def test_evaluation_stance_cli_splits_by_a_gold_column(tiny_stance_dir, tmp_path):
    rows = [json.loads(line) for line in EXAMPLE.read_text(encoding="utf-8").splitlines()]
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        "".join(json.dumps({**row, "confidence": "high" if i % 3 else "low"}) + "\n" for i, row in enumerate(rows)),
        encoding="utf-8",
    )
    output = tmp_path / "scores.json"
    result = CliRunner().invoke(
        app, ["evaluate", "stance", str(gold), "--model", str(tiny_stance_dir), "--by", "confidence", "--format", "json",
              "--output", str(output)],
    )
    assert result.exit_code == 0, result.output
    by_confidence = json.loads(output.read_text())["by_confidence"]
    assert {name: part["rows"] for name, part in by_confidence.items()} == {"high": 20, "low": 10}
    missing = CliRunner().invoke(app, ["evaluate", "stance", str(EXAMPLE), "--model", str(tiny_stance_dir), "--by", "publisher"])
    assert isinstance(missing.exception, DataError)
    assert "`publisher`" in str(missing.exception) and str(EXAMPLE) in str(missing.exception)


class WrittenLabel:
    """Predicts the label written in the statement ("... favor"), so a test sets every prediction."""

    labels = ("favor", "against", "neutral")

    def predict(self, inputs, batch_size=32):
        return [item.text.split()[-1] for item in inputs]


def test_evaluation_stance_scores_each_dataset_and_annotator_confidence_by_default(monkeypatch, tmp_path):
    monkeypatch.setattr("stance.classify.load_model", lambda name=None, **options: WrittenLabel())
    # (gold, predicted, dataset, confidence, group): pages all right; PolNeAR predicts favor throughout.
    rows = [
        ("favor", "favor", "pages", "high", "page-1"), ("against", "against", "pages", "low", "page-1"),
        ("neutral", "neutral", "pages", "high", "page-2"), ("favor", "favor", "polnear", "high", "article-1"),
        ("against", "favor", "polnear", "low", "article-1"), ("neutral", "favor", "polnear", "low", "article-2"),
    ]
    immigration = tmp_path / "immigration.jsonl"
    immigration.write_text("".join(
        json.dumps({"text": f"they say {said}", "target": "immigration", "label": gold, "dataset": dataset,
                    "confidence": confidence, "group": group}) + "\n"
        for gold, said, dataset, confidence, group in rows
    ), encoding="utf-8")
    climate = tmp_path / "climate.jsonl"  # no confidence column, like GWSD
    gwsd_row = {"text": "it is against", "target": "climate", "label": "against", "dataset": "gwsd"}
    climate.write_text(json.dumps(gwsd_row) + "\n")
    scores = evaluate_stance_files([immigration, climate], resamples=100)
    by_dataset = scores["by_dataset"]
    assert {name: part["rows"] for name, part in by_dataset.items()} == {"gwsd": 1, "pages": 3, "polnear": 3}
    assert by_dataset["pages"]["macro_f1"] == 1.0 and by_dataset["pages"]["intervals"]["macro_f1"] == [1.0, 1.0]
    # PolNeAR: favor precision 1/3, recall 1 -> F1 0.5; against and neutral 0.
    assert by_dataset["polnear"]["macro_f1"] == pytest.approx(0.5 / 3)
    assert by_dataset["polnear"]["intervals"]["units"] == 2  # two articles, resampled whole
    assert by_dataset["gwsd"]["accuracy"] == 1.0
    by_confidence = scores["by_confidence"]
    assert {name: part["rows"] for name, part in by_confidence.items()} == {"high": 3, "low": 3, "—": 1}
    assert by_confidence["high"]["accuracy"] == 1.0
    # Low: against right once, wrong once (favor): precision 1, recall 1/2, F1 2/3; neutral wrong
    # (favor): F1 0; favor is not in this gold and does not count.
    assert by_confidence["low"]["accuracy"] == pytest.approx(1 / 3)
    assert by_confidence["low"]["macro_f1"] == pytest.approx((2 / 3 + 0) / 2)
    assert by_confidence["low"]["intervals"]["units"] == 3
    # Without the column in any file there is no split by it.
    assert "by_confidence" not in evaluate_stance_files([climate], resamples=0)


class AlwaysNeutral:
    labels = ("favor", "against", "neutral")

    def predict(self, inputs, batch_size=32):
        return ["neutral"] * len(inputs)


@pytest.fixture
def two_models(monkeypatch):
    """`--model echo` loads `LabelEcho`, `--model neutral` `AlwaysNeutral`."""
    models = {"echo": LabelEcho(), "neutral": AlwaysNeutral()}
    monkeypatch.setattr("stance.classify.load_model", lambda name=None, **options: models[name])
    return models


def test_evaluation_stance_compare_scores_both_models_on_the_same_statements(two_models):
    statements = read_labelled([EXAMPLE])
    gold = [row.label for row in statements]
    inputs = [row.input for row in statements]
    echo, neutral = (two_models[name].predict(inputs) for name in ("echo", "neutral"))
    report = evaluate_stance(two_models["echo"], statements, compare={"neutral": two_models["neutral"]}, resamples=200)
    versus = report["compare"]["neutral"]
    assert versus["macro_f1"] == macro_f1(gold, neutral)
    assert versus["macro_f1_difference"] == pytest.approx(macro_f1(gold, echo) - macro_f1(gold, neutral))
    units = [[i] for i in range(len(statements))]  # the example has no article groups
    assert versus == {"macro_f1": macro_f1(gold, neutral), **paired_bootstrap(gold, neutral, echo, units, resamples=200)}
    # Each subset is compared on its own statements.
    guns = [i for i, row in enumerate(statements) if row.input.target == "gun control"]
    by_target = report["by_target"]["gun control"]["compare"]["neutral"]
    assert by_target["macro_f1"] == macro_f1([gold[i] for i in guns], [neutral[i] for i in guns])
    plain = evaluate_stance(two_models["echo"], statements, compare={"neutral": two_models["neutral"]}, resamples=0)
    assert set(plain["compare"]["neutral"]) == {"macro_f1", "macro_f1_difference"}


def test_evaluation_stance_cli_compare(two_models, tmp_path):
    args = ["evaluate", "stance", str(EXAMPLE), "--model", "echo", "--compare", "neutral", "--bootstrap", "100"]
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    expected = evaluate_stance(two_models["echo"], read_labelled([EXAMPLE]), compare={"neutral": two_models["neutral"]}, resamples=100)
    assert scores == json.loads(json.dumps(expected))
    versus = scores["compare"]["neutral"]
    assert versus["macro_f1_difference"] > 0 and versus["resamples"] == 100
    table = CliRunner().invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "this model minus the other" in table.stdout
    lines = [" ".join(line.replace("│", " ").split()) for line in table.stdout.splitlines()]
    low, high = versus["interval"]
    row = (
        f"all neutral {scores['macro_f1']:.3f} {versus['macro_f1']:.3f} {versus['macro_f1_difference']:+.3f} "
        f"{low:+.3f} to {high:+.3f} {versus['candidate_higher']:.0%}"
    )
    assert row in lines, table.stdout


# Floors just under the shipped model's figures on these splits (0.666 on the 377 immigration
# statements of every immigration file, 0.709 on GWSD: `stance evaluate stance
# runs/stance-splits-v2/immigration_test.jsonl runs/stance-splits-v2/gwsd_test.jsonl --precision fp32`),
# so a worse model fails; the project's goal for the immigration split, 0.80, is not reached yet.
@pytest.mark.slow
@pytest.mark.parametrize(("split", "minimum"), [("immigration_test.jsonl", 0.66), ("gwsd_test.jsonl", 0.70)])
def test_evaluation_stance_shipped_model_on_held_out_split(tmp_path, split, minimum):
    path = tmp_path / split
    path.write_text("".join(json.dumps(row) + "\n" for row in make_splits(shared_data("stance"))[split]), encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", "stance", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["macro_f1"] >= minimum


def test_evaluation_stance_scores_a_predictions_file_by_id(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(
        json.dumps({"id": f"s{i}", "text": f"statement {i}", "target": "immigration", "label": label, "group": group})
        + "\n"
        for i, (label, group) in enumerate([("favor", "a"), ("against", "a"), ("neutral", "b"), ("favor", "b")])
    ), encoding="utf-8")
    # Another order, an extra row, the annotators' `stance` column and any case: matched by id.
    second = tmp_path / "second.jsonl"
    second.write_text("".join(json.dumps({"id": i, "stance": label}) + "\n" for i, label in [
        ("s3", "Against"), ("s9", "favor"), ("s0", "favor"), ("s2", "neutral"), ("s1", "against"),
    ]), encoding="utf-8")
    scores = evaluate_stance_files([gold], predictions=second, resamples=50)
    assert scores["rows"] == 4 and scores["accuracy"] == 0.75
    assert scores["confusion"]["favor"]["against"] == 1
    assert scores["intervals"]["units"] == 2  # resampled by group, as for a model
    result = CliRunner().invoke(app, ["evaluate", "stance", str(gold), "--predictions", str(second), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["accuracy"] == 0.75


def test_evaluation_stance_predictions_errors_name_the_file_and_row(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "s0", "text": "t", "target": "x", "label": "favor"}) + "\n")
    missing = tmp_path / "missing.jsonl"
    missing.write_text(json.dumps({"id": "s1", "label": "favor"}) + "\n")
    with pytest.raises(DataError, match=r"missing\.jsonl: expected a prediction for the gold row with id 's0'"):
        evaluate_stance_files([gold], predictions=missing, resamples=0)
    odd = tmp_path / "odd.jsonl"
    odd.write_text(json.dumps({"id": "s0", "label": "pro"}) + "\n")
    with pytest.raises(DataError, match=r"odd\.jsonl: the row with id 's0' has label 'pro'"):
        evaluate_stance_files([gold], predictions=odd, resamples=0)
    without_id = tmp_path / "no-id.jsonl"
    without_id.write_text(json.dumps({"text": "t", "target": "x", "label": "favor"}) + "\n")
    with pytest.raises(DataError, match=r"no-id\.jsonl:1: expected an `id`"):
        evaluate_stance_files([without_id], predictions=odd, resamples=0)
    both = CliRunner().invoke(app, ["evaluate", "stance", str(gold), "--predictions", str(odd), "--model", "x"])
    assert both.exit_code == 2 and "not both" in both.output
