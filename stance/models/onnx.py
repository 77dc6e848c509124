"""int8 copies of token classifiers on ONNX Runtime, the fast way to run them on a CPU.

`int8_token_classifier` exports a transformers BERT token classifier to ONNX, fuses its attention,
layer norms and GELUs (ONNX Runtime's transformer optimizer), and quantizes the weights of its
matrix products to int8, one scale per output channel, activations quantized on the fly. On a
2-core AVX512-VNNI CPU it runs the quote tagger's batches of 256-token windows 1.8x as fast as
bfloat16 torch and 2.6x as fast as float32; whole articles, with tokenizing and decoding, 1.1-1.3x
as fast as bfloat16 (benchmarks/extraction.py --precision int8).

The exported file is kept in the cache folder (`stance.models.encoders.cache_dir`), named by a
hash of the weights and of this recipe, so a process exports once per machine; an exclusive lock
makes a second process wait for the first's file rather than write its own.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path

from stance.errors import ModelError
from stance.models.encoders import cache_dir, exclusive_lock

logger = logging.getLogger(__name__)

# Bump when the export or the quantization changes, so that cached files are made again.
RECIPE = "int8-fused-per-channel-1"
OPSET = 17


class OnnxTokenClassifier:
    """An ONNX Runtime session that answers like the transformers model it was exported from:
    called with ``input_ids`` and ``attention_mask`` tensors, it returns an output with ``logits``."""

    def __init__(self, path: Path, threads: int):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.path = path
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def eval(self) -> OnnxTokenClassifier:
        return self

    def __call__(self, input_ids, attention_mask):
        import torch
        from transformers.modeling_outputs import TokenClassifierOutput

        inputs = {"input_ids": input_ids.numpy(), "attention_mask": attention_mask.numpy()}
        return TokenClassifierOutput(logits=torch.from_numpy(self.session.run(["logits"], inputs)[0]))


def int8_token_classifier(model, *, cache: Path | None = None, threads: int | None = None) -> OnnxTokenClassifier:
    """``model`` (a float32 transformers BERT token classifier) as an int8 ONNX Runtime model on
    ``threads`` threads (default: torch's), exported into ``cache`` on first use."""
    import torch

    path = (cache or cache_dir()) / "onnx" / f"{weights_hash(model)}-{RECIPE}.onnx"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(path.with_suffix(".lock")):
            if not path.is_file():
                _export_int8(model, path)
    return OnnxTokenClassifier(path, threads or torch.get_num_threads())


def weights_hash(model) -> str:
    """A sha256 (first 24 hex digits) of ``model``'s config and every tensor of its state."""
    digest = hashlib.sha256(model.config.to_json_string().encode())
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().to("cpu").contiguous().numpy().tobytes())
    return digest.hexdigest()[:24]


def _export_int8(model, path: Path) -> None:
    """Export, fuse and quantize ``model`` in a folder beside ``path``, then move the file into place."""
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from onnxruntime.quantization.shape_inference import quant_pre_process
        from onnxruntime.transformers.optimizer import optimize_model
    except ImportError as error:
        raise ModelError(
            f"int8 inference needs onnxruntime and onnx ({error}); install them with: pip install onnxruntime onnx"
        ) from None
    logger.info("exporting the model to int8 ONNX in %s (once per machine)", path)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.stem}-", dir=path.parent))
    try:
        exported, fused, prepared, quantized = (staging / name for name in ("model.onnx", "fused.onnx", "prepared.onnx", "int8.onnx"))
        _export(model, exported)
        config = model.config
        optimizer = optimize_model(
            str(exported), model_type="bert", num_heads=config.num_attention_heads, hidden_size=config.hidden_size, opt_level=0
        )
        optimizer.save_model_to_file(str(fused))
        # The fused graph needs its shapes inferred before the quantizer can read it.
        quant_pre_process(str(fused), str(prepared), skip_optimization=True, auto_merge=True)
        quantize_dynamic(str(prepared), str(quantized), weight_type=QuantType.QInt8, per_channel=True)
        os.replace(quantized, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _export(model, path: Path) -> None:
    """The float32 model as ONNX, batch and length dynamic, with the plain attention that the
    optimizer knows how to fuse."""
    import copy

    import torch

    model = copy.deepcopy(model).float().eval()
    model.set_attn_implementation("eager")
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings():
        # The TorchScript exporter is deprecated in favour of dynamo, which this graph doesn't need.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, (ids, mask), str(path), input_names=["input_ids", "attention_mask"], output_names=["logits"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "logits": axes}, opset_version=OPSET,
            do_constant_folding=True, dynamo=False,
        )
