"""Fitting a stance model's temperature on validation statements (``stance calibrate``).

`calibrate` loads a model folder, scores labelled validation statements once, fits the
temperature that minimises their NLL (`stance.classify.calibration.fit_temperature`) and writes it
into the folder's ``stance_config.json`` (``config.temperature``), with the figures before and
after in a ``calibration`` section. Only the record changes: ``model.safetensors`` and the sha256
the record holds for it stay as they are, so the folder still loads and verifies.

`calibrate_classifier` does the same for a classifier in memory, without writing anything: what
training calls at its end on its validation split (the figures then go into the model card).

Figures, for each set of statements: ``nll`` (mean negative log-likelihood of the gold labels),
``ece`` (expected calibration error of the top label, `stance.evaluation.metrics`), ``accuracy``
and ``confidence`` (the mean top probability); an over-confident model has ``confidence`` above
``accuracy``. Held-out statements can be scored before and after too; they never take part in the fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from stance.classify.calibration import fit_temperature, negative_log_likelihood, softmax
from stance.classify.models import TASK, StanceClassifier
from stance.data.statements import LabelledStatement, read_labelled
from stance.errors import DataError
from stance.evaluation.metrics import CALIBRATION_BINS, expected_calibration_error
from stance.models.folder import read_model_record, write_model_record


@dataclass(frozen=True)
class Calibration:
    """A fitted temperature and the figures before (the model's temperature until now) and after
    it: ``{"validation": {...}, "held_out": {...}}``, each ``{"before": scores, "after": scores}``
    (see the module docstring); ``held_out`` only when held-out statements were given."""

    temperature: float
    previous_temperature: float
    rows: int
    bins: int
    figures: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "temperature": self.temperature,
            "previous_temperature": self.previous_temperature,
            "rows": self.rows,
            "bins": self.bins,
            **self.figures,
        }


def calibrate(
    model_folder: str | Path,
    validation: Sequence[str | Path],
    *,
    held_out: Sequence[str | Path] = (),
    bins: int = CALIBRATION_BINS,
    write: bool = True,
    batch_size: int = 32,
    device: str = "auto",
) -> Calibration:
    """Fit the temperature of the stance model in ``model_folder`` on the labelled ``validation``
    files and, when ``write``, store it in the folder's ``stance_config.json`` (with the figures,
    and the validation files' paths, under ``calibration``). ``held_out`` files are scored before
    and after, never fitted on. The model runs in float32, the precision the temperature is for.

    Raises `ModelError` when the folder holds no stance model written by ``stance train``, and
    `DataError` on bad rows (naming file and line).
    """
    record = read_model_record(model_folder, TASK)  # a clear error before any model is loaded
    classifier = StanceClassifier.from_pretrained(model_folder, device=device, precision="fp32")
    calibration = calibrate_classifier(
        classifier,
        read_labelled(validation),
        held_out=read_labelled(held_out) if held_out else None,
        bins=bins,
        batch_size=batch_size,
    )
    if write:
        config = {**record.config, "temperature": calibration.temperature}
        section = {
            **calibration.to_dict(),
            "validation_files": [str(path) for path in validation],
            "held_out_files": [str(path) for path in held_out],
        }
        write_model_record(model_folder, replace(record, config=config, extra={**record.extra, "calibration": section}))
    return calibration


def calibrate_classifier(
    classifier: StanceClassifier,
    validation: Sequence[LabelledStatement],
    *,
    held_out: Sequence[LabelledStatement] | None = None,
    bins: int = CALIBRATION_BINS,
    batch_size: int = 32,
) -> Calibration:
    """The temperature that minimises the NLL of ``validation`` under ``classifier``, with the
    figures before and after it; nothing is changed. To use it, set
    ``classifier.config = dataclasses.replace(classifier.config, temperature=calibration.temperature)``
    before saving the classifier."""
    if not validation:
        raise DataError("expected labelled validation statements to fit a temperature on, found none")
    previous = classifier.config.temperature
    logits, gold = _logits_and_gold(classifier, validation, batch_size)
    temperature = fit_temperature(logits, gold)
    figures = {"validation": _before_and_after(logits, gold, previous, temperature, bins)}
    if held_out:
        figures["held_out"] = _before_and_after(
            *_logits_and_gold(classifier, held_out, batch_size), previous, temperature, bins
        )
    return Calibration(temperature, previous, len(validation), bins, figures)


def calibration_scores(
    logits: Sequence[Sequence[float]], gold: Sequence[int], temperature: float, bins: int = CALIBRATION_BINS
) -> dict:
    """``nll``, ``ece``, ``accuracy`` and ``confidence`` (mean top probability) of ``gold`` (label
    indices) under ``softmax(logits / temperature)``."""
    probabilities = [softmax(row, temperature) for row in logits]
    top = [max(range(len(row)), key=row.__getitem__) for row in probabilities]
    correct = [predicted == label for predicted, label in zip(top, gold)]
    confidences = [row[predicted] for row, predicted in zip(probabilities, top)]
    return {
        "rows": len(gold),
        "nll": negative_log_likelihood(logits, gold, temperature),
        "ece": expected_calibration_error(confidences, correct, bins),
        "accuracy": sum(correct) / len(gold),
        "confidence": sum(confidences) / len(gold),
    }


def calibration_card(section: dict) -> str:
    """The model card's "Calibration" section (Markdown) from a record's ``calibration`` section
    (`Calibration.to_dict`, with ``validation_files`` / ``held_out_files`` when `calibrate` wrote it)."""
    lines = [
        "## Calibration",
        "",
        f"Logits are divided by the temperature {section['temperature']:.3f} before the softmax, fitted "
        f"(minimum NLL) on {section['rows']} validation statements"
        + "".join(f" `{path}`" for path in section.get("validation_files", []))
        + ". Predicted labels don't change; ECE is the expected calibration error of the top label "
        f"over {section['bins']} equal-width bins.",
        "",
        "| statements | temperature | rows | NLL | ECE | accuracy | mean confidence |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in ("validation", "held_out"):
        for when in ("before", "after"):
            if name in section:
                scores = section[name][when]
                lines.append(
                    f"| {name.replace('_', '-')}, {when} | {scores['temperature']:.3f} | {scores['rows']} | "
                    f"{scores['nll']:.3f} | {scores['ece']:.3f} | {scores['accuracy']:.3f} | {scores['confidence']:.3f} |"
                )
    if section.get("held_out_files"):
        lines += [
            "",
            "Held out: " + ", ".join(f"`{path}`" for path in section["held_out_files"]) + " (never fitted on).",
        ]
    return "\n".join(lines) + "\n"


def _before_and_after(logits, gold, before: float, after: float, bins: int) -> dict:
    return {
        "before": {"temperature": before, **calibration_scores(logits, gold, before, bins)},
        "after": {"temperature": after, **calibration_scores(logits, gold, after, bins)},
    }


def _logits_and_gold(
    classifier: StanceClassifier, statements: Sequence[LabelledStatement], batch_size: int
) -> tuple[list[list[float]], list[int]]:
    logits = classifier.predict_logits([row.input for row in statements], batch_size=batch_size)
    return logits, [classifier.labels.index(row.label) for row in statements]
