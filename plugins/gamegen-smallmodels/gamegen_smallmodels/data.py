"""Training pictures for the small models: every item as RGBA at the model's size, the data's alpha rule and
classes, and batches whose crops wrap around the tiled axes.

Fully transparent pixels are made black, so the models do not learn the arbitrary colour a paint program leaves
under alpha 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Literal

import numpy as np
from PIL import Image

from gamegen.assets import TilingAxes
from gamegen.errors import DatasetError
from gamegen.texture.diffusion import resize_tiling

if TYPE_CHECKING:
    import torch

    from gamegen.datasets import Dataset, DatasetItem

__all__ = [
    "AlphaRule",
    "ClassSource",
    "Pictures",
    "alpha_rule",
    "fit_picture",
    "item_class",
    "load_pictures",
    "to_unit",
    "wrapped_batch",
]

AlphaRule = Literal["opaque", "binary", "smooth"]
ClassSource = Literal["none", "caption", "folder"]


@dataclass(frozen=True)
class Pictures:
    """The training set as the networks see it: ``pixels`` uint8 (N, S, S, 4), ``labels`` (class index per item)."""

    pixels: np.ndarray
    ids: list[str]
    alpha: AlphaRule
    classes: list[str]
    labels: np.ndarray


def fit_picture(image: Image.Image, size: int, tiling: TilingAxes) -> np.ndarray:
    """``image`` as uint8 RGBA ``size``², transparent pixels black.

    Not square: padded with transparency (a sprite) or, when tiling, stretched (a tile has no border to pad).
    Pixel-exact (nearest) when the scale is a whole number or its inverse, so pixel art stays crisp; else Lanczos,
    reading across the edges of the tiled axes.
    """
    rgba = np.asarray(image.convert("RGBA"))
    h, w = rgba.shape[:2]
    if h != w and tiling == "none":
        side = max(h, w)
        top, left = (side - h) // 2, (side - w) // 2
        rgba = np.pad(rgba, ((top, side - h - top), (left, side - w - left), (0, 0)))
        h = w = side
    if (h, w) != (size, size):
        exact = all(n % size == 0 or size % n == 0 for n in (h, w))
        if exact:
            rows = np.arange(size) * h // size
            cols = np.arange(size) * w // size
            rgba = rgba[rows][:, cols]
        else:
            rgba = resize_tiling(rgba, size, tiling)
    out = np.array(rgba, dtype=np.uint8)
    out[out[..., 3] == 0, :3] = 0
    return out


def alpha_rule(alpha: np.ndarray) -> AlphaRule:
    """How the data uses alpha: never transparent, only fully on or off (pixel-art sprites), or soft edges too."""
    if bool((alpha == 255).all()):
        return "opaque"
    return "binary" if bool(((alpha == 0) | (alpha == 255)).all()) else "smooth"


def item_class(item: DatasetItem, source: ClassSource) -> str:
    """The class of an item: its caption, or the folder it is in (``.`` at the root); ``""`` without classes."""
    if source == "caption":
        return item.caption.strip()
    if source == "folder":
        return str(PurePosixPath(item.id.split("#", 1)[0]).parent)
    return ""


def load_pictures(dataset: Dataset, size: int, tiling: TilingAxes, classes: ClassSource = "none") -> Pictures:
    """Every item of ``dataset`` fitted to ``size``², with its class; a DatasetError names an unreadable item."""
    items = dataset.items
    pixels = np.stack([fit_picture(item.image(), size, tiling) for item in items])
    names = [item_class(item, classes) for item in items]
    found = sorted(set(names))
    if classes != "none" and len(found) > 1024:
        raise DatasetError(f"{dataset.root}: {len(found)} classes from the {classes}; at most 1024 are allowed")
    index = {name: i for i, name in enumerate(found)}
    labels = np.array([index[name] for name in names], dtype=np.int64)
    return Pictures(
        pixels, [item.id for item in items], alpha_rule(pixels[..., 3]), found if classes != "none" else [], labels
    )


def to_unit(pixels: np.ndarray) -> torch.Tensor:
    """uint8 (N, S, S, 4) → float32 (N, 4, S, S) in [-1, 1], the networks' range."""
    import torch

    return torch.from_numpy(np.ascontiguousarray(pixels.transpose(0, 3, 1, 2))).float() / 127.5 - 1.0


def wrapped_batch(x: torch.Tensor, index: torch.Tensor, tiling: TilingAxes, generator: torch.Generator) -> torch.Tensor:
    """The items ``index`` of ``x`` (N, C, S, S), each rolled by a random offset along the tiled axes: a crop that
    wraps around the tile, so the model learns the edges as interior."""
    import torch

    batch = x.index_select(0, index)
    if tiling == "none":
        return batch
    n, _, h, w = batch.shape
    dy = torch.randint(0, h, (n,), generator=generator) if "y" in tiling else torch.zeros(n, dtype=torch.long)
    dx = torch.randint(0, w, (n,), generator=generator) if "x" in tiling else torch.zeros(n, dtype=torch.long)
    rows = (torch.arange(h)[None, :] + dy[:, None]) % h
    cols = (torch.arange(w)[None, :] + dx[:, None]) % w
    picked = batch[torch.arange(n)[:, None, None], :, rows[:, :, None], cols[:, None, :]]  # (n, h, w, C)
    return picked.permute(0, 3, 1, 2).contiguous()
