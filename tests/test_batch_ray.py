"""The Ray engine (`stance.batch_ray`) against the local one, on a local Ray of 2 CPUs on 127.0.0.1."""

import json
import os
import signal
import sys
import threading
import time

import conftest
import pytest
from conftest import FIXTURES, KeywordStanceModel, shared_data
from typer.testing import CliRunner

from stance.batch import run_batch
from stance.batch_ray import (
    LOOPBACK,
    RAY_NETWORK_ENV,
    RayOptions,
    StanceSpec,
    node_addresses,
    run_batch_ray,
    start_local_ray,
)
from stance.cli import app
from stance.errors import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, InputError
from stance.output.compare import folder_differences
from stance.output.folder import ARTICLES_FILE, FAILURES_FILE, OUTPUT_FILES, QUOTES_FILE
from stance.pipeline import Pipeline
from stance.reading import ReadOptions, read_documents

TEXTS = [
    "“We support the new checks,” said Ann Lee, the mayor. Critics disagreed.",
    "Bo Ray said the raids were cruel and devastating for families.",
    "The agency made progress this year, its director Cy Dunn told reporters.",
]


@pytest.fixture(scope="session")
def local_ray():
    """One local Ray of 2 CPUs for the module, on the loopback interface, shut down after."""
    os.environ[RAY_NETWORK_ENV] = "0"
    import ray
    import ray.cloudpickle

    # The test models live in test modules the workers can't import: ship them by value.
    ray.cloudpickle.register_pickle_by_value(conftest)
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    start_local_ray(cpus=2)
    yield ray
    ray.shutdown()


def run_local(paths, out, model, fast=True, precision="auto", options=None, all_attributions=False):
    pipeline = Pipeline(model, fast=fast, precision=precision, all_attributions=all_attributions)
    return run_batch(read_documents(paths, options or ReadOptions()), pipeline, out)


def run_ray(paths, out, model, fast=True, precision="auto", workers=2, options=None, all_attributions=False):
    spec = StanceSpec(model, precision=precision, fast=fast, all_attributions=all_attributions)
    return run_batch_ray(paths, out, spec=spec, options=options, ray_options=RayOptions(workers=workers))


