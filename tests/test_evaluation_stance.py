"""Stance scoring: metrics by hand, `evaluate_stance` per target/dataset, `stance evaluate stance`."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stance.cli import app
from stance.errors import DataError
from stance.evaluation.stance import (
    bootstrap_intervals,
    evaluate_stance,
    label_scores,
    macro_f1,
    paired_bootstrap,
)
from stance.records import StanceInput
from stance.training import LabelledStatement, read_labelled

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "stance-train-example.jsonl"
SHARED_STANCE = ROOT.parent / "shared" / "data" / "stance"
SHIPPED = ROOT / "models" / "stance-minilm"


@pytest.mark.parametrize(
    ("gold", "predicted", "accuracy", "macro"),
    [
        (["favor", "against", "neutral"], ["favor", "against", "neutral"], 1.0, 1.0),
        (["favor", "favor", "against", "neutral"], ["favor", "against", "against", "against"], 0.5, (2 / 3 + 1 / 2 + 0) / 3),
        # neutral is absent from the gold: it doesn't count toward the macro average
        (["favor", "against"], ["favor", "neutral"], 0.5, (1.0 + 0.0) / 2),
    ],
)
def test_evaluation_stance_label_scores(gold, predicted, accuracy, macro):
    scores = label_scores(gold, predicted)
    assert math.isclose(scores["accuracy"], accuracy)
    assert math.isclose(scores["macro_f1"], macro)
    assert math.isclose(macro_f1(gold, predicted), macro)
    assert sum(sum(row.values()) for row in scores["confusion"].values()) == len(gold)
    assert all(scores["confusion"][g][p] >= 1 for g, p in zip(gold, predicted))


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


def _benchmark(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _held_out_splits() -> dict:
    return _benchmark("stance_splits").make_splits(SHARED_STANCE)


def test_cross_validation_pools_seeds_as_more_statements_of_the_same_articles():
    cross_validate = _benchmark("cross_validate")
    statements = [
        LabelledStatement(StanceInput("t", f"s{n}"), label, None, f"f:{n}", group)
        for n, (label, group) in enumerate([("favor", "a"), ("against", "b"), ("favor", "a")])
    ]

    def run(*guesses: str) -> dict:
        one_hot = [{label: float(label == guess) for label in ("favor", "against", "neutral")} for guess in guesses]
        return {row.origin: {"scores": scores} for row, scores in zip(statements, one_hot)}

    gold, predicted, units = cross_validate.pool([run("favor", "favor", "neutral"), run("favor", "against", "favor")], statements)
    assert gold == ["favor", "against", "favor"] * 2
    assert predicted == ["favor", "favor", "neutral", "favor", "against", "favor"]
    # Article "a" is statements 0 and 2 of both runs; "b" is statement 1 of both.
    assert units == [[0, 2, 3, 5], [1, 4]]


def test_annotation_candidates_are_unlabelled_training_statements_about_immigration(tmp_path):
    splits = _benchmark("stance_splits")
    words = splits.IMMIGRATION_WORDS
    assert all(words.search(text) for text in ("a ban on Muslims entering the U.S.", "ICE agents", "deportations"))
    assert not any(words.search(text) for text in ("the police chief", "a good choice", "Wall Street"))
    # One training article and one held-out article; the text is written for this test.
    names = [f"article-{n}" for n in range(100)]
    kept = next(name for name in names if not splits.held_out("article:" + name) and not splits.validation(name))
    held = next(name for name in names if splits.held_out("article:" + name))
    text = "Smith said deportations must go up. Jones said the weather was fine. Lee said ICE was cruel."

    def attribution(start: int, end: int, source: int) -> dict:
        content = [{"start": start, "end": end, "text": text[start:end]}]
        mention = [{"start": source, "end": source + 5, "text": text[source : source + 5]}]
        return {"content": content, "source": mention, "cue": None, "kind": "indirect"}

    quotes = [attribution(11, 34, 0), attribution(47, 67, 36), attribution(78, 92, 68)]
    polnear = tmp_path / "train.jsonl"
    polnear.write_text("".join(json.dumps({"id": name, "text": text, "quotes": quotes}) + "\n" for name in (kept, held)))
    candidates = splits.annotation_candidates(polnear, labelled_ids={f"polnear-train-{kept}-2"})
    assert [(row["id"], row["text"], row["source"]) for row in candidates] == [(f"polnear-train-{kept}-0", "deportations must go up", "Smith")]


def test_evaluation_stance_splits_keep_articles_apart():
    if not SHARED_STANCE.is_dir():
        pytest.skip("../shared/data/stance is not here")
    splits = _held_out_splits()
    train_articles = {row.get("article") or row.get("source_url") for row in splits["immigration_train.jsonl"]}
    test_articles = {row.get("article") or row.get("source_url") for row in splits["immigration_test.jsonl"]}
    assert not train_articles & test_articles
    train_ids = {row["id"] for name, rows in splits.items() if "train" in name for row in rows}
    assert not train_ids & {row["id"] for row in splits["gwsd_test.jsonl"]}



def test_evaluation_cross_validation_runs_the_recorded_recipe_without_validation():
    cross_validate = _benchmark("cross_validate")
    recorded = json.loads((SHIPPED / "stance_config.json").read_text())["training"]
    arguments = cross_validate.recipe_arguments(["learning_rate=6e-5", "precision=fp32"])
    # No validation inside a fold: the recorded kept epoch is the number of epochs.
    assert (arguments.epochs, arguments.validation_fraction) == (recorded["best_epoch"], 0.0)
    assert (arguments.learning_rate, arguments.precision) == (6e-5, "fp32")
    assert arguments.frozen_layers == recorded["arguments"]["frozen_layers"]
    with pytest.raises(SystemExit, match="no_such_argument"):
        cross_validate.recipe_arguments(["no_such_argument=1"])
    folds = {cross_validate.fold_of(f"article-{n}", "file:1", 5) for n in range(100)}
    assert folds == set(range(5))
    assert cross_validate.fold_of("article-7", "file:1", 5) == cross_validate.fold_of("article-7", "file:2", 5)

# Floors just under the shipped model's recorded figures (0.674 and 0.709, see its card), so a
# worse model fails; the project's goal for the immigration split, 0.70, is not reached yet.
@pytest.mark.slow
@pytest.mark.parametrize(("split", "minimum"), [("immigration_test.jsonl", 0.66), ("gwsd_test.jsonl", 0.70)])
def test_evaluation_stance_shipped_model_on_held_out_split(tmp_path, split, minimum):
    if not SHARED_STANCE.is_dir() or not SHIPPED.is_dir():
        pytest.skip("needs ../shared/data/stance and the shipped model")
    path = tmp_path / split
    path.write_text("".join(json.dumps(row) + "\n" for row in _held_out_splits()[split]), encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", "stance", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["macro_f1"] >= minimum
