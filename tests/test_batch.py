import csv
import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from rich.console import Console
from typer.testing import CliRunner

from stance.batch import BatchProgress, BatchSummary, run_batch
from stance.cli import app
from stance.cli.batch import progress_bar, summary_table
from stance.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, InputError
from stance.output.folder import (
    ARTICLES_FILE,
    CORPUS_FILE,
    FAILURES_FILE,
    OUTPUT_FILES,
    QUOTES_FILE,
    SPEAKERS_FILE,
)
from stance.pipeline import Pipeline
from stance.reading import ReadOptions, read_documents

STATEMENTS = [
    "Ann Lee: We support the new checks at the border.",
    "Bo Ray: These raids are cruel and devastating for families.",
    "Ann Lee: The agency made progress this year.",
    "?: Officials declined to comment on the numbers.",
    "Cy Dunn: The figures will be released in March.",
]


def corpus_rows(count):
    """``count`` documents of two or three scripted statements each, ids doc-0000..."""
    return [
        {"id": f"doc-{n:04d}", "text": "\n".join(STATEMENTS[(n + k) % len(STATEMENTS)] for k in range(2 + n % 2))}
        for n in range(count)
    ]


def write_jsonl(path, rows, bad_lines=()):
    lines = [json.dumps(row) for row in rows]
    for position, line in sorted(bad_lines):
        lines.insert(position, line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(paths, output_dir, model, fast=False, **kwargs):
    options = kwargs.pop("options", ReadOptions())
    return run_batch(read_documents(paths, options), Pipeline(model, fast=fast), output_dir, **kwargs)


def read_outputs(folder):
    return {name: (folder / name).read_text(encoding="utf-8") for name in OUTPUT_FILES}


def jsonl(folder, name):
    return [json.loads(line) for line in (folder / name).read_text(encoding="utf-8").splitlines()]


def test_batch_writes_every_output_file(tmp_path, keyword_model, scripted_quotes):
    source = write_jsonl(tmp_path / "docs.jsonl", corpus_rows(10))
    out = tmp_path / "out"
    summary = run([source], out, keyword_model, documents_per_batch=4)

    articles = jsonl(out, ARTICLES_FILE)
    assert [a["id"] for a in articles] == [f"doc-{n:04d}" for n in range(10)]
    quotes = jsonl(out, QUOTES_FILE)
    assert len(quotes) == sum(len(a["quotes"]) for a in articles) == summary.quotes
    assert {q["document"] for q in quotes} == {a["id"] for a in articles}
    assert all(q["stance"] in ("favor", "against", "neutral") and q["scores"] for q in quotes)
    speakers = list(csv.DictReader((out / SPEAKERS_FILE).open(encoding="utf-8")))
    assert len(speakers) == sum(len(a["speakers"]) for a in articles)
    corpus = list(csv.DictReader((out / CORPUS_FILE).open(encoding="utf-8")))
    assert sorted(row["speaker"] for row in corpus) == ["Ann Lee", "Bo Ray", "Cy Dunn"]
    bo = next(row for row in corpus if row["speaker"] == "Bo Ray")
    assert bo["stance"] == "against"
    assert int(bo["articles"]) == sum(1 for a in articles if any(s["name"] == "Bo Ray" for s in a["speakers"]))
    assert (out / FAILURES_FILE).read_text() == ""
    assert (summary.documents, summary.failures, summary.speakers) == (10, 0, 3)
    assert summary.exit_code == EXIT_OK
    # Quotes of several documents go to the model together.
    assert max(keyword_model.calls) > 3


def test_batch_mixed_folder_every_good_document_written_every_bad_one_a_failure(
    tmp_path, keyword_model, scripted_quotes
):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "good-1.txt").write_text(STATEMENTS[0], encoding="utf-8")
    (folder / "sub" / "good-2.md").write_text(STATEMENTS[1], encoding="utf-8")
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    write_jsonl(folder / "rows.jsonl", corpus_rows(3), bad_lines=[(1, '{"id": "broken", "text": ')])
    (folder / "rows.csv").write_text('id,text\ncsv-1,"Ann Lee: We support it."\ncsv-2,x,y\n', encoding="utf-8")
    out = tmp_path / "out"
    summary = run([folder], out, keyword_model)

    written = [a["id"] for a in jsonl(out, ARTICLES_FILE)]
    assert sorted(written) == sorted(["good-1", "sub/good-2", "doc-0000", "doc-0001", "doc-0002", "csv-1"])
    failures = {f["origin"]: f["reason"] for f in jsonl(out, FAILURES_FILE)}
    assert failures.keys() == {
        str(folder / "empty.txt"),
        str(folder / "binary.txt"),
        f"{folder / 'rows.jsonl'}:2",
        f"{folder / 'rows.csv'}:3",
    }
    assert "binary" in failures[str(folder / "binary.txt")]
    assert "JSON" in failures[f"{folder / 'rows.jsonl'}:2"]
    assert (summary.failures, summary.total_failures) == (4, 4)
    assert summary.exit_code == EXIT_SOME_FAILED


