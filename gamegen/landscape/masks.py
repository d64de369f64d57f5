"""Maps derived from a heightfield: normals, slope, erosion masks and the biome splat map with its legend.

Every mapping to 8 bits is fixed (no per-map min/max), so the masks of neighbouring world tiles agree. Inputs carry a
one-pixel margin around the map (``margin`` below) so that derivatives at the map's edge are the same numbers a
neighbouring tile computes for its own edge.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "LAYERS",
    "gradients",
    "normal_map",
    "slope_degrees",
    "to_u8",
    "ratio_mask",
    "splat_weights",
    "splat_legend",
    "albedo",
    "hillshade",
    "preview_colours",
]

# name, preview colour (sRGB), rule shown in the legend
LAYERS: tuple[tuple[str, tuple[int, int, int], str], ...] = (
    ("sand", (194, 178, 128), "below and just above sea level"),
    ("grass", (86, 125, 70), "gentle slopes, denser where moist"),
    ("rock", (120, 112, 104), "slopes steeper than about 30–45°"),
    ("snow", (240, 242, 245), "above the snow line on slopes under about 50°"),
)
SNOW_LINE = 0.75  # fraction of the height range
SHALLOW_WATER, DEEP_WATER = (72, 128, 150), (22, 52, 88)  # preview colours at the shore and 10% of the range down


def gradients(height: np.ndarray, metres_per_pixel: float) -> tuple[np.ndarray, np.ndarray]:
    """Central-difference slopes ``dh/dx`` (east) and ``dh/dy`` (south) of a map with a 1-pixel margin, cropped."""
    h = height.astype(np.float32)
    scale = np.float32(0.5 / metres_per_pixel)
    gx = (h[1:-1, 2:] - h[1:-1, :-2]) * scale
    gy = (h[2:, 1:-1] - h[:-2, 1:-1]) * scale
    return gx, gy


def normal_map(gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """Tangent-space normals in the OpenGL convention (green = up the image) as uint8 RGB."""
    inv = 1.0 / np.sqrt(gx * gx + gy * gy + 1.0)
    n = np.stack([-gx * inv, gy * inv, inv], axis=-1)
    return np.round((n + 1.0) * 127.5).astype(np.uint8)


def slope_degrees(gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """Steepest slope angle at each sample, in degrees (float32)."""
    return np.degrees(np.arctan(np.sqrt(gx * gx + gy * gy))).astype(np.float32)


def to_u8(values: np.ndarray, full_scale: float) -> np.ndarray:
    """Linear map ``0 … full_scale`` to ``0 … 255`` (clipped)."""
    return np.round(np.clip(values / np.float32(full_scale), 0, 1) * 255).astype(np.uint8)


def ratio_mask(values: np.ndarray, half: float) -> np.ndarray:
    """Saturating map ``v / (v + half)`` to 8 bits: 128 at ``half``, approaching 255 for large values."""
    v = np.maximum(values, 0).astype(np.float32)
    return np.round(v / (v + np.float32(half)) * 255).astype(np.uint8)


def _smoothstep(lo: float, hi: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - np.float32(lo)) / np.float32(hi - lo), 0, 1)
    return t * t * (3 - 2 * t)


def splat_weights(height01: np.ndarray, slope_deg: np.ndarray, moisture: np.ndarray, sea_level: float) -> np.ndarray:
    """RGBA splat weights (sand, grass, rock, snow) as uint8 that add up to exactly 255 at every pixel."""
    sand = 1 - _smoothstep(sea_level + 0.01, sea_level + 0.05, height01)
    rock = _smoothstep(30.0, 45.0, slope_deg) * (1 - sand)
    snow = _smoothstep(SNOW_LINE - 0.04, SNOW_LINE + 0.04, height01 + 0.1 * (moisture - 0.5))
    snow *= (1 - _smoothstep(40.0, 55.0, slope_deg)) * (1 - sand)
    grass = np.clip(1 - sand - rock - snow, 0, 1) * (0.5 + 0.5 * moisture) + 1e-3
    w = np.stack([sand, grass, rock, snow], axis=-1).astype(np.float32)
    w /= w.sum(axis=-1, keepdims=True)
    q = np.floor(w * 255).astype(np.int32)
    top = w.argmax(axis=-1)[..., None]  # the rounding remainder goes to the strongest layer
    rest = 255 - q.sum(axis=-1, keepdims=True)
    np.put_along_axis(q, top, np.take_along_axis(q, top, axis=-1) + rest, axis=-1)
    return q.astype(np.uint8)


def splat_legend(sea_level: float, height_range_m: float) -> dict[str, Any]:
    """The JSON legend of the splat map: what each channel holds and the rule that placed it."""
    return {
        "channels": {
            ch: {"layer": name, "preview_color": list(color), "rule": rule}
            for ch, (name, color, rule) in zip("RGBA", LAYERS, strict=True)
        },
        "sum_per_pixel": 255,
        "sea_level_m": sea_level * height_range_m,
        "snow_line_m": SNOW_LINE * height_range_m,
    }


def albedo(splat: np.ndarray) -> np.ndarray:
    """Preview colour of the ground: the splat weights mixing each layer's colour (uint8 RGB)."""
    colors = np.array([c for _, c, _ in LAYERS], np.float32)
    return np.round(splat.astype(np.float32) @ colors / 255).clip(0, 255).astype(np.uint8)


def hillshade(gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """Lambert shading (light from the north-west, 45° up) in 0…1, for previews."""
    light = np.array([-1.0, -1.0, np.sqrt(2.0)], np.float32) / 2.0
    inv = 1.0 / np.sqrt(gx * gx + gy * gy + 1.0)
    return np.clip((-gx * light[0] - gy * light[1] + light[2]) * inv, 0, 1)


def preview_colours(albedo: np.ndarray, shade: np.ndarray, height01: np.ndarray, sea_level: float) -> np.ndarray:
    """The preview's RGB: shaded ground, and water below sea level that darkens with depth (uint8)."""
    depth = np.clip((np.float32(sea_level) - height01) / np.float32(0.1), 0, 1)[..., None]
    shallow, deep = np.array(SHALLOW_WATER, np.float32), np.array(DEEP_WATER, np.float32)
    water = shallow + (deep - shallow) * depth
    ground = albedo * shade
    wet = (height01 < sea_level)[..., None]
    return np.round(np.where(wet, water * (np.float32(0.85) + np.float32(0.15) * shade), ground)).astype(np.uint8)
