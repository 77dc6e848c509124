"""Read documents from files, folders, stdin, JSONL, CSV and Parquet into `Article` records.

Reading is lazy: documents are yielded one at a time (Parquet in small row batches), so a corpus is
never held in memory. A document that can't be read becomes a `Failure` in the stream, naming the
file and line (or row) and the reason, instead of stopping the others.

Formats, by file suffix:

- ``.txt`` / ``.md`` (and any file named explicitly with another suffix): one document each; its id
  is the file's path below the folder it was found in, without suffix (``2024/01/story``), or the
  file name without suffix when the file was named directly.
- ``.jsonl``: one JSON object per line.
- ``.csv``: a header row, then one document per row.
- ``.parquet``: one document per row.

A path may also be a URI on any filesystem pyarrow supports (``s3://bucket/news/``,
``gs://bucket/dump.jsonl``, ``file:///data/news``): its files are listed and read through
``pyarrow.fs`` with the same formats and ids (``--glob`` is matched against the path below the
folder, from the right).

Structured formats take the document's id, text and target from the fields named in
`ReadOptions` (``id``/``text``/``target`` by default); a missing id becomes ``<file stem>:<line>``.
``-`` reads stdin: JSONL when its first non-blank character is ``{``, else one text document
(``stdin_format`` forces a format).

Encoding: UTF-8 (a byte-order mark is dropped); text that is not valid UTF-8 is decoded as cp1252,
the usual encoding of Western news exports that are not UTF-8, and a warning is logged. Bytes that
neither decodes, a NUL byte (binary content), an empty or whitespace-only text and a text longer
than ``max_chars`` are failures.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Literal

from stance.errors import InputError
from stance.records import Article, Failure, Span
from stance.text import PARAGRAPH

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl",)
CSV_SUFFIXES = (".csv",)
PARQUET_SUFFIXES = (".parquet",)
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + JSONL_SUFFIXES + CSV_SUFFIXES + PARQUET_SUFFIXES
STDIN = "-"
STDIN_ORIGIN = "<stdin>"
# The fallback for bytes that are not UTF-8: Windows' Western code page, which is what most
# non-UTF-8 news exports are written in (and which, unlike latin-1, rejects bytes no text has).
FALLBACK_ENCODING = "cp1252"
# About 1,000 pages of news; far above any article, low enough to stop a stray dump or log file.
DEFAULT_MAX_CHARS = 2_000_000
# Characters take at most 4 bytes in UTF-8: a file larger than this can't be under the limit.
MAX_BYTES_PER_CHAR = 4
PARQUET_ROWS_PER_BATCH = 256

StdinFormat = Literal["auto", "text", "jsonl", "csv"]


@dataclass(frozen=True)
class ReadOptions:
    """How to find and read documents; the CLI's input options map to these fields."""

    glob: str | None = None  # only files below a folder that match (e.g. "*.txt", "2024/**/*.jsonl")
    id_field: str = "id"
    text_field: str = "text"
    target_field: str = "target"
    max_chars: int = DEFAULT_MAX_CHARS
    stdin_format: StdinFormat = "auto"


@dataclass(frozen=True)
class InputFile:
    """One file to read: a local path, or a URI read through ``pyarrow.fs``; ``doc_id`` is the
    id of its document when it is a text file."""

    location: Path | str
    doc_id: str

    @property
    def suffix(self) -> str:
        return PurePosixPath(str(self.location)).suffix.lower()

    @property
    def stem(self) -> str:
        return PurePosixPath(str(self.location)).stem

    def __str__(self) -> str:
        return str(self.location)

    def open(self) -> BinaryIO:
        if isinstance(self.location, Path):
            return self.location.open("rb")
        filesystem, path = _filesystem(self.location)
        return io.BufferedReader(filesystem.open_input_file(path))

    def size(self) -> int:
        if isinstance(self.location, Path):
            return self.location.stat().st_size
        filesystem, path = _filesystem(self.location)
        return filesystem.get_file_info(path).size