def write_corpus(path, count):
    rows = [{"id": f"doc-{n:03d}", "text": TEXTS[n % len(TEXTS)]} for n in range(count)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_batch_ray_local_ray_listens_on_loopback_only(local_ray):
    assert node_addresses() == [LOOPBACK]
    assert local_ray.get_runtime_context().gcs_address.startswith(f"{LOOPBACK}:")


def test_batch_ray_same_records_as_local_on_polnear_dev(local_ray, tmp_path, tiny_stance_dir):
    """The 84 PolNeAR dev articles, quotes by the rules, a tiny stance model in float32 (in
    bfloat16 a quote's scores move by ~1e-3 with the quotes batched with it, on either engine).
    The tagger's part: `test_batch_ray_fixture_folder_same_as_local`; the shipped models on these
    articles and on 2,000: benchmarks/scale.py."""
    dev = shared_data("polnear", "dev.jsonl")
    local = run_local([dev], tmp_path / "local", str(tiny_stance_dir), precision="fp32")
    ray = run_ray([dev], tmp_path / "ray", str(tiny_stance_dir), precision="fp32")

    assert folder_differences(tmp_path / "local", tmp_path / "ray", tolerance=1e-4) == []
    assert (ray.documents, ray.quotes, ray.failures, ray.speakers) == (
        local.documents, local.quotes, local.failures, local.speakers
    )
    assert ray.documents == 84 and ray.quotes > 1000
    # Written in input order, like the local engine.
    ids = [json.loads(line)["id"] for line in (tmp_path / "ray" / ARTICLES_FILE).open(encoding="utf-8")]
    assert ids == [json.loads(line)["id"] for line in dev.open(encoding="utf-8")]


def test_batch_ray_failures_have_the_local_reasons(local_ray, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_corpus(folder / "a.jsonl", 5)
    with (folder / "a.jsonl").open("a", encoding="utf-8") as stream:
        stream.write('{"id": "broken", "text": \n')  # malformed JSON
        stream.write('{"id": "doc-001", "text": "A repeated id."}\n')
        stream.write('{"id": "empty", "text": "   "}\n')
    (folder / "b.txt").write_text(TEXTS[0], encoding="utf-8")
    (folder / "c.txt").write_bytes(b"binary\0content")
    (folder / "d.csv").write_text("id,body\n1,no text column\n", encoding="utf-8")

    local = run_local([folder], tmp_path / "local", KeywordStanceModel())
    ray = run_ray([folder], tmp_path / "ray", KeywordStanceModel())

    for name in OUTPUT_FILES:  # a deterministic model: the files are byte for byte the same
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    reasons = [json.loads(line)["reason"] for line in (tmp_path / "ray" / FAILURES_FILE).open(encoding="utf-8")]
    assert len(reasons) == 5 and ray.failures == local.failures == 5
    assert any("malformed JSON" in r for r in reasons) and any("unique document id" in r for r in reasons)
    assert ray.exit_code == EXIT_SOME_FAILED


class StallingModel(KeywordStanceModel):
    """The keyword model, but the first actor to classify writes its pid to ``marker`` and
    stalls there until it is killed; the others (and the restarted actor) score as usual."""

    def __init__(self, marker):
        super().__init__()
        self.marker = str(marker)

    def predict_proba(self, inputs, batch_size=32):
        try:
            descriptor = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return super().predict_proba(inputs, batch_size)
        os.write(descriptor, str(os.getpid()).encode())
        os.close(descriptor)
        time.sleep(600)


def test_batch_ray_a_killed_actor_is_retried_and_the_output_complete(local_ray, tmp_path):
    source = write_corpus(tmp_path / "docs.jsonl", 200)
    marker = tmp_path / "stalled-actor.pid"
    finished = {}
    run = threading.Thread(
        target=lambda: finished.update(summary=run_ray([source], tmp_path / "ray", StallingModel(marker)))
    )
    run.start()
    deadline = time.monotonic() + 120
    while not (marker.exists() and marker.read_text()) and time.monotonic() < deadline:
        time.sleep(0.2)
    pid = int(marker.read_text())
    assert pid != os.getpid()
    os.kill(pid, signal.SIGKILL)
    run.join(timeout=180)

    assert not run.is_alive()
    assert finished["summary"].documents == 200 and finished["summary"].failures == 0
    run_local([source], tmp_path / "local", KeywordStanceModel())
    assert folder_differences(tmp_path / "local", tmp_path / "ray") == []


def test_batch_ray_folder_is_finished_by_a_local_resume(local_ray, tmp_path):
    first = write_corpus(tmp_path / "first.jsonl", 6)
    second = tmp_path / "second.jsonl"
    second.write_text(json.dumps({"id": "later", "text": TEXTS[1]}) + "\n", encoding="utf-8")
    run_ray([first], tmp_path / "out", KeywordStanceModel())
    resumed = run_batch(
        read_documents([first, second]), Pipeline(KeywordStanceModel(), fast=True), tmp_path / "out", resume=True
    )
    run_local([first, second], tmp_path / "local", KeywordStanceModel())

    assert (resumed.skipped, resumed.documents) == (6, 1)
    for name in OUTPUT_FILES:
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


def test_batch_ray_keeps_beliefs_with_all_attributions(local_ray, tmp_path):
    source = tmp_path / "smith.txt"
    source.write_text(
        "Jane Smith said the budget is balanced.\n\nJane Smith believes the plan will fail.\n", encoding="utf-8"
    )
    run_local([source], tmp_path / "local", KeywordStanceModel(), all_attributions=True)
    run_ray([source], tmp_path / "ray", KeywordStanceModel(), all_attributions=True, workers=1)

    acts = [json.loads(line)["act"] for line in (tmp_path / "ray" / QUOTES_FILE).open(encoding="utf-8")]
    assert acts == ["speech", "other"]  # the belief is kept: the extract stage got the choice
    assert folder_differences(tmp_path / "local", tmp_path / "ray") == []


def test_batch_ray_reads_and_writes_uris(local_ray, tmp_path):
    folder = tmp_path / "in"
    (folder / "2024").mkdir(parents=True)
    for n, text in enumerate(TEXTS):
        (folder / "2024" / f"story-{n}.txt").write_text(text, encoding="utf-8")
    run_local([folder], tmp_path / "local", KeywordStanceModel())
    summary = run_ray([f"file://{folder}"], f"file://{tmp_path / 'ray'}", KeywordStanceModel())

    assert summary.documents == 3
    ids = [json.loads(line)["id"] for line in (tmp_path / "ray" / ARTICLES_FILE).open(encoding="utf-8")]
    assert ids == ["2024/story-0", "2024/story-1", "2024/story-2"]
    # Same records; only the origins of failures would name the URI.
    assert folder_differences(tmp_path / "local", tmp_path / "ray") == []


def test_cli_analyze_engine_ray(local_ray, tmp_path, tiny_stance_dir):
    source = write_corpus(tmp_path / "docs.jsonl", 6)
    args = ["analyze", str(source), "--model", str(tiny_stance_dir), "--fast"]
    result = CliRunner().invoke(app, [*args, "--output-dir", str(tmp_path / "out"), "--engine", "ray"])

    assert result.exit_code == EXIT_OK, result.output
    assert "Batch done" in result.output and "documents analysed" in result.output
    assert sum(1 for _ in (tmp_path / "out" / ARTICLES_FILE).open(encoding="utf-8")) == 6


@pytest.mark.parametrize(
    "extra",
    [
        ["--engine", "ray"],  # no --output-dir
        ["--output-dir", "OUT", "--engine", "ray", "--resume"],
        ["--output-dir", "OUT", "--ray-address", "auto"],  # without --engine ray
    ],
)
def test_cli_analyze_engine_ray_usage_errors(tmp_path, tiny_stance_dir, extra):
    source = write_corpus(tmp_path / "docs.jsonl", 1)
    extra = [str(tmp_path / "out") if arg == "OUT" else arg for arg in extra]
    result = CliRunner().invoke(app, ["analyze", str(source), "--model", str(tiny_stance_dir), *extra])
    assert result.exit_code == EXIT_USAGE
    assert not (tmp_path / "out" / ARTICLES_FILE).exists()


def test_batch_ray_refuses_stdin(tmp_path):
    with pytest.raises(InputError, match="stdin"):
        run_ray(["-"], tmp_path / "out", KeywordStanceModel())


def test_batch_ray_fixture_folder_same_as_local(local_ray, tmp_path):
    """The project's fixture articles, one text file each, with the quote tagger."""
    local = run_local([FIXTURES / "articles"], tmp_path / "local", KeywordStanceModel(), fast=False)
    ray = run_ray([FIXTURES / "articles"], tmp_path / "ray", KeywordStanceModel(), fast=False, workers=1)
    assert ray.documents == local.documents > 5
    assert folder_differences(tmp_path / "local", tmp_path / "ray", tolerance=0.0) == []
