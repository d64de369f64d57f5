"""Training pictures for image trainers: RGB over white, resized to the training resolution, and random crops that
wrap around the tiled axes (a tiling texture has no edge, so a crop may straddle it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from ...assets import TilingAxes
from ...texture.diffusion import resize_tiling

if TYPE_CHECKING:
    import torch

__all__ = ["crop_offsets", "prepare_image", "wrap_crop"]


def prepare_image(image: Image.Image, resolution: int, multiple: int, tiling: TilingAxes) -> np.ndarray:
    """``image`` as uint8 HxWx3 over white, its short side ``resolution`` and its long side a multiple of
    ``multiple`` (the VAE's scale factor), resampled across the edges of the tiled axes."""
    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    rgb = np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))
    h, w = rgb.shape[:2]
    scale = resolution / min(h, w)
    width, height = (max(resolution, round(n * scale / multiple) * multiple) for n in (w, h))
    return rgb if (w, h) == (width, height) else resize_tiling(rgb, (width, height), tiling)


def crop_offsets(rng: np.random.Generator, shape: tuple[int, int], crop: int, tiling: TilingAxes) -> tuple[int, int]:
    """A random (top, left) for a ``crop``² window in an image of ``shape`` (h, w): anywhere on a tiled axis (the
    window wraps), else so that the window stays inside."""
    top = int(rng.integers(0, shape[0] if "y" in tiling else shape[0] - crop + 1))
    left = int(rng.integers(0, shape[1] if "x" in tiling else shape[1] - crop + 1))
    return top, left


def wrap_crop(x: torch.Tensor, top: int, left: int, crop: int) -> torch.Tensor:
    """The ``crop``² window of ``x`` (..., H, W) at (top, left), wrapping past the bottom and right edges."""
    import torch

    h, w = x.shape[-2:]
    rows = (torch.arange(crop, device=x.device) + top) % h
    cols = (torch.arange(crop, device=x.device) + left) % w
    return x.index_select(-2, rows).index_select(-1, cols)
