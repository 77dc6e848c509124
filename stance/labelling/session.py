"""`stance label`: from articles to a file of statements to label, or a labelling session.

Both run the pipeline (quotes, speakers, stance) over the articles and turn every quote into a
`LabelRow` with the model's suggestion. `write_label_queue` writes them all, in a fixed random
order or least certain first, for a spreadsheet; `open_label_session` hands them one at a time to
a person in the terminal and appends each answer to the file as it is given. Either way the
statements already labelled in the output file are kept and never asked again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stance.errors import DataError
from stance.labelling.files import (
    LabelAppender,
    LabelFormat,
    label_format,
    read_label_file,
    write_label_file,
)
from stance.labelling.rows import (
    LabelOrder,
    LabelRow,
    label_candidates,
    order_candidates,
)
from stance.pipeline import Pipeline
from stance.records import DEFAULT_TARGET, STANCE_LABELS, Article, Failure


@dataclass(frozen=True)
class LabelSettings:
    """What `stance label` asks for; the CLI's options map to these fields."""

    target: str = DEFAULT_TARGET  # an article's own target wins
    order: LabelOrder = "random"
    limit: int | None = None  # at most this many unlabelled statements per run
    format: LabelFormat | None = None  # None: from the output's suffix


@dataclass(frozen=True)
class LabelQueue:
    """What a run found and wrote: statements found in the articles, rows already labelled in the
    file (kept), unlabelled rows written or to ask, and the documents that failed."""

    path: Path
    found: int
    labelled: int
    queued: int
    failures: list[Failure] = field(default_factory=list)


def plan_rows(
    articles: Iterable[Article | Failure],
    output: str | Path,
    kept: Sequence[LabelRow],
    pipeline: Pipeline,
    settings: LabelSettings,
) -> tuple[list[LabelRow], list[LabelRow], LabelQueue]:
    """The rows of ``kept`` (the rows of the file ``output``) that are labelled, the statements
    still to label (in ``settings.order``, at most ``settings.limit``), and a summary. Runs the
    pipeline."""
    done = {row.id for row in kept if row.label}
    candidates, failures = label_candidates(pipeline.analyze(articles, settings.target))
    seen: set[str] = set()
    todo = []
    for candidate in order_candidates(candidates, settings.order):
        if candidate.row.id not in done and candidate.row.id not in seen:
            seen.add(candidate.row.id)
            todo.append(candidate.row)
    todo = todo[: settings.limit] if settings.limit is not None else todo
    labelled = [row for row in kept if row.label]
    return labelled, todo, LabelQueue(Path(output), len(candidates), len(labelled), len(todo), failures)


def write_label_queue(
    articles: Iterable[Article | Failure], output: str | Path, pipeline: Pipeline, settings: LabelSettings = LabelSettings()
) -> LabelQueue:
    """Write the label file ``output``: its labelled rows as they were, then every statement of
    ``articles`` not labelled yet, with a fresh suggestion, in ``settings.order``.

    Rerun after labelling some rows (or after training a better model) to re-rank the rest. The
    file is replaced atomically. Raises `DataError` when ``output`` exists and is not a label
    file, or has a suffix other than .csv / .jsonl.
    """
    format = label_format(output, settings.format)
    labelled, todo, summary = plan_rows(articles, output, read_label_file(output), pipeline, settings)
    write_label_file(output, [*labelled, *todo], format)
    return summary


def open_label_session(
    articles: Iterable[Article | Failure], output: str | Path, pipeline: Pipeline, settings: LabelSettings = LabelSettings()
) -> LabelSession:
    """A `LabelSession` over the statements of ``articles`` not yet labelled in ``output``.

    Rows of ``output`` without a label (a queue written by `write_label_queue`) are dropped first:
    the session asks them again, and appends each answer as its own row. Close the session (or
    use it as a context manager) when done.
    """
    format = label_format(output, settings.format)
    kept = read_label_file(output)
    labelled, todo, summary = plan_rows(articles, output, kept, pipeline, settings)
    if len(labelled) != len(kept):
        write_label_file(output, labelled, format)
    return LabelSession(todo, LabelAppender(output, format), summary)


class LabelSession:
    """Statements asked one at a time: `answer` appends the row with its label to the file at
    once (on disk before it returns), `skip` leaves it for another session, `undo` takes back
    this session's last answer (the file is cut back to before it) and asks it again."""

    def __init__(self, rows: Sequence[LabelRow], appender: LabelAppender, summary: LabelQueue):
        self.rows = list(rows)
        self.summary = summary
        self._appender = appender
        self._index = 0
        self._answers: list[tuple[int, int]] = []  # (row index, file offset before the answer)

    @property
    def current(self) -> LabelRow | None:
        """The statement to ask now; None when every one has been answered or skipped."""
        return self.rows[self._index] if self._index < len(self.rows) else None

    @property
    def position(self) -> int:
        """1-based place of `current` among this session's statements."""
        return self._index + 1

    @property
    def answered(self) -> int:
        """Answers given in this session (undone ones not counted)."""
        return len(self._answers)

    @property
    def labelled(self) -> int:
        """Labelled rows in the file: those before the session and this session's answers."""
        return self.summary.labelled + self.answered

    def answer(self, label: str) -> LabelRow:
        """Label `current` and append it to the file; returns the row written."""
        row = self._require_current()
        if label not in STANCE_LABELS:
            raise DataError(f"expected a label in {list(STANCE_LABELS)}, found {label!r}")
        answered = row.answered(label)
        self._answers.append((self._index, self._appender.append(answered)))
        self._index += 1
        return answered

    def skip(self) -> None:
        """Pass over `current`: nothing is written, and the next session asks it again."""
        self._require_current()
        self._index += 1

    def undo(self) -> LabelRow | None:
        """Take back this session's last answer: its row is cut from the file and it becomes
        `current` again (statements skipped after it are asked again too). None when this
        session has no answer to take back."""
        if not self._answers:
            return None
        self._index, offset = self._answers.pop()
        self._appender.remove_from(offset)
        return self.rows[self._index]

    def _require_current(self) -> LabelRow:
        row = self.current
        if row is None:
            raise DataError("expected a statement to label, found none left in this session")
        return row

    def close(self) -> None:
        self._appender.close()

    def __enter__(self) -> LabelSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