def is_uri(path: str | Path) -> bool:
    """Whether ``path`` names a file on another filesystem (``s3://``, ``gs://``, ``file://``)."""
    return "://" in str(path)


def read_documents(
    paths: Iterable[str | Path], options: ReadOptions | None = None, *, stdin: BinaryIO | None = None
) -> Iterator[Article | Failure]:
    """Yield an `Article` (or a `Failure`) for every document in ``paths``, in order.

    Folders are walked recursively (sorted) for files with a supported suffix, or for files
    matching ``options.glob``. ``-`` reads ``stdin`` (the process's stdin by default). A path that
    does not exist raises `InputError` before anything is read.
    """
    options = options or ReadOptions()
    paths = [str(p) if str(p) == STDIN or is_uri(p) else Path(p) for p in paths]
    for path in paths:
        if path != STDIN and not _exists(path):
            raise InputError(str(path), "no such file or folder; check the path")
    return _read_paths(paths, options, stdin)


def _read_paths(
    paths: list[str | Path], options: ReadOptions, stdin: BinaryIO | None
) -> Iterator[Article | Failure]:
    for path in paths:
        if path == STDIN:
            yield from _read_stdin(stdin or sys.stdin.buffer, options)
        else:
            for file in files_of(path, options):
                yield from read_file(file, options)


def files_of(path: str | Path, options: ReadOptions | None = None) -> list[InputFile]:
    """The files ``path`` names, in the order `read_documents` reads them: the file itself, or the
    files of a folder (recursively, sorted), each with the id of its document."""
    options = options or ReadOptions()
    if is_uri(path):
        return _uri_files(str(path), options.glob)
    path = Path(path)
    if not path.exists():
        raise InputError(str(path), "no such file or folder; check the path")
    if not path.is_dir():
        return [InputFile(path, path.stem)]
    return [
        InputFile(child, child.relative_to(path).with_suffix("").as_posix())
        for child in _folder_files(path, options.glob)
    ]


def estimate_documents(paths: Iterable[str | Path], options: ReadOptions | None = None) -> int | None:
    """About how many documents ``paths`` hold, for a progress bar's ETA; None when unknown (stdin).

    Counts files, non-blank JSONL lines, CSV lines less the header (a row spanning lines counts
    more than once) and Parquet rows from the file footer: a fast pass over bytes, no parsing.
    """
    options = options or ReadOptions()
    total = 0
    for path in paths:
        if str(path) == STDIN or is_uri(path):  # a count would read a remote corpus twice
            return None
        for file in files_of(path, options):
            try:
                total += _estimate_file(file)
            except Exception:  # an unreadable file is a failure when read; here it just counts 1
                total += 1
    return total


def _estimate_file(file: InputFile) -> int:
    suffix = file.suffix
    if suffix in PARQUET_SUFFIXES:
        import pyarrow.parquet as pq

        return pq.ParquetFile(file.location).metadata.num_rows
    if suffix not in JSONL_SUFFIXES + CSV_SUFFIXES:
        return 1
    with file.open() as lines:
        count = sum(1 for line in lines if line.strip())
    return count - 1 if suffix in CSV_SUFFIXES else count


def _folder_files(folder: Path, glob: str | None) -> list[Path]:
    if glob:
        return sorted(child for child in folder.rglob(glob) if child.is_file())
    return sorted(
        child
        for child in folder.rglob("*")
        if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES
    )


def _uri_files(uri: str, glob: str | None) -> list[InputFile]:
    from pyarrow.fs import FileSelector, FileType

    filesystem, root = _filesystem(uri)
    info = filesystem.get_file_info(root)
    if info.type == FileType.NotFound:
        raise InputError(uri, "no such file or folder; check the path")
    if info.type != FileType.Directory:
        return [InputFile(uri, PurePosixPath(root).stem)]
    below = []
    for child in filesystem.get_file_info(FileSelector(root, recursive=True)):
        relative = PurePosixPath(child.path).relative_to(root.rstrip("/"))
        wanted = relative.match(glob) if glob else relative.suffix.lower() in SUPPORTED_SUFFIXES
        if child.type == FileType.File and wanted:
            below.append(relative)
    base = uri.rstrip("/")
    return [InputFile(f"{base}/{relative}", relative.with_suffix("").as_posix()) for relative in sorted(below)]


