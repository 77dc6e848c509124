"""Batch analysis of large collections: documents stream through the pipeline into an output folder.

Documents are taken from the reader a bounded batch at a time (`DOCUMENTS_PER_BATCH`); their
quotes are extracted (in worker processes with ``workers``), the quotes of the whole batch are
classified by one call to the model (which sorts them by length into padded sub-batches), and the
batch is written before the next is read, so memory does not grow with the corpus.

The output folder (its files, crash safety and resume) is `stance.output.folder`.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from multiprocessing import get_context
from pathlib import Path

from stance.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_SOME_FAILED
from stance.output.folder import ARTICLES_FILE, FAILURES_FILE, OutputFolder, count_lines, write_tables
from stance.pipeline import ARTICLES_PER_EXTRACTION, Pipeline, extract_all_or_failure, groups_of
from stance.records import DEFAULT_TARGET, Analysis, Article, Failure

logger = logging.getLogger(__name__)

# Documents in flight at once: enough quotes for the model to fill length-sorted batches, few
# enough that a batch of long articles stays small in memory.
DOCUMENTS_PER_BATCH = 32


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
    that many processes while the model classifies the previous batch. The quotes kept are the
    pipeline's (``pipeline.fast``, ``pipeline.all_attributions``). Ctrl-C stops at once,
    keeping the batches written; the summary then says ``interrupted`` and a rerun with
    ``resume`` finishes the job.
    """
    started = time.monotonic()
    attributions = "all" if pipeline.all_attributions else "speech"
    outputs = OutputFolder(Path(output_dir), resume=resume, attributions=attributions)
    counts: Counter[str] = Counter()
    interrupted = False
    extract = partial(
        extract_all_or_failure, target=target, fast=pipeline.fast, all_attributions=pipeline.all_attributions
    )
    try:
        with outputs, _extractor(workers) as executor:
            batches = groups_of(outputs.pending(documents, counts), documents_per_batch)
            # The next batch is extracted (by the workers, if any) while this one is classified.
            ahead = _start_extraction(executor, extract, next(batches, None))
            while ahead is not None:
                found = ahead()
                ahead = _start_extraction(executor, extract, next(batches, None))
                counts.update(outputs.write(pipeline.classify(found)))
                release_freed_memory()
                if progress:
                    progress(batch_progress(counts, started))
    except KeyboardInterrupt:
        interrupted = True
        logger.info("interrupted; the documents written so far are kept (rerun with --resume)")
        # A write may have been cut, or be in articles.jsonl but not yet in quotes.jsonl.
        outputs.repair()
    return finish_batch(outputs.folder, counts, started, interrupted)


def finish_batch(folder: Path, counts: Counter[str], started: float, interrupted: bool) -> BatchSummary:
    """Write the corpus tables of the output ``folder`` (`write_tables`) and sum up the run that
    wrote it: ``counts`` of this run, totals of the folder, seconds since ``started``."""
    speakers = write_tables(folder)
    return BatchSummary(
        output_dir=folder,
        documents=counts["documents"],
        quotes=counts["quotes"],
        failures=counts["failures"],
        skipped=counts["skipped"],
        speakers=speakers,
        total_documents=count_lines(folder / ARTICLES_FILE),
        total_failures=count_lines(folder / FAILURES_FILE),
        seconds=time.monotonic() - started,
        interrupted=interrupted,
    )


def release_freed_memory() -> None:
    """Hand the memory the last batch freed back to the system (glibc's ``malloc_trim``).

    glibc keeps freed blocks in its heaps for reuse, but each batch's tensors have new sizes that
    the freed blocks fit badly, so without this the heaps, and the peak memory of a run, grow
    with the corpus. A no-op where the C library is not glibc.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def _start_extraction(
    executor: Executor | None, extract: Callable, batch: Sequence[Article | Failure] | None
) -> Callable[[], list[Analysis | Failure]] | None:
    """Start extracting ``batch`` (``extract`` takes a list of documents); returns a call that
    waits for its results (None: no batch)."""
    if batch is None:
        return None
    if executor is None:
        results = extract(batch)
        return lambda: results
    futures = [executor.submit(extract, group) for group in groups_of(batch, ARTICLES_PER_EXTRACTION)]
    return lambda: [doc for future in futures for doc in future.result()]


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
    # A worker tags a group of articles at a time: one torch thread each (set before torch is imported),
    # so the workers and the stance model don't fight over the same cores.
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def batch_progress(counts: Counter[str], started: float) -> BatchProgress:
    """A run's progress so far, from its ``counts``."""
    return BatchProgress(
        documents=counts["documents"],
        quotes=counts["quotes"],
        failures=counts["failures"],
        skipped=counts["skipped"],
        seconds=time.monotonic() - started,
    )
