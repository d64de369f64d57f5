"""The ML runtime shared by every neural backend (needs the ``gamegen[ml]`` extra; imported only on use).

Beside the loaders re-exported here: :mod:`.sampling` (seeded decoding of causal LMs), :mod:`.constrained`
(schema-constrained JSON decoding), :mod:`.diffusion` and :mod:`.tiling`; they import torch, so import them on use.
:mod:`.lora` holds the ``lora``/``lora_scale`` parameters of the diffusion generators (torch only when applied).
"""

from .runtime import (
    LoadedModel,
    check_weights,
    load_causal_lm,
    load_diffusers_pipeline,
    parse_hub_id,
    resolve_model_path,
    select_device,
    select_dtype,
    weights_sha256,
)

__all__ = [
    "LoadedModel",
    "check_weights",
    "load_causal_lm",
    "load_diffusers_pipeline",
    "parse_hub_id",
    "resolve_model_path",
    "select_device",
    "select_dtype",
    "weights_sha256",
]
