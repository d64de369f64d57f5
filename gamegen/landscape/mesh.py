"""The terrain as a glTF-ready mesh: a decimated grid split into chunks, with normals, UVs and a preview material."""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from ..assets import Material, MeshAsset, MeshPart
from .masks import gradients

__all__ = ["terrain_mesh", "CHUNK_QUADS", "TEXTURE_SIZE"]

CHUNK_QUADS = 128
"""Quads per side of one mesh part (129² vertices: 16-bit indices, engine-friendly culling units)."""
TEXTURE_SIZE = 1024
"""Largest side of the base-colour texture embedded in the .glb."""


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
) -> MeshAsset:
    """Mesh of a square heightfield in metres (glTF axes: +X east, +Y up, +Z south; origin at the north-west corner).

    ``height_m`` has a 1-pixel margin; vertex normals come from the same full-resolution slopes as the normal map.
    At most ``max_quads`` quads per side are kept, in chunks of :data:`CHUNK_QUADS`.
    """
    size = height_m.shape[0] - 2
    idx = _samples(size, max_quads)
    rows, cols = np.meshgrid(idx, idx, indexing="ij")
    parts = []
    for r0 in range(0, idx.size - 1, CHUNK_QUADS):
        for c0 in range(0, idx.size - 1, CHUNK_QUADS):
            rr = rows[r0 : r0 + CHUNK_QUADS + 1, c0 : c0 + CHUNK_QUADS + 1]
            cc = cols[r0 : r0 + CHUNK_QUADS + 1, c0 : c0 + CHUNK_QUADS + 1]
            parts.append(_chunk(height_m, rr, cc, metres_per_pixel, size))
    side = min(TEXTURE_SIZE, 1 << ((size - 1).bit_length() - 1))  # a power of two, as GPUs and glTF prefer
    texture = Image.fromarray(base_color).resize((side, side), Image.Resampling.LANCZOS)
    material = Material(name=f"{name}_ground", base_color=np.asarray(texture), roughness=0.9)
    return MeshAsset(name, parts, material, meta=dict(meta or {}))


def _chunk(height_m: np.ndarray, rr: np.ndarray, cc: np.ndarray, metres_per_pixel: float, size: int) -> MeshPart:
    """One grid chunk: vertices at the sampled pixels ``(rr, cc)`` and two triangles per quad (counter-clockwise)."""
    r0, c0 = rr[0, 0], cc[0, 0]
    window = height_m[r0 : rr[-1, 0] + 3, c0 : cc[0, -1] + 3]  # the chunk's pixels and their 1-pixel margin
    gx, gy = gradients(window, metres_per_pixel)
    local = rr - r0, cc - c0
    positions = np.stack([cc * metres_per_pixel, window[1:-1, 1:-1][local], rr * metres_per_pixel], axis=-1)
    normals = np.stack([-gx[local], np.ones(rr.shape, np.float32), -gy[local]], axis=-1)
    uvs = np.stack([cc, rr], axis=-1) / (size - 1)
    n_r, n_c = rr.shape
    v = np.arange(n_r * n_c).reshape(n_r, n_c)
    a, b, c, d = v[:-1, :-1], v[:-1, 1:], v[1:, :-1], v[1:, 1:]
    tris = np.concatenate([np.stack([a, c, b], -1).reshape(-1, 3), np.stack([b, c, d], -1).reshape(-1, 3)])
    return MeshPart(positions.reshape(-1, 3), tris, normals.reshape(-1, 3), uvs.reshape(-1, 2))