def test_batch_repeated_id_is_a_failure(tmp_path, keyword_model, scripted_quotes):
    rows = corpus_rows(2) + [{"id": "doc-0000", "text": STATEMENTS[2]}]
    source = write_jsonl(tmp_path / "docs.jsonl", rows)
    summary = run([source], tmp_path / "out", keyword_model)
    [failure] = jsonl(tmp_path / "out", FAILURES_FILE)
    assert failure["id"] == "doc-0000" and failure["origin"] == f"{source}:3"
    assert "unique document id" in failure["reason"]
    assert summary.documents == 3


def test_batch_refuses_a_folder_with_results_unless_resuming(tmp_path, keyword_model, scripted_quotes):
    source = write_jsonl(tmp_path / "docs.jsonl", corpus_rows(2))
    run([source], tmp_path / "out", keyword_model)
    with pytest.raises(InputError, match="--resume"):
        run([source], tmp_path / "out", keyword_model)
    summary = run([source], tmp_path / "out", keyword_model, resume=True)
    assert (summary.documents, summary.skipped, summary.total_documents) == (0, 2, 2)


@pytest.mark.parametrize("done", [0, 3, 7])
def test_batch_resume_after_a_crash_equals_an_uninterrupted_run(tmp_path, keyword_model, scripted_quotes, done):
    source = write_jsonl(tmp_path / "docs.jsonl", corpus_rows(9), bad_lines=[(4, "{oops")])
    full = tmp_path / "full"
    run([source], full, keyword_model, documents_per_batch=2)
    expected = read_outputs(full)

    # What a kill leaves: the first `done` documents, the derived files ahead or behind, a cut line.
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    articles = expected[ARTICLES_FILE].splitlines(keepends=True)
    (crashed / ARTICLES_FILE).write_text("".join(articles[:done]) + articles[done][:25], encoding="utf-8")
    (crashed / QUOTES_FILE).write_text(expected[QUOTES_FILE][:100], encoding="utf-8")
    (crashed / FAILURES_FILE).write_text(expected[FAILURES_FILE] if done > 4 else "", encoding="utf-8")
    summary = run([source], crashed, keyword_model, resume=True, documents_per_batch=2)

    assert read_outputs(crashed) == expected
    assert summary.skipped == done + (1 if done > 4 else 0)
    assert summary.exit_code == EXIT_SOME_FAILED


def test_batch_resume_refuses_other_attributions_than_the_folders(tmp_path, keyword_model):
    source = write_jsonl(tmp_path / "docs.jsonl", corpus_rows(3))
    run([source], tmp_path / "out", keyword_model, fast=True)
    written = read_outputs(tmp_path / "out")
    everything = Pipeline(keyword_model, fast=True, all_attributions=True)
    with pytest.raises(InputError, match="expected results of --attributions all to resume, found .* --attributions speech"):
        run_batch(read_documents([source]), everything, tmp_path / "out", resume=True)
    assert read_outputs(tmp_path / "out") == written
    assert run([source], tmp_path / "out", keyword_model, fast=True, resume=True).skipped == 3


class InterruptingModel:
    """Delegates to a model, then raises KeyboardInterrupt (a Ctrl-C) on call number ``at``."""

    def __init__(self, model, at):
        self.model, self.at, self.calls = model, at, 0
        self.labels = model.labels

    def predict_proba(self, inputs, batch_size=32):
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt
        return self.model.predict_proba(inputs, batch_size)


def test_batch_ctrl_c_keeps_what_was_done_and_resume_finishes(tmp_path, keyword_model, scripted_quotes):
    source = write_jsonl(tmp_path / "docs.jsonl", corpus_rows(8))
    run([source], tmp_path / "full", keyword_model, documents_per_batch=2)

    out = tmp_path / "out"
    summary = run([source], out, InterruptingModel(keyword_model, at=3), documents_per_batch=2)
    assert summary.interrupted and summary.exit_code == EXIT_INTERRUPTED
    assert summary.total_documents == 4
    assert [a["id"] for a in jsonl(out, ARTICLES_FILE)] == [f"doc-{n:04d}" for n in range(4)]
    assert {q["document"] for q in jsonl(out, QUOTES_FILE)} == {f"doc-{n:04d}" for n in range(4)}

    run([source], out, keyword_model, resume=True, documents_per_batch=2)
    assert read_outputs(out) == read_outputs(tmp_path / "full")


