"""Differentiable augmentation (Zhao et al. 2020, "DiffAugment"): the same random colour, translation and cutout
applied to real and generated pictures before the discriminator sees them, so it cannot memorise a small set.

Every operation is differentiable in the picture, so the generator learns through it; randomness comes only from
the generator passed in. Colour changes touch RGB, never alpha; translation wraps around the tiled axes (a shifted
tile is still a tile) and fills with transparent black on the others.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from gamegen.assets import TilingAxes

from .params import Augment

__all__ = ["diff_augment"]


def _uniform(n: int, g: torch.Generator, device: torch.device) -> torch.Tensor:
    return torch.rand(n, 1, 1, 1, generator=g).to(device)


def _colour(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Random brightness (±0.5), saturation (0–2×) and contrast (0.5–1.5×) of the RGB channels."""
    rgb, alpha = x[:, :3], x[:, 3:]
    rgb = rgb + (_uniform(len(x), g, x.device) - 0.5)
    mean = rgb.mean(dim=1, keepdim=True)
    rgb = (rgb - mean) * (_uniform(len(x), g, x.device) * 2) + mean
    mean = rgb.mean(dim=(1, 2, 3), keepdim=True)
    rgb = (rgb - mean) * (_uniform(len(x), g, x.device) + 0.5) + mean
    return torch.cat([rgb, alpha], dim=1)


def _translate(x: torch.Tensor, g: torch.Generator, tiling: TilingAxes, ratio: float = 0.125) -> torch.Tensor:
    """Shift each picture by up to ``ratio`` of its size: wrapping along tiled axes, padding with -1 elsewhere."""
    n, c, h, w = x.shape
    sy, sx = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy = torch.randint(-sy, sy + 1, (n,), generator=g).to(x.device)
    dx = torch.randint(-sx, sx + 1, (n,), generator=g).to(x.device)
    ys = torch.arange(h, device=x.device)[None, :] - dy[:, None]
    xs = torch.arange(w, device=x.device)[None, :] - dx[:, None]
    inside_y = torch.ones_like(ys, dtype=torch.bool) if "y" in tiling else (ys >= 0) & (ys < h)
    inside_x = torch.ones_like(xs, dtype=torch.bool) if "x" in tiling else (xs >= 0) & (xs < w)
    picked = x[torch.arange(n, device=x.device)[:, None, None], :, (ys % h)[:, :, None], (xs % w)[:, None, :]]
    picked = picked.permute(0, 3, 1, 2)
    keep = (inside_y[:, :, None] & inside_x[:, None, :])[:, None]
    return torch.where(keep, picked, torch.full_like(picked, -1.0))


def _cutout(x: torch.Tensor, g: torch.Generator, ratio: float = 0.5) -> torch.Tensor:
    """Blank a random square of half the picture's size (transparent black) in each picture."""
    n, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    cy = torch.randint(0, h + (1 - ch % 2), (n,), generator=g).to(x.device)
    cx = torch.randint(0, w + (1 - cw % 2), (n,), generator=g).to(x.device)
    ys = torch.arange(h, device=x.device)[None, :]
    xs = torch.arange(w, device=x.device)[None, :]
    in_y = (ys >= (cy[:, None] - ch // 2)) & (ys < (cy[:, None] - ch // 2 + ch))
    in_x = (xs >= (cx[:, None] - cw // 2)) & (xs < (cx[:, None] - cw // 2 + cw))
    hole = (in_y[:, :, None] & in_x[:, None, :])[:, None]
    return torch.where(hole, torch.full_like(x, -1.0), x)


def diff_augment(x: torch.Tensor, ops: Sequence[Augment], g: torch.Generator, tiling: TilingAxes) -> torch.Tensor:
    """``x`` (N, 4, S, S) through ``ops`` in the order colour, translation, cutout."""
    if "color" in ops:
        x = _colour(x, g)
    if "translation" in ops:
        x = _translate(x, g, tiling)
    if "cutout" in ops:
        x = _cutout(x, g)
    return x
