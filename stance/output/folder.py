"""The output folder of a batch run: its files, appending whole lines, resume and repair.

The folder holds:

- ``articles.jsonl``: one `Analysis.to_dict` object per document, in input order;
- ``quotes.jsonl``: one object per quote: ``document``, ``target``, then `Quote.to_dict` (speaker,
  stance, scores, offsets);
- ``speakers.csv``: one row per speaker per document (`stance.output.tables.CSV_COLUMNS`);
- ``corpus.csv``: the same speaker merged across documents, per target
  (`stance.output.tables.CORPUS_COLUMNS`);
- ``failures.jsonl``: one `Failure.to_dict` object per document that could not be analysed.

Crash safety: the JSONL files are appended in whole lines, one write and flush per batch and
file, ``articles.jsonl`` first; a line cut by a kill is not valid JSON, so no reader takes it for
data. ``articles.jsonl`` and ``failures.jsonl`` are the record of what is done; ``quotes.jsonl`` is
derived from ``articles.jsonl``, and the two tables (``speakers.csv``, ``corpus.csv``, where a cut
row would look like data) are written whole from it at the end of a run, through a temporary file.
On ``resume``, a last line cut short is removed, ``quotes.jsonl`` is rebuilt from
``articles.jsonl``, and documents already there (by id) or in ``failures.jsonl`` (by origin) are
skipped — so the final files equal those of an uninterrupted run.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from stance.aggregate import merge_corpus
from stance.errors import InputError
from stance.output.tables import (
    CORPUS_COLUMNS,
    CSV_COLUMNS,
    corpus_csv_rows,
    csv_text,
    json_line,
    speaker_csv_rows,
)
from stance.records import Analysis, Article, Failure, SpeakerStance

logger = logging.getLogger(__name__)

ARTICLES_FILE = "articles.jsonl"
QUOTES_FILE = "quotes.jsonl"
SPEAKERS_FILE = "speakers.csv"
CORPUS_FILE = "corpus.csv"
FAILURES_FILE = "failures.jsonl"
OUTPUT_FILES = (ARTICLES_FILE, QUOTES_FILE, SPEAKERS_FILE, CORPUS_FILE, FAILURES_FILE)
# What is done; the other files are derived from these.
RECORD_FILES = (ARTICLES_FILE, FAILURES_FILE)
APPENDED_FILES = (ARTICLES_FILE, FAILURES_FILE, QUOTES_FILE)


class OutputFolder:
    """The output files of a run, opened for appending whole lines.

    Without ``resume`` the folder must not hold results yet; with it, the folder is repaired
    (`repair`) and what it records is skipped (`pending`). ``attributions`` (`Analysis.attributions`
    of this run) must then be what the documents there were analysed with, so that one folder never
    mixes statements-only results with every attribution.
    """

    def __init__(self, folder: Path, *, resume: bool, attributions: str | None = None):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        existing = [name for name in RECORD_FILES if _has_content(folder / name)]
        if existing and not resume:
            raise InputError(
                str(folder),
                f"expected an empty output folder, found results ({', '.join(existing)}); "
                "pass --resume to finish that run, or choose another --output-dir",
            )
        self.resume = resume
        self.done_ids: set[str] = set()
        self.done_failures: Counter[str] = Counter()
        if resume:
            self.done_ids = self.repair(attributions)
            for failure in read_jsonl(folder / FAILURES_FILE):
                self.done_failures[failure["origin"]] += 1
        self._streams: dict[str, IO[str]] = {}

    def __enter__(self) -> OutputFolder:
        for name in APPENDED_FILES:
            # newline="" keeps "\n" as it is on every platform.
            mode = "a" if self.resume else "w"
            self._streams[name] = (self.folder / name).open(mode, encoding="utf-8", newline="")
        return self

    def __exit__(self, *exc_info) -> None:
        for stream in self._streams.values():
            stream.close()

    def pending(
        self, documents: Iterable[Article | Failure], counts: Counter[str]
    ) -> Iterator[Article | Failure]:
        """``documents`` less those an earlier run wrote; a repeated id becomes a `Failure`.

        An earlier run's documents are recognised by id (``articles.jsonl``) or by origin
        (``failures.jsonl``: a failed row may have no id). The input is read in the same order
        every time, so the same documents are found to be repeats again. Each skipped document
        adds one to ``counts["skipped"]``.
        """
        first_origin: dict[str, str] = {}
        for document in documents:
            if isinstance(document, Article):
                if document.id in first_origin:
                    document = repeated_id(document.id, document.origin, first_origin[document.id])
                else:
                    first_origin[document.id] = document.origin or ""
            if isinstance(document, Failure):
                if self.done_failures[document.origin] > 0:
                    self.done_failures[document.origin] -= 1
                    counts["skipped"] += 1
                    continue
            elif document.id in self.done_ids:
                counts["skipped"] += 1
                continue
            yield document

    def write(self, results: Iterable[Analysis | Failure]) -> Counter[str]:
        """Append one batch; ``articles.jsonl`` first, so ``quotes.jsonl`` never runs ahead of it.

        Returns the ``documents``, ``quotes`` and ``failures`` written.
        """
        articles, quotes, failures = [], [], []
        written: Counter[str] = Counter()
        for result in results:
            if isinstance(result, Failure):
                failures.append(json_line(result.to_dict()))
                written["failures"] += 1
                continue
            document = result.to_dict()
            articles.append(json_line(document))
            quotes += _quote_lines(document)
            written["quotes"] += len(result.quotes)
        written["documents"] = len(articles) + len(failures)
        self._append(ARTICLES_FILE, "".join(articles))
        self._append(FAILURES_FILE, "".join(failures))
        self._append(QUOTES_FILE, "".join(quotes))
        return written

    def _append(self, name: str, text: str) -> None:
        if text:
            stream = self._streams[name]
            stream.write(text)
            stream.flush()

    def repair(self, attributions: str | None = None) -> set[str]:
        """Cut lines a crash left unfinished and rebuild ``quotes.jsonl`` from ``articles.jsonl``.

        Returns the ids in ``articles.jsonl``; refuses a folder whose documents were analysed
        with other ``attributions`` than those given (None: any).
        """
        for name in RECORD_FILES:
            cut_partial_line(self.folder / name)
        ids = set()
        with _replacing(self.folder / QUOTES_FILE) as quotes:
            for document in read_jsonl(self.folder / ARTICLES_FILE):
                kept = document.get("attributions", "speech")
                if attributions is not None and kept != attributions:
                    raise InputError(
                        str(self.folder),
                        f"expected results of --attributions {attributions} to resume, found "
                        f"{document['id']!r} analysed with --attributions {kept}; resume with that option",
                    )
                ids.add(document["id"])
                quotes.write("".join(_quote_lines(document)))
        return ids


def repeated_id(document_id: str, origin: str | None, first_origin: str) -> Failure:
    """The failure of a document whose id an earlier document of the run (at ``first_origin``) has."""
    return Failure(
        origin or "",
        f"expected a unique document id, found {document_id!r} again (first at {first_origin}); "
        "give every document its own id",
        document_id,
    )


def write_tables(folder: Path) -> int:
    """Write ``speakers.csv`` and ``corpus.csv`` whole from ``articles.jsonl``.

    Returns the number of rows of ``corpus.csv`` (speakers merged per target).
    """
    by_target: dict[str | None, list[list[SpeakerStance]]] = {}
    with _replacing(folder / SPEAKERS_FILE) as speakers:
        speakers.write(csv_text([CSV_COLUMNS]))
        for document in read_jsonl(folder / ARTICLES_FILE):
            stances = [SpeakerStance(**stance) for stance in document["speakers"]]
            speakers.write(csv_text(speaker_csv_rows(document["id"], document["target"], stances)))
            by_target.setdefault(document["target"], []).append(stances)
    rows = [
        row
        for target, per_document in by_target.items()
        for row in corpus_csv_rows(target, merge_corpus(per_document))
    ]
    with _replacing(folder / CORPUS_FILE) as stream:
        stream.write(csv_text([CORPUS_COLUMNS, *rows]))
    return len(rows)


def count_lines(path: Path) -> int:
    """The lines of ``path`` (0 if it is missing): the documents or failures a record file holds."""
    if not path.exists():
        return 0
    with path.open("rb") as stream:
        return sum(block.count(b"\n") for block in iter(lambda: stream.read(1 << 20), b""))


def read_jsonl(path: Path) -> Iterator[dict]:
    """The objects of a JSONL file of the folder (none if it is missing)."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                yield json.loads(line)
            except json.JSONDecodeError as error:
                raise InputError(
                    f"{path}:{number}",
                    f"expected a line written by a batch run, found malformed JSON ({error.msg}); "
                    "fix or remove that line, or start again in another --output-dir",
                ) from None


def cut_partial_line(path: Path) -> None:
    """Cut a last line that has no newline: a write that a crash interrupted."""
    if not path.exists():
        return
    with path.open("rb+") as stream:
        end = stream.seek(0, os.SEEK_END)
        position = end
        while position > 0:
            step = min(1 << 16, position)
            stream.seek(position - step)
            block = stream.read(step)
            if position == end and block.endswith(b"\n"):
                return
            newline = block.rfind(b"\n")
            if newline >= 0:
                position = position - step + newline + 1
                break
            position -= step
        logger.warning("%s: cut an unfinished last line (%d bytes)", path, end - position)
        stream.truncate(position)


def _quote_lines(document: dict) -> list[str]:
    return [
        json_line({"document": document["id"], "target": document["target"], **quote})
        for quote in document["quotes"]
    ]


@contextmanager
def _replacing(path: Path) -> Iterator[IO[str]]:
    """A stream that replaces ``path`` when closed, so a crash leaves the old file or the new one."""
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8", newline="") as stream:
        yield stream
    os.replace(temporary, path)


def _has_content(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0
