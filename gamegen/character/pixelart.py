"""The pixel-art pass: background removal, per-cell dominant-colour downscale, palette quantisation, outline.

It turns a painterly image (a diffusion output) into game pixel art the way artists do it by hand: every output
pixel takes the colour that dominates its cell (not a blurry average), colours snap to a small palette without
dithering unless asked, the background becomes transparent and a one-pixel outline closes the silhouette.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from .palettes import nearest_index, to_oklab

Dither = Literal["none", "bayer"]
"""How colours are quantised: plainly, or with an ordered (Bayer) dither."""

__all__ = [
    "Dither",
    "upscale_nearest",
    "outline_ring",
    "key_background",
    "kmeans_palette",
    "downscale_dominant",
    "pixelate",
]

_BAYER4 = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]]) / 16.0 - 0.5


def upscale_nearest(image: np.ndarray, factor: int) -> np.ndarray:
    """Every pixel becomes a ``factor``×``factor`` block; ``image`` is (H, W) or (..., H, W, channels)."""
    rows, cols = (0, 1) if image.ndim == 2 else (-3, -2)
    return np.repeat(np.repeat(image, factor, axis=rows), factor, axis=cols)


def outline_ring(solid: np.ndarray) -> np.ndarray:
    """Empty pixels with a solid 4-neighbour, over the last two axes (any leading batch axes)."""
    grown = solid.copy()
    grown[..., 1:, :] |= solid[..., :-1, :]
    grown[..., :-1, :] |= solid[..., 1:, :]
    grown[..., :, 1:] |= solid[..., :, :-1]
    grown[..., :, :-1] |= solid[..., :, 1:]
    return grown & ~solid


def key_background(rgb: np.ndarray, key: np.ndarray | None, tolerance: float) -> np.ndarray:
    """Pixels within ``tolerance`` (Oklab distance) of the key colour; no key ⇒ the median colour of the border."""
    if key is None:
        border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
        key = np.median(border, axis=0)
    d = np.linalg.norm(to_oklab(rgb) - to_oklab(np.asarray(key, dtype=np.float32)), axis=-1)
    return d <= tolerance


def kmeans_palette(
    rgb: np.ndarray, k: int, rng: np.random.Generator, iterations: int = 15, sample: int = 20000
) -> np.ndarray:
    """``k`` representative colours (uint8 (≤k, 3)) of the pixels ``rgb`` (N, 3): k-means with Oklab distances.

    Starts from k-means++ seeds drawn with ``rng`` on a sample of at most ``sample`` pixels, so it is seeded and fast.
    """
    pixels = rgb.reshape(-1, 3).astype(np.float32)
    if len(pixels) > sample:
        pixels = pixels[rng.choice(len(pixels), sample, replace=False)]
    lab = to_oklab(pixels)
    centres = [int(rng.integers(len(lab)))]
    dist = ((lab - lab[centres[0]]) ** 2).sum(1)
    for _ in range(1, k):  # k-means++ seeding: k steps, each vectorised over the pixels
        if dist.sum() <= 0:
            break
        centres.append(int(rng.choice(len(lab), p=dist / dist.sum())))
        dist = np.minimum(dist, ((lab - lab[centres[-1]]) ** 2).sum(1))
    means: np.ndarray = pixels[centres]  # float32 seeds; the k-means updates below are float64
    for _ in range(iterations):
        label = nearest_index(lab, to_oklab(means))
        counts = np.bincount(label, minlength=len(means))
        sums = np.stack([np.bincount(label, weights=pixels[:, c], minlength=len(means)) for c in range(3)], 1)
        keep = counts > 0
        means = sums[keep] / counts[keep, None]
    return np.unique(np.clip(np.rint(means), 0, 255).astype(np.uint8), axis=0)


def _cell_index(shape: tuple[int, int], grid: tuple[int, int]) -> np.ndarray:
    """The output cell of every input pixel, as a flat cell number (H, W)."""
    (h, w), (gh, gw) = shape, grid
    cy = np.arange(h) * gh // h
    cx = np.arange(w) * gw // w
    return cy[:, None] * gw + cx[None, :]


def downscale_dominant(
    indices: np.ndarray, foreground: np.ndarray, grid: tuple[int, int], colours: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per output cell, the palette index most of its foreground pixels have, and whether the cell is opaque.

    A cell is opaque when at least half its pixels are foreground (a "k-centroid" downscale: the winning colour is
    a palette colour the cell really contains, never a blend of two).
    """
    cells = _cell_index(indices.shape, grid).ravel()
    n = grid[0] * grid[1]
    fg = foreground.ravel()
    counts = np.bincount(cells[fg] * colours + indices.ravel()[fg], minlength=n * colours).reshape(n, colours)
    opaque = counts.sum(1) * 2 >= np.bincount(cells, minlength=n)
    return counts.argmax(1).reshape(grid), opaque.reshape(grid)


