"""What each engine profile writes for a PBR texture set: the files its materials read, and the slot each feeds.

The ``generic`` profile writes every map as it is (albedo, normal, roughness, height, AO, glTF-style ORM). The engine
profiles write what their lit shaders sample, named as below, and record in each file's manifest ``meta``:

- ``engine_slot``: material model → {slot: channels the slot reads}, e.g. ``{"urp": {"_MetallicGlossMap": "ra"}}``;
- ``channels``: what each channel holds (packed maps only);
- ``engine_settings``: material values to set so the texture is read as written (where the default would scale it).

docs/engine-notes.md has the same tables and what was checked. :data:`ENGINE_FILES` is the single source of truth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..export import ExportContext, ExportedFile, profile_chain
from ..export.generic import export_normal_map
from ..export.png import encode_png
from ..provenance import xmp_packet
from . import quality
from .assets import TextureMapAsset, TextureNormalMapAsset

__all__ = ["EngineFile", "ENGINE_FILES", "metallic_smoothness", "mask_map", "engine_file_names"]


def metallic_smoothness(orm: np.ndarray) -> np.ndarray:
    """Unity URP/Built-in ``_MetallicGlossMap`` from an ORM map: R metallic, G occlusion, B 0, A smoothness.

    The shaders read metallic from R and smoothness (1 − roughness) from A. G and B follow Unity's URP channel-packing
    layout (G occlusion, B unused): the same file can also go into ``_OcclusionMap``, which reads G.
    """
    out = np.zeros(orm.shape[:2] + (4,), np.uint8)
    out[..., 0] = orm[..., 2]
    out[..., 1] = orm[..., 0]
    out[..., 3] = 255 - orm[..., 1]
    return out


def mask_map(orm: np.ndarray) -> np.ndarray:
    """HDRP Lit ``_MaskMap`` from an ORM map: R metallic, G occlusion, B detail mask (255: detail applies everywhere,
    as without a mask map), A smoothness (1 − roughness)."""
    out = metallic_smoothness(orm)
    out[..., 2] = 255
    return out


@dataclass(frozen=True)
class EngineFile:
    """One file an engine profile writes for a texture set: ``<prefix><stem>.png`` made from the map ``role``."""

    stem: str
    role: str
    slots: dict[str, dict[str, str]]
    color_space: str = "linear"
    channels: dict[str, str] | None = None
    settings: dict[str, dict[str, Any]] | None = None
    build: Callable[[np.ndarray], np.ndarray] | None = field(default=None, compare=False)

    @property
    def filename(self) -> str:
        return self.stem + ".png"


_SMOOTHNESS = "smoothness = 1 − roughness"
ENGINE_FILES: dict[str, tuple[EngineFile, ...]] = {
    "unity": (
        EngineFile(
            "albedo",
            "albedo",
            {"urp": {"_BaseMap": "rgb"}, "builtin": {"_MainTex": "rgb"}, "hdrp": {"_BaseColorMap": "rgb"}},
            color_space="srgb",
        ),
        EngineFile(
            "normal",
            "normal",
            {"urp": {"_BumpMap": "rgb"}, "builtin": {"_BumpMap": "rgb"}, "hdrp": {"_NormalMap": "rgb"}},
        ),
        EngineFile(
            "metallic_smoothness",
            "orm",
            {"urp": {"_MetallicGlossMap": "ra"}, "builtin": {"_MetallicGlossMap": "ra"}},
            channels={"r": "metallic", "g": "occlusion", "b": "unused (0)", "a": _SMOOTHNESS},
            # URP multiplies the map's alpha by _Smoothness (default 0.5); Built-in by _GlossMapScale (default 1)
            settings={"urp": {"_Smoothness": 1.0}, "builtin": {"_GlossMapScale": 1.0}},
            build=metallic_smoothness,
        ),
        EngineFile(
            "mask_map",
            "orm",
            {"hdrp": {"_MaskMap": "rgba"}},
            channels={"r": "metallic", "g": "occlusion", "b": "detail mask (1)", "a": _SMOOTHNESS},
            build=mask_map,
        ),
        EngineFile("ao", "ao", {"urp": {"_OcclusionMap": "g"}, "builtin": {"_OcclusionMap": "g"}}),
        EngineFile(
            "height",
            "height",
            {"urp": {"_ParallaxMap": "g"}, "builtin": {"_ParallaxMap": "g"}, "hdrp": {"_HeightMap": "r"}},
        ),
    ),
    "unreal": (
        EngineFile("albedo", "albedo", {"unreal": {"Base Color": "rgb"}}, color_space="srgb"),
        EngineFile("normal", "normal", {"unreal": {"Normal": "rgb"}}),
        EngineFile(
            "orm",
            "orm",
            {"unreal": {"Ambient Occlusion": "r", "Roughness": "g", "Metallic": "b"}},
            channels={"r": "occlusion", "g": "roughness", "b": "metallic"},
        ),
        EngineFile("height", "height", {"unreal": {"ParallaxOcclusionMapping: Heightmap Texture": "r"}}),
    ),
    "godot": (
        EngineFile(
            "albedo",
            "albedo",
            {"StandardMaterial3D": {"albedo_texture": "rgb"}, "ORMMaterial3D": {"albedo_texture": "rgb"}},
            color_space="srgb",
        ),
        EngineFile(
            "normal",
            "normal",
            {"StandardMaterial3D": {"normal_texture": "rgb"}, "ORMMaterial3D": {"normal_texture": "rgb"}},
            settings={"StandardMaterial3D": {"normal_enabled": True}, "ORMMaterial3D": {"normal_enabled": True}},
        ),
        EngineFile(
            "orm",
            "orm",
            {
                "ORMMaterial3D": {"orm_texture": "rgb"},
                "StandardMaterial3D": {"ao_texture": "r", "roughness_texture": "g", "metallic_texture": "b"},
            },
            channels={"r": "occlusion", "g": "roughness", "b": "metallic"},
            # StandardMaterial3D multiplies the metallic texture by `metallic` (default 0) and reads channel R unless
            # told otherwise; ORMMaterial3D reads R/G/B as they are but applies AO only when ao_enabled
            settings={
                "StandardMaterial3D": {
                    "ao_enabled": True,
                    "ao_texture_channel": "red",
                    "roughness_texture_channel": "green",
                    "metallic_texture_channel": "blue",
                    "metallic": 1.0,
                    "roughness": 1.0,
                },
                "ORMMaterial3D": {"ao_enabled": True},
            },
        ),
        EngineFile(
            "height",
            "height",
            {"StandardMaterial3D": {"heightmap_texture": "r"}, "ORMMaterial3D": {"heightmap_texture": "r"}},
            settings={"StandardMaterial3D": {"heightmap_enabled": True}, "ORMMaterial3D": {"heightmap_enabled": True}},
        ),
    ),
}
"""Per engine profile, the files written for a texture set (in this order) and the slots they are for.

