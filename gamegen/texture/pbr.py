"""PBR maps from height and albedo, and the engine-ready texture set both texture generators return.

Every filter wraps around the borders (``np.roll`` and FFT blurs), so derived maps tile exactly when their
sources do. Procedural materials author albedo/height/roughness/metallic; generated images get height and
roughness from heuristics. Either way the output is the same set: albedo, normal, roughness, height, AO, ORM
and a glTF preview.

The 8/16-bit maps are made in bands of rows; the occlusion's spectrum and sum are the only full-size float
temporaries (the numbers are those of the whole-array expressions, bit for bit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ..assets import Asset
from ..params import Field, Params
from . import quality
from .assets import TextureMapAsset, TextureNormalMapAsset
from .materials import Surface
from .materials import to_u8 as _u8
from .noise import bands, blur_bands, gaussian_blur, normalize
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
    "SetAssets",
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


def _normal_rows(h: np.ndarray, rows: slice, k: float) -> np.ndarray:
    """Unit normals of the rows ``rows`` of float32 ``h`` by the wrapping Sobel of :func:`normal_map` (same numbers)."""
    near = h[np.arange(rows.start - 1, rows.stop + 1) % h.shape[0]]  # the rows and one more on each side, wrapped
    smooth_y = near[:-2] + 2 * near[1:-1] + near[2:]
    smooth_x = np.roll(near, 1, 1) + 2 * near + np.roll(near, -1, 1)
    gx = (np.roll(smooth_y, -1, 1) - np.roll(smooth_y, 1, 1)) / 8.0  # height change per pixel to the right
    gy = (smooth_x[2:] - smooth_x[:-2]) / 8.0  # ... per pixel down the image
    n = np.stack([-gx * k, gy * k, np.ones_like(gx)], axis=-1)
    return n / np.linalg.norm(n, axis=-1, keepdims=True)


def normal_map(height: np.ndarray, strength: float = 1.0) -> np.ndarray:
    """Unit tangent-space normals (OpenGL: +Y points up the image) from a [0, 1] height map by a wrapping Sobel."""
    h = np.asarray(height, np.float32)
    k = RELIEF_DEPTH * strength * h.shape[1]
    out = np.empty((*h.shape, 3), np.float32)
    for rows in bands(h.shape[0]):
        out[rows] = _normal_rows(h, rows, k)
    return out


def _normal_u8(height: np.ndarray, strength: float) -> np.ndarray:
    """The 8-bit normal map (``n * 0.5 + 0.5``), band by band."""
    h = np.asarray(height, np.float32)
    k = RELIEF_DEPTH * strength * h.shape[1]
    out = np.empty((*h.shape, 3), np.uint8)
    for rows in bands(h.shape[0]):
        out[rows] = _u8(_normal_rows(h, rows, k) * 0.5 + 0.5)
    return out


_AO_SCALES = (0.004, 0.016, 0.064)  # blur sigmas as fractions of the width


def _cavity(height: np.ndarray) -> np.ndarray:
    """How far each texel lies below its blurred surroundings, summed over the AO scales (float32 HxW).

    One spectrum and the sum are the only full-size arrays: each blur is read band by band as it is transformed back.
    """
    n = height.shape[1]
    spectrum = np.empty((height.shape[0], n // 2 + 1), np.complex64)
    cavity = np.empty(height.shape, np.float32)
    for i, f in enumerate(_AO_SCALES):
        for rows, blurred in blur_bands(height, f * n, spectrum):
            below = np.clip(blurred - height[rows], 0.0, None)
            if i == 0:
                cavity[rows] = below
            else:
                cavity[rows] += below
    return cavity


def ambient_occlusion(height: np.ndarray) -> np.ndarray:
    """Cavity occlusion in [0, 1] (1 = open): how far each texel lies below its blurred surroundings, at 3 scales."""
    if height.dtype != np.float32:
        n = height.shape[1]
        cavity = sum(np.clip(gaussian_blur(height, f * n) - height, 0.0, None) for f in _AO_SCALES) / 3.0
        return np.clip(1.0 - 2.0 * cavity, 0.0, 1.0).astype(np.float32)
    ao = _cavity(height)
    for rows in bands(ao.shape[0]):
        ao[rows] = np.clip(1.0 - 2.0 * (ao[rows] / 3.0), 0.0, 1.0)
    return ao


def pack_orm(ao: np.ndarray, roughness: np.ndarray, metallic: np.ndarray) -> np.ndarray:
    """uint8 RGB with occlusion in R, roughness in G and metallic in B (glTF and Unreal's ORM layout)."""
    return np.stack([_u8(ao), _u8(roughness), _u8(metallic)], axis=-1)


Rows = Callable[[slice], np.ndarray]
"""A map read band by band: its rows ``rows`` as float values in [0, 1]."""


MapDone = Callable[[str, np.ndarray], None]
"""Hears of each map of a set as soon as it is final: its name (``albedo``, ``height``, ``ao``, ...) and array."""


def _assemble(
    albedo: np.ndarray,
    height: np.ndarray,
    roughness: Rows,
    metallic: Rows,
    strength: float,
    done: MapDone | None = None,
) -> PbrSet:
    """The 8/16-bit set, band by band: only the occlusion's spectrum and sum are full-size float temporaries.

    ``albedo`` is sRGB uint8 HxWx3 (kept as it is) or float in [0, 1]; ``height`` float in [0, 1]. ``done`` hears of
    each map the moment it is final (albedo and height first), so that its files can be encoded meanwhile.
    """
    tell: MapDone = done or (lambda name, arr: None)
    shape = height.shape
    albedo8 = albedo if albedo.dtype == np.uint8 else np.empty((*shape, 3), np.uint8)
    height16 = np.empty(shape, np.uint16)
    for rows in bands(shape[0]):
        if albedo8 is not albedo:
            albedo8[rows] = _u8(albedo[rows])
        height16[rows] = np.round(np.clip(height[rows], 0.0, 1.0) * 65535.0).astype(np.uint16)
    tell("albedo", albedo8)
    tell("height", height16)
    if height.dtype == np.float32:  # its work arrays are the largest temporaries
        cavity = _cavity(height)
        ao8 = np.empty(shape, np.uint8)
        for rows in bands(shape[0]):
            ao8[rows] = _u8(np.clip(1.0 - 2.0 * (cavity[rows] / 3.0), 0.0, 1.0))
        del cavity
    else:
        ao8 = _u8(ambient_occlusion(height))
    rough8 = np.empty(shape, np.uint8)
    orm = np.empty((*shape, 3), np.uint8)
    for rows in bands(shape[0]):
        rough8[rows] = _u8(roughness(rows))
        orm[rows, :, 0] = ao8[rows]
        orm[rows, :, 1] = rough8[rows]
        orm[rows, :, 2] = _u8(metallic(rows))
    for name, arr in (("roughness", rough8), ("ao", ao8), ("orm", orm)):
        tell(name, arr)
    normal = _normal_u8(height, strength)
    tell("normal", normal)
    return PbrSet(albedo=albedo8, normal=normal, roughness=rough8, height=height16, ao=ao8, orm=orm)


def from_surface(surface: Surface, params: PbrParams, done: MapDone | None = None) -> PbrSet:
    """The set for a procedural surface: normal and AO from its height, roughness shifted by the bias.

    ``done`` hears of each map as soon as it is final (see :class:`SetAssets`)."""
    bias = params.roughness_bias

    def roughness(rows: slice) -> np.ndarray:
        return np.clip(surface.roughness[rows] + bias, 0.0, 1.0)

    def metallic(rows: slice) -> np.ndarray:
        return surface.metallic[rows]

    return _assemble(surface.albedo, surface.height, roughness, metallic, params.normal_strength, done)


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
    metal = np.full_like(lum, metallic)
    return _assemble(rgb, height, lambda rows: roughness[rows], lambda rows: metal[rows], params.normal_strength)


_MAPS = ("albedo", "normal", "roughness", "height", "ao", "orm")  # the set's order


class SetAssets:
    """Makes a set's assets named ``<prefix><map>``, each with its quality report, and the glTF preview.

    Pass :meth:`done` to the functions that make the maps (:func:`from_surface`): each map becomes its asset as soon
    as it is final and goes to ``ready`` (a generator's ``ctx.ready``), so that its files can be encoded while the
    other maps are made. :meth:`assets` makes the rest and returns them all in the set's order. Raises QualityError
    if a map promised to tile along an axis (``tiling``: none, x, y or xy) has a seam there.
    """

    def __init__(
        self,
        params: PbrParams,
        *,
        tiling: str,
        prefix: str = "",
        meta: dict[str, Any] | None = None,
        ready: Callable[[Asset], Asset] | None = None,
    ) -> None:
        self._params, self._tiling, self._prefix, self._ready = params, tiling, prefix, ready
        self._shared = {"tiling": tiling, **(meta or {})}
        self._made: dict[str, Asset] = {}

    def done(self, map_name: str, arr: np.ndarray) -> None:
        """Map ``map_name`` is final: make its asset (checked) and hand it on."""
        asset = self._asset(map_name, arr)
        self._made[map_name] = asset if self._ready is None else self._ready(asset)

    def assets(self, pbr: PbrSet) -> list[Asset]:
        """Every map's asset (those not made yet, now) in the set's order, then the preview."""
        for map_name in _MAPS:
            if map_name not in self._made:
                self.done(map_name, getattr(pbr, map_name))
        out = [self._made[m] for m in _MAPS]
        shape = self._params.preview
        if shape != "none":
            meta = {"map": "preview", "shape": shape, **self._shared}
            out.append(material_preview(self._prefix + "preview", pbr.albedo, pbr.normal, pbr.orm, shape, meta))
        return out

    def _asset(self, map_name: str, arr: np.ndarray) -> Asset:
        name, tiling = self._prefix + map_name, self._tiling
        if map_name == "normal":
            checks = {**quality.check_map(name, arr, tiling), **quality.check_normal_map(name, arr)}
            meta = {"map": "normal", **self._shared, "quality": checks}
            return TextureNormalMapAsset(name, arr, meta=meta, prefix=self._prefix)
        color_space, extra = _MAP_INFO[map_name]
        if map_name == "height":
            extra = {"relief_depth": RELIEF_DEPTH * self._params.normal_strength}
        checked = quality.check_map(name, arr, tiling)
        info = {"map": map_name, "color_space": color_space, **self._shared, "quality": checked}
        return TextureMapAsset(name, arr, meta={**info, **extra}, role=map_name, prefix=self._prefix)


_MAP_INFO: dict[str, tuple[str, dict[str, Any]]] = {
    "albedo": ("srgb", {"preview": True}),
    "roughness": ("linear", {}),
    "height": ("linear", {}),
    "ao": ("linear", {}),
    "orm": ("linear", {"channels": {"r": "occlusion", "g": "roughness", "b": "metallic"}}),
}


def set_assets(
    pbr: PbrSet, params: PbrParams, *, tiling: str, prefix: str = "", meta: dict[str, Any] | None = None
) -> list[Asset]:
    """The set's assets and preview (:class:`SetAssets`), for a set already made."""
    return SetAssets(params, tiling=tiling, prefix=prefix, meta=meta).assets(pbr)
