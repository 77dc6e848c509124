"""Batch analysis of large collections: documents stream through the pipeline into an output folder.

Documents are taken from the reader a bounded batch at a time (`DOCUMENTS_PER_BATCH`); their
quotes are extracted (in worker processes with ``workers``), the quotes of the whole batch are
classified by one call to the model (which sorts them by length into padded sub-batches), and the
batch is written before the next is read, so memory does not grow with the corpus.

The output folder holds:

- ``articles.jsonl``: one `Analysis.to_dict` object per document, in input order;
- ``quotes.jsonl``: one object per quote: ``document``, ``target``, then `Quote.to_dict` (speaker,
  stance, scores, offsets);
- ``speakers.csv``: one row per speaker per document (`stance.writing.CSV_COLUMNS`);
- ``corpus.csv``: the same speaker merged across documents, per target (`CORPUS_COLUMNS`);
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

import csv
import io
import json
import logging
import os
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from itertools import islice
from multiprocessing import get_context
from pathlib import Path
from typing import IO

from stance import pipeline as pipeline_stage
from stance.aggregate import confidence, merge_corpus
from stance.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_SOME_FAILED, InputError
from stance.pipeline import Pipeline
from stance.records import DEFAULT_TARGET, STANCE_LABELS, Analysis, Article, Failure, SpeakerStance
from stance.writing import CSV_COLUMNS, csv_rows

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
# Documents in flight at once: enough quotes for the model to fill length-sorted batches, few
# enough that a batch of long articles stays small in memory.
DOCUMENTS_PER_BATCH = 32
CORPUS_COLUMNS = (
    "target", "speaker", "kind", "role", "articles", "quotes",
    "favor", "against", "neutral", "stance", "confidence",
    "favor_quotes", "against_quotes", "neutral_quotes",
)  # fmt: skip
CSV_DECIMALS = 4


@dataclass(frozen=True)
class BatchProgress:
    """Where a run stands; given to the ``progress`` callback after every batch."""

    documents: int  # analysed or failed in this run
    quotes: int
    failures: int
    skipped: int  # already done by an earlier run (resume)
    seconds: float


@dataclass(frozen=True)
class BatchSummary:
    """What a run did. ``documents``, ``quotes`` and ``failures`` count this run; the ``total_``
    fields count the output folder (earlier runs included)."""

    output_dir: Path
    documents: int
    quotes: int
    failures: int
    skipped: int
    speakers: int  # distinct speakers in corpus.csv
    total_documents: int
    total_failures: int
    seconds: float
    interrupted: bool = False

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_SOME_FAILED if self.total_failures else EXIT_OK



def run_batch(
    documents: Iterable[Article | Failure],
    pipeline: Pipeline,
    output_dir: str | Path,
    *,
    target: str = DEFAULT_TARGET,
    resume: bool = False,
    workers: int = 0,
    documents_per_batch: int = DOCUMENTS_PER_BATCH,
    progress: Callable[[BatchProgress], None] | None = None,
) -> BatchSummary:
    """Analyse ``documents`` (a `stance.reading.read_documents` stream) into ``output_dir``.

    Without ``resume`` the folder must not hold results yet. ``workers`` > 0 extracts quotes in
    that many processes while the model classifies the previous batch. Ctrl-C stops at once,
    keeping the batches written; the summary then says ``interrupted`` and a rerun with
    ``resume`` finishes the job.
    """
    started = time.monotonic()
    outputs = OutputFolder(Path(output_dir), resume=resume)
    counts: Counter[str] = Counter()
    interrupted = False
    extract = partial(_extract, target=target, fast=pipeline.fast)
    try:
        with outputs, _extractor(workers) as executor:
            batches = _batches(outputs.pending(documents, counts), documents_per_batch)
            # The next batch is extracted (by the workers, if any) while this one is classified.
            ahead = _start_extraction(executor, extract, next(batches, None))
            while ahead is not None:
                found = ahead()
                ahead = _start_extraction(executor, extract, next(batches, None))
                counts.update(outputs.write(pipeline.classify(found)))
                if progress:
                    progress(_progress(counts, started))
    except KeyboardInterrupt:
        interrupted = True
        logger.info("interrupted; the documents written so far are kept (rerun with --resume)")
        # A write may have been cut, or be in articles.jsonl but not yet in quotes.jsonl.
        outputs.repair()
    speakers = write_tables(outputs.folder)
    return BatchSummary(
        output_dir=outputs.folder,
        documents=counts["documents"],
        quotes=counts["quotes"],
        failures=counts["failures"],
        skipped=counts["skipped"],
        speakers=speakers,
        total_documents=_count_lines(outputs.folder / ARTICLES_FILE),
        total_failures=_count_lines(outputs.folder / FAILURES_FILE),
        seconds=time.monotonic() - started,
        interrupted=interrupted,
    )


class OutputFolder:
    """The output files of a run, opened for appending whole lines."""

    def __init__(self, folder: Path, *, resume: bool):
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
            self.done_ids = self.repair()
            for failure in _read_jsonl(folder / FAILURES_FILE):
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
        every time, so the same documents are found to be repeats again.
        """
        first_origin: dict[str, str] = {}
        for document in documents:
            if isinstance(document, Article):
                if document.id in first_origin:
                    document = Failure(
                        document.origin or "",
                        f"expected a unique document id, found {document.id!r} again (first at "
                        f"{first_origin[document.id]}); give every document its own id",
                        document.id,
                    )
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
        """Append one batch; ``articles.jsonl`` first, so ``quotes.jsonl`` never runs ahead of it."""
        articles, quotes, failures = [], [], []
        written: Counter[str] = Counter()
        for result in results:
            if isinstance(result, Failure):
                failures.append(_json_line(result.to_dict()))
                written["failures"] += 1
                continue
            document = result.to_dict()
            articles.append(_json_line(document))
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

    def repair(self) -> set[str]:
        """Cut lines a crash left unfinished and rebuild ``quotes.jsonl`` from ``articles.jsonl``.

        Returns the ids in ``articles.jsonl``.
        """
        for name in RECORD_FILES:
            _cut_partial_line(self.folder / name)
        ids = set()
        with _replacing(self.folder / QUOTES_FILE) as quotes:
            for document in _read_jsonl(self.folder / ARTICLES_FILE):
                ids.add(document["id"])
                quotes.write("".join(_quote_lines(document)))
        return ids


