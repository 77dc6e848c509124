"""The packaged encoders: a model folder's base record names one, or none."""

from __future__ import annotations

import pytest

from stance.errors import ModelError
from stance.models.encoders import MINILM, PACKAGED_ENCODERS, packaged_encoder


def test_models_encoders_packaged_encoder_from_a_base_record():
    assert packaged_encoder(None) is None and packaged_encoder({"name": "org/encoder"}) is None
    assert packaged_encoder(MINILM.record()) is MINILM
    with pytest.raises(ModelError, match="expected the base encoder"):
        packaged_encoder(MINILM.record() | {"version": "9.9"})
    with pytest.raises(ModelError, match="expected a base encoder package"):
        packaged_encoder(MINILM.record() | {"package": "another-encoder"})


def test_models_encoders_minilm_is_installed_at_its_pinned_version():
    assert PACKAGED_ENCODERS[MINILM.package] is MINILM
    assert (MINILM.directory() / "model.safetensors").is_file()
