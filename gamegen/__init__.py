"""gamegen: engine-ready game assets — characters, landscapes, textures and narrative — from one SDK.

Build scripts call :func:`generate`; plugin authors subclass :class:`Generator` with a :class:`Params` schema.
"""

from ._version import __version__
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
from .build import build
from .bundle import ExportedAsset, Run, export_run, write_bundle
from .context import Context
from .errors import (
    AssetNameError,
    GamegenError,
    GenerationError,
    ModelLoadError,
    ParamError,
    QualityError,
    UnknownGeneratorError,
)
from .generator import KINDS, Generator
from .params import Field, Params
from .registry import Registry, registry

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
    "AssetNameError",
    "GamegenError",
    "GenerationError",
    "ModelLoadError",
    "ParamError",
    "QualityError",
    "UnknownGeneratorError",
    "KINDS",
    "Generator",
    "Field",
    "Params",
    "Registry",
    "registry",
]
