"""Label files: the CSV or JSONL file `stance label` writes and a person fills in.

The columns are `LABEL_COLUMNS`; a row with an empty ``label`` is a statement nobody has labelled
yet, which `stance train` skips. A queue is rewritten whole and atomically (a temporary file
renamed over the old one); answers given in the terminal are appended one at a time and forced to
disk (`LabelAppender`), so a crash or a closed terminal loses none of them.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from stance.errors import DataError
from stance.labelling.rows import LABEL_COLUMNS, LabelRow

LabelFormat = Literal["csv", "jsonl"]
FORMAT_SUFFIXES: dict[str, LabelFormat] = {".csv": "csv", ".jsonl": "jsonl"}
# The columns a file must have to be read back as a label file.
REQUIRED_COLUMNS = ("id", "text", "target", "label")


def label_format(path: str | Path, format: LabelFormat | None = None) -> LabelFormat:
    """The format of the label file ``path``: ``format``, which must agree with the suffix
    `stance train` reads files by, or the suffix's. Raises `DataError` on another suffix."""
    suffix = Path(path).suffix.lower()
    found = FORMAT_SUFFIXES.get(suffix)
    if found is None:
        raise DataError(
            f"{path}: expected a label file ending in .csv or .jsonl (what `stance train` reads), found "
            f"{suffix or 'no suffix'}; name it e.g. to_label.csv"
        )
    if format is not None and format != found:
        raise DataError(f"{path}: --format {format} needs a file ending in .{format}, found {suffix}; rename it")
    return found


def is_label_file(path: str | Path) -> bool:
    """Whether ``path`` is a CSV or JSONL file with the ``suggested`` column `stance label` writes."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMAT_SUFFIXES or not path.is_file():
        return False
    with path.open(encoding="utf-8-sig", newline="") as stream:
        first = stream.readline()
    if suffix == ".csv":
        return "suggested" in next(csv.reader([first]), [])
    try:
        return "suggested" in json.loads(first)
    except (json.JSONDecodeError, TypeError):
        return False


def read_label_file(path: str | Path) -> list[LabelRow]:
    """The rows of a label file, in file order; none when it does not exist. Raises `DataError`
    naming the file (and line) when it is not a label file."""
    path = Path(path)
    if not path.exists():
        return []
    format = label_format(path)
    # utf-8-sig: a spreadsheet may save the file with a byte-order mark.
    with path.open(encoding="utf-8-sig", newline="") as stream:
        records = list(_csv_records(path, stream) if format == "csv" else _jsonl_records(path, stream))
    return [_label_row(origin, record) for origin, record in records]


def _csv_records(path: Path, stream) -> Iterable[tuple[str, dict]]:
    reader = csv.DictReader(stream)
    _check_columns(path, reader.fieldnames or [])
    for record in reader:
        yield f"{path}:{reader.line_num}", record


def _jsonl_records(path: Path, stream) -> Iterable[tuple[str, dict]]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        origin = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"{origin}: expected a JSON object, found invalid JSON ({error}); fix or drop the line") from None
        if not isinstance(record, dict):
            raise DataError(f"{origin}: expected a JSON object, found {type(record).__name__}")
        _check_columns(origin, list(record))
        yield origin, record


def _check_columns(origin: str | Path, columns: list[str]) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise DataError(
            f"{origin}: expected a label file written by `stance label` (columns {list(LABEL_COLUMNS)}), found "
            f"{columns}; pass another --output, or add {missing}"
        )


def _label_row(origin: str, record: dict) -> LabelRow:
    def text(name: str) -> str | None:
        value = record.get(name)
        return str(value).strip() or None if value is not None else None

    probability = text("probability")
    try:
        probability_value = float(probability) if probability is not None else None
    except ValueError:
        raise DataError(f"{origin}: expected a number in `probability`, found {probability!r}") from None
    if not text("id"):
        raise DataError(f"{origin}: expected an `id`, found none; rows keep the id `stance label` gave them")
    return LabelRow(
        id=text("id") or "",
        article=text("article") or "",
        text=text("text") or "",
        target=text("target") or "",
        speaker=text("speaker"),
        cue=text("cue"),
        context=text("context"),
        suggested=text("suggested"),
        probability=probability_value,
        label=(text("label") or "").lower(),
    )


def encode_row(row: LabelRow, format: LabelFormat) -> bytes:
    """One row as the bytes of a line of a label file (CSV quoting; JSONL with null for none)."""
    if format == "jsonl":
        return (json.dumps(row.to_dict(), ensure_ascii=False) + "\n").encode("utf-8")
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["" if value is None else value for value in row.to_dict().values()])
    return buffer.getvalue().encode("utf-8")


def _header(format: LabelFormat) -> bytes:
    if format == "jsonl":
        return b""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(LABEL_COLUMNS)
    return buffer.getvalue().encode("utf-8")


def write_label_file(path: str | Path, rows: Iterable[LabelRow], format: LabelFormat) -> None:
    """Write ``rows`` as the whole label file ``path``: to a temporary file beside it, renamed
    over it once complete, so the old file stays whole until the new one is."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as stream:
        stream.write(_header(format))
        for row in rows:
            stream.write(encode_row(row, format))
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(partial, path)


class LabelAppender:
    """Appends answers to a label file one at a time, each forced to disk before `append`
    returns; `remove_from` cuts the file back to an earlier `append`'s offset (undo)."""

    def __init__(self, path: str | Path, format: LabelFormat):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Binary append: offsets are byte positions, so an undo can cut the file exactly.
        self.format = format
        self._stream = self.path.open("ab")
        if self._stream.tell() == 0:
            self._write(_header(format))
        elif not _ends_with_newline(self.path):  # a file saved by hand without a final newline
            self._write(b"\r\n" if format == "csv" else b"\n")

    def append(self, row: LabelRow) -> int:
        """Append ``row``; returns the file's length before it, for `remove_from`."""
        offset = self._stream.tell()
        self._write(encode_row(row, self.format))
        return offset

    def remove_from(self, offset: int) -> None:
        """Cut the file back to ``offset`` bytes: the answers appended since are gone."""
        self._stream.flush()
        os.ftruncate(self._stream.fileno(), offset)
        self._stream.seek(offset)
        os.fsync(self._stream.fileno())

    def _write(self, data: bytes) -> None:
        self._stream.write(data)
        self._stream.flush()
        os.fsync(self._stream.fileno())

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> LabelAppender:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as stream:
        stream.seek(-1, os.SEEK_END)
        return stream.read(1) == b"\n"