def _filesystem(uri: str):
    """The ``pyarrow.fs`` filesystem of ``uri`` and the path on it."""
    from pyarrow.fs import FileSystem

    try:
        return FileSystem.from_uri(uri)
    except Exception as error:  # pyarrow raises several types for unknown schemes and bad URIs
        raise InputError(uri, f"expected a URI pyarrow can read (s3://, gs://, file://), found: {error}") from None


def _exists(path: str | Path) -> bool:
    if isinstance(path, Path):
        return path.exists()
    from pyarrow.fs import FileType

    filesystem, where = _filesystem(path)
    return filesystem.get_file_info(where).type != FileType.NotFound


def read_file(file: InputFile, options: ReadOptions | None = None) -> Iterator[Article | Failure]:
    """The documents of one file (one of `files_of`), as `read_documents` yields them."""
    options = options or ReadOptions()
    suffix = file.suffix
    if suffix in PARQUET_SUFFIXES:
        yield from _read_parquet(file, options)
        return
    if suffix not in JSONL_SUFFIXES + CSV_SUFFIXES:
        yield _read_text_file(file, options)
        return
    try:
        stream = file.open()
    except OSError as error:
        yield Failure(str(file), f"can't open the file: {error.strerror or error}")
        return
    with stream:
        read_rows = _read_jsonl if suffix in JSONL_SUFFIXES else _read_csv
        yield from read_rows(stream, str(file), file.stem, options)


def _read_stdin(stream: BinaryIO, options: ReadOptions) -> Iterator[Article | Failure]:
    lines = iter(stream)
    head: list[bytes] = []
    fmt = options.stdin_format
    if fmt == "auto":
        # Look at the first non-blank line to tell JSONL from plain text, keeping what was read.
        for line in lines:
            head.append(line)
            if line.strip():
                break
        fmt = "jsonl" if b"".join(head).lstrip().startswith(b"{") else "text"
    lines = chain(head, lines)
    if fmt == "jsonl":
        yield from _read_jsonl(lines, STDIN_ORIGIN, "stdin", options)
    elif fmt == "csv":
        yield from _read_csv(lines, STDIN_ORIGIN, "stdin", options)
    else:
        yield _text_document(b"".join(lines), STDIN_ORIGIN, "stdin", options)


def _read_text_file(file: InputFile, options: ReadOptions) -> Article | Failure:
    origin, doc_id = str(file), file.doc_id
    try:
        size = file.size()
        if size > options.max_chars * MAX_BYTES_PER_CHAR:
            return Failure(origin, _too_long(f"{size:,} bytes", options), doc_id)
        with file.open() as stream:
            data = stream.read()
    except OSError as error:
        return Failure(origin, f"can't read the file: {error.strerror or error}", doc_id)
    return _text_document(data, origin, doc_id, options)


def _text_document(data: bytes, origin: str, doc_id: str, options: ReadOptions) -> Article | Failure:
    if b"\0" in data:
        return Failure(origin, _binary(data.index(b"\0")), doc_id)
    text = _decode(data, origin)
    if text is None:
        return Failure(origin, _undecodable(data), doc_id)
    problem = _text_problem(text, options)
    if problem:
        return Failure(origin, problem, doc_id)
    return Article(id=doc_id, text=text, origin=origin)


