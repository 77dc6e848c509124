"""`stance evaluate swap`: how often the stance label follows the speaker's camp, not the statement."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

import typer
from rich.table import Table

from stance.cli.app import evaluate_app
from stance.cli.common import Output, Precision, PrecisionOption, console_for, output_stream
from stance.errors import InputError
from stance.evaluation.bootstrap import RESAMPLES
from stance.evaluation.speaker_swap import CAMP_PAIRS, speaker_swap_files


class SwapFormat(str, Enum):
    table = "table"
    json = "json"


@evaluate_app.command("swap")
def evaluate_swap_cli(
    gold: list[Path] = typer.Argument(
        ..., help="Statements in the format of ../shared/data/stance/*.jsonl (labels are not used).", exists=True,
        dir_okay=False,
    ),
    model: str | None = typer.Option(None, "--model", "-m", help="Model folder, models/ name or hub id."),
    pair: list[str] = typer.Option(
        [], "--pair", help="A pair of opposite camps to swap, LIBERAL=CONSERVATIVE (repeatable), e.g. "
        "'Sen. Bernie Sanders=Sen. Mitch McConnell'. Default: " + "; ".join("=".join(p) for p in CAMP_PAIRS) + ".",
    ),
    batch_size: int = typer.Option(32, min=1),
    precision: Precision = PrecisionOption,
    bootstrap: int = typer.Option(
        RESAMPLES, min=0, help="Bootstrap resamples for the 95% intervals (0: none). Statements with the same "
        "`group` (or `article`) field are resampled together.",
    ),
    format: SwapFormat = typer.Option(SwapFormat.table, "--format", "-f", help="Output format."),
    output: Path | None = Output,
) -> None:
    """Put every statement in the mouth of each side of opposite camps ("Democratic leaders" /
    "Republican leaders", ...) and report the share whose predicted label changes, per pair,
    target and dataset, with its 95% bootstrap interval."""
    report = speaker_swap_files(
        gold, model, pairs=[parse_pair(text) for text in pair] or CAMP_PAIRS, batch_size=batch_size,
        precision=precision.value, resamples=bootstrap,
    )
    with output_stream(output) as stream:
        if format is SwapFormat.json:
            stream.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
            return
        console_for(stream).print(swap_table(report))


def parse_pair(text: str) -> tuple[str, str]:
    sides = tuple(side.strip() for side in text.split("="))
    if len(sides) != 2 or not all(sides):
        raise InputError(
            "--pair", f"expected LIBERAL=CONSERVATIVE, e.g. 'the ACLU=the Heritage Foundation', found {text!r}"
        )
    return sides


def swap_table(report: dict) -> Table:
    table = Table(
        title=f"label changed by swapping the speaker's camp: {report['rows']} statements "
        "(lean shift: P(favor) - P(against), conservative side minus liberal side)"
    )
    table.add_column("subset")
    table.add_column("pair")
    intervals = "resamples" in report
    for column in ("rows", "changed", *(["95% interval"] if intervals else []), "lean shift"):
        table.add_column(column, justify="right")
    subsets = [("all", report)]
    for key in ("by_target", "by_dataset"):
        subsets += [(f"{key[3:]}: {value}", part) for value, part in report[key].items()]
    for name, part in subsets:
        for pair, figures in [("all pairs", part), *part["by_pair"].items()]:
            table.add_row(
                name,
                pair,
                str(part["rows"]),
                f"{figures['changed']:.1%}",
                *(["{:.1%}-{:.1%}".format(*figures["interval"])] if intervals else []),
                f"{figures['lean_shift']:+.3f}",
            )
        table.add_section()
    return table
