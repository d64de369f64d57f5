"""Card thumbnails, made once with Pillow and kept in ``gallery/thumbs/`` under the source file's sha256.

An image becomes a WebP at most 256 pixels wide (one of at most 128 pixels keeps its own size, losslessly, so pixel
art stays crisp when the page scales it); a WAV becomes a picture of its waveform. A thumbnail whose name exists is reused, so writing
the gallery again only makes the thumbnails of files that changed.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image

from .audio import waveform

__all__ = ["THUMB_PX", "PIXEL_ART_PX", "thumbnail_name", "make_thumbnail", "to_8bit"]

THUMB_PX = 256
PIXEL_ART_PX = 128
VERSION = "1"  # part of every name: a new thumbnail recipe makes new files instead of reusing old ones
_WAVE_SIZE = (THUMB_PX, 112)
_WAVE_RGB = np.array([126, 200, 170], np.uint8)


def thumbnail_name(sha256: str, audio: bool) -> str:
    """The cache file name of a source file's thumbnail (relative to the gallery folder)."""
    return f"thumbs/{sha256[:40]}-{VERSION}{'-wave' if audio else ''}.webp"


def to_8bit(img: Image.Image) -> Image.Image:
    """16-bit and 32-bit greyscale as 8-bit (a heightmap), palette images with their transparency as RGBA."""
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        arr = np.asarray(img, dtype=np.float64)
        top = 65535.0 if img.mode != "F" else max(float(arr.max()), 1e-9)
        return Image.fromarray(np.clip(arr / top * 255 + 0.5, 0, 255).astype(np.uint8), "L")
    return img.convert("RGBA") if img.mode in ("P", "PA", "LA", "1") else img


def _image_thumb(src: Path) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(src) as opened:
            opened.seek(0)  # the first frame of a GIF
            img = to_8bit(opened.copy())
    if max(img.size) <= PIXEL_ART_PX:
        buf = io.BytesIO()
        img.save(buf, "WEBP", lossless=True)
        return buf.getvalue()
    img.thumbnail((THUMB_PX, THUMB_PX), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, "WEBP", quality=82, method=4)
    return buf.getvalue()


def _wave_thumb(src: Path) -> bytes | None:
    wave = waveform(src, _WAVE_SIZE[0])
    if wave is None:
        return None
    w, h = _WAVE_SIZE
    lo = np.resize(np.asarray(wave["min"]), w) / 100.0
    hi = np.resize(np.asarray(wave["max"]), w) / 100.0
    rows = np.linspace(1, -1, h)[:, None]  # +1 at the top
    inside = (rows <= hi[None, :] + 1.5 / h) & (rows >= lo[None, :] - 1.5 / h)
    rgb = np.where(inside[..., None], _WAVE_RGB, np.array([24, 27, 33], np.uint8))
    buf = io.BytesIO()
    Image.fromarray(rgb.astype(np.uint8), "RGB").save(buf, "WEBP", lossless=True)
    return buf.getvalue()


def make_thumbnail(src: Path, target: Path, audio: bool) -> int | None:
    """Write ``src``'s thumbnail to ``target`` unless it exists; returns the thumbnail's longest side in pixels
    (at most :data:`PIXEL_ART_PX`: the source's own size), or None when ``src`` is not an image (or a PCM WAV)."""
    try:
        if not target.exists():
            data = _wave_thumb(src) if audio else _image_thumb(src)
            if data is None:
                return None
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_bytes(data)
            tmp.replace(target)
        with Image.open(target) as img:
            return max(img.size)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
