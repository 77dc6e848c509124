"""Batch analysis on Ray Data: the local engine's output folder, from the cores of a cluster.

The stages are those of `stance.batch`, as one Ray Data pipeline:

1. **read**: ``map_batches`` of tasks that each read a run of the input files (`_read`) through
   `stance.reading`: the same formats, fields, ids and failures as the local engine, and s3://,
   gs:// or any other filesystem pyarrow supports;
2. **extract quotes and resolve speakers**: ``map_batches`` of CPU tasks (`_extract`);
3. **classify stance and aggregate per document**: ``map_batches`` on an actor pool whose actors
   load the model once (`_Classify`), one GPU each when the cluster has GPUs. Without GPUs the
   two stages ask for the same resources and Ray fuses them: each actor then extracts and
   classifies its documents, like the local engine does;
4. **write**: the driver takes the results in input order and appends them to the output folder
   (`stance.output.folder`), turning repeated ids into failures as the local engine does; at the
   end ``speakers.csv`` and ``corpus.csv`` (the corpus-level reduction over the per-document
   results) are written from ``articles.jsonl``, by the same code as the local engine's.

An actor or task whose process dies (killed, out of memory, a node lost) is restarted and its
batch retried by Ray (Ray Data restarts a pool's actors and retries their batches without limit,
and retries a task three times), so the folder is complete all the same.

Without an address, a Ray for this machine is started on the loopback interface only: by default
Ray registers a node under the machine's network address and connects to it, and
`RAY_NETWORK_ENV` = 0 (set before Ray is imported, with the dashboard off) keeps every
connection on 127.0.0.1. With an address, the run joins that cluster (``ray start --head`` /
``ray start --address``; see docs/scale.md).
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from stance.batch import (
    DOCUMENTS_PER_BATCH,
    BatchProgress,
    BatchSummary,
    batch_progress,
    finish_batch,
    release_freed_memory,
)
from stance.errors import InputError, StanceError
from stance.output.folder import ARTICLES_FILE, OutputFolder, repeated_id
from stance.pipeline import Pipeline, StanceModel, extract_all_or_failure
from stance.reading import STDIN, InputFile, ReadOptions, files_of, is_uri, read_file
from stance.records import DEFAULT_TARGET, Analysis, Article, Failure

logger = logging.getLogger(__name__)

# Ray reads this when it is imported: 0 registers the node as 127.0.0.1 (all traffic loopback).
RAY_NETWORK_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
LOOPBACK = "127.0.0.1"
# Read tasks reserve no CPU: reading is light next to the models, and a reservation would wait
# for ever when the actors hold every CPU. There are this many file groups per CPU.
READ_CPUS = 0
READ_GROUPS_PER_CPU = 4
# Blocks this size at most: Ray Data would otherwise pack a whole file's documents into one
# block, which a single actor would then process alone. (Small blocks are bundled again into
# batches of documents for the actors.)
BLOCK_BYTES = 64 * 1024


@dataclass(frozen=True)
class RayOptions:
    """Where and how wide the Ray engine runs; the CLI's ``--ray-address`` and ``--workers``."""

    address: str | None = None  # an existing cluster ("auto", "HEAD:6379"); None: a local Ray
    workers: int = 0  # stance actors; 0: one per CPU of a cluster without GPUs, one per GPU
    cpus: int | None = None  # the local Ray's CPUs (default: the machine's)


@dataclass(frozen=True)
class StanceSpec:
    """What each actor loads: `stance.pipeline.Pipeline`'s arguments, shipped instead of a model."""

    model: str | Path | StanceModel | None = None
    device: str = "auto"
    precision: str = "auto"
    batch_size: int = 32
    fast: bool = False
    all_attributions: bool = False  # keep beliefs, findings and plans, not only statements

    def check(self) -> None:
        """Raise `stance.errors.ModelError` here, before any actor starts, when the model named
        can't be found (reading its config, not its weights)."""
        if self.model is None or isinstance(self.model, (str, Path)):
            from stance.classify.models import resolve_model
            from stance.models.folder import read_transformers_config

            read_transformers_config(resolve_model(None if self.model is None else str(self.model)))

    def pipeline(self) -> Pipeline:
        return Pipeline(
            self.model, device=self.device, precision=self.precision, batch_size=self.batch_size, fast=self.fast,
            all_attributions=self.all_attributions,
        )  # fmt: skip


