"""Fitting a stance model's temperature: `stance.training.calibrate` and `stance calibrate`."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest
from conftest import TINY_STANCE_EXAMPLE
from typer.testing import CliRunner

from stance.classify import StanceClassifier, load_model
from stance.classify.calibration import softmax
from stance.cli import app
from stance.data.statements import read_labelled
from stance.errors import DataError, ModelError
from stance.training.calibrate import calibrate, calibrate_classifier, calibration_scores

runner = CliRunner()


@pytest.fixture
def stance_folder(tmp_path, tiny_stance_dir):
    """A stance model folder with its record (``stance_config.json``), free to be rewritten."""
    return StanceClassifier.from_pretrained(tiny_stance_dir, precision="fp32").save_pretrained(tmp_path / "model")


def test_training_calibrate_writes_the_temperature_and_keeps_the_weights_verified(stance_folder):
    before = json.loads((stance_folder / "stance_config.json").read_text())
    inputs = [row.input for row in read_labelled([TINY_STANCE_EXAMPLE])]
    old = load_model(stance_folder, precision="fp32")
    calibration = calibrate(stance_folder, [TINY_STANCE_EXAMPLE])

    after = json.loads((stance_folder / "stance_config.json").read_text())
    assert after["config"] == {**before["config"], "temperature": calibration.temperature}
    assert after["weights"] == before["weights"]  # the sha256 still describes model.safetensors
    assert after["calibration"]["validation_files"] == [str(TINY_STANCE_EXAMPLE)]
    assert after["calibration"]["temperature"] == calibration.temperature != 1.0
    figures = calibration.figures["validation"]
    assert figures["after"]["nll"] <= figures["before"]["nll"]
    assert (figures["before"]["temperature"], figures["before"]["rows"]) == (1.0, 30)

    new = load_model(stance_folder, precision="fp32")  # loads: the weights' sha256 is verified
    assert new.config.temperature == calibration.temperature
    logits = old.predict_logits(inputs)
    assert new.predict_proba(inputs) == [dict(zip(new.labels, softmax(row, calibration.temperature))) for row in logits]
    assert new.predict(inputs) == old.predict(inputs)  # labels don't change


def test_training_calibrate_dry_run_leaves_the_folder_as_it_is(stance_folder):
    record = (stance_folder / "stance_config.json").read_bytes()
    calibration = calibrate(stance_folder, [TINY_STANCE_EXAMPLE], held_out=[TINY_STANCE_EXAMPLE], write=False)
    assert (stance_folder / "stance_config.json").read_bytes() == record
    # the same statements, fitted and held out: the same figures
    assert calibration.figures["held_out"] == calibration.figures["validation"]


def test_training_calibrate_scores_a_stored_temperature_as_before(stance_folder):
    classifier = load_model(stance_folder, precision="fp32")
    classifier.config = replace(classifier.config, temperature=2.0)
    statements = read_labelled([TINY_STANCE_EXAMPLE])
    calibration = calibrate_classifier(classifier, statements)
    assert calibration.previous_temperature == 2.0
    logits = classifier.predict_logits([row.input for row in statements])
    gold = [classifier.labels.index(row.label) for row in statements]
    before = calibration.figures["validation"]["before"]
    assert before == {"temperature": 2.0, **calibration_scores(logits, gold, 2.0)}


def test_training_calibration_scores_by_hand():
    # two rows, both predicted label 1 with probability 0.75; one right
    scores = calibration_scores([[0.0, math.log(3)]] * 2, [1, 0], 1.0, bins=4)
    assert scores["accuracy"] == 0.5 and scores["confidence"] == pytest.approx(0.75)
    assert scores["ece"] == pytest.approx(0.25)
    assert scores["nll"] == pytest.approx(-(math.log(0.75) + math.log(0.25)) / 2)


def test_training_calibrate_needs_a_stance_folder_and_statements(tmp_path, tiny_stance_dir, stance_folder):
    with pytest.raises(ModelError, match="stance_config.json"):
        calibrate(tiny_stance_dir, [TINY_STANCE_EXAMPLE])  # a plain transformers folder: nowhere to write
    with pytest.raises(DataError, match="validation statements"):
        calibrate_classifier(load_model(stance_folder), [])


def test_training_calibrate_cli_prints_before_and_after(stance_folder, tmp_path):
    result = runner.invoke(
        app, ["calibrate", str(stance_folder), "--validation", str(TINY_STANCE_EXAMPLE),
              "--held-out", str(TINY_STANCE_EXAMPLE), "--dry-run"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "held-out" in result.output and "ECE" in result.output and "left unchanged" in result.output
    assert json.loads((stance_folder / "stance_config.json").read_text())["config"]["temperature"] == 1.0

    out = tmp_path / "calibration.json"
    result = runner.invoke(
        app, ["calibrate", str(stance_folder), "--validation", str(TINY_STANCE_EXAMPLE), "-f", "json", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    written = json.loads((stance_folder / "stance_config.json").read_text())
    assert report["temperature"] == written["config"]["temperature"]
    assert set(report["validation"]) == {"before", "after"} and "held_out" not in report
