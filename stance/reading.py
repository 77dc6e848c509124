"""Read documents from files, folders and JSONL into `Article` records.

Reading is lazy: documents are yielded one at a time, so a corpus is never held in memory. A
document that can't be read becomes a `Failure` in the stream instead of stopping the others.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from stance.errors import InputError
from stance.records import Article, Failure

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl",)


def read_documents(paths: Iterable[str | Path]) -> Iterator[Article | Failure]:
    """Yield an `Article` (or a `Failure`) for every document in ``paths``.

    ``.txt``/``.md`` files are one document each (id = file name without suffix); folders are
    walked recursively for those and ``.jsonl`` files; a ``.jsonl`` file holds one
    ``{"id": ..., "text": ..., "target"?: ...}`` object per line. A path that does not exist
    raises `InputError` before anything is read.
    """
    paths = [Path(p) for p in paths]
    for path in paths:
        if not path.exists():
            raise InputError(str(path), "no such file or folder")
    for path in paths:
        yield from _read_path(path)


def _read_path(path: Path) -> Iterator[Article | Failure]:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and child.suffix.lower() in TEXT_SUFFIXES + JSONL_SUFFIXES:
                yield from _read_path(child)
    elif path.suffix.lower() in JSONL_SUFFIXES:
        yield from _read_jsonl(path)
    else:
        yield _read_text_file(path)


def _read_text_file(path: Path) -> Article | Failure:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return Failure(str(path), f"can't read the file as UTF-8 text: {error}", path.stem)
    return Article(id=path.stem, text=text, origin=str(path))


def _read_jsonl(path: Path) -> Iterator[Article | Failure]:
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            origin = f"{path}:{number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                yield Failure(origin, f"not a JSON object: {error.msg}")
                continue
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                yield Failure(origin, 'expected an object with a string "text" field')
                continue
            doc_id = str(row.get("id", f"{path.stem}:{number}"))
            target = row.get("target") if isinstance(row.get("target"), str) else None
            yield Article(id=doc_id, text=row["text"], target=target, origin=origin)