def write_tables(folder: Path) -> int:
    """Write ``speakers.csv`` and ``corpus.csv`` whole from ``articles.jsonl``.

    Returns the number of rows of ``corpus.csv`` (speakers merged per target).
    """
    by_target: dict[str | None, list[list[SpeakerStance]]] = {}
    with _replacing(folder / SPEAKERS_FILE) as speakers:
        speakers.write(_csv_text([CSV_COLUMNS]))
        for document in _read_jsonl(folder / ARTICLES_FILE):
            speakers.write(_csv_text(_speaker_rows(document)))
            by_target.setdefault(document["target"], []).append(_speaker_stances(document))
    rows = [CORPUS_COLUMNS]
    for doc_target, per_document in by_target.items():
        for stance in merge_corpus(per_document):
            rows.append(
                [
                    doc_target or "",
                    stance.name,
                    stance.kind,
                    stance.role or "",
                    stance.articles,
                    stance.quotes,
                    *(round(stance.scores.get(label, 0.0), CSV_DECIMALS) for label in STANCE_LABELS),
                    stance.stance,
                    round(confidence(stance), CSV_DECIMALS),
                    *(stance.counts.get(label, 0) for label in STANCE_LABELS),
                ]
            )
    with _replacing(folder / CORPUS_FILE) as stream:
        stream.write(_csv_text(rows))
    return len(rows) - 1


def _extract(article: Article, target: str, fast: bool) -> Analysis | Failure:
    """Quotes and speakers of one article; an error in the extractors fails only this document."""
    try:
        found = pipeline_stage.extract(article, fast=fast)
    except Exception as error:  # a bug in a rule must not stop a run of thousands of documents
        logger.exception("%s: quote extraction failed", article.origin)
        return Failure(
            article.origin or "",
            f"quote extraction failed: {type(error).__name__}: {error} (please report this document)",
            article.id,
        )
    return replace(found, target=article.target or target)


def _batches(documents: Iterator[Article | Failure], size: int) -> Iterator[list[Article | Failure]]:
    while batch := list(islice(documents, size)):
        yield batch


def _start_extraction(
    executor: Executor | None, extract: Callable, batch: Sequence[Article | Failure] | None
) -> Callable[[], list[Analysis | Failure]] | None:
    """Start extracting ``batch``; returns a call that waits for its results (None: no batch)."""
    if batch is None:
        return None
    if executor is None:
        results = [doc if isinstance(doc, Failure) else extract(doc) for doc in batch]
        return lambda: results
    futures = [doc if isinstance(doc, Failure) else executor.submit(extract, doc) for doc in batch]
    return lambda: [item if isinstance(item, Failure) else item.result() for item in futures]


class _extractor:
    """A process pool for quote extraction (None when ``workers`` is 0), shut down on exit."""

    def __init__(self, workers: int):
        self.executor = (
            ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_start_worker)
            if workers > 0
            else None
        )

    def __enter__(self) -> Executor | None:
        return self.executor

    def __exit__(self, *exc_info) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)


def _start_worker() -> None:
    # Ctrl-C goes to the whole process group; the parent alone decides how to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker tags one article at a time: one torch thread each (set before torch is imported),
    # so the workers and the stance model don't fight over the same cores.
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def _progress(counts: Counter[str], started: float) -> BatchProgress:
    return BatchProgress(
        documents=counts["documents"],
        quotes=counts["quotes"],
        failures=counts["failures"],
        skipped=counts["skipped"],
        seconds=time.monotonic() - started,
    )


def _quote_lines(document: dict) -> list[str]:
    return [
        _json_line({"document": document["id"], "target": document["target"], **quote})
        for quote in document["quotes"]
    ]


def _speaker_stances(document: dict) -> list[SpeakerStance]:
    return [SpeakerStance(**stance) for stance in document["speakers"]]


def _speaker_rows(document: dict) -> list[list]:
    analysis = Analysis(
        id=document["id"],
        text="",
        target=document["target"],
        quotes=(),
        speakers=(),
        stances=tuple(_speaker_stances(document)),
    )
    return csv_rows(analysis)


def _json_line(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False) + "\n"


def _csv_text(rows: Iterable[Sequence]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _read_jsonl(path: Path) -> Iterator[dict]:
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


def _cut_partial_line(path: Path) -> None:
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


@contextmanager
def _replacing(path: Path) -> Iterator[IO[str]]:
    """A stream that replaces ``path`` when closed, so a crash leaves the old file or the new one."""
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8", newline="") as stream:
        yield stream
    os.replace(temporary, path)


def _has_content(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0


def _count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as stream:
        return sum(block.count(b"\n") for block in iter(lambda: stream.read(1 << 20), b""))
