"""gamegen: engine-ready game assets — characters, landscapes, textures and narrative — from one SDK.

Build scripts call :func:`generate`; plugin authors subclass :class:`Generator` with a :class:`Params` schema (or
import from :mod:`gamegen.plugin`). Names are imported on first use, so ``gamegen --version`` and tools that only
need one corner of the SDK start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .registry import (  # eager and light: ``gamegen.registry`` must stay the registry, not the module
    Registry,
    registry,
    trainers,
)

if TYPE_CHECKING:
    from .api import generate, generate_variations, run_generator
    from .assets import (
        Asset,
        BytesAsset,
        DataAsset,
        ImageAsset,
        Material,
        MeshAsset,
        MeshPart,
        NormalMapAsset,
        TextAsset,
    )
    from .builds import build
    from .bundle import ExportedAsset, Run, export_run, write_bundle
    from .context import Context
    from .datasets import Dataset, load_dataset
    from .errors import (
        AssetNameError,
        GamegenError,
        GenerationError,
        ModelLoadError,
        ParamError,
        QualityError,
        UnknownGeneratorError,
    )
    from .generator import Generator
    from .params import AdapterRef, Field, InputFile, ModelRef, Params
    from .training import TrainContext, TrainedModel, Trainer, TrainParams, TrainReport, train

_LAZY = {
    "generate": "api",
    "generate_variations": "api",
    "run_generator": "api",
    "Asset": "assets",
    "BytesAsset": "assets",
    "DataAsset": "assets",
    "ImageAsset": "assets",
    "Material": "assets",
    "MeshAsset": "assets",
    "MeshPart": "assets",
    "NormalMapAsset": "assets",
    "TextAsset": "assets",
    "build": "builds",
    "ExportedAsset": "bundle",
    "Run": "bundle",
    "export_run": "bundle",
    "write_bundle": "bundle",
    "Context": "context",
    "Dataset": "datasets",
    "load_dataset": "datasets",
    "AssetNameError": "errors",
    "GamegenError": "errors",
    "GenerationError": "errors",
    "ModelLoadError": "errors",
    "ParamError": "errors",
    "QualityError": "errors",
    "UnknownGeneratorError": "errors",
    "Generator": "generator",
    "AdapterRef": "params",
    "Field": "params",
    "InputFile": "params",
    "ModelRef": "params",
    "Params": "params",
    "TrainContext": "training",
    "TrainedModel": "training",
    "Trainer": "training",
    "TrainParams": "training",
    "TrainReport": "training",
    "train": "training",
}


def __getattr__(name: str) -> Any:
    """Import an exported name's module on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gamegen' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "__version__",
    "generate",
    "generate_variations",
    "run_generator",
    "build",
    "Asset",
    "BytesAsset",
    "DataAsset",
    "ImageAsset",
    "Material",
    "MeshAsset",
    "MeshPart",
    "NormalMapAsset",
    "TextAsset",
    "ExportedAsset",
    "Run",
    "export_run",
    "write_bundle",
    "Context",
    "Dataset",
    "load_dataset",
    "AssetNameError",
    "GamegenError",
    "GenerationError",
    "ModelLoadError",
    "ParamError",
    "QualityError",
    "UnknownGeneratorError",
    "Generator",
    "AdapterRef",
    "Field",
    "InputFile",
    "ModelRef",
    "Params",
    "TrainContext",
    "TrainedModel",
    "Trainer",
    "TrainParams",
    "TrainReport",
    "train",
    "Registry",
    "registry",
    "trainers",
]
