"""Where a model runs and in what precision: the torch device and the bfloat16 choice.

``precision`` is one of `PRECISIONS`: ``auto`` runs the model's matrix products in bfloat16
(torch autocast) on CUDA and on CPUs with bfloat16 units (AMX, AVX512-BF16), where they are two
to three times as fast as float32 and scores move by about 1e-3, and in float32 elsewhere (on
other CPUs bfloat16 is emulated and slower). ``fp32`` and ``bf16`` force one.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from typing import Any

from stance.errors import ModelError

PRECISIONS = ("auto", "fp32", "bf16")


def torch_device(device: str):
    """``auto`` is CUDA when there is one, else the CPU; anything else is passed to torch."""
    import torch

    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def cpu_has_bf16_units() -> bool:
    """Whether this CPU has AMX or AVX512-BF16, where bfloat16 matrix products beat float32.

    torch exposes the checks only as private functions; a torch without them counts as no.
    """
    import torch

    checks = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def uses_bf16(precision: str, device_type: str) -> bool:
    """Whether a model on ``device_type`` (``cpu`` / ``cuda``) runs in bfloat16 for ``precision``."""
    if precision not in PRECISIONS:
        raise ModelError(f"expected a precision in {PRECISIONS}, found {precision!r}")
    if precision == "auto":
        return device_type == "cuda" or (device_type == "cpu" and cpu_has_bf16_units())
    return precision == "bf16"


def autocast(bf16: bool, device_type: str):
    """The context a forward pass runs in: bfloat16 autocast, or nothing."""
    import torch

    return torch.autocast(device_type=device_type, dtype=torch.bfloat16) if bf16 else nullcontext()


# Before a forward pass a batch is padded up to a bucket of shapes: in bfloat16 on a CPU, oneDNN
# compiles and keeps kernels for each new input shape, so batches of any number of rows and any
# length make memory grow with the corpus (measured: the quote tagger +2 MiB per PolNeAR
# article, flat with buckets). Padding is masked out; float32 results move by ~1e-7.
TOKEN_BUCKET = 16


def bucketed(tensors: Mapping[str, Any], pad_values: Mapping[str, int], most_tokens: int) -> dict[str, Any]:
    """``tensors`` (rows x tokens, all one shape) padded to a bucket: rows up to a power of two,
    tokens up to a multiple of `TOKEN_BUCKET` (at most ``most_tokens``), with ``pad_values[name]``
    (0 when not given). The outputs of the rows added are to be dropped."""
    rows, tokens = next(iter(tensors.values())).shape
    shape = (1 << (rows - 1).bit_length(), max(tokens, min(most_tokens, -(-tokens // TOKEN_BUCKET) * TOKEN_BUCKET)))
    if shape == (rows, tokens):
        return dict(tensors)
    padded = {}
    for name, tensor in tensors.items():
        padded[name] = tensor.new_full(shape, pad_values.get(name, 0))
        padded[name][:rows, :tokens] = tensor
    return padded
