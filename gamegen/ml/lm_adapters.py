"""LoRA adapters on a causal LM (``narrative.llm``'s ``lora=``): a model folder made by ``text.lm`` or any peft
adapter folder or hub id.

Each is checked before the model loads (peft layout, safetensors only) and, when it carries gamegen's card, that
it was trained on this very base (by weights hash). Adapters are merged at a scale into a copy of the cached
model, never into the cached model itself, so a later run without them gets the base bit for bit; each one's
hash is recorded in the run's provenance (the folders join build cache keys through ``input_files``).
"""

from __future__ import annotations

import copy
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ModelLoadError, ParamError
from ..inputs import input_label
from .runtime import LoadedModel, parse_hub_id, resolve_model_path, weights_sha256

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["adapter_folder", "with_adapters"]

CONFIG = "adapter_config.json"
WEIGHTS = "adapter_model.safetensors"
_MERGED: dict[tuple[Any, ...], LoadedModel] = {}  # the last merge only: each entry is a whole copy of a model


def adapter_folder(adapter: str, *, allow_pickle: bool = False) -> Path:
    """The peft adapter folder ``adapter`` names (a folder, its ``adapter_model.safetensors``, or a hub id);
    ParamError when it is none, or holds pickle weights only (unless ``allow_pickle``)."""
    local = Path(adapter).expanduser()
    if not local.exists() and parse_hub_id(adapter) is None:
        raise ParamError(f"lora={adapter!r}: no such file or folder (give a text.lm model folder or a peft adapter)")
    path = local.parent if local.is_file() else resolve_model_path(adapter, allow_pickle=allow_pickle)
    if not (path / CONFIG).is_file():
        whole = (path / "config.json").is_file()
        hint = "it is a whole model: pass it as model=" if whole else f"no {CONFIG} (give a peft adapter folder)"
        raise ParamError(f"lora={input_label(adapter)!r}: not a LoRA adapter folder, {hint}")
    if not (path / WEIGHTS).is_file() and not (allow_pickle and (path / "adapter_model.bin").is_file()):
        raise ParamError(f"lora={input_label(adapter)!r}: no {WEIGHTS} (pickle weights can run code, so are refused)")
    return path


def with_adapters(
    base: LoadedModel, adapters: list[tuple[str, Path]], scale: float, *, ctx: Context | None, allow_pickle: bool
) -> LoadedModel:
    """``base`` with each ``(name, folder)`` adapter merged in at ``scale``: a copy, kept until other adapters or
    another scale are asked for; each adapter is recorded in ``ctx``."""
    digests = [weights_sha256(path, include_pickle=allow_pickle) for _, path in adapters]
    for name, path in adapters:
        _check_base(name, path, base)
    key = (str(base.path), base.device, str(base.dtype), tuple(str(p) for _, p in adapters), tuple(digests), scale)
    loaded = _MERGED.get(key)
    if loaded is None:
        lm, tokenizer = base.obj
        merged = copy.deepcopy(lm)
        for name, path in adapters:
            merged = _merge(merged, name, path, scale, base.model_id)
        loaded = LoadedModel(
            (merged.eval(), tokenizer), base.model_id, base.path, base.weights_sha256, base.device, base.dtype
        )
        _MERGED.clear()
        _MERGED[key] = loaded
    if ctx is not None:
        for (name, _), digest in zip(adapters, digests, strict=True):
            ctx.use_model(input_label(name), digest, kind="lora", scale=scale)
    return loaded


def _merge(model: Any, name: str, path: Path, scale: float, model_id: str) -> Any:
    """``model`` with the adapter in ``path`` added to its weights at ``scale`` (peft's merge, any architecture)."""
    from peft import PeftModel
    from peft.tuners.lora import LoraLayer

    try:
        with warnings.catch_warnings():  # peft calls a transformers method deprecated in v5; nothing to act on
            warnings.simplefilter("ignore", FutureWarning)
            wrapped: Any = PeftModel.from_pretrained(model, path)
    except Exception as exc:
        detail = " ".join(str(exc).split())[:300]
        raise ModelLoadError(
            f"lora={input_label(name)!r}: not a LoRA for model {input_label(model_id)!r}: {type(exc).__name__}: {detail}"
        ) from None
    for layer in wrapped.modules():
        if isinstance(layer, LoraLayer):
            layer.set_scale("default", scale)
    return wrapped.merge_and_unload()


def _check_base(name: str, path: Path, base: LoadedModel) -> None:
    """Refuse an adapter gamegen trained on another base model than ``base`` (its card names the base's hash)."""
    from ..training.card import read_card

    trained_on = (read_card(path) or {}).get("base") or {}
    if trained_on.get("sha256") and trained_on["sha256"] != base.weights_sha256:
        raise ModelLoadError(
            f"lora={input_label(name)!r} was trained on {trained_on.get('model')!r} "
            f"(sha256 {trained_on['sha256'][:12]}…), not on model {input_label(base.model_id)!r} "
            f"(sha256 {base.weights_sha256[:12]}…)"
        )
