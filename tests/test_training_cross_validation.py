"""Cross-validation of the stance recipe over training articles: folds, recorded arguments,
pooled seeds, and a whole tiny run."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, TINY_STANCE_EXAMPLE

from stance.data.statements import LabelledStatement
from stance.errors import DataError
from stance.records import StanceInput
from stance.training import cross_validation
from stance.training.cross_validation import cross_validate, fold_of, pool, recipe_arguments, recipe_data

SHIPPED = ROOT / "models" / "stance-minilm"


def test_training_cross_validation_pools_seeds_as_more_statements_of_the_same_articles():
    statements = [
        LabelledStatement(StanceInput("t", f"s{n}"), label, None, f"f:{n}", group)
        for n, (label, group) in enumerate([("favor", "a"), ("against", "b"), ("favor", "a")])
    ]

    def run(*guesses: str) -> dict:
        one_hot = [{label: float(label == guess) for label in ("favor", "against", "neutral")} for guess in guesses]
        return {row.origin: {"scores": scores} for row, scores in zip(statements, one_hot)}

    gold, predicted, units = pool([run("favor", "favor", "neutral"), run("favor", "against", "favor")], statements)
    assert gold == ["favor", "against", "favor"] * 2
    assert predicted == ["favor", "favor", "neutral", "favor", "against", "favor"]
    # Article "a" is statements 0 and 2 of both runs; "b" is statement 1 of both.
    assert units == [[0, 2, 3, 5], [1, 4]]


def test_training_cross_validation_runs_the_recorded_recipe_without_validation():
    recorded = json.loads((SHIPPED / "stance_config.json").read_text())["training"]
    arguments = recipe_arguments(["learning_rate=6e-5", "precision=fp32"])
    # No validation inside a fold: the recorded kept epoch is the number of epochs.
    assert (arguments.epochs, arguments.validation_fraction) == (recorded["best_epoch"], 0.0)
    assert (arguments.learning_rate, arguments.precision) == (6e-5, "fp32")
    assert arguments.frozen_layers == recorded["arguments"]["frozen_layers"]
    with pytest.raises(DataError, match="no_such_argument"):
        recipe_arguments(["no_such_argument=1"])
    folds = {fold_of(f"article-{n}", "file:1", 5) for n in range(100)}
    assert folds == set(range(5))
    assert fold_of("article-7", "file:1", 5) == fold_of("article-7", "file:2", 5)
    assert [path.name for path in recipe_data(ROOT / "splits")] == [name.split("/")[-1] for name in recorded["data"]]


def test_training_cross_validation_predicts_every_statement_once_and_resumes(tmp_path, monkeypatch, tiny_encoder_dir):
    # A tiny recipe: the example statements as the immigration files, no other data, a tiny encoder.
    rows = [json.loads(line) for line in TINY_STANCE_EXAMPLE.read_text(encoding="utf-8").splitlines()]
    splits = tmp_path / "splits"
    splits.mkdir()
    for name, part in (("immigration_fit.jsonl", rows[:20]), ("immigration_val.jsonl", rows[20:])):
        (splits / name).write_text("".join(json.dumps(row) + "\n" for row in part), encoding="utf-8")
    recipe = {"arguments": {"batch_size": 8, "max_length": 32, "frozen_layers": 0}, "best_epoch": 1,
              "data": ["runs/stance-splits/immigration_fit.jsonl"]}
    monkeypatch.setattr(cross_validation, "recorded_training", lambda: recipe)
    trained = []
    real_fit = cross_validation.fit_stance

    def fit_on_the_tiny_encoder(statements, arguments, **options):
        trained.append(len(statements))
        return real_fit(statements, arguments, base_model=tiny_encoder_dir, **options)

    monkeypatch.setattr(cross_validation, "fit_stance", fit_on_the_tiny_encoder)
    report = cross_validate(splits, tmp_path / "run", folds=3, overrides=["precision=fp32"])
    assert report["statements"] == 30 and sum(trained) == 2 * 30 and len(trained) == 3
    assert set(report["folds"]) == {0, 1, 2} and 0.0 <= report["macro_f1"] <= 1.0
    predictions = (tmp_path / "run" / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["origin"] for line in predictions) == sorted(
        f"{splits / name}:{n}" for name, count in (("immigration_fit.jsonl", 20), ("immigration_val.jsonl", 10))
        for n in range(1, count + 1)
    )
    # A finished run is not trained again; pooled with a copy, it compares equal to itself.
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "predictions.jsonl").write_text("\n".join(predictions) + "\n", encoding="utf-8")
    again = cross_validate(splits, tmp_path / "run", folds=3, pooled=[copy], compare=[tmp_path / "run", copy])
    assert len(trained) == 3 and again["macro_f1"] == report["macro_f1"]
    assert again["pooled"]["macro_f1"] == report["macro_f1"] and again["compared_with"]["macro_f1_difference"] == 0.0
    with pytest.raises(DataError, match="as many runs"):
        cross_validate(splits, tmp_path / "run", folds=3, compare=[tmp_path / "run"] * 3)
