"""Pictures a person can judge a training run by: a grid of samples and the loss curve."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

__all__ = ["image_grid", "loss_curve"]


def image_grid(images: Sequence[Image.Image | np.ndarray], columns: int | None = None, min_cell: int = 128) -> Image.Image:
    """Lay ``images`` out in a grid on a checkerboard (transparency shows), small images scaled up pixel-exact."""
    pictures = [im if isinstance(im, Image.Image) else Image.fromarray(np.asarray(im)) for im in images]
    if not pictures:
        raise ValueError("no images to lay out")
    pictures = [im.convert("RGBA") for im in pictures]
    w = max(im.width for im in pictures)
    h = max(im.height for im in pictures)
    scale = max(1, min_cell // max(w, h))
    cols = columns or math.ceil(math.sqrt(len(pictures)))
    rows = math.ceil(len(pictures) / cols)
    gap = 4
    cell_w, cell_h = w * scale, h * scale
    size = (cols * (cell_w + gap) + gap, rows * (cell_h + gap) + gap)
    yy, xx = np.mgrid[0 : size[1], 0 : size[0]]
    checker = np.where(((yy // 8) + (xx // 8)) % 2 == 0, 200, 235).astype(np.uint8)
    sheet = Image.fromarray(np.dstack([checker] * 3 + [np.full_like(checker, 255)]), "RGBA")
    for i, im in enumerate(pictures):
        r, c = divmod(i, cols)
        big = im.resize((im.width * scale, im.height * scale), Image.Resampling.NEAREST)
        sheet.alpha_composite(big, (gap + c * (cell_w + gap), gap + r * (cell_h + gap)))
    return sheet.convert("RGB")


def loss_curve(
    train: Sequence[tuple[int, float]], heldout: Sequence[tuple[int, float]] = (), size: tuple[int, int] = (640, 360)
) -> Image.Image:
    """The training loss (blue, with a smoothed line) and held-out loss (orange dots) against the step."""
    width, height = size
    left, right, top, bottom = 60, 16, 16, 36
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    points = list(train) + list(heldout)
    if not points:
        return image
    steps = np.array([s for s, _ in points], dtype=float)
    values = np.array([v for _, v in points], dtype=float)
    lo, hi = float(values.min()), float(values.max())
    hi = hi if hi > lo else lo + 1.0
    s0, s1 = float(steps.min()), float(steps.max())
    s1 = s1 if s1 > s0 else s0 + 1.0

    def xy(step: float, value: float) -> tuple[float, float]:
        x = left + (step - s0) / (s1 - s0) * (width - left - right)
        y = top + (hi - value) / (hi - lo) * (height - top - bottom)
        return x, y

    draw.rectangle([left, top, width - right, height - bottom], outline=(160, 160, 160))
    for frac in (0.0, 0.5, 1.0):
        value = lo + frac * (hi - lo)
        _, y = xy(s0, value)
        draw.text((4, y - 6), f"{value:.3g}", fill=(60, 60, 60))
    draw.text((left, height - bottom + 8), f"step {int(s0)}", fill=(60, 60, 60))
    draw.text((width - right - 80, height - bottom + 8), f"step {int(s1)}", fill=(60, 60, 60))
    if train:
        raw = [xy(s, v) for s, v in train]
        if len(raw) > 1:
            draw.line(raw, fill=(170, 200, 240), width=1)
        vals = np.array([v for _, v in train])
        window = max(1, len(vals) // 20)
        smooth = np.convolve(vals, np.ones(window) / window, mode="valid")
        line = [xy(train[i + window - 1][0], v) for i, v in enumerate(smooth)]
        if len(line) > 1:
            draw.line(line, fill=(30, 90, 200), width=2)
        draw.text((width - right - 150, top + 4), "training loss", fill=(30, 90, 200))
    for s, v in heldout:
        x, y = xy(s, v)
        draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=(230, 120, 20))
    if heldout:
        draw.text((width - right - 150, top + 18), "held-out loss", fill=(230, 120, 20))
    return image
