"""Everything a plugin needs, in one place: the generator contract, asset types, exporters, names, provenance.

Stability promise: every name in ``__all__`` keeps its meaning and signature across gamegen 0.x minor releases;
a name is removed or changed only after a release in which using it warns (``DeprecationWarning``). Plugins that
import only from ``gamegen`` and ``gamegen.plugin`` keep working when gamegen's internal modules move. The
conformance kit is ``gamegen.testing`` (``check_generator``), under the same promise. The model loaders need the
``gamegen[ml]`` extra only when called (they import torch inside).

The smallest plugin::

    from gamegen.plugin import Asset, Context, Field, Generator, ImageAsset, Params

    class StarsParams(Params):
        size: int = Field(64, ge=8, le=4096, description="Width and height in pixels")

    class Stars(Generator[StarsParams]):
        \"\"\"A starfield: lit pixels on black.\"\"\"
        name, version = "texture.stars", "1.0.0"

        def generate(self, params: StarsParams, ctx: Context) -> list[Asset]:
            return [ImageAsset("stars", (ctx.rng.random((params.size, params.size)) < 0.01).astype("uint8") * 255)]
"""

from __future__ import annotations

from .assets import (
    Asset,
    BytesAsset,
    DataAsset,
    ExporterRef,
    ImageAsset,
    Material,
    MeshAsset,
    MeshPart,
    NormalMapAsset,
    TextAsset,
)
from .context import Context
from .errors import GamegenError, GenerationError, ModelLoadError, ParamError, Problem, QualityError
from .export import ExportContext, ExportedFile, ExportProfile, profile_chain
from .export.generic import dump_json
from .export.png import encode_png
from .generator import Generator
from .ml.runtime import LoadedModel, load_causal_lm, load_diffusers_pipeline
from .names import check_name, check_relpath
from .params import AdapterRef, Field, InputFile, ModelRef, Params
from .provenance import provenance_record, xmp_packet
from .registry import Registry

__all__ = [
    "AdapterRef",
    "Asset",
    "BytesAsset",
    "Context",
    "DataAsset",
    "ExportContext",
    "ExportProfile",
    "ExportedFile",
    "ExporterRef",
    "Field",
    "GamegenError",
    "GenerationError",
    "Generator",
    "ImageAsset",
    "InputFile",
    "LoadedModel",
    "Material",
    "MeshAsset",
    "MeshPart",
    "ModelLoadError",
    "ModelRef",
    "NormalMapAsset",
    "ParamError",
    "Params",
    "Problem",
    "QualityError",
    "Registry",
    "TextAsset",
    "check_name",
    "check_relpath",
    "dump_json",
    "encode_png",
    "load_causal_lm",
    "load_diffusers_pipeline",
    "profile_chain",
    "provenance_record",
    "xmp_packet",
]
