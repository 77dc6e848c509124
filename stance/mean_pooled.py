"""A sequence classifier that reads its encoder the way sentence-transformers models are trained:
the mean of the token vectors over the real (non-padding) tokens, then a linear layer.

all-MiniLM-L6-v2, the packaged encoder, was trained for mean pooling; its [CLS] vector and pooler,
which transformers' ``*ForSequenceClassification`` heads read, were not. Frozen, its mean-pooled
vectors fed to a logistic regression score macro-F1 0.61 on the held-out immigration statements,
its pooler output 0.52 (``python benchmarks/pooling.py``). So stance heads default to this one.

`MeanPooledClassifier` answers what the rest of stance asks of a transformers model: ``config``
(with the labels), ``base_model`` / ``base_model_prefix`` (the encoder, whose state-dict keys match
the packaged encoder's), ``device``, ``save_pretrained`` (config.json + model.safetensors), and a
forward that takes the tokenizer's tensors and ``labels`` and returns ``loss`` and ``logits``.
"""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import save_file
from torch import nn
from transformers import AutoModel
from transformers.modeling_outputs import SequenceClassifierOutput

WEIGHTS_FILE = "model.safetensors"


class MeanPooledClassifier(nn.Module):
    def __init__(self, encoder, id2label: dict[int, str], dropout: float = 0.1):
        super().__init__()
        encoder.config.id2label = dict(id2label)
        encoder.config.label2id = {label: i for i, label in id2label.items()}
        encoder.config.num_labels = len(id2label)
        # The encoder's pooler (a dense layer on [CLS]) is never read; BERT-like models skip it when None.
        if getattr(encoder, "pooler", None) is not None:
            encoder.pooler = None
        self.base_model_prefix = encoder.base_model_prefix
        self.add_module(self.base_model_prefix, encoder)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(encoder.config.hidden_size, len(id2label))

    @classmethod
    def from_config(cls, config) -> MeanPooledClassifier:
        """An untrained classifier for a saved config (weights are loaded afterwards)."""
        return cls(AutoModel.from_config(config), config.id2label)

    @property
    def base_model(self):
        return getattr(self, self.base_model_prefix)

    @property
    def config(self):
        return self.base_model.config

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def forward(self, input_ids, attention_mask, token_type_ids=None, labels=None) -> SequenceClassifierOutput:
        hidden = self.base_model(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        logits = self.classifier(self.dropout(pooled))
        loss = nn.functional.cross_entropy(logits.float(), labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)

    def save_pretrained(self, folder: str | Path) -> None:
        """config.json and every tensor in model.safetensors."""
        folder = Path(folder)
        self.config.save_pretrained(folder)
        state = {key: tensor.detach().cpu().contiguous() for key, tensor in self.state_dict().items()}
        save_file(state, str(folder / WEIGHTS_FILE), metadata={"format": "pt"})
