"""PBR maps from height and albedo, and the engine-ready texture set both texture generators return.

Every filter wraps around the borders (``np.roll`` and FFT blurs), so derived maps tile exactly when their
sources do. Procedural materials author albedo/height/roughness/metallic; generated images get height and
roughness from heuristics. Either way the output is the same set: albedo, normal, roughness, height, AO, ORM
and a glTF preview.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ..assets import Asset
from ..params import Field, Params
from . import export as _engine_files  # noqa: F401  (registers what the engine profiles write for a set)
from . import quality
from .assets import TextureMapAsset, TextureNormalMapAsset
from .materials import Surface
from .noise import gaussian_blur, normalize
from .preview import material_preview

__all__ = [
    "PbrParams",
    "PbrSet",
    "normal_map",
    "ambient_occlusion",
    "pack_orm",
    "from_surface",
    "from_image",
    "set_assets",
]

RELIEF_DEPTH = 0.02
"""Depth of the height map's full range as a fraction of the tile width at ``normal_strength=1``."""


class PbrParams(Params):
    """Options shared by every texture generator: how the derived maps and the preview are made."""

    normal_strength: float = Field(1.0, ge=0.0, le=10.0, description="Relief depth multiplier for the normal map")
    roughness_bias: float = Field(0.0, ge=-1.0, le=1.0, description="Added to every roughness value")
    preview: Literal["sphere", "quad", "none"] = Field("sphere", description="glTF material preview mesh")


@dataclass(frozen=True)
class PbrSet:
    """A texture set as 8-bit maps (16-bit height): albedo sRGB RGB, OpenGL normals, linear grey maps, ORM RGB."""

    albedo: np.ndarray
    normal: np.ndarray
    roughness: np.ndarray
    height: np.ndarray
    ao: np.ndarray
    orm: np.ndarray


def _u8(a: np.ndarray) -> np.ndarray:
    return np.round(np.clip(a, 0.0, 1.0) * 255.0).astype(np.uint8)


def normal_map(height: np.ndarray, strength: float = 1.0) -> np.ndarray:
    """Unit tangent-space normals (OpenGL: +Y points up the image) from a [0, 1] height map by a wrapping Sobel."""
    h = height.astype(np.float32)
    smooth_y = np.roll(h, 1, 0) + 2 * h + np.roll(h, -1, 0)
    smooth_x = np.roll(h, 1, 1) + 2 * h + np.roll(h, -1, 1)
    gx = (np.roll(smooth_y, -1, 1) - np.roll(smooth_y, 1, 1)) / 8.0  # height change per pixel to the right
    gy = (np.roll(smooth_x, -1, 0) - np.roll(smooth_x, 1, 0)) / 8.0  # ... per pixel down the image
    k = RELIEF_DEPTH * strength * h.shape[1]
    n = np.stack([-gx * k, gy * k, np.ones_like(h)], axis=-1)
    return n / np.linalg.norm(n, axis=-1, keepdims=True)


def ambient_occlusion(height: np.ndarray) -> np.ndarray:
    """Cavity occlusion in [0, 1] (1 = open): how far each texel lies below its blurred surroundings, at 3 scales."""
    n = height.shape[1]
    cavity = sum(np.clip(gaussian_blur(height, f * n) - height, 0.0, None) for f in (0.004, 0.016, 0.064)) / 3.0
    return np.clip(1.0 - 2.0 * cavity, 0.0, 1.0).astype(np.float32)


def pack_orm(ao: np.ndarray, roughness: np.ndarray, metallic: np.ndarray) -> np.ndarray:
    """uint8 RGB with occlusion in R, roughness in G and metallic in B (glTF and Unreal's ORM layout)."""
    return np.stack([_u8(ao), _u8(roughness), _u8(metallic)], axis=-1)


def _assemble(
    albedo: np.ndarray, height: np.ndarray, roughness: np.ndarray, metallic: np.ndarray, strength: float
) -> PbrSet:
    ao = ambient_occlusion(height)
    return PbrSet(
        albedo=_u8(albedo),
        normal=_u8(normal_map(height, strength) * 0.5 + 0.5),
        roughness=_u8(roughness),
        height=np.round(np.clip(height, 0.0, 1.0) * 65535.0).astype(np.uint16),
        ao=_u8(ao),
        orm=pack_orm(ao, roughness, metallic),
    )


def from_surface(surface: Surface, params: PbrParams) -> PbrSet:
    """The set for a procedural surface: normal and AO from its height, roughness shifted by the bias."""
    roughness = np.clip(surface.roughness + params.roughness_bias, 0.0, 1.0)
    return _assemble(surface.albedo, surface.height, roughness, surface.metallic, params.normal_strength)


def from_image(albedo: np.ndarray, params: PbrParams, metallic: float = 0.0) -> PbrSet:
    """The set for an RGB uint8 image: height from detail luminance, roughness from brightness and local contrast.

    Large-scale shading is removed from the height so baked lighting does not turn into slopes.
    """
    rgb = albedo.astype(np.float32) / 255.0
    lum = rgb @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    n = lum.shape[1]
    height = normalize(gaussian_blur(lum, 0.75) - 0.6 * gaussian_blur(lum, n / 8))
    contrast = normalize(gaussian_blur(np.abs(lum - gaussian_blur(lum, 2.0)), 2.0))
    roughness = np.clip(0.6 + 0.3 * contrast - 0.3 * (lum - lum.mean()) + params.roughness_bias, 0.0, 1.0)
    return _assemble(rgb, height, roughness, np.full_like(lum, metallic), params.normal_strength)


def set_assets(
    pbr: PbrSet, params: PbrParams, *, tiling: str, prefix: str = "", meta: dict[str, Any] | None = None
) -> list[Asset]:
    """The set as assets named ``<prefix><map>``, each with its quality report; plus the glTF preview.

    The maps are :class:`~gamegen.texture.assets.TextureMapAsset` (and a TextureNormalMapAsset): the generic profile
    writes each as it is, the engine profiles write what their materials read (:mod:`gamegen.texture.export`).
    Raises QualityError if a map promised to tile along an axis (``tiling``: none, x, y or xy) has a seam there.
    """
    shared = {"tiling": tiling, **(meta or {})}

    def image(map_name: str, arr: np.ndarray, color_space: str, **extra: Any) -> TextureMapAsset:
        name = prefix + map_name
        info = {"map": map_name, "color_space": color_space, **shared, "quality": quality.check_map(name, arr, tiling)}
        return TextureMapAsset(name, arr, meta={**info, **extra}, role=map_name, prefix=prefix)

    normal = prefix + "normal"
    normal_quality = {**quality.check_map(normal, pbr.normal, tiling), **quality.check_normal_map(normal, pbr.normal)}
    normal_meta = {"map": "normal", **shared, "quality": normal_quality}
    assets: list[Asset] = [
        image("albedo", pbr.albedo, "srgb", preview=True),
        TextureNormalMapAsset(normal, pbr.normal, meta=normal_meta, prefix=prefix),
        image("roughness", pbr.roughness, "linear"),
        image("height", pbr.height, "linear", relief_depth=RELIEF_DEPTH * params.normal_strength),
        image("ao", pbr.ao, "linear"),
        image("orm", pbr.orm, "linear", channels={"r": "occlusion", "g": "roughness", "b": "metallic"}),
    ]
    if params.preview != "none":
        preview_meta = {"map": "preview", "shape": params.preview, **shared}
        assets.append(
            material_preview(prefix + "preview", pbr.albedo, pbr.normal, pbr.orm, params.preview, preview_meta)
        )
    return assets
