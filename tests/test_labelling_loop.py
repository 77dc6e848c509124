"""The labelling loop end to end with a tiny model: `stance label` -> labels filled in -> `stance train`
on the file as it is -> `stance analyze --model` uses the new model."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from stance.classify import load_model, stance_input
from stance.cli import app
from stance.labelling import read_label_file
from stance.labelling.files import write_label_file
from stance.pipeline import extract
from stance.records import Article

ARTICLE = (
    "The council met on Monday.\n\n"
    '"We support the border patrol and welcome more agents," said Mayor Ana Ruiz.\n\n'
    '"The raids are cruel and we oppose them," said Senator Tom Hale.\n\n'
    '"Deportations keep families apart," said Lena Ortiz, a lawyer.\n\n'
    '"We welcome the new enforcement plan," said Sheriff Dan Moss.\n\n'
    "Police Chief Maria Lopez said the department would report its figures in June.\n\n"
    '"Nothing has been decided," said council clerk Paul Green.\n'
)
# The labels a person gives, by speaker; one statement is left unlabelled.
LABELS = {"Ana Ruiz": "favor", "Tom Hale": "against", "Lena Ortiz": "against", "Dan Moss": "favor", "Maria Lopez": "neutral"}


def test_labelling_loop_label_fill_train_analyze_with_the_new_model(tmp_path, tiny_stance_dir):
    article = tmp_path / "council.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    to_label = tmp_path / "to_label.csv"
    runner = CliRunner()

    labelled = runner.invoke(app, ["label", str(article), "--model", str(tiny_stance_dir), "--output", str(to_label), "--fast"])
    assert labelled.exit_code == 0, labelled.output
    rows = read_label_file(to_label)
    assert {row.speaker for row in rows} == {*LABELS, "Paul Green"}

    write_label_file(to_label, [row.answered(LABELS.get(row.speaker, "")) for row in rows], "csv")
    model = tmp_path / "models" / "mine"
    trained = runner.invoke(
        app,
        ["train", str(to_label), "--output", str(model), "--base-model", str(tiny_stance_dir), "--epochs", "3",
         "--batch-size", "2", "--learning-rate", "0.01", "--max-length", "64", "--frozen-layers", "0",
         "--validation-fraction", "0"],
    )
    assert trained.exit_code == 0, trained.output
    assert "1 rows without a label ignored" in trained.output
    record = json.loads((model / "stance_config.json").read_text(encoding="utf-8"))
    assert record["training"]["examples"]["train"] == 5

    analyzed = runner.invoke(app, ["analyze", str(article), "--model", str(model), "--fast", "--format", "jsonl", "--precision", "fp32"])
    assert analyzed.exit_code == 0, analyzed.output
    scores = [quote["scores"] for quote in json.loads(analyzed.stdout)["quotes"]]
    found = extract(Article("council", ARTICLE, "immigration enforcement"), fast=True)
    inputs = [stance_input(ARTICLE, quote, "immigration enforcement") for quote in found.quotes]
    new = load_model(model, precision="fp32").predict_proba(inputs)
    base = load_model(tiny_stance_dir, precision="fp32").predict_proba(inputs)
    assert len(scores) == 6
    for given, expected, before in zip(scores, new, base, strict=True):
        assert given == pytest.approx(expected, abs=1e-4)
        assert max(abs(given[label] - before[label]) for label in given) > 1e-3  # not the base model's
