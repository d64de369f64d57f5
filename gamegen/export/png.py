"""Deterministic PNG encoding (fixed compression, no timestamps) with an optional XMP provenance packet."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, PngImagePlugin

__all__ = ["encode_png", "XMP_KEY"]

XMP_KEY = "XML:com.adobe.xmp"


def encode_png(array: np.ndarray, xmp: str | None = None, compress_level: int = 6) -> bytes:
    """Encode uint8 grey/RGB/RGBA or uint16 grey to PNG bytes; same array and packet ⇒ same bytes."""
    a = np.ascontiguousarray(array)
    if a.dtype == np.uint16:
        img = Image.frombytes("I;16", (a.shape[1], a.shape[0]), a.astype("<u2").tobytes())
    else:
        img = Image.fromarray(a)
    info = PngImagePlugin.PngInfo()
    if xmp is not None:
        info.add_itxt(XMP_KEY, xmp, lang="", tkey="", zip=False)
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=compress_level, optimize=False, pnginfo=info)
    return buf.getvalue()
