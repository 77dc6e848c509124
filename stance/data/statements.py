"""Labelled and unlabelled stance statements: the rows `stance train` learns from and
`stance evaluate stance` scores.

JSONL or CSV rows with ``text``, ``target``, ``label`` (favor / against / neutral) and optionally
``speaker``, ``cue``, ``context``, ``dataset`` and ``group`` (or ``article``: the unit evaluation
resamples whole and validation splits never cut). Read with the `datasets` library; every error
names the file and line.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from stance.errors import DataError
from stance.records import STANCE_LABELS, StanceInput

REQUIRED_FIELDS = ("text", "target", "label")
UNLABELLED_FIELDS = ("text", "target")
DATA_SUFFIXES = (".jsonl", ".json", ".csv")


@dataclass(frozen=True)
class LabelledStatement:
    """One row of training or evaluation data; ``origin`` is ``file:line``; ``group`` the article
    (or other unit) the statement came from, which evaluation resamples as a whole."""

    input: StanceInput
    label: str
    dataset: str | None
    origin: str
    group: str | None = None


def read_labelled(paths: Sequence[str | Path]) -> list[LabelledStatement]:
    """Read labelled statements from JSONL/CSV files with the `datasets` library.

    Raises `DataError` naming the file and line of the first row with a missing field or a label
    outside favor / against / neutral.
    """
    rows: list[LabelledStatement] = []
    for path in map(Path, paths):
        rows.extend(_read_labelled_file(path)[0])
    return rows


@dataclass(frozen=True)
class StatementRows:
    """What `read_statements` read: the labelled statements, and how many rows it left out for
    an empty ``label`` (statements `stance label` wrote that nobody has labelled yet)."""

    labelled: list[LabelledStatement]
    unlabelled: int


def read_statements(paths: Sequence[str | Path]) -> StatementRows:
    """Read labelled statements like `read_labelled`, but leave out and count the rows whose
    ``label`` is empty instead of stopping at them: a label file is trained on as it is, half
    filled in. The ``label`` column must still be there; raises `DataError` when no row has a
    label."""
    labelled: list[LabelledStatement] = []
    unlabelled = 0
    for path in map(Path, paths):
        rows, skipped = _read_labelled_file(path, skip_unlabelled=True)
        labelled.extend(rows)
        unlabelled += skipped
    if not labelled:
        raise DataError(
            f"{', '.join(map(str, paths))}: expected labelled rows, found {unlabelled} rows with an empty label "
            "and none labelled; fill the `label` column (favor / against / neutral) first"
        )
    return StatementRows(labelled, unlabelled)


def read_unlabelled(paths: Sequence[str | Path]) -> list[StanceInput]:
    """Read statements without labels (``text``, ``target``; ``speaker``, ``cue``, ``context``
    optional) for distillation: the teachers label them. Raises `DataError` like `read_labelled`."""
    return [_statement_input(row) for path in map(Path, paths) for _, row in _rows(path, UNLABELLED_FIELDS)]


def read_column(paths: Sequence[str | Path], name: str, *, optional: bool = False) -> list[str | None]:
    """The values of column ``name`` in the rows `read_labelled` reads from ``paths``, in the same
    order, as text (None where empty). Raises `DataError` naming a file without the column, unless
    ``optional``: then that file's rows are None."""
    values = []
    for path in map(Path, paths):
        for _, row in _rows(path, REQUIRED_FIELDS):
            if name not in row:
                if optional:
                    values.append(None)
                    continue
                raise DataError(f"{path}: expected a column `{name}` to split the scores by, found {sorted(row)}")
            values.append(_optional(str(row[name])) if row[name] is not None else None)
    return values


def _statement_input(row: dict) -> StanceInput:
    return StanceInput(
        target=row["target"].strip(),
        text=row["text"].strip(),
        speaker=_optional(row.get("speaker")),
        context=_optional(row.get("context")),
        cue=_optional(row.get("cue")),
    )


