"""Reading one dataset file safely: size caps before reading, pixel caps before decoding, paths kept inside.

A crafted file costs at most the cap; whatever cannot be used raises :class:`Unreadable`, whose message is the
reason recorded as the file's problem (never a crash).
"""

from __future__ import annotations

import io
import os
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image, UnidentifiedImageError

__all__ = [
    "IMAGE_SUFFIXES",
    "MAX_IMAGE_BYTES",
    "MAX_JSON_BYTES",
    "MAX_PIXELS",
    "MAX_TEXT_BYTES",
    "Unreadable",
    "decode_image",
    "join_inside",
    "read_capped",
    "read_text",
]

MAX_IMAGE_BYTES = 256 << 20
MAX_TEXT_BYTES = 64 << 20
MAX_JSON_BYTES = 64 << 20
MAX_PIXELS = 1 << 26  # 8192 × 8192
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp"})
_PIL_FORMATS = ("PNG", "JPEG", "WEBP")  # no other decoder is ever handed a dataset file
_SIXTEEN_BIT = frozenset({"I", "I;16", "I;16B", "I;16L"})


class Unreadable(Exception):
    """A file (or one line or frame of it) cannot be used; the message is the reason a problem records."""


def read_capped(path: Path, cap: int) -> bytes:
    """The bytes of ``path``; Unreadable when it is larger than ``cap`` or cannot be read."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > cap:
                raise Unreadable(f"{size} bytes, more than the {cap >> 20} MiB allowed")
            data = fh.read(cap + 1)
    except OSError as exc:
        raise Unreadable(f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > cap:
        raise Unreadable(f"more than the {cap >> 20} MiB allowed")
    return data


def read_text(path: Path, cap: int) -> str:
    """The UTF-8 text of ``path`` (a byte-order mark dropped); Unreadable when too large or not UTF-8."""
    try:
        return read_capped(path, cap).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not UTF-8 text (byte {exc.start}: {exc.reason})") from None


def decode_image(data: bytes) -> Image.Image:
    """Decode a PNG, JPEG or WebP fully, as RGBA; Unreadable (with Pillow's reason) when it is not one or is broken."""
    try:
        with Image.open(io.BytesIO(data), formats=_PIL_FORMATS) as img:
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise Unreadable(f"{width}×{height} pixels, more than the {MAX_PIXELS} allowed")
            img.load()
            return _rgba(img)
    except UnidentifiedImageError:
        raise Unreadable("not a readable PNG, JPEG or WebP image (no such image format recognised)") from None
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        why = " ".join(str(exc).split()) or type(exc).__name__
        raise Unreadable(f"not a readable PNG, JPEG or WebP image ({why})") from None


def _rgba(img: Image.Image) -> Image.Image:
    """``img`` as 8-bit RGBA; 16-bit greyscale keeps its top 8 bits instead of clipping to white."""
    if img.mode in _SIXTEEN_BIT:
        top = (np.asarray(img).astype(np.uint32) >> 8).clip(0, 255).astype(np.uint8)
        img = Image.fromarray(top, mode="L")
    return img.convert("RGBA")


def join_inside(folder: str, name: object) -> str:
    """``name`` (a path written inside the data, relative to ``folder``) as a dataset path; Unreadable when it is
    not a string, is absolute, or climbs out with ``..``."""
    if not isinstance(name, str) or not name.strip():
        raise Unreadable(f"file name {name!r} is not a non-empty string")
    if name.startswith(("/", "\\")) or "\\" in name or (len(name) > 1 and name[1] == ":"):
        raise Unreadable(f"file name {name!r} must be a relative path with '/' separators")
    parts = [p for p in PurePosixPath(name).parts if p != "."]
    if ".." in parts or not parts:
        raise Unreadable(f"file name {name!r} may not contain '..'")
    return PurePosixPath(folder, *parts).as_posix()