def _border_connected(candidate: np.ndarray) -> np.ndarray:
    """The part of ``candidate`` connected (4-neighbours) to the image border: a flood fill by repeated dilation."""
    filled = np.zeros_like(candidate)
    filled[0], filled[-1], filled[:, 0], filled[:, -1] = candidate[0], candidate[-1], candidate[:, 0], candidate[:, -1]
    while True:
        grown = (filled | outline_ring(filled)) & candidate
        if (grown == filled).all():
            return filled
        filled = grown


def _bayer(
    lab: np.ndarray, foreground: np.ndarray, cells: np.ndarray, grid: tuple[int, int], palette_lab: np.ndarray
) -> np.ndarray:
    """Ordered dithering: each cell's mean foreground colour, nudged in lightness by a 4×4 Bayer threshold."""
    n = grid[0] * grid[1]
    fg, flat = foreground.ravel(), cells.ravel()[foreground.ravel()]
    count = np.maximum(np.bincount(flat, minlength=n), 1)
    mean: np.ndarray = np.stack([np.bincount(flat, weights=lab[..., c].ravel()[fg], minlength=n) for c in range(3)], 1)
    mean = (mean / count[:, None]).reshape(*grid, 3)
    step = np.ptp(palette_lab[:, 0]) / max(len(palette_lab) - 1, 1)
    mean[..., 0] += step * np.tile(_BAYER4, (grid[0] // 4 + 1, grid[1] // 4 + 1))[: grid[0], : grid[1]]
    return nearest_index(mean, palette_lab)


def pixelate(
    image: np.ndarray,
    size: int,
    *,
    rng: np.random.Generator,
    palette: np.ndarray | None = None,
    colors: int = 16,
    background: Literal["key", "alpha", "none"] = "key",
    key: np.ndarray | None = None,
    tolerance: float = 0.1,
    dither: Dither = "none",
    outline: Literal["auto", "none"] | np.ndarray = "auto",
) -> np.ndarray:
    """Turn an RGB/RGBA uint8 image into RGBA pixel art ``size`` pixels wide (height keeps the aspect ratio).

    ``palette`` (uint8 (n, 3)) fixes the colours; otherwise ``colors`` are found by k-means. ``background``
    removes the backdrop by colour ``key`` (estimated from the border when None; only cells connected to the
    border are removed, so a white eye on a white backdrop survives) or by the image's alpha channel.
    ``outline="auto"`` draws the palette's darkest colour around the silhouette.
    """
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(f"pixelate needs an RGB or RGBA image, got shape {image.shape}")
    rgb = image[..., :3]
    h, w = rgb.shape[:2]
    if not 1 <= size <= w:
        raise ValueError(f"size {size} must be 1–{w}: the pass only scales down")
    grid = (max(1, round(size * h / w)), size)
    cells = _cell_index((h, w), grid)
    if background == "alpha":
        if image.shape[2] != 4:
            raise ValueError("background removal by alpha needs an image with an alpha channel")
        foreground = image[..., 3] >= 128
    elif background == "key":  # keyed pixels are background only where their cells connect to the border
        keyed = key_background(rgb, key, tolerance)
        share = np.bincount(cells.ravel(), weights=keyed.ravel()) / np.bincount(cells.ravel())
        backdrop = _border_connected((share > 0.5).reshape(grid))
        foreground = ~(keyed & backdrop.ravel()[cells])
    else:
        foreground = np.ones((h, w), dtype=bool)
    if palette is None:
        source = rgb[foreground] if foreground.any() else rgb.reshape(-1, 3)
        palette = kmeans_palette(source, colors, rng)
    palette_lab = to_oklab(palette)
    lab = to_oklab(rgb)
    dominant, opaque = downscale_dominant(nearest_index(lab, palette_lab), foreground, grid, len(palette))
    if dither == "bayer":
        dominant = _bayer(lab, foreground, cells, grid, palette_lab)
    out = np.zeros((*grid, 4), dtype=np.uint8)
    out[..., :3] = palette[dominant]
    out[..., 3] = np.where(opaque, 255, 0)
    if not (isinstance(outline, str) and outline == "none"):
        ring = outline_ring(opaque)
        out[ring, :3] = palette[int(np.argmin(palette_lab[:, 0]))] if isinstance(outline, str) else outline
        out[ring, 3] = 255
    out[out[..., 3] == 0, :3] = 0
    return out