def run_batch_ray(
    paths: Sequence[str | Path],
    output_dir: str | Path,
    *,
    spec: StanceSpec = StanceSpec(),
    options: ReadOptions | None = None,
    target: str = DEFAULT_TARGET,
    ray_options: RayOptions = RayOptions(),
    documents_per_batch: int = DOCUMENTS_PER_BATCH,
    progress: Callable[[BatchProgress], None] | None = None,
) -> BatchSummary:
    """Analyse the documents of ``paths`` into ``output_dir`` on Ray; the folder equals the one
    `stance.batch.run_batch` writes, in the same order.

    ``paths`` are files, folders or URIs (not stdin); ``output_dir`` a folder or a URI, written
    locally and copied there at the end. The folder must not hold results yet (there is no
    resume: rerun into an empty folder, or resume with the local engine). Ctrl-C stops at once,
    keeping the documents written; the summary then says ``interrupted``.
    """
    started = time.monotonic()
    options = options or ReadOptions()
    files = _input_files(paths, options)
    spec.check()
    counts: Counter[str] = Counter()
    interrupted = False
    with _staging(output_dir) as folder:
        outputs = OutputFolder(folder, resume=False)
        try:
            with ray_session(ray_options) as ray, outputs, _data_context(ray):
                dataset = _pipeline(ray, files, options, spec, target, ray_options.workers, documents_per_batch)
                first_origin: dict[str, str] = {}
                for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
                    counts.update(outputs.write(_unique_ids(batch, first_origin)))
                    if progress:
                        progress(batch_progress(counts, started))
        except KeyboardInterrupt:
            interrupted = True
            logger.info("interrupted; the documents written so far are kept")
            outputs.repair()
        summary = finish_batch(folder, counts, started, interrupted)
    # Seconds again: a URI's folder is uploaded when the staging ends.
    output_dir = output_dir if is_uri(output_dir) else Path(output_dir)
    return replace(summary, output_dir=output_dir, seconds=time.monotonic() - started)


@contextmanager
def ray_session(ray_options: RayOptions = RayOptions()) -> Iterator:
    """The ``ray`` module, connected: to the Ray this process already runs (left running), to the
    cluster at ``ray_options.address``, or to a new loopback-only Ray on this machine; a Ray
    started here is shut down at the end."""
    ray = _import_ray(loopback=not ray_options.address)
    if ray.is_initialized():
        yield ray
        return
    if ray_options.address:
        ray.init(address=ray_options.address, log_to_driver=False)
    else:
        start_local_ray(ray_options.cpus)
    try:
        yield ray
    finally:
        ray.shutdown()


def start_local_ray(cpus: int | None = None, **init_options) -> None:
    """Start a Ray for this machine that listens and connects on 127.0.0.1 only.

    ``cpus`` defaults to the machine's; ``init_options`` go to ``ray.init``. Raises `StanceError`
    when Ray was imported before `RAY_NETWORK_ENV` could be set, or registered another address.
    """
    ray = _import_ray(loopback=True)
    ray.init(
        num_cpus=cpus or os.cpu_count(),
        include_dashboard=False,
        logging_level=logging.ERROR,  # not Ray's notes on its own setup
        log_to_driver=False,
        **init_options,
    )
    addresses = node_addresses()
    if addresses != [LOOPBACK]:
        ray.shutdown()
        raise StanceError(f"expected a local Ray node on {LOOPBACK} only, found {addresses}; report this")


def node_addresses() -> list[str]:
    """The addresses of the live nodes of the Ray cluster this process is connected to."""
    import ray

    return sorted(node["NodeManagerAddress"] for node in ray.nodes() if node["Alive"])


def _import_ray(loopback: bool):
    """``import ray``; with ``loopback``, after setting `RAY_NETWORK_ENV` (a local Ray)."""
    if loopback:
        os.environ[RAY_NETWORK_ENV] = "0"
    try:
        import ray
        from ray._private import ray_constants
    except ImportError:
        raise StanceError('expected Ray for --engine ray, found it not installed; pip install -e ".[ray]"') from None
    if loopback and ray_constants.ENABLE_RAY_CLUSTER and not ray.is_initialized():
        raise StanceError(
            f"expected Ray to be imported after {RAY_NETWORK_ENV}=0 was set, which keeps a local Ray on "
            f"{LOOPBACK}, found it imported before; set {RAY_NETWORK_ENV}=0 in the environment"
        )
    return ray


def _input_files(paths: Sequence[str | Path], options: ReadOptions) -> list[InputFile]:
    if any(str(path) == STDIN for path in paths):
        raise InputError(STDIN, "expected files, folders or URIs for --engine ray, found stdin; save it to a file")
    return [file for path in paths for file in files_of(path, options)]


