"""From the networks' floats to finished pixels: the data's alpha rule and, for pixel art, its palette.

A model's output is continuous; pixel art must not gain colours its artist never used. The palette is the data's
own opaque colours (when there are more than asked for, the k-means centres replaced by the nearest colour the data
has), so every colour a snapped picture holds is one the data holds.
"""

from __future__ import annotations

import numpy as np

from gamegen.character.palettes import nearest_index, to_oklab
from gamegen.character.pixelart import kmeans_palette

from .data import AlphaRule

__all__ = ["dataset_palette", "finish", "hex_colours", "parse_colours"]


def _opaque_colours(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct colours of the opaque pixels (uint8 (K, 3)) and how many pixels have each."""
    rgb = pixels[pixels[..., 3] > 0][:, :3].astype(np.uint32)
    packed = (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]
    values, counts = np.unique(packed, return_counts=True)
    colours = np.stack([(values >> 16) & 255, (values >> 8) & 255, values & 255], axis=1).astype(np.uint8)
    return colours, counts


def dataset_palette(pixels: np.ndarray, colours: int, rng: np.random.Generator) -> np.ndarray:
    """At most ``colours`` colours (uint8 (K, 3)), all taken from the opaque pixels of ``pixels`` (N, S, S, 4)."""
    found, counts = _opaque_colours(pixels)
    if len(found) <= colours:
        return found
    weights = np.repeat(found, np.minimum(counts, 64), axis=0)  # a k-means sample that favours common colours
    centres = kmeans_palette(weights, colours, rng)
    picked = nearest_index(to_oklab(centres), to_oklab(found))
    return found[np.unique(picked)]


def finish(x: np.ndarray, alpha: AlphaRule, palette: np.ndarray | None) -> np.ndarray:
    """Floats in [-1, 1] (N, S, S, 4) → uint8 RGBA: alpha by the data's rule (binary data stays on or off, opaque
    data stays opaque), colours snapped to ``palette`` when given, fully transparent pixels black."""
    out = np.clip(np.rint((x + 1.0) * 127.5), 0, 255).astype(np.uint8)
    if alpha == "opaque":
        out[..., 3] = 255
    elif alpha == "binary":
        out[..., 3] = np.where(x[..., 3] >= 0.0, 255, 0).astype(np.uint8)
    visible = out[..., 3] > 0
    if palette is not None and len(palette) and visible.any():
        out[visible, :3] = palette[nearest_index(to_oklab(out[visible, :3]), to_oklab(palette))]
    out[~visible, :3] = 0
    return out


def hex_colours(palette: np.ndarray) -> list[str]:
    """``#rrggbb`` for each colour (the model's config stores its palette so)."""
    return ["#" + bytes(c).hex() for c in np.asarray(palette, dtype=np.uint8)]


def parse_colours(colours: list[str]) -> np.ndarray:
    """The inverse of :func:`hex_colours`."""
    return np.array([list(bytes.fromhex(c[1:])) for c in colours], dtype=np.uint8).reshape(-1, 3)