Maps not listed for a profile (Unity: roughness, ORM; Unreal and Godot: roughness, AO) are not written there: no
standard material of that engine reads them, and what they hold is in the packed map."""


def engine_file_names(profile: str, prefix: str = "") -> list[str]:
    """The image files ``profile`` writes for a set whose maps are named ``<prefix><map>`` (preview .glb aside)."""
    return [prefix + f.filename for f in ENGINE_FILES[profile]]


def _file(spec: EngineFile, asset: TextureMapAsset | TextureNormalMapAsset, ctx: ExportContext) -> ExportedFile:
    name = asset.prefix + spec.stem
    meta: dict[str, Any] = {**asset.meta, "map": spec.stem, "color_space": spec.color_space}
    arr = asset.array
    if spec.build is not None:
        arr = spec.build(arr)
        meta["quality"] = quality.check_map(name, arr, str(asset.meta.get("tiling", "none")))
    if spec.channels is not None:
        meta["channels"] = dict(spec.channels)
    meta["engine_slot"] = {model: dict(slots) for model, slots in spec.slots.items()}
    if spec.settings is not None:
        meta["engine_settings"] = {model: dict(values) for model, values in spec.settings.items()}
    data = encode_png(arr, xmp=xmp_packet(ctx.provenance), compression=ctx.compression)
    return ExportedFile(name + ".png", data, "image/png", meta)


def _specs(ctx: ExportContext) -> tuple[EngineFile, ...]:
    """The engine files of the nearest profile in ``ctx.profile``'s chain that has a table (a child of unity: unity's)."""
    return next(ENGINE_FILES[p.name] for p in profile_chain(ctx.profile) if p.name in ENGINE_FILES)


def export_map(asset: TextureMapAsset, ctx: ExportContext) -> list[ExportedFile]:
    """The set's files an engine's materials read, made from this map (see ENGINE_FILES)."""
    return [_file(spec, asset, ctx) for spec in _specs(ctx) if spec.role == asset.role]


def export_normal(asset: TextureNormalMapAsset, ctx: ExportContext) -> list[ExportedFile]:
    """The normal map in the engine's convention (Unreal: DirectX), with its material slots."""
    (spec,) = (s for s in _specs(ctx) if s.role == "normal")
    (written,) = export_normal_map(asset, ctx)  # the profile's convention and its manifest note
    meta = {**written.meta, "engine_slot": {model: dict(slots) for model, slots in spec.slots.items()}}
    if spec.settings is not None:
        meta["engine_settings"] = {model: dict(values) for model, values in spec.settings.items()}
    return [ExportedFile(asset.prefix + spec.filename, written.data, written.media_type, meta)]