def _pipeline(ray, files, options, spec: StanceSpec, target: str, workers: int, documents_per_batch: int):
    """The Ray Data dataset of ``id``, ``origin``, ``record`` rows: read -> extract -> classify."""
    import ray.data

    resources = ray.cluster_resources()
    gpus = int(resources.get("GPU", 0)) if spec.device != "cpu" else 0
    groups = _file_groups(files, max(1, int(resources.get("CPU", 1))) * READ_GROUPS_PER_CPU)
    # One block per group of files, read by a task that streams its documents out in batches.
    # Its resources differ from the actors', so Ray does not fuse it into them (an actor would
    # then read, extract and classify a whole file alone).
    rows = [{"locations": [str(file) for file in group], "ids": [file.doc_id for file in group]} for group in groups]
    documents = ray.data.from_items(rows, override_num_blocks=len(groups))
    documents = documents.map_batches(
        partial(_read, options=options, rows=documents_per_batch), batch_size=1, num_cpus=READ_CPUS
    )
    found = documents.map_batches(
        partial(_extract, target=target, fast=spec.fast, all_attributions=spec.all_attributions),
        batch_size=documents_per_batch,
        num_cpus=1,
    )
    if gpus:
        placement = {"num_cpus": 1, "num_gpus": 1}
        actors = workers or gpus
    else:
        # The extraction tasks' resources: Ray fuses the two stages into these actors.
        placement = {"num_cpus": 1}
        actors = workers or max(1, int(resources.get("CPU", 1)))
    return found.map_batches(
        _Classify,
        fn_constructor_kwargs={"spec": spec},
        batch_size=documents_per_batch,
        compute=ray.data.ActorPoolStrategy(size=actors),
        **placement,
    )


def _file_groups(files: list[InputFile], most: int) -> list[list[InputFile]]:
    """``files`` in at most ``most`` runs of consecutive files (order kept)."""
    size = max(1, -(-len(files) // most))
    return [files[start : start + size] for start in range(0, len(files), size)] or [[]]


def _read(batch: dict, options: ReadOptions, rows: int) -> Iterator[dict]:
    """The documents of a group of files, ``rows`` at a time: ``id`` (an article's, else None),
    ``origin`` and ``record`` (an `Article` or a `Failure`)."""
    pending: list[Article | Failure] = []
    for locations, ids in zip(batch["locations"], batch["ids"]):
        for location, doc_id in zip(locations, ids):
            file = InputFile(location if is_uri(location) else Path(location), doc_id)
            for document in read_file(file, options):
                pending.append(document)
                if len(pending) == rows:
                    yield _rows(pending)
                    pending = []
    if pending:
        yield _rows(pending)


def _rows(documents: list[Article | Failure]) -> dict:
    return {
        "id": _objects([doc.id if isinstance(doc, Article) else None for doc in documents]),
        "origin": _objects([doc.origin or "" for doc in documents]),
        "record": _objects(documents),
    }


def _extract(batch: dict, target: str, fast: bool, all_attributions: bool) -> dict:
    records = extract_all_or_failure(list(batch["record"]), target, fast, all_attributions)
    return {**batch, "record": _objects(records)}


class _Classify:
    """An actor of the classify stage: loads the model once, classifies and aggregates batches."""

    def __init__(self, spec: StanceSpec):
        self.pipeline = spec.pipeline()

    def __call__(self, batch: dict) -> dict:
        classified = self.pipeline.classify(list(batch["record"]))
        release_freed_memory()
        return {**batch, "record": _objects(classified)}


def _objects(items: list):
    """A numpy array of Python objects (records travel between the stages pickled)."""
    import numpy as np

    array = np.empty(len(items), dtype=object)
    for index, item in enumerate(items):
        array[index] = item
    return array


def _unique_ids(batch: dict, first_origin: dict[str, str]) -> list[Analysis | Failure]:
    """The batch's records, a document whose id an earlier one had turned into a failure
    (``first_origin``: each id's first origin, updated)."""
    results = []
    for doc_id, origin, record in zip(batch["id"], batch["origin"], batch["record"]):
        if doc_id is not None:
            if doc_id in first_origin:
                record = repeated_id(doc_id, origin, first_origin[doc_id])
            else:
                first_origin[doc_id] = origin
        results.append(record)
    return results


@contextmanager
def _data_context(ray) -> Iterator[None]:
    """For this run, Ray Data keeps the blocks in input order, makes small blocks
    (`BLOCK_BYTES`) and shows no progress bars of its own."""
    from ray.data import DataContext

    context = DataContext.get_current()
    saved = (context.execution_options.preserve_order, context.target_max_block_size, context.enable_progress_bars)
    context.execution_options.preserve_order = True
    context.target_max_block_size = BLOCK_BYTES
    context.enable_progress_bars = False
    try:
        yield
    finally:
        (context.execution_options.preserve_order, context.target_max_block_size, context.enable_progress_bars) = saved


@contextmanager
def _staging(output_dir: str | Path) -> Iterator[Path]:
    """The local folder the run writes: ``output_dir``, or for a URI a temporary folder whose
    files are copied there at the end (pyarrow.fs)."""
    if not is_uri(output_dir):
        yield Path(output_dir)
        return
    from pyarrow.fs import FileSystem, FileType, copy_files

    filesystem, where = FileSystem.from_uri(str(output_dir))
    if filesystem.get_file_info(f"{where.rstrip('/')}/{ARTICLES_FILE}").type != FileType.NotFound:
        raise InputError(
            str(output_dir), "expected an empty output folder, found results; choose another --output-dir"
        )
    with tempfile.TemporaryDirectory(prefix="stance-output-") as local:
        yield Path(local)
        filesystem.create_dir(where)
        copy_files(local, str(output_dir))