def test_batch_reports_progress_after_every_batch(tmp_path, keyword_model, scripted_quotes):
    source = write_jsonl(tmp_path / "docs.jsonl", corpus_rows(5))
    seen: list[BatchProgress] = []
    run([source], tmp_path / "out", keyword_model, documents_per_batch=2, progress=seen.append)
    assert [p.documents for p in seen] == [2, 4, 5]
    assert seen[-1].quotes == len(jsonl(tmp_path / "out", QUOTES_FILE))


def test_batch_a_rule_failure_is_written_as_a_failure_of_that_document(tmp_path, keyword_model, monkeypatch):
    def broken(*args):
        raise IndexError("a rule bug")

    monkeypatch.setattr("stance.quotes.rules.source_before", broken)
    rows = [{"id": "fine", "text": "The weather was fine all week."},
            {"id": "bad", "text": "The mayor said the plan would cut costs."}]
    source = write_jsonl(tmp_path / "docs.jsonl", rows)
    summary = run([source], tmp_path / "out", keyword_model, fast=True)
    assert [a["id"] for a in jsonl(tmp_path / "out", ARTICLES_FILE)] == ["fine"]
    assert jsonl(tmp_path / "out", FAILURES_FILE) == [{
        "id": "bad",
        "origin": f"{source}:2",
        "reason": "quote extraction failed: IndexError: a rule bug (please report this document)",
    }]
    assert summary.exit_code == EXIT_SOME_FAILED


def test_batch_workers_give_the_same_outputs(tmp_path, keyword_model, seed_text):
    # Real extractors (rules only) here: worker processes don't see the test's scripted stand-in.
    rows = [{"id": f"seed-{n}", "text": seed_text} for n in range(3)]
    source = write_jsonl(tmp_path / "docs.jsonl", rows)
    run([source], tmp_path / "serial", keyword_model, fast=True, documents_per_batch=2)
    run([source], tmp_path / "workers", keyword_model, fast=True, documents_per_batch=2, workers=2)
    assert len(jsonl(tmp_path / "workers", QUOTES_FILE)) > 3
    assert read_outputs(tmp_path / "workers") == read_outputs(tmp_path / "serial")


# --- the command line: stance analyze --output-dir ------------------------------------------


runner = CliRunner()


@pytest.fixture
def cli_model(monkeypatch, keyword_model, scripted_quotes):
    """`stance analyze` with the keyword model and scripted quotes, whatever --model says."""
    monkeypatch.setattr("stance.classify.load_model", lambda name=None, **options: keyword_model)
    return keyword_model


def analyze(*args, input=None):
    result = runner.invoke(app, ["analyze", *map(str, args)], input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_cli_batch_all_good_exit_0_and_summary(tmp_path, cli_model):
    source = write_jsonl(tmp_path / "docs.jsonl", corpus_rows(4))
    result = analyze(source, "--output-dir", tmp_path / "out")
    assert result.exit_code == EXIT_OK, result.output
    assert "Batch done" in result.stderr and "failures" in result.stderr
    assert len(jsonl(tmp_path / "out", ARTICLES_FILE)) == 4
    quiet = analyze(source, "--output-dir", tmp_path / "quiet", "--quiet")
    assert quiet.exit_code == EXIT_OK and quiet.stderr == ""


def test_cli_batch_mixed_inputs_exit_1(tmp_path, cli_model):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(STATEMENTS[0], encoding="utf-8")
    (folder / "bad.txt").write_bytes(b"\0\0\0")
    result = analyze(folder, "--output-dir", tmp_path / "out", "--quiet")
    assert result.exit_code == EXIT_SOME_FAILED
    assert [a["id"] for a in jsonl(tmp_path / "out", ARTICLES_FILE)] == ["good"]
    [failure] = jsonl(tmp_path / "out", FAILURES_FILE)
    assert failure["origin"] == str(folder / "bad.txt") and "binary" in failure["reason"]
    with pytest.raises(InputError, match="outside the input folder"):
        analyze(folder, "--output-dir", folder / "results")


def test_cli_batch_csv_input_with_field_names(tmp_path, cli_model):
    source = tmp_path / "export.csv"
    with source.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["key", "body", "topic"])
        writer.writerows([[row["id"], row["text"], "the checks"] for row in corpus_rows(3)])
    args = ["--id-field", "key", "--text-field", "body", "--target-field", "topic"]
    result = analyze(source, "--output-dir", tmp_path / "out", "--quiet", *args)
    assert result.exit_code == EXIT_OK
    articles = jsonl(tmp_path / "out", ARTICLES_FILE)
    assert [(a["id"], a["target"]) for a in articles] == [(f"doc-{n:04d}", "the checks") for n in range(3)]


