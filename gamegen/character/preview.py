"""Animated GIF previews of sprite animations: an exact palette, a transparent background, reproducible bytes."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from .pixelart import upscale_nearest

__all__ = ["animation_gif"]


def animation_gif(frames: np.ndarray, duration_ms: int, scale: int = 1) -> bytes:
    """Encode RGBA frames (F, H, W, 4) as a looping GIF, ``scale``× nearest-neighbour, alpha 0 transparent.

    The GIF palette holds exactly the frames' colours (pixel art never needs more than 255), so no colour is
    changed, and nothing time-dependent is written: the same frames give the same bytes.
    """
    frames = upscale_nearest(np.asarray(frames, dtype=np.uint8), scale)
    opaque = frames[..., 3] > 0
    packed = (frames[..., 0].astype(np.uint32) << 16) | (frames[..., 1].astype(np.uint32) << 8) | frames[..., 2]
    colours, inverse = np.unique(packed[opaque], return_inverse=True)
    if len(colours) > 255:
        raise ValueError(f"a GIF preview holds at most 255 colours, the frames have {len(colours)}")
    indices = np.zeros(frames.shape[:3], dtype=np.uint8)
    indices[opaque] = inverse.astype(np.uint8) + 1
    rgb = np.stack([(colours >> 16) & 255, (colours >> 8) & 255, colours & 255], axis=1).astype(np.uint8)
    palette = np.zeros((256, 3), dtype=np.uint8)
    palette[1 : len(rgb) + 1] = rgb
    images = []
    for index_map in indices:  # one PIL image per frame (a handful), never a pixel loop
        img = Image.frombytes("P", index_map.shape[::-1], index_map.tobytes())
        img.putpalette(palette.tobytes())
        images.append(img)
    buf = io.BytesIO()
    images[0].save(
        buf,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=duration_ms,
        loop=0,
        disposal=2,
        transparency=0,
        optimize=False,
    )
    return buf.getvalue()
