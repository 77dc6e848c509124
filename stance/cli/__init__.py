"""The `stance` command: a thin Typer layer over the library.

Each command lives in its own module and makes one library call; `main` turns the library's
`StanceError`s into a message on stderr and the error's exit code.
"""

from __future__ import annotations

import os
import sys

import typer

from stance.errors import StanceError

app = typer.Typer(
    name="stance",
    help="Find who said what in news articles, and how each speaker stands on a question.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
evaluate_app = typer.Typer(help="Score the pipeline against gold annotations.", no_args_is_help=True)
app.add_typer(evaluate_app, name="evaluate")

# Importing the command modules registers their commands on `app` / `evaluate_app`.
from stance.cli import quotes  # noqa: E402,F401
from stance.cli import evaluate_quotes  # noqa: E402,F401
from stance.cli import train  # noqa: E402,F401
from stance.cli import evaluate_stance  # noqa: E402,F401
from stance.cli import analyze  # noqa: E402,F401
from stance.cli import train_tagger  # noqa: E402,F401
from stance.cli import report  # noqa: E402,F401


def main() -> None:
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