def test_cli_batch_stdin(tmp_path, cli_model):
    data = "".join(json.dumps(row) + "\n" for row in corpus_rows(3))
    result = analyze("-", "--output-dir", tmp_path / "out", "--quiet", input=data)
    assert result.exit_code == EXIT_OK
    assert [a["id"] for a in jsonl(tmp_path / "out", ARTICLES_FILE)] == [f"doc-{n:04d}" for n in range(3)]


def test_cli_batch_usage_errors(tmp_path, cli_model):
    source = write_jsonl(tmp_path / "docs.jsonl", corpus_rows(1))
    assert analyze(source, "--resume").exit_code == EXIT_USAGE
    analyze(source, "--output-dir", tmp_path / "out", "--quiet")
    with pytest.raises(InputError, match="--resume"):
        analyze(source, "--output-dir", tmp_path / "out", "--quiet")


@pytest.fixture
def one_torch_thread():
    """One torch thread here and in subprocesses: the same arithmetic in both, and fast on a busy CPU."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield {**os.environ, "OMP_NUM_THREADS": "1"}
    torch.set_num_threads(threads)


def test_cli_batch_killed_mid_way_then_resumed_equals_an_uninterrupted_run(
    tmp_path, tiny_stance_dir, one_torch_thread
):
    # A real process, killed with SIGKILL once it has written its first documents.
    rows = [
        {"id": f"doc-{n:04d}", "text": f"“We support the checks,” said Ann Lee. “Raids {n} are cruel,” Bo Ray said."}
        for n in range(300)
    ]
    source = write_jsonl(tmp_path / "docs.jsonl", rows)
    # One quote per forward pass: no padding, so scores don't depend on which quotes share a batch.
    args = [source, "--model", tiny_stance_dir, "--fast", "--batch-size", "1", "--quiet", "--output-dir"]
    killed = tmp_path / "killed"
    command = [sys.executable, "-m", "stance", "analyze", *map(str, args), str(killed)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=one_torch_thread)
    articles = killed / ARTICLES_FILE
    deadline = time.monotonic() + 120
    while not (articles.exists() and articles.stat().st_size > 0) and process.poll() is None:
        assert time.monotonic() < deadline, "the batch run wrote nothing in 2 minutes"
        time.sleep(0.01)
    process.kill()
    process.wait()
    assert process.returncode == -signal.SIGKILL, process.stderr.read().decode()
    done = len(articles.read_bytes().splitlines())
    assert 0 < done < len(rows)
    with articles.open("a", encoding="utf-8") as stream:  # and a line cut by a power loss
        stream.write('{"id": "doc-')

    resumed = analyze(*args, killed, "--resume")
    assert resumed.exit_code == EXIT_OK, resumed.output
    full = analyze(*args, tmp_path / "full")
    assert full.exit_code == EXIT_OK
    assert read_outputs(killed) == read_outputs(tmp_path / "full")
    assert len(jsonl(killed, ARTICLES_FILE)) == len(rows)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["analyze", "{good}", "--output-dir", "{out}", "--quiet"], EXIT_OK),
        (["analyze", "{good}", "{bad}", "--output-dir", "{out}", "--quiet"], EXIT_SOME_FAILED),
        (["analyze", "{good}", "--resume"], EXIT_USAGE),
        (["analyze", "{tmp}/missing.txt", "--output-dir", "{out}"], EXIT_USAGE),
        (["quotes", "{bad}"], EXIT_SOME_FAILED),
    ],
)
def test_cli_batch_exit_codes_reach_the_shell(tmp_path, cli_model, monkeypatch, args, code):
    from stance.cli import main

    (tmp_path / "good.txt").write_text(STATEMENTS[0], encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\0")
    names = {"good": tmp_path / "good.txt", "bad": tmp_path / "bad.txt", "out": tmp_path / "out", "tmp": tmp_path}
    monkeypatch.setattr(sys, "argv", ["stance", *(arg.format(**names) for arg in args)])
    with pytest.raises(SystemExit) as exit:
        main()
    assert exit.value.code == code


def test_cli_batch_progress_bar_shows_rates_and_summary_the_counts(tmp_path):
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    with progress_bar(console, total=10, enabled=True) as update:
        update(BatchProgress(documents=4, quotes=12, failures=1, skipped=2, seconds=2.0))
    shown = console.file.getvalue()
    assert "4/8" in shown and "2.0 docs/s, 6.0 quotes/s" in shown
    with progress_bar(console, total=10, enabled=False) as update:
        assert update is None

    summary = BatchSummary(tmp_path, 5, 30, 1, 2, 7, 9, 3, 12.5)
    console.print(summary_table(summary))
    table = console.file.getvalue()
    for row in ("skipped (already done)", "documents analysed", "quotes", "speakers (corpus)", "wall time"):
        assert row in table
    assert "failures in folder" in table and "12.5 s" in table