def _read_jsonl(
    lines: Iterable[bytes], source: str, stem: str, options: ReadOptions
) -> Iterator[Article | Failure]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        origin = f"{source}:{number}"
        if b"\0" in line:
            yield Failure(origin, _binary(line.index(b"\0")) + "; the rest of the file is skipped")
            return
        text = _decode(line, origin, first=number == 1)
        if text is None:
            yield Failure(origin, _undecodable(line))
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as error:
            reason = f"expected a JSON object, found malformed JSON: {error.msg} (column {error.colno})"
            yield Failure(origin, reason)
            continue
        if not isinstance(row, dict):
            yield Failure(origin, f"expected a JSON object, found {type(row).__name__}")
            continue
        yield _row_document(row, origin, f"{stem}:{number}", options)


def _read_csv(
    lines: Iterable[bytes], source: str, stem: str, options: ReadOptions
) -> Iterator[Article | Failure]:
    # A text may be far longer than the csv module's default field limit (128 KiB); the limit is
    # per process, so it is only ever raised, to what the size limit allows.
    csv.field_size_limit(max(csv.field_size_limit(), options.max_chars + 1))
    decoded = _decoded_lines(lines, source)
    reader = csv.reader(decoded, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        yield Failure(source, "expected a header row naming the fields, found an empty file")
        return
    except (csv.Error, _Unreadable) as error:
        yield Failure(f"{source}:1", f"can't read the header row: {error}")
        return
    if options.text_field not in header:
        yield Failure(
            source,
            f'expected a "{options.text_field}" column, found {", ".join(header)}; '
            "name the text column with --text-field",
        )
        return
    while True:
        line = reader.line_num + 1
        origin = f"{source}:{line}"
        try:
            fields = next(reader)
        except StopIteration:
            return
        except _Unreadable as error:
            yield Failure(origin, f"{error}; the rest of the file is skipped")
            return
        except csv.Error as error:
            reason = f"malformed CSV row: {error}; quote fields that hold commas, quotes or newlines"
            yield Failure(origin, reason)
            continue
        if not fields:
            continue
        if len(fields) != len(header):
            yield Failure(
                origin,
                f"expected {len(header)} fields like the header, found {len(fields)}; "
                "quote fields that hold commas",
            )
            continue
        yield _row_document(dict(zip(header, fields)), origin, f"{stem}:{line}", options)


def _read_parquet(file: InputFile, options: ReadOptions) -> Iterator[Article | Failure]:
    import pyarrow.parquet as pq  # only needed for Parquet input

    origin = str(file)
    try:
        table = pq.ParquetFile(file.location if isinstance(file.location, Path) else file.open())
        columns = table.schema_arrow.names
    except Exception as error:  # pyarrow raises several unrelated types for a bad file
        yield Failure(origin, f"can't read the file as Parquet: {error}")
        return
    if options.text_field not in columns:
        yield Failure(
            origin,
            f'expected a "{options.text_field}" column, found {", ".join(columns)}; '
            "name the text column with --text-field",
        )
        return
    wanted = [name for name in (options.id_field, options.text_field, options.target_field) if name in columns]
    row_number = 0
    try:
        for batch in table.iter_batches(batch_size=PARQUET_ROWS_PER_BATCH, columns=wanted):
            for row in batch.to_pylist():
                row_number += 1
                yield _row_document(row, f"{origin}:row {row_number}", f"{file.stem}:{row_number}", options)
    except Exception as error:
        yield Failure(f"{origin}:row {row_number + 1}", f"can't read the rest of the file: {error}")


def _row_document(row: Mapping, origin: str, default_id: str, options: ReadOptions) -> Article | Failure:
    """The `Article` of one JSONL/CSV/Parquet row, or why it can't be one."""
    raw_id = row.get(options.id_field)
    doc_id = default_id if raw_id is None or raw_id == "" else str(raw_id)
    text = row.get(options.text_field)
    if not isinstance(text, str):
        found = "no such field" if text is None else f"a {type(text).__name__}"
        return Failure(
            origin,
            f'expected a string "{options.text_field}" field, found {found}; '
            "name the text field with --text-field",
            doc_id,
        )
    problem = _text_problem(text, options)
    if problem:
        return Failure(origin, problem, doc_id)
    target = row.get(options.target_field)
    target = target if isinstance(target, str) and target.strip() else None
    return Article(id=doc_id, text=text, target=target, origin=origin)


def _text_problem(text: str, options: ReadOptions) -> str | None:
    if not text.strip():
        return "expected a text, found an empty or whitespace-only one"
    if len(text) > options.max_chars:
        return _too_long(f"{len(text):,} characters", options)
    return None


class _Unreadable(Exception):
    """Raised inside a line stream that can't go on (binary content, undecodable bytes)."""


def _decoded_lines(lines: Iterable[bytes], source: str) -> Iterator[str]:
    """Decode a stream line by line (for the csv module), stopping at binary content."""
    for number, line in enumerate(lines, start=1):
        if b"\0" in line:
            raise _Unreadable(f"line {number}: " + _binary(line.index(b"\0")))
        text = _decode(line, f"{source}:{number}", first=number == 1)
        if text is None:
            raise _Unreadable(f"line {number}: " + _undecodable(line))
        yield text


def _decode(data: bytes, origin: str, *, first: bool = True) -> str | None:
    """UTF-8, else cp1252 with a warning, else None; a byte-order mark is dropped from the ``first``
    line of a file only (elsewhere U+FEFF is text)."""
    try:
        return data.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode(FALLBACK_ENCODING)
    except UnicodeDecodeError:
        return None
    logger.warning("%s: not valid UTF-8; decoded as %s", origin, FALLBACK_ENCODING)
    return text


def _binary(offset: int) -> str:
    return f"expected text, found binary content (a NUL byte at byte {offset}); pass text files only"


def _undecodable(data: bytes) -> str:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        where = error.start
    return (
        f"expected UTF-8 or {FALLBACK_ENCODING} text, found bytes neither decodes (at byte {where}); "
        "convert the file to UTF-8"
    )


def _too_long(found: str, options: ReadOptions) -> str:
    return (
        f"expected at most {options.max_chars:,} characters, found {found}; "
        "split the document or raise --max-chars"
    )


# --- Page furniture ---------------------------------------------------------------------------
# Lines that a web page adds around an article and that are not its prose: photo captions and
# credits, links to other stories, share and video prompts. Scraped news keeps them inline, and the
# extractors would read "READ MORE: Trump says …" or a caption's "…, says the mayor. (Jane
# Doe/CBC)" as a quote. They are recognised here, as spans of the untouched text (the text itself is
# never changed, so every offset stays exact), and `stance.pipeline.extract` drops what lies in them.
FURNITURE_LINE = re.compile(
    r"""
    (?:open|view|see)\ this\ photo\ in\ gallery\b     # photo gallery prompts
    | (?:read|see|watch)\ more\b | more: | watch: | related: | also\ read:
    | story\ continues\ below | advertisement\s*$ | share\ this\b | click\ here\b
    | (?:photo|video|image|file\ photo)(?:\ credit)?\s*:
    """,
    re.IGNORECASE | re.VERBOSE,
)
# A credit line or a caption's closing credit: "REUTERS/Chris Helgren/File Photo",
# "(Kali Madej/Dixon Hall)", "(Getty Images)", "(The Canadian Press)".
PHOTO_CREDIT = re.compile(
    r"""
    ^[A-Z][A-Za-z.'’ -]*/[A-Za-z.'’ /-]+$
    | \((?:[^()\n]*/[^()\n]*|[^()\n]*\b(?:Images|Press|Photo|Reuters|AFP|AP|File)\b[^()\n]*)\)[.\s]*$
    """,
    re.VERBOSE,
)


def page_furniture(text: str) -> tuple[Span, ...]:
    """The lines of ``text`` that are page furniture rather than prose (captions, credits, "READ
    MORE:" links, share and photo prompts), as spans of the untouched text."""
    spans = []
    for line in PARAGRAPH.finditer(text):
        stripped = line.group().strip()
        if FURNITURE_LINE.match(stripped) or PHOTO_CREDIT.search(stripped):
            spans.append(Span.of(text, line.start(), line.end()))
    return tuple(spans)
