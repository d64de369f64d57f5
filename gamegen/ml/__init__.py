"""The ML runtime shared by every neural backend (needs the ``gamegen[ml]`` extra; imported only on use)."""

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