def _read_labelled_file(path: Path, *, skip_unlabelled: bool = False) -> tuple[list[LabelledStatement], int]:
    """The labelled statements of one file, and the number of rows left out for an empty label
    (with ``skip_unlabelled``; otherwise such a row raises `DataError`)."""
    statements, unlabelled = [], 0
    rows = _rows(path, UNLABELLED_FIELDS, may_be_empty=("label",)) if skip_unlabelled else _rows(path, REQUIRED_FIELDS)
    for origin, row in rows:
        if row["label"] is None or (isinstance(row["label"], str) and not row["label"].strip()):
            unlabelled += 1
            continue
        label = str(row["label"]).strip().lower()
        if label not in STANCE_LABELS:
            raise DataError(f"{origin}: expected a label in {list(STANCE_LABELS)}, found {row['label']!r}")
        statements.append(
            LabelledStatement(
                input=_statement_input(row),
                label=label,
                dataset=_optional(row.get("dataset")),
                origin=origin,
                group=_optional(row.get("group") or row.get("article")),
            )
        )
    return statements, unlabelled


def _rows(path: Path, required: Sequence[str], *, may_be_empty: Sequence[str] = ()) -> Iterator[tuple[str, dict]]:
    """``(origin, row)`` for every row of a JSONL/CSV file, read with `datasets`; ``origin`` is
    ``file:line``. Raises `DataError` on an unreadable file, a missing column (of ``required`` or
    ``may_be_empty``) or an empty ``required`` field."""
    from datasets import Dataset

    if not path.is_file():
        raise DataError(f"{path}: no such file; expected a JSONL or CSV file of statements")
    suffix = path.suffix.lower()
    if suffix not in DATA_SUFFIXES:
        raise DataError(f"{path}: expected a .jsonl or .csv file, found {suffix or 'no suffix'}")
    try:
        table = Dataset.from_csv(str(path)) if suffix == ".csv" else Dataset.from_json(str(path))
    except Exception as error:  # datasets/pyarrow raise many kinds on malformed files
        raise DataError(f"{path}: can't read it as {suffix[1:].upper()}: {error}") from None
    missing = [name for name in (*required, *may_be_empty) if name not in table.column_names]
    if missing:
        raise DataError(
            f"{path}: expected the columns {[*required, *may_be_empty]} (speaker, cue, context, dataset optional), "
            f"found {table.column_names}; add {missing}"
        )
    if not len(table):
        raise DataError(f"{path}: expected rows, found none")
    first_line = 2 if suffix == ".csv" else 1  # CSV line 1 is the header
    for number, row in enumerate(table, start=first_line):
        origin = f"{path}:{number}"
        for name in required:
            if not isinstance(row[name], str) or not row[name].strip():
                raise DataError(f"{origin}: expected a non-empty `{name}`, found {row[name]!r}; fill it or drop the row")
        yield origin, row


def _optional(value) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def split_validation(
    statements: Sequence[LabelledStatement], fraction: float, seed: int
) -> tuple[list[LabelledStatement], list[LabelledStatement]]:
    """A seeded random (train, validation) split; no validation when ``fraction`` is 0.

    Whole groups (articles) go to one side, so validation never scores an article the model
    trained on; statements without a group are units of their own.
    """
    size = int(round(len(statements) * fraction)) if fraction > 0 else 0
    size = min(size, len(statements) - 1)
    units = list(statement_groups(statements).values())
    random.Random(seed).shuffle(units)
    held: set[int] = set()
    for unit in units:
        if len(held) >= size:
            break
        if len(held) + len(unit) < len(statements):
            held.update(unit)
    return (
        [row for i, row in enumerate(statements) if i not in held],
        [row for i, row in enumerate(statements) if i in held],
    )


def statement_groups(statements: Sequence[LabelledStatement]) -> dict:
    """Indices of ``statements`` by group, in order of first appearance; ungrouped rows alone."""
    groups: dict = {}
    for i, row in enumerate(statements):
        groups.setdefault(row.group if row.group is not None else ("row", i), []).append(i)
    return groups
