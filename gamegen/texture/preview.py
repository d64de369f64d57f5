"""A glTF material preview of a PBR set: a UV sphere or a 2×2-tiled quad that shows the texture repeating."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from PIL import Image

from ..assets import Material, MeshAsset, MeshPart

__all__ = ["PreviewShape", "PREVIEW_TEXTURE_SIZE", "material_preview"]

PreviewShape = Literal["sphere", "quad"]
PREVIEW_TEXTURE_SIZE = 512  # the preview embeds the maps at most this large; the full-size maps ship beside it


def _sphere(rings: int = 32, segments: int = 64) -> MeshPart:
    """A unit UV sphere whose texture wraps twice around the equator and once pole to pole (square texels)."""
    theta = np.linspace(0.0, np.pi, rings + 1, dtype=np.float32)[:, None]
    phi = np.linspace(0.0, 2 * np.pi, segments + 1, dtype=np.float32)[None, :]
    normals = np.stack(
        np.broadcast_arrays(np.sin(theta) * np.cos(phi), np.cos(theta), -np.sin(theta) * np.sin(phi)), -1
    )
    uvs = np.stack(np.broadcast_arrays(2.0 * phi / (2 * np.pi), theta / np.pi), -1)
    i = np.arange(rings)[:, None] * (segments + 1) + np.arange(segments)[None, :]
    quads = np.stack([i, i + segments + 1, i + 1, i + 1, i + segments + 1, i + segments + 2], -1).reshape(-1, 3)
    return MeshPart(
        positions=normals.reshape(-1, 3), indices=quads, normals=normals.reshape(-1, 3), uvs=uvs.reshape(-1, 2)
    )


def _quad() -> MeshPart:
    """A 2×2 unit square in the XZ plane facing +Y whose UVs span two repeats each way."""
    positions = np.array([[-1, 0, 1], [1, 0, 1], [1, 0, -1], [-1, 0, -1]], np.float32)
    uvs = np.array([[0, 2], [2, 2], [2, 0], [0, 0]], np.float32)
    normals = np.tile(np.array([[0, 1, 0]], np.float32), (4, 1))
    return MeshPart(positions=positions, indices=np.array([[0, 1, 2], [0, 2, 3]]), normals=normals, uvs=uvs)


_SHRINK_ROWS = 512  # source rows resampled together: PIL copies what it resamples (4 bytes a pixel)


def _shrink(arr: np.ndarray) -> np.ndarray:
    """``arr`` box-downscaled so its longer side is at most PREVIEW_TEXTURE_SIZE.

    By a whole factor (a power-of-two map), each output row averages its own block of source rows, so the map is
    resampled in bands of rows: the same pixels as one call, without a full-size copy in PIL.
    """
    h, w = arr.shape[:2]
    if max(h, w) <= PREVIEW_TEXTURE_SIZE:
        return arr
    scale = PREVIEW_TEXTURE_SIZE / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    factor = h // size[1]
    if factor < 2 or h != size[1] * factor or w != size[0] * factor:
        return np.asarray(Image.fromarray(arr).resize(size, Image.Resampling.BOX))
    band = max(1, _SHRINK_ROWS // factor) * factor
    out = np.empty((size[1], size[0], *arr.shape[2:]), arr.dtype)
    for r0 in range(0, h, band):
        rows = min(band, h - r0)
        out[r0 // factor : (r0 + rows) // factor] = Image.fromarray(arr[r0 : r0 + rows]).resize(
            (size[0], rows // factor), Image.Resampling.BOX
        )
    return out


def _fit_untiled(part: MeshPart, tiling: str) -> MeshPart:
    """``part`` with its UVs squeezed into [0, 1] along the axes the texture does not tile (u: x, v: y).

    The glTF sampler clamps those axes (:func:`gamegen.export.gltf.wrap_modes`), so the texture is shown once there
    instead of repeating a seam.
    """
    if part.uvs is None:
        raise ValueError("a preview shape needs UVs")
    uvs = part.uvs.copy()
    for column, axis in enumerate("xy"):
        span = float(uvs[:, column].max())
        if axis not in tiling and span > 1.0:
            uvs[:, column] /= span
    return MeshPart(positions=part.positions, indices=part.indices, normals=part.normals, uvs=uvs)


def material_preview(
    name: str, albedo: np.ndarray, normal: np.ndarray, orm: np.ndarray, shape: PreviewShape, meta: dict[str, Any]
) -> MeshAsset:
    """A MeshAsset (exported as .glb) showing the set: base colour, OpenGL normal map and ORM on ``shape``.

    ``meta["tiling"]`` (default ``xy``) says which axes repeat: the .glb samples those with REPEAT and the others with
    CLAMP_TO_EDGE, and the preview's UVs stay within one copy of the texture along the clamped axes.
    """
    material = Material(name=name, base_color=_shrink(albedo), normal=_shrink(normal), orm=_shrink(orm))
    tiling = str(meta.get("tiling", "xy"))
    part = _fit_untiled(_sphere() if shape == "sphere" else _quad(), tiling)
    return MeshAsset(name, parts=[part], material=material, meta={**meta, "tiling": tiling})
