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


def seam_score(arr: np.ndarray, axis: str) -> float:
    """The mean step across the wrap-around edge of ``axis`` (``x``: last column → first, ``y``: last row → first)
    relative to the interior: divided by the 99th percentile of the mean steps between neighbouring columns (rows).

    On a tileable map the wrap edge is just another neighbour pair, so the score stays near or below 1 even when a
    feature (a mortar joint) lies on the edge; a visible seam scores several times that.
    """
    a = as_float(arr)
    ax = 1 if axis == "x" else 0
    other = tuple(i for i in range(a.ndim) if i != ax)
    wrap = np.abs(a.take(0, axis=ax) - a.take(-1, axis=ax)).mean()
    steps = np.abs(np.diff(a, axis=ax)).mean(axis=other)
    return float((wrap + _EPS) / (np.percentile(steps, SEAM_PERCENTILE) + _EPS))


def check_map(name: str, arr: np.ndarray, tiling: str) -> dict[str, Any]:
    """Range, clipping and seam scores of one map; raises QualityError if it has a seam on a promised axis."""
    a = as_float(arr)
    report: dict[str, Any] = {
        "min": round(float(a.min()), 4),
        "max": round(float(a.max()), 4),
        "mean": round(float(a.mean()), 4),
        "clipped_fraction": round(float(np.mean((a <= 0.0) | (a >= 1.0))), 4),
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
    n = arr.astype(np.float32) / 127.5 - 1.0
    unit_error = float(np.abs(np.linalg.norm(n, axis=-1) - 1.0).max())
    z_min = float(n[..., 2].min())
    report = {"unit_length_error_max": round(unit_error, 4), "z_min": round(z_min, 4)}
    if unit_error > _UNIT_TOLERANCE or z_min < -1.0 / 127.5:
        raise QualityError(
            f"{name}: not a valid normal map (max |length − 1| = {unit_error:.3f}, allowed {_UNIT_TOLERANCE}; "
            f"min Z = {z_min:.3f}, must be ≥ 0)"
        )
    return report
