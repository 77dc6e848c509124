"""`stance calibrate`: fit a stance model's temperature on validation statements (`stance.training.calibrate`)."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

import typer
from rich.table import Table

from stance.cli.app import app
from stance.cli.common import Output, console_for, output_stream
from stance.evaluation.metrics import CALIBRATION_BINS
from stance.training.calibrate import Calibration, calibrate


class CalibrateFormat(str, Enum):
    table = "table"
    json = "json"


@app.command("calibrate")
def calibrate_cli(
    model_folder: Path = typer.Argument(
        ..., help="A stance model folder written by `stance train`.", exists=True, file_okay=False
    ),
    validation: list[Path] = typer.Option(
        ...,
        "--validation",
        help="Labelled statements to fit the temperature on (repeatable); not training rows.",
        exists=True,
        dir_okay=False,
    ),
    held_out: list[Path] = typer.Option(
        [],
        "--held-out",
        help="Labelled statements scored before and after, never fitted on (repeatable).",
        exists=True,
        dir_okay=False,
    ),
    bins: int = typer.Option(CALIBRATION_BINS, min=1, help="Equal-width bins of the expected calibration error."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report the figures, but leave the folder as it is."),
    batch_size: int = typer.Option(32, min=1),
    format: CalibrateFormat = typer.Option(CalibrateFormat.table, "--format", "-f", help="Output format."),
    output: Path | None = Output,
) -> None:
    """Fit the temperature that divides the model's logits (minimum NLL on --validation), write it
    into the folder's stance_config.json, and print NLL and expected calibration error (ECE)
    before and after. Predicted labels don't change; only how sure the model says it is."""
    calibration = calibrate(
        model_folder, validation, held_out=held_out, bins=bins, write=not dry_run, batch_size=batch_size
    )
    with output_stream(output) as stream:
        if format is CalibrateFormat.json:
            stream.write(json.dumps(calibration.to_dict(), indent=2) + "\n")
            return
        console = console_for(stream)
        console.print(calibration_table(calibration))
        verb = "left unchanged (--dry-run)" if dry_run else "written"
        console.print(f"temperature {calibration.temperature:.3f}: {model_folder}/stance_config.json {verb}", soft_wrap=True)


def calibration_table(calibration: Calibration) -> Table:
    table = Table(title=f"calibration: temperature {calibration.temperature:.3f}, ECE over {calibration.bins} bins")
    for column in ("statements", "", "temperature", "rows", "NLL", "ECE", "accuracy", "mean confidence"):
        table.add_column(column, justify="left" if column in ("statements", "") else "right")
    for name in ("validation", "held_out"):
        for when in ("before", "after"):
            if name in calibration.figures:
                scores = calibration.figures[name][when]
                table.add_row(
                    name.replace("_", "-"),
                    when,
                    f"{scores['temperature']:.3f}",
                    str(scores["rows"]),
                    f"{scores['nll']:.4f}",
                    f"{scores['ece']:.4f}",
                    f"{scores['accuracy']:.3f}",
                    f"{scores['confidence']:.3f}",
                )
    return table
