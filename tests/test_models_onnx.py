"""int8 copies of token classifiers on ONNX Runtime: close to the float32 model, exported once."""

from __future__ import annotations

import pytest


@pytest.fixture
def tiny_token_classifier():
    import torch
    from transformers import BertConfig, BertForTokenClassification

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=64, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
        max_position_embeddings=64, num_labels=9,
    )
    return BertForTokenClassification(config).eval()


def test_models_onnx_int8_copy_answers_like_the_model_and_is_exported_once(tmp_path, tiny_token_classifier):
    import torch

    from stance.models.onnx import OnnxTokenClassifier, int8_token_classifier

    ids = torch.randint(1, 64, (3, 20))
    mask = torch.ones_like(ids)
    mask[1, 12:] = 0  # a padded row
    with torch.inference_mode():
        expected = tiny_token_classifier(input_ids=ids, attention_mask=mask).logits
    quantized = int8_token_classifier(tiny_token_classifier, cache=tmp_path, threads=1)
    assert isinstance(quantized, OnnxTokenClassifier) and quantized.eval() is quantized
    logits = quantized(input_ids=ids, attention_mask=mask).logits
    assert logits.shape == expected.shape and logits.dtype == torch.float32
    real = mask.bool()
    assert (logits - expected)[real].abs().max() < 0.1 * expected[real].abs().max()
    assert (logits.argmax(-1) == expected.argmax(-1))[real].float().mean() > 0.9

    [exported] = (tmp_path / "onnx").glob("*.onnx")
    written = exported.stat().st_mtime_ns
    again = int8_token_classifier(tiny_token_classifier, cache=tmp_path, threads=1)
    assert again.path == exported and exported.stat().st_mtime_ns == written
    assert not [path for path in (tmp_path / "onnx").iterdir() if path.suffix not in (".onnx", ".lock")]


def test_models_onnx_other_weights_get_their_own_file(tmp_path, tiny_token_classifier):
    import torch

    from stance.models.onnx import int8_token_classifier, weights_hash

    before = weights_hash(tiny_token_classifier)
    with torch.no_grad():
        tiny_token_classifier.classifier.bias += 1.0
    assert weights_hash(tiny_token_classifier) != before
    after = int8_token_classifier(tiny_token_classifier, cache=tmp_path, threads=1)
    assert after.path.name.startswith(weights_hash(tiny_token_classifier))
