"""Resumable checkpoints without pickle: tensors in one safetensors file, everything else in JSON.

A checkpoint is a folder (``state.safetensors`` + ``state.json``) swapped into place whole, so a run killed
at any moment leaves either the previous checkpoint or the new one, never half of one.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

from ..atomic import atomic_directory

__all__ = ["flatten_state", "read_checkpoint", "remove_checkpoint", "unflatten_state", "write_checkpoint"]

_TENSOR = "__tensor__"
_FLOAT = "__float__"


def flatten_state(state: Any, prefix: str = "") -> tuple[dict[str, Any], Any]:
    """Split a nested state (dicts, lists, tensors, numbers, strings) into ``{key: tensor}`` and a JSON skeleton.

    Dict keys that are not strings (optimizer state is keyed by parameter index) are kept with their type.
    """
    import torch

    tensors: dict[str, Any] = {}

    def walk(value: Any, path: str) -> Any:
        if isinstance(value, torch.Tensor):
            tensors[path] = value.detach().to("cpu").contiguous()
            return {_TENSOR: path}
        if isinstance(value, dict):
            items = [[type(k).__name__, k, walk(v, f"{path}.{k}")] for k, v in value.items()]
            return {"__dict__": items}
        if isinstance(value, (list, tuple)):
            return [walk(v, f"{path}.{i}") for i, v in enumerate(value)]
        if isinstance(value, float) and not math.isfinite(value):
            return {_FLOAT: repr(value)}
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        raise TypeError(f"checkpoint state at {path or '<root>'} holds a {type(value).__name__}, not a tensor or plain value")

    skeleton = walk(state, prefix)
    return tensors, skeleton


def unflatten_state(tensors: dict[str, Any], skeleton: Any) -> Any:
    """Rebuild the nested state :func:`flatten_state` split."""
    kinds = {"int": int, "str": str, "float": float, "bool": bool}

    def walk(value: Any) -> Any:
        if isinstance(value, dict) and _TENSOR in value:
            return tensors[value[_TENSOR]]
        if isinstance(value, dict) and _FLOAT in value:
            return float(value[_FLOAT])
        if isinstance(value, dict) and "__dict__" in value:
            return {kinds[kind](key): walk(v) for kind, key, v in value["__dict__"]}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return walk(skeleton)


def write_checkpoint(folder: Path, step: int, state: dict[str, Any], meta: dict[str, Any]) -> None:
    """Write ``state`` at ``step`` as the checkpoint in ``folder``, replacing the previous one atomically."""
    from safetensors.torch import save_file

    tensors, skeleton = flatten_state(state)
    with atomic_directory(folder) as tmp:
        save_file(tensors, str(tmp / "state.safetensors"))
        doc = {"step": step, "meta": meta, "state": skeleton}
        (tmp / "state.json").write_text(json.dumps(doc, sort_keys=True))


def read_checkpoint(folder: Path) -> tuple[int, dict[str, Any], dict[str, Any]] | None:
    """The (step, state, meta) saved in ``folder``, or None when there is no complete checkpoint."""
    from safetensors.torch import load_file

    try:
        doc = json.loads((folder / "state.json").read_text())
        tensors = load_file(str(folder / "state.safetensors"))
    except (OSError, ValueError):
        return None
    return int(doc["step"]), unflatten_state(tensors, doc["state"]), dict(doc["meta"])


def remove_checkpoint(folder: Path) -> None:
    """Forget the checkpoint in ``folder`` (a finished run, or a fresh start without ``--resume``)."""
    shutil.rmtree(folder, ignore_errors=True)
