"""The terrain as a glTF-ready mesh: a decimated grid split into chunks, with normals, UVs and a preview material.

The base-colour texture has one texel per height sample by default (see :func:`default_texture_size`), and the UVs
put texel centres on the samples they were made from (the corner texels' centres on the map's corners). The mesh
records ``tiling: none`` so the glTF sampler clamps to the edge: a neighbouring world tile's border texels are then the
same shared samples, and no opposite-edge colour bleeds into the border.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PIL import Image

from ..assets import Material, MeshAsset, MeshPart
from .masks import gradients

__all__ = ["terrain_mesh", "default_texture_size", "CHUNK_QUADS", "TEXTURE_MAX"]

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


def _resample(image: np.ndarray, side: int) -> np.ndarray:
    """``image`` (n×n×c) resampled by Lanczos to side×side with texel j centred on sample j·(n−1)/(side−1).

    Both corner texels sit on corner samples (an "align corners" resample); the edge is extended by replication,
    never wrapped, because the map does not tile.
    """
    n = image.shape[0]
    if side == n:
        return image
    step = (n - 1) / (side - 1)
    pad = math.ceil(3 * max(1.0, step)) + 1  # Lanczos reads 3 source pixels each way, 3 × the shrink factor
    padded = Image.fromarray(np.pad(image, ((pad, pad), (pad, pad), (0, 0)), mode="edge"))
    start = pad + 0.5 - 0.5 * step
    box = (start, start, start + side * step, start + side * step)
    return np.asarray(padded.resize((side, side), Image.Resampling.LANCZOS, box=box))


def _samples(size: int, max_quads: int) -> np.ndarray:
    """Sample indices along one side: every pixel when small enough, else evenly spaced (both edges kept)."""
    quads = min(size - 1, max_quads)
    return np.round(np.linspace(0, size - 1, quads + 1)).astype(np.int64)


def terrain_mesh(
    name: str,
    height_m: np.ndarray,
    metres_per_pixel: float,
    max_quads: int,
    base_color: np.ndarray,
    meta: dict[str, Any] | None = None,
    texture_size: int | None = None,
) -> MeshAsset:
    """Mesh of a square heightfield in metres (glTF axes: +X east, +Y up, +Z south; origin at the north-west corner).

    ``height_m`` has a 1-pixel margin; vertex normals come from the same full-resolution slopes as the normal map.
    At most ``max_quads`` quads per side are kept, in chunks of :data:`CHUNK_QUADS`. ``base_color`` (one RGB texel per
    sample) is embedded at ``texture_size`` texels per side (None: :func:`default_texture_size`).
    """
    size = height_m.shape[0] - 2
    side = max(2, default_texture_size(size) if texture_size is None else texture_size)
    idx = _samples(size, max_quads)
    rows, cols = np.meshgrid(idx, idx, indexing="ij")
    parts = []
    for r0 in range(0, idx.size - 1, CHUNK_QUADS):
        for c0 in range(0, idx.size - 1, CHUNK_QUADS):
            rr = rows[r0 : r0 + CHUNK_QUADS + 1, c0 : c0 + CHUNK_QUADS + 1]
            cc = cols[r0 : r0 + CHUNK_QUADS + 1, c0 : c0 + CHUNK_QUADS + 1]
            parts.append(_chunk(height_m, rr, cc, metres_per_pixel, size, side))
    material = Material(name=f"{name}_ground", base_color=_resample(base_color, side), roughness=0.9)
    return MeshAsset(name, parts, material, meta={**(meta or {}), "tiling": "none", "texture_size": side})


def _chunk(
    height_m: np.ndarray, rr: np.ndarray, cc: np.ndarray, metres_per_pixel: float, size: int, side: int
) -> MeshPart:
    """One grid chunk: vertices at the sampled pixels ``(rr, cc)`` and two triangles per quad (counter-clockwise).

    A vertex at sample ``c`` gets ``u = (c·(side−1)/(size−1) + 0.5) / side``: the centre of the texel made from it.
    """
    r0, c0 = rr[0, 0], cc[0, 0]
    window = height_m[r0 : rr[-1, 0] + 3, c0 : cc[0, -1] + 3]  # the chunk's pixels and their 1-pixel margin
    gx, gy = gradients(window, metres_per_pixel)
    local = rr - r0, cc - c0
    positions = np.stack([cc * metres_per_pixel, window[1:-1, 1:-1][local], rr * metres_per_pixel], axis=-1)
    normals = np.stack([-gx[local], np.ones(rr.shape, np.float32), -gy[local]], axis=-1)
    uvs = (np.stack([cc, rr], axis=-1) * ((side - 1) / (size - 1)) + 0.5) / side
    n_r, n_c = rr.shape
    v = np.arange(n_r * n_c).reshape(n_r, n_c)
    a, b, c, d = v[:-1, :-1], v[:-1, 1:], v[1:, :-1], v[1:, 1:]
    tris = np.concatenate([np.stack([a, c, b], -1).reshape(-1, 3), np.stack([b, c, d], -1).reshape(-1, 3)])
    return MeshPart(positions.reshape(-1, 3), tris, normals.reshape(-1, 3), uvs.reshape(-1, 2))
