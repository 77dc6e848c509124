"""`stance label`: the statements of articles with the model's suggestions, to label for `stance train`,
in a file (`stance.labelling.write_label_queue`) or one at a time in the terminal
(`stance.labelling.open_label_session`)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

import typer
from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from stance.cli.app import app
from stance.cli.common import Fast, Glob, Inputs
from stance.labelling import (
    LabelQueue,
    LabelRow,
    LabelSession,
    LabelSettings,
    open_label_session,
    write_label_queue,
)
from stance.labelling.rows import quote_spans
from stance.pipeline import Pipeline
from stance.reading import ReadOptions, read_documents
from stance.records import DEFAULT_TARGET

# The keys of the terminal session and the labels they give.
ANSWER_KEYS = {"f": "favor", "a": "against", "n": "neutral"}
QUIT_KEYS = ("q", "\x04")  # q or Ctrl-D
KEY_HELP = "[f] favor  [a] against  [n] neutral  [s] skip  [u] undo  [q] quit"


class Order(str, Enum):
    random = "random"
    uncertain = "uncertain"
    article = "article"


class LabelFileFormat(str, Enum):
    csv = "csv"
    jsonl = "jsonl"


@app.command("label")
def label_cli(
    paths: list[Path] = Inputs,
    output: Path = typer.Option(
        ..., "--output", "-o", dir_okay=False,
        help="The label file, .csv or .jsonl; its labelled rows are kept and never asked again.",
    ),
    target: str = typer.Option(
        DEFAULT_TARGET, "--target", "-t", help='Stance toward what; a .jsonl row\'s own "target" wins.'
    ),
    model: str | None = typer.Option(
        None, "--model", "-m", help="The model that suggests labels: folder, models/ name or hub id. Default: shipped model."
    ),
    order: Order = typer.Option(
        Order.random, "--order", help="random: a fixed shuffle of all the statements; uncertain: the model's "
        "least sure first (smallest margin between its two most probable labels), which did not beat random when "
        "measured (docs/labelling.md); article: reading order.",
    ),
    limit: int | None = typer.Option(None, "--limit", min=1, help="At most this many statements not yet labelled."),
    format: LabelFileFormat | None = typer.Option(
        None, "--format", "-f", help="csv (opens in a spreadsheet) or jsonl. Default: from the --output suffix."
    ),
    interactive: bool = typer.Option(
        False, "--interactive", "-i", help="Ask the statements one at a time here; each answer is saved at once.",
    ),
    glob: str | None = Glob,
    fast: bool = Fast,
) -> None:
    """Write one row per quote (the `stance train` fields, the model's suggestion, an empty label) to
    label in a spreadsheet, or label them here with --interactive; rerun to go on where you stopped."""
    settings = LabelSettings(target=target, order=order.value, limit=limit, format=format.value if format else None)
    # The model is loaded before any document is read, so a bad --model fails at once.
    pipeline = Pipeline(model, fast=fast)
    documents = read_documents(paths, ReadOptions(glob=glob))
    console = Console(stderr=True, soft_wrap=True)
    if not interactive:
        queue = write_label_queue(documents, output, pipeline, settings)
        report_queue(console, queue, settings)
        return
    with open_label_session(documents, output, pipeline, settings) as session:
        report_failures(console, session.summary)
        ask(Console(), session)
        console.print(
            f"{session.answered} labelled in this session, {session.labelled} in {output}; "
            f"{len(session.rows) - session.answered} not labelled (rerun to go on). "
            f"Next: stance train {output} --output models/NAME"
        )


def report_queue(console: Console, queue: LabelQueue, settings: LabelSettings) -> None:
    report_failures(console, queue)
    first = {"random": "in random order", "uncertain": "least certain first", "article": "in reading order"}[settings.order]
    console.print(
        f"{queue.found} statements found; {queue.labelled} already labelled in {queue.path} (kept); "
        f"{queue.queued} to label written, {first}."
    )
    console.print(f"Fill the `label` column (favor / against / neutral), then: stance train {queue.path} --output models/NAME")


def report_failures(console: Console, queue: LabelQueue) -> None:
    for failure in queue.failures:
        console.print(f"Skipped {failure.origin}: {failure.reason}")


def ask(console: Console, session: LabelSession) -> None:
    """Show each statement and act on the keys until every one is answered or skipped, or q."""
    shown = None
    with single_keys() as read_keys:
        while (row := session.current) is not None:
            if row is not shown:
                console.print(statement_panel(row, session))
                shown = row
            try:
                keys = read_keys()
            except (KeyboardInterrupt, EOFError):  # Ctrl-C: every answer is already saved
                return
            for key in keys.lower():
                if key in QUIT_KEYS:
                    return
                if key in ANSWER_KEYS:
                    console.print(f"  -> {ANSWER_KEYS[key]} (saved)")
                    session.answer(ANSWER_KEYS[key])
                elif key == "s":
                    console.print("  -> skipped")
                    session.skip()
                elif key == "u":
                    undone = session.undo()
                    console.print("  <- undone, asking again" if undone else "  nothing to undo in this session")
                    shown = None
                if session.current is None:
                    return
            if not keys:  # end of input
                return


@contextmanager
def single_keys() -> Iterator[Callable[[], str]]:
    """A function that returns the keys typed, without Enter or echo.

    On a terminal, cbreak mode is set once for the whole session rather than around each read
    (as `typer.getchar` does): keys typed while the next statement is drawn are kept, not flushed.
    Elsewhere (Windows, tests' CliRunner) `typer.getchar` reads one key at a time.
    """
    try:
        import termios
        import tty
    except ImportError:  # Windows
        termios = None
    if termios is None or not sys.stdin.isatty():
        yield typer.getchar
        return
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    tty.setcbreak(fd, termios.TCSANOW)  # TCSANOW: keep what was typed ahead
    try:
        yield lambda: os.read(fd, 32).decode(sys.stdin.encoding or "utf-8", "replace")
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def statement_panel(row: LabelRow, session: LabelSession) -> Panel:
    """A statement as the session shows it: who said it and how, the paragraph with the quote
    highlighted, and the model's suggestion."""
    who = Text.assemble((row.speaker or "unknown speaker", "bold"), " ", (row.cue or "said", "italic"))
    body = [who, Text(f"target: {row.target}", style="dim"), Text(""), highlighted(row)]
    if row.suggested:
        probability = f" ({row.probability:.2f})" if row.probability is not None else ""
        body += [Text(""), Text.assemble("suggested: ", (row.suggested, "bold"), probability)]
    body += [Text(KEY_HELP, style="dim")]
    title = f"statement {session.position} of {len(session.rows)} · {session.labelled} labelled · {row.article}"
    return Panel(Group(*body), title=title, title_align="left")


def highlighted(row: LabelRow) -> Text:
    """The context with the quote highlighted in it, or the quote above the context when the
    context does not hold it."""
    context = row.context or ""
    spans = quote_spans(row.text, context)
    if not spans:
        return Text.assemble((" ".join(row.text.split()), "bold yellow"), *(("\n", (context, "dim")) if context else ()))
    text = Text(context)
    for start, end in spans:
        text.stylize("bold yellow", start, end)
    return text
