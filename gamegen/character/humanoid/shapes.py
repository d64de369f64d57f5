"""Rasterising part shapes: static masks on a small grid, and capsules or polygons batched over all frames.

A :class:`Stamp` is part ids on a small grid plus where that grid sits in every frame, so compositing is one
scatter per part for all frames at once. Pixels are inside a shape when their centres are, which keeps shapes
placed symmetrically about a pixel edge exactly symmetric.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Stamp", "Grid", "superellipse", "trapezoid", "capsules", "polygon"]


@dataclass(frozen=True)
class Stamp:
    """Part ids (0 empty) on a grid: ``ids`` (h, w) the same in every frame, or (F, h, w) one per frame;
    ``origin`` (F, 2) int: the grid's top-left pixel (y, x) in each frame."""

    ids: np.ndarray
    origin: np.ndarray


@dataclass(frozen=True)
class Grid:
    """A static grid of ``h``×``w`` pixels around an anchor at its pixel edge (``ay``, ``ax``); ``y``/``x`` are the
    pixel centres relative to the anchor (h, 1) and (1, w)."""

    h: int
    w: int
    ay: int
    ax: int

    @property
    def y(self) -> np.ndarray:
        return (np.arange(self.h) + 0.5 - self.ay)[:, None]

    @property
    def x(self) -> np.ndarray:
        return (np.arange(self.w) + 0.5 - self.ax)[None, :]

    def blank(self) -> np.ndarray:
        return np.zeros((self.h, self.w), dtype=np.uint8)

    def stamp(self, ids: np.ndarray, anchors: np.ndarray) -> Stamp:
        """Place ``ids`` with the anchor at ``anchors`` (F, 2) screen (x, y), rounded to whole pixels."""
        at = np.floor(anchors + 0.5).astype(np.int64)
        return Stamp(ids, np.stack([at[:, 1] - self.ay, at[:, 0] - self.ax], axis=1))


def superellipse(
    x: np.ndarray, y: np.ndarray, cx: float, cy: float, rx: float, ry: float, p: float = 2.0
) -> np.ndarray:
    """Pixels inside |dx/rx|^p + |dy/ry|^p < 1 (p = 2: an ellipse; larger p: squarer)."""
    return np.abs((x - cx) / rx) ** p + np.abs((y - cy) / ry) ** p < 1.0


def trapezoid(
    x: np.ndarray, y: np.ndarray, y0: float, y1: float, hw0: float, hw1: float, cx: float = 0.0, cut: float = 0.0
) -> np.ndarray:
    """Rows ``y0``–``y1`` whose half width goes from ``hw0`` to ``hw1``, top corners cut by ``cut`` pixels."""
    t = np.clip((y - y0) / max(y1 - y0, 1e-6), 0.0, 1.0)
    hw = hw0 + (hw1 - hw0) * t
    inside = (y > y0) & (y < y1) & (np.abs(x - cx) < hw)
    return inside & (np.abs(x - cx) - hw + cut < (y - y0))


def _box(points: np.ndarray, pad: np.ndarray | float) -> tuple[np.ndarray, int, int]:
    """Per-frame top-left (F, 2) (y, x) and one grid size covering ``points`` (F, K, 2) screen (x, y) ± ``pad``."""
    lo = np.floor(points.min(axis=1) - pad).astype(np.int64) - 1
    hi = np.ceil(points.max(axis=1) + pad).astype(np.int64) + 1
    w, h = (hi - lo).max(axis=0)
    return lo[:, ::-1].copy(), int(h), int(w)


def capsules(a: np.ndarray, b: np.ndarray, radius: np.ndarray, ids: np.ndarray) -> Stamp:
    """Capsules from ``a`` to ``b`` (F, K, 2 screen x, y) of ``radius`` (K,), painted in order as ``ids`` (K,)."""
    radius = np.asarray(radius, dtype=float)
    origin, h, w = _box(np.concatenate([a, b], axis=1), float(radius.max()))
    # pixel centres relative to each frame's grid corner, and the segments in the same frame, in float32
    py = (np.arange(h, dtype=np.float32) + 0.5)[None, :, None]
    px = (np.arange(w, dtype=np.float32) + 0.5)[None, None, :]
    corner = origin[:, None, ::-1].astype(np.float32)
    a32, b32 = a.astype(np.float32) - corner, b.astype(np.float32) - corner
    out = np.zeros((len(a), h, w), dtype=np.uint8)
    for k in range(a.shape[1]):  # a handful of segments per part, each over all frames at once
        ax, ay = a32[:, k, 0, None, None], a32[:, k, 1, None, None]
        dx, dy = b32[:, k, 0, None, None] - ax, b32[:, k, 1, None, None] - ay
        t = np.clip(((px - ax) * dx + (py - ay) * dy) / np.maximum(dx * dx + dy * dy, 1e-9), 0.0, 1.0)
        d2 = (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2
        out[d2 < np.float32(radius[k] ** 2)] = ids[k]
    return Stamp(out, origin)


def polygon(corners: np.ndarray, part: int) -> Stamp:
    """Convex polygons, one per frame: ``corners`` (F, K, 2) screen (x, y) in either winding order."""
    origin, h, w = _box(corners, 0.0)
    py = origin[:, 0, None, None] + np.arange(h)[None, :, None] + 0.5
    px = origin[:, 1, None, None] + np.arange(w)[None, None, :] + 0.5
    nxt = np.roll(corners, -1, axis=1)
    sides = []
    for k in range(corners.shape[1]):
        ex, ey = nxt[:, k, 0] - corners[:, k, 0], nxt[:, k, 1] - corners[:, k, 1]
        sides.append(
            ex[:, None, None] * (py - corners[:, k, 1, None, None])
            - ey[:, None, None] * (px - corners[:, k, 0, None, None])
        )
    s = np.stack(sides)
    inside = (s >= 0).all(axis=0) | (s <= 0).all(axis=0)
    return Stamp(np.where(inside, part, 0).astype(np.uint8), origin)
