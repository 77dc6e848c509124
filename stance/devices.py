"""Where a model runs and in what precision: the torch device and the bfloat16 choice.

``precision`` is one of `PRECISIONS`: ``auto`` runs the model's matrix products in bfloat16
(torch autocast) on CUDA and on CPUs with bfloat16 units (AMX, AVX512-BF16), where they are two
to three times as fast as float32 and scores move by about 1e-3, and in float32 elsewhere (on
other CPUs bfloat16 is emulated and slower). ``fp32`` and ``bf16`` force one.
"""

from __future__ import annotations

from contextlib import nullcontext

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
