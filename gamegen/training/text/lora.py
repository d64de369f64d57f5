"""LoRA on a causal LM: which layers to adapt (peft's choice for the architecture; GPT-2's fused ``Conv1D``
attention needs ``fan_in_fan_out``) and wrapping the model so only the adapter trains."""

from __future__ import annotations

import warnings
from typing import Any

from ...errors import ParamError

__all__ = ["add_lora", "lora_targets"]


def lora_targets(model: Any) -> tuple[list[str], bool]:
    """The module names LoRA adapts in ``model`` and whether they store weights transposed (GPT-2's ``Conv1D``)."""
    from peft.utils.constants import TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING as TARGETS
    from transformers.pytorch_utils import Conv1D

    model_type = getattr(model.config, "model_type", "")
    targets = TARGETS.get(model_type)
    if not targets:
        raise ParamError(f"method=lora: no known LoRA target layers for {model_type or 'this'} models; use method=full")
    adapted = [m for name, m in model.named_modules() if name.rsplit(".", 1)[-1] in targets]
    return list(targets), any(isinstance(m, Conv1D) for m in adapted)


def add_lora(model: Any, rank: int) -> Any:
    """``model`` wrapped by peft with a rank-``rank`` LoRA (alpha = rank, so scale 1) on its attention; the base
    weights are frozen. The adapter's A matrices are drawn from the global torch RNG, which the run seeds."""
    from peft import LoraConfig, get_peft_model

    targets, transposed = lora_targets(model)
    config = LoraConfig(
        r=rank, lora_alpha=rank, target_modules=targets, fan_in_fan_out=transposed, task_type="CAUSAL_LM"
    )
    with warnings.catch_warnings():  # peft calls a transformers method deprecated in v5; nothing a user can change
        warnings.simplefilter("ignore", FutureWarning)
        return get_peft_model(model, config)
