"""LoRA adapters for the diffusion generators: the ``lora`` and ``lora_scale`` parameters, the adapter files they
name, and applying them to a cached pipeline for one call.

An adapter is a model folder made by ``image.lora`` (its ``pytorch_lora_weights.safetensors``) or a
``.safetensors`` file in diffusers' LoRA layout; several are given as ``PATH,PATH``. Pipelines are cached per
process, so adapters are loaded for the call and unloaded after it (never fused into the shared weights: a later
call without them gets the base model bit for bit). Each adapter's sha256 is recorded in the run's provenance,
and the files join the build cache key through the generator's ``input_files``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..digests import file_sha256
from ..errors import ModelLoadError, ParamError
from ..inputs import input_label
from ..params import AdapterRef, Field, Params
from .runtime import quiet_diffusers

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["LORA_WEIGHTS", "LoraParams", "apply_lora", "lora_files", "lora_inputs"]

LORA_WEIGHTS = "pytorch_lora_weights.safetensors"


class LoraParams(Params):
    """The LoRA parameters a diffusion generator takes (mixed into its parameter model)."""

    lora: AdapterRef | None = Field(
        None,
        description="LoRA adapters: a model folder made by image.lora or a .safetensors file; several as PATH,PATH",
    )
    lora_scale: float = Field(1.0, ge=0.0, le=2.0, description="How strongly the LoRA adapters apply (0: not at all)")


def _named(value: str | None) -> list[str]:
    """The entries of a ``PATH[,PATH...]`` value, blanks dropped."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def lora_files(value: str | None, generator: str | None = None) -> list[Path]:
    """The weight files ``lora=value`` names (a folder stands for its ``pytorch_lora_weights.safetensors``).

    Raises ParamError naming the entry when it is neither such a folder nor a ``.safetensors`` file.
    """
    files: list[Path] = []
    for entry in _named(value):
        path = Path(entry).expanduser()
        weights = path / LORA_WEIGHTS if path.is_dir() else path
        if not weights.is_file():
            what = f"{path} has no {LORA_WEIGHTS}" if path.is_dir() else "no such file or folder"
            raise ParamError(
                f"lora={entry!r}: {what} (give a model folder made by image.lora or a .safetensors file)",
                generator=generator,
            )
        if weights.suffix != ".safetensors":
            raise ParamError(
                f"lora={entry!r}: only .safetensors adapters are loaded (pickle files can run code)", generator=generator
            )
        files.append(weights)
    return files


def lora_inputs(params: LoraParams, named: list[Path]) -> list[Path]:
    """``named`` (a generator's other input files) plus each existing adapter path of ``params.lora``, once each."""
    paths = list(named)
    for entry in _named(params.lora):
        path = Path(entry).expanduser()
        if path.exists() and path not in paths:
            paths.append(path)
    return paths


@contextmanager
def apply_lora(pipe: Any, params: LoraParams, ctx: Context, generator: str | None = None) -> Iterator[list[dict[str, Any]]]:
    """Load ``params.lora`` into ``pipe`` at ``params.lora_scale`` for the block, recording each adapter in ``ctx``;
    yields one record (name, sha256, scale) per adapter, and leaves ``pipe`` without adapters afterwards."""
    files = lora_files(params.lora, generator)
    if not files:
        yield []
        return
    records: list[dict[str, Any]] = []
    names: list[str] = []
    try:
        for i, weights in enumerate(files):
            name = f"gamegen_lora_{i}"
            try:
                with quiet_diffusers(), warnings.catch_warnings():  # notes on untouched parts, on several adapters
                    warnings.filterwarnings("ignore", "Already found a `peft_config`", UserWarning)
                    pipe.load_lora_weights(
                        str(weights.parent), weight_name=weights.name, adapter_name=name, use_safetensors=True
                    )
            except Exception as exc:
                raise ModelLoadError(
                    f"lora={weights}: not a LoRA for this model: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
                ) from None
            names.append(name)
            digest = file_sha256(weights)
            label = input_label(str(weights.parent if weights.name == LORA_WEIGHTS else weights))
            ctx.use_model(label, digest, kind="lora", scale=params.lora_scale)
            records.append({"adapter": label, "sha256": digest, "scale": params.lora_scale})
        pipe.set_adapters(names, adapter_weights=[params.lora_scale] * len(names))
        yield records
    finally:
        pipe.unload_lora_weights()  # also after a load that failed half-way
