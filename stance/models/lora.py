"""LoRA adapters (`peft`) over a packaged encoder: settings, training, storing and merging.

Training wraps the model with `with_lora`: low-rank updates of the attention projections and the
feed-forward layers of every encoder layer are trained, and the classification head (with BERT's
pooler, which feeds it) is trained whole. A model folder then stores only `LoraAdapter.tensors`
(a few MB) and names the base encoder; `merge_lora` rebuilds the model at load and folds the
adapter into the base weights, so that inference costs what a plain model costs.
Training a LoRA model further continues its adapter over the base (`with_adapter`), so the new
folder is an adapter again.
"""

from __future__ import annotations

import warnings

from dataclasses import asdict, dataclass

from stance.errors import ModelError

# The linear layers adapted in every encoder layer: BERT's attention.self.query/key/value and
# attention.output.dense, MPNet's attention.attn.q/k/v/o, and both's intermediate.dense and
# output.dense (the feed-forward block). Matched against full module names (re.fullmatch).
LORA_TARGETS = (
    r".*encoder\.layer\.\d+\."
    r"(attention\.(self\.(query|key|value)|output\.dense|attn\.(q|k|v|o))|intermediate\.dense|output\.dense)"
)
LORA_DROPOUT = 0.1


@dataclass(frozen=True)
class LoraSettings:
    """How the adapter is built; saved in the folder's record (``weights.lora``)."""

    rank: int
    alpha: int  # the update is scaled by alpha / rank
    dropout: float = LORA_DROPOUT
    target_modules: str = LORA_TARGETS
    modules_to_save: tuple[str, ...] = ("classifier",)  # trained whole

    def to_dict(self) -> dict:
        return asdict(self) | {"modules_to_save": list(self.modules_to_save)}

    @classmethod
    def from_dict(cls, data: dict) -> LoraSettings:
        return cls(
            int(data["rank"]), int(data["alpha"]), float(data["dropout"]), str(data["target_modules"]),
            tuple(data["modules_to_save"]),
        )

    @classmethod
    def for_model(cls, model, rank: int) -> LoraSettings:
        """Rank ``rank``, alpha twice the rank; the head trained whole, with the pooler when the
        model classifies from it (BERT; MPNet's head pools by itself)."""
        pooler = getattr(model.base_model, "pooler", None) is not None
        return cls(rank, 2 * rank, modules_to_save=("classifier", "pooler") if pooler else ("classifier",))

    @classmethod
    def of_model(cls, peft_model) -> LoraSettings:
        """The settings ``peft_model`` (from `with_lora`) was wrapped with."""
        config = peft_model.peft_config["default"]
        return cls(
            config.r, config.lora_alpha, config.lora_dropout, str(config.target_modules),
            tuple(config.modules_to_save or ()),
        )

    def peft_config(self):
        from peft import LoraConfig

        return LoraConfig(
            r=self.rank,
            lora_alpha=self.alpha,
            lora_dropout=self.dropout,
            target_modules=self.target_modules,
            modules_to_save=list(self.modules_to_save),
        )


@dataclass(frozen=True)
class LoraAdapter:
    """A trained adapter: its settings and its tensors (peft's adapter state dict: the low-rank
    matrices and the modules trained whole)."""

    settings: LoraSettings
    tensors: dict


def with_lora(model, settings: LoraSettings):
    """``model`` wrapped for LoRA training: only the adapter and ``settings.modules_to_save``
    require grad."""
    from peft import get_peft_model

    with warnings.catch_warnings():
        # peft asks transformers a deprecated question while wrapping; nothing for our users to act on.
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        return get_peft_model(model, settings.peft_config())


def is_lora_model(model) -> bool:
    from peft import PeftModel

    return isinstance(model, PeftModel)


def merge_trained(peft_model, settings: LoraSettings) -> tuple[object, LoraAdapter]:
    """The trained ``peft_model`` as a plain model with the adapter merged in, and the adapter
    (cloned first: merging unloads it)."""
    from peft import get_peft_model_state_dict

    tensors = {key: tensor.detach().to("cpu").clone().contiguous() for key, tensor in get_peft_model_state_dict(peft_model).items()}
    return peft_model.merge_and_unload(), LoraAdapter(settings, tensors)


def with_adapter(model, adapter: LoraAdapter, origin: str = "the adapter"):
    """``model`` (the base, with its task head) wrapped for LoRA with ``adapter``'s tensors loaded,
    unmerged, so that training can continue them. ``origin`` names the file in errors."""
    from peft import set_peft_model_state_dict

    peft_model = with_lora(model, adapter.settings)
    result = set_peft_model_state_dict(peft_model, adapter.tensors)
    adapted = ("lora_", "modules_to_save")
    missing = sorted(key for key in result.missing_keys if any(part in key for part in adapted))
    if result.unexpected_keys or missing:
        raise ModelError(
            f"{origin}: expected adapter tensors that fit the model and its LoRA settings, found unknown "
            f"{sorted(result.unexpected_keys)[:3]} and missing {missing[:3]}; the folder was written by "
            "another version of stance"
        )
    return peft_model


def merge_lora(model, adapter: LoraAdapter, origin: str = "the adapter"):
    """``model`` (the base, with its task head) with ``adapter`` applied and merged: a plain
    model again. ``origin`` names the file in errors. Merging the same tensors into the same base
    gives the same weights bit for bit as `merge_trained` did after training."""
    return with_adapter(model, adapter, origin).merge_and_unload()
