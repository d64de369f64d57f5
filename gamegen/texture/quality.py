"""Automatic quality checks for texture maps: seam score per axis, value range and clipping, normal validity.

The results go into each asset's manifest entry; a map that breaks its seamless promise, or a normal map that is
not a field of unit vectors facing out of the surface, raises :class:`gamegen.QualityError`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import QualityError

__all__ = ["SEAM_LIMIT", "SEAM_PERCENTILE", "as_float", "seam_score", "check_map", "check_normal_map"]

SEAM_LIMIT = 1.5
"""Largest seam score a seamless map may have."""

SEAM_PERCENTILE = 99.0
_EPS = 1e-3  # keeps flat maps (all steps ≈ 0) at a score of 1
_UNIT_TOLERANCE = 0.02  # 8-bit quantisation moves a unit normal's length by at most ~0.007


def as_float(arr: np.ndarray) -> np.ndarray:
    """uint8/uint16 image → float32 in [0, 1] with a channel axis (HxWxC)."""
    a = arr.astype(np.float32) / np.float32(np.iinfo(arr.dtype).max)
    return a[..., None] if a.ndim == 2 else a


# The statistics below read the image band by band (a 4096² RGB map as float32 is 201 MB) and reproduce, bit for bit,
# numpy's float32 reductions over the whole float image: its pairwise sums, and its row-by-row accumulation of
# per-column means.
_BAND = 64
_LEAF = 1 << 18  # pairwise sums of at most this many values are handed to numpy whole


def _bands(n: int) -> range:
    return range(0, n, _BAND)


def _pairwise_sum(values: np.ndarray, start: int, n: int) -> np.float32:
    """``np.add.reduce`` of ``as_float`` of the flat values ``[start, start + n)``, following numpy's pairwise split."""
    if n <= _LEAF:
        return np.add.reduce(as_float(values[start : start + n]).reshape(-1))
    half = n // 2
    half -= half % 8
    return np.float32(_pairwise_sum(values, start, half) + _pairwise_sum(values, start + half, n - half))


def _mean(arr: np.ndarray) -> float:
    """``float(as_float(arr).mean())``."""
    if not arr.flags.c_contiguous:  # numpy sums a view in its memory order
        return float(as_float(arr).mean())
    flat = arr.reshape(-1)
    return float(np.float32(_pairwise_sum(flat, 0, flat.size) / flat.size))


def _column_steps(arr: np.ndarray) -> np.ndarray:
    """``np.abs(np.diff(as_float(arr), axis=1)).mean(axis=(0, 2))``: numpy sums each row's channels, then the rows."""
    total = np.zeros(arr.shape[1] - 1, np.float32)
    for r0 in _bands(arr.shape[0]):
        d = np.abs(np.diff(as_float(arr[r0 : r0 + _BAND]), axis=1))
        per_row = d[..., 0].copy()
        for c in range(1, d.shape[2]):
            per_row += d[..., c]
        for row in per_row:
            total += row
    channels = 1 if arr.ndim == 2 else arr.shape[2]
    return total / np.float32(arr.shape[0] * channels)


def _row_steps(arr: np.ndarray) -> np.ndarray:
    """``np.abs(np.diff(as_float(arr), axis=0)).mean(axis=(1, 2))``: a pairwise sum per row."""
    out = np.empty(arr.shape[0] - 1, np.float32)
    for r0 in _bands(arr.shape[0] - 1):
        d = np.abs(np.diff(as_float(arr[r0 : r0 + _BAND + 1]), axis=0))
        out[r0 : r0 + d.shape[0]] = np.add.reduce(d.reshape(d.shape[0], -1), axis=1)
    return out / np.float32(arr[0].size)


def seam_score(arr: np.ndarray, axis: str) -> float:
    """The mean step across the wrap-around edge of ``axis`` (``x``: last column → first, ``y``: last row → first)
    relative to the interior: divided by the 99th percentile of the mean steps between neighbouring columns (rows).

    On a tileable map the wrap edge is just another neighbour pair, so the score stays near or below 1 even when a
    feature (a mortar joint) lies on the edge; a visible seam scores several times that.
    """
    ax = 1 if axis == "x" else 0
    if arr.flags.c_contiguous:
        first = as_float(arr[:, :1] if ax else arr[:1]).take(0, axis=ax)
        last = as_float(arr[:, -1:] if ax else arr[-1:]).take(0, axis=ax)
        wrap = np.abs(first - last).mean()
        steps = _column_steps(arr) if ax else _row_steps(arr)
    else:  # numpy reduces a view in its own memory order: do as it does, on the whole float image
        a = as_float(arr)
        other = tuple(i for i in range(a.ndim) if i != ax)
        wrap = np.abs(a.take(0, axis=ax) - a.take(-1, axis=ax)).mean()
        steps = np.abs(np.diff(a, axis=ax)).mean(axis=other)
    return float((wrap + _EPS) / (np.percentile(steps, SEAM_PERCENTILE) + _EPS))


def check_map(name: str, arr: np.ndarray, tiling: str) -> dict[str, Any]:
    """Range, clipping and seam scores of one map; raises QualityError if it has a seam on a promised axis."""
    top = np.iinfo(arr.dtype).max  # as_float(arr) is arr / top: 0 and 1 exactly at 0 and top
    clipped = sum(
        np.count_nonzero((arr[r0 : r0 + _BAND] == 0) | (arr[r0 : r0 + _BAND] == top)) for r0 in _bands(len(arr))
    )
    report: dict[str, Any] = {
        "min": round(float(np.float32(arr.min()) / np.float32(top)), 4),
        "max": round(float(np.float32(arr.max()) / np.float32(top)), 4),
        "mean": round(_mean(arr), 4),
        "clipped_fraction": round(clipped / arr.size, 4),
        "seam_x": round(seam_score(arr, "x"), 3),
        "seam_y": round(seam_score(arr, "y"), 3),
        "seam_limit": SEAM_LIMIT,
    }
    for axis in ("x", "y"):
        if axis in tiling and report[f"seam_{axis}"] > SEAM_LIMIT:
            raise QualityError(
                f"{name}: promised to tile along {axis} but its seam score is {report[f'seam_{axis}']} "
                f"(limit {SEAM_LIMIT}: the step across the edge is that many times the largest interior steps)"
            )
    return report


def check_normal_map(name: str, arr: np.ndarray) -> dict[str, Any]:
    """Unit length and Z ≥ 0 of an 8-bit tangent-space normal map; raises QualityError if it is not valid."""
    unit_error, z_min = 0.0, np.inf
    for r0 in _bands(arr.shape[0]):
        n = arr[r0 : r0 + _BAND].astype(np.float32) / 127.5 - 1.0
        unit_error = max(unit_error, float(np.abs(np.linalg.norm(n, axis=-1) - 1.0).max()))
        z_min = min(z_min, float(n[..., 2].min()))
    report = {"unit_length_error_max": round(unit_error, 4), "z_min": round(z_min, 4)}
    if unit_error > _UNIT_TOLERANCE or z_min < -1.0 / 127.5:
        raise QualityError(
            f"{name}: not a valid normal map (max |length − 1| = {unit_error:.3f}, allowed {_UNIT_TOLERANCE}; "
            f"min Z = {z_min:.3f}, must be ≥ 0)"
        )
    return report
