"""The terrain as a glTF-ready mesh: a decimated grid split into chunks, with normals, UVs and a preview material.

The base-colour texture has one texel per height sample by default (see :func:`default_texture_size`), and the UVs
put texel centres on the samples they were made from (the corner texels' centres on the map's corners). The mesh
records ``tiling: none`` so the glTF sampler clamps to the edge: a neighbouring world tile's border texels are then the
same shared samples, and no opposite-edge colour bleeds into the border.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from ..assets import Material, MeshAsset, MeshPart

__all__ = [
    "terrain_mesh",
    "MeshHeights",
    "default_texture_size",
    "texture_side",
    "texture_canvas",
    "extend_edges",
    "resample_canvas",
    "CHUNK_QUADS",
    "TEXTURE_MAX",
]

CHUNK_QUADS = 128
"""Quads per side of one mesh part (129² vertices: 16-bit indices, engine-friendly culling units)."""
TEXTURE_MAX = 2049
"""Largest default side of the base-colour texture embedded in the .glb (one texel per sample up to 2049²)."""


def default_texture_size(size: int) -> int:
    """Texels per side of the terrain's base-colour texture for a map of ``size`` samples per side.

    One texel per height sample up to :data:`TEXTURE_MAX`; a larger map gets one texel per k-th sample for the
    smallest whole k that fits (4097 → 2049, 8129 → 2033, 8193 → 2049), so texels still land on samples.
    """
    if size <= TEXTURE_MAX:
        return size
    k = -(-(size - 1) // (TEXTURE_MAX - 1))
    return -(-(size - 1) // k) + 1


def texture_side(size: int, texture_size: int | None = None) -> int:
    """Texels per side of the terrain texture of a ``size``² map (``texture_size``, or the default for the size)."""
    return max(2, default_texture_size(size) if texture_size is None else texture_size)


def texture_canvas(size: int, side: int, channels: int = 3) -> tuple[np.ndarray, int]:
    """An uninitialised uint8 canvas for a ``size``² image that is to be resampled to ``side``², and its margin.

    The image goes at ``[pad:pad+size, pad:pad+size]``; :func:`extend_edges` then fills the margin the resample
    reads beyond the edge. Writing the image there directly (band by band) saves the copy a padded image costs.
    """
    pad = 0 if side == size else math.ceil(3 * max(1.0, (size - 1) / (side - 1))) + 1
    return np.empty((size + 2 * pad, size + 2 * pad, channels), np.uint8), pad


def extend_edges(canvas: np.ndarray, pad: int) -> None:
    """Fill the canvas's margin by replicating the image's edge (what ``np.pad(mode="edge")`` makes), in place."""
    if pad == 0:
        return
    n = canvas.shape[0] - 2 * pad
    inner = slice(pad, pad + n)
    canvas[:pad, inner] = canvas[pad, inner]
    canvas[pad + n :, inner] = canvas[pad + n - 1, inner]
    canvas[:, :pad] = canvas[:, pad : pad + 1]
    canvas[:, pad + n :] = canvas[:, pad + n - 1 : pad + n]


def resample_canvas(image: Image.Image, size: int, side: int, pad: int) -> np.ndarray:
    """A filled canvas (as a PIL image) resampled by Lanczos to side×side, texel j centred on sample j·(n−1)/(side−1).

    Both corner texels sit on corner samples (an "align corners" resample); the edge is extended by replication,
    never wrapped, because the map does not tile.
    """
    step = (size - 1) / (side - 1)
    start = pad + 0.5 - 0.5 * step
    box = (start, start, start + side * step, start + side * step)
    return np.asarray(image.resize((side, side), Image.Resampling.LANCZOS, box=box))


def _resample(image: np.ndarray, side: int) -> np.ndarray:
    """``image`` (n×n×c) resampled to side×side as :func:`resample_canvas` does (``image`` itself when side = n)."""
    n = image.shape[0]
    if side == n:
        return image
    canvas, pad = texture_canvas(n, side, image.shape[2])
    canvas[pad : pad + n, pad : pad + n] = image
    extend_edges(canvas, pad)
    return resample_canvas(Image.fromarray(canvas), n, side, pad)


def _samples(size: int, max_quads: int) -> np.ndarray:
    """Sample indices along one side: every pixel when small enough, else evenly spaced (both edges kept)."""
    quads = min(size - 1, max_quads)
    return np.round(np.linspace(0, size - 1, quads + 1)).astype(np.int64)


@dataclass(frozen=True)
class MeshHeights:
    """The heights a terrain mesh reads from a ``size``² map with a 1-pixel margin: at the margin rows and columns
    ``index`` (the vertices' and their neighbours', for the slopes), as the grid ``values = height_m[index × index]``.

    At 4097² with 512 quads per side that is 1.5k² values instead of 16.8M, so the full map need not outlive it.
    """

    size: int
    index: np.ndarray
    values: np.ndarray

    @classmethod
    def rows(cls, size: int, max_quads: int) -> np.ndarray:
        """The margin rows (= columns) a mesh of at most ``max_quads`` quads per side reads, ascending."""
        idx = _samples(size, max_quads)
        return np.unique(np.concatenate([idx, idx + 1, idx + 2]))

    @classmethod
    def of(cls, height_m: np.ndarray, max_quads: int) -> MeshHeights:
        """The heights the mesh of ``height_m`` (with its margin) reads."""
        index = cls.rows(height_m.shape[0] - 2, max_quads)
        return cls(height_m.shape[0] - 2, index, height_m[np.ix_(index, index)])


def terrain_mesh(
    name: str,
    height_m: np.ndarray | MeshHeights,
    metres_per_pixel: float,
    max_quads: int,
    base_color: np.ndarray,
    meta: dict[str, Any] | None = None,
    texture_size: int | None = None,
) -> MeshAsset:
    """Mesh of a square heightfield in metres (glTF axes: +X east, +Y up, +Z south; origin at the north-west corner).

    ``height_m`` has a 1-pixel margin (or is the part of it the mesh reads, :class:`MeshHeights`); vertex normals
    come from the same full-resolution slopes as the normal map. At most ``max_quads`` quads per side are kept, in
    chunks of :data:`CHUNK_QUADS`. ``base_color`` (one RGB texel per sample, or already resampled to the texture's
    side) is embedded at ``texture_size`` texels per side (None: :func:`default_texture_size`).
    """
    heights = height_m if isinstance(height_m, MeshHeights) else MeshHeights.of(height_m, max_quads)
    size = heights.size
    side = texture_side(size, texture_size)
    idx = _samples(size, max_quads)
    rows, cols = np.meshgrid(idx, idx, indexing="ij")
    where = np.full(size + 2, -1, np.int64)  # margin row or column → its place in heights.values
    where[heights.index] = np.arange(heights.index.size)
    parts = []
    for r0 in range(0, idx.size - 1, CHUNK_QUADS):
        for c0 in range(0, idx.size - 1, CHUNK_QUADS):
            rr = rows[r0 : r0 + CHUNK_QUADS + 1, c0 : c0 + CHUNK_QUADS + 1]
            cc = cols[r0 : r0 + CHUNK_QUADS + 1, c0 : c0 + CHUNK_QUADS + 1]
            parts.append(_chunk(heights.values, where, rr, cc, metres_per_pixel, size, side))
    material = Material(name=f"{name}_ground", base_color=_resample(base_color, side), roughness=0.9)
    return MeshAsset(name, parts, material, meta={**(meta or {}), "tiling": "none", "texture_size": side})


def _chunk(
    values: np.ndarray,
    where: np.ndarray,
    rr: np.ndarray,
    cc: np.ndarray,
    metres_per_pixel: float,
    size: int,
    side: int,
) -> MeshPart:
    """One grid chunk: vertices at the sampled pixels ``(rr, cc)`` and two triangles per quad (counter-clockwise).

    ``values[where[i], where[j]]`` is the height at margin row ``i``, column ``j``; the slopes are the central
    differences :func:`~gamegen.landscape.masks.gradients` takes. A vertex at sample ``c`` gets
    ``u = (c·(side−1)/(size−1) + 0.5) / side``: the centre of the texel made from it.
    """

    def at(dr: int, dc: int) -> np.ndarray:
        return values[where[rr + 1 + dr], where[cc + 1 + dc]]

    scale = np.float32(0.5 / metres_per_pixel)
    f32 = np.float32
    gx = (at(0, 1).astype(f32) - at(0, -1).astype(f32)) * scale
    gy = (at(1, 0).astype(f32) - at(-1, 0).astype(f32)) * scale
    positions = np.stack([cc * metres_per_pixel, at(0, 0), rr * metres_per_pixel], axis=-1)
    normals = np.stack([-gx, np.ones(rr.shape, np.float32), -gy], axis=-1)
    uvs = (np.stack([cc, rr], axis=-1) * ((side - 1) / (size - 1)) + 0.5) / side
    n_r, n_c = rr.shape
    v = np.arange(n_r * n_c).reshape(n_r, n_c)
    a, b, c, d = v[:-1, :-1], v[:-1, 1:], v[1:, :-1], v[1:, 1:]
    tris = np.concatenate([np.stack([a, c, b], -1).reshape(-1, 3), np.stack([b, c, d], -1).reshape(-1, 3)])
    return MeshPart(positions.reshape(-1, 3), tris, normals.reshape(-1, 3), uvs.reshape(-1, 2))
