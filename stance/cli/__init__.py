"""The `stance` command: a thin Typer layer over the library.

Each command lives in its own module and makes one library call; `main` turns the library's
`StanceError`s into a message on stderr and the error's exit code.
"""

from __future__ import annotations

import os
import sys

import typer

from stance.cli.app import app, evaluate_app
from stance.errors import StanceError

# Importing the command modules registers their commands on `app` / `evaluate_app`.
from stance.cli import (  # noqa: F401
    analyze,
    calibrate,
    evaluate_quotes,
    evaluate_speakers,
    evaluate_stance,
    evaluate_swap,
    label,
    quotes,
    report,
    train,
    train_tagger,
)

__all__ = ["app", "evaluate_app", "main"]


def main() -> None:
    # Torch's OpenMP threads spin while they wait for work; on a CPU shared with other jobs the
    # spinning takes the cores from everyone (the quote tagger on 2 threads ran 3x slower per
    # CPU-second). Set before torch is imported; a user's own setting wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    # The commands draw their own Rich progress; the libraries' bars and load reports would
    # interleave with it. Set before `datasets` / `transformers` are imported; a user's own
    # settings win.
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # transformers' weight-loading bar
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    try:
        # Without standalone mode, click returns the code of a `typer.Exit` instead of raising it.
        code = app(standalone_mode=False)
    except StanceError as error:
        typer.echo(f"Error: {error}", err=True)
        sys.exit(error.exit_code)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        typer.echo("Aborted.", err=True)
        sys.exit(130)
    except Exception as error:  # click's usage errors (click's own, or the copy typer >= 0.2x ships)
        if not (callable(getattr(error, "show", None)) and isinstance(getattr(error, "exit_code", None), int)):
            raise
        error.show()
        sys.exit(error.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
