"""Palettes: built-in named pixel-art palettes, user hex lists, and the colour maths that keeps pixels on them.

Distances are measured in Oklab (perceptual), so "nearest palette colour" means what an artist expects.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated

import numpy as np
from pydantic import AfterValidator

__all__ = [
    "PALETTES",
    "MAX_COLOURS",
    "PaletteSpec",
    "ColourSpec",
    "KeyColourSpec",
    "parse_hex",
    "resolve_palette",
    "resolve_colour",
    "to_oklab",
    "nearest_index",
    "ramps",
]

PALETTES: dict[str, tuple[str, ...]] = {
    "pico8": (
        "000000",
        "1d2b53",
        "7e2553",
        "008751",
        "ab5236",
        "5f574f",
        "c2c3c7",
        "fff1e8",
        "ff004d",
        "ffa300",
        "ffec27",
        "00e436",
        "29adff",
        "83769c",
        "ff77a8",
        "ffccaa",
    ),
    "db16": (
        "140c1c",
        "442434",
        "30346d",
        "4e4a4e",
        "854c30",
        "346524",
        "d04648",
        "757161",
        "597dce",
        "d27d2c",
        "8595a1",
        "6daa2c",
        "d2aa99",
        "6dc2ca",
        "dad45e",
        "deeed6",
    ),
    "sweetie16": (
        "1a1c2c",
        "5d275d",
        "b13e53",
        "ef7d57",
        "ffcd75",
        "a7f070",
        "38b764",
        "257179",
        "29366f",
        "3b5dc9",
        "41a6f6",
        "73eff7",
        "f4f4f4",
        "94b0c2",
        "566c86",
        "333c57",
    ),
    "endesga32": (
        "be4a2f",
        "d77643",
        "ead4aa",
        "e4a672",
        "b86f50",
        "733e39",
        "3e2731",
        "a22633",
        "e43b44",
        "f77622",
        "feae34",
        "fee761",
        "63c74d",
        "3e8948",
        "265c42",
        "193c3e",
        "124e89",
        "0099db",
        "2ce8f5",
        "ffffff",
        "c0cbdc",
        "8b9bb4",
        "5a6988",
        "3a4466",
        "262b44",
        "181425",
        "ff0044",
        "68386c",
        "b55088",
        "f6757a",
        "e8b796",
        "c28569",
    ),
    "gameboy": ("0f380f", "306230", "8bac0f", "9bbc0f"),
}

MAX_COLOURS = 128
_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_ALLOWED = f"a palette name ({', '.join(PALETTES)}) or a list of 2–{MAX_COLOURS} hex colours like '#1a2b3c'"


def parse_hex(colour: str) -> tuple[int, int, int]:
    """``'#1a2b3c'``, ``'1a2b3c'`` or ``'#abc'`` → (r, g, b); anything else is a ValueError."""
    m = _HEX.match(colour.strip()) if isinstance(colour, str) else None
    if m is None:
        raise ValueError(f"{colour!r} is not a hex colour like '#1a2b3c'")
    digits = m.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def resolve_palette(spec: str | Sequence[str]) -> np.ndarray:
    """A palette name or a list of hex colours → uint8 (n, 3), duplicates removed; ValueError says what is allowed."""
    if isinstance(spec, str):
        if spec not in PALETTES:
            raise ValueError(f"unknown palette {spec!r} (allowed: {_ALLOWED})")
        spec = PALETTES[spec]
    colours = [parse_hex(c) for c in spec]
    unique = list(dict.fromkeys(colours))
    if not 2 <= len(unique) <= MAX_COLOURS:
        raise ValueError(f"a palette needs 2–{MAX_COLOURS} distinct colours, got {len(unique)} (allowed: {_ALLOWED})")
    return np.array(unique, dtype=np.uint8)


def _checked_palette(spec: str | list[str]) -> str | list[str]:
    resolve_palette(spec)
    return spec


def _colour_check(*words: str) -> AfterValidator:
    """A parameter check: one of ``words`` or a hex colour, with an error that lists both."""

    def check(spec: str) -> str:
        if spec not in words and _HEX.match(spec.strip()) is None:
            raise ValueError(f"must be {', '.join(words)} or a hex colour like '#1a2b3c'")
        return spec

    return AfterValidator(check)


PaletteSpec = Annotated[str | list[str], AfterValidator(_checked_palette)]
"""A palette parameter: a name from :data:`PALETTES` or a list of hex colours, checked when parameters are read."""
ColourSpec = Annotated[str, _colour_check("auto", "none")]
"""An outline-colour parameter: ``auto`` (the palette's darkest), ``none`` or a hex colour."""
KeyColourSpec = Annotated[str, _colour_check("auto")]
"""A key-colour parameter: ``auto`` (estimated from the picture) or a hex colour."""


def resolve_colour(spec: str, palette: np.ndarray) -> np.ndarray | None:
    """An outline colour: ``auto`` (the palette's darkest), ``none`` (no outline) or a hex colour → uint8 (3,)."""
    if spec == "none":
        return None
    if spec == "auto":
        return palette[int(np.argmin(to_oklab(palette)[:, 0]))]
    return np.array(parse_hex(spec), dtype=np.uint8)


def to_oklab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (uint8 or floats in 0–255, any leading shape, last axis 3) → Oklab float32 (L in 0–1)."""
    c = np.asarray(rgb, dtype=np.float32) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    lms = lin @ np.array(
        [
            [0.4122214708, 0.2119034982, 0.0883024619],
            [0.5363325363, 0.6806995451, 0.2817188376],
            [0.0514459929, 0.1073969566, 0.6299787005],
        ],
        dtype=np.float32,
    )
    lms = np.cbrt(lms)
    return lms @ np.array(
        [
            [0.2104542553, 1.9779984951, 0.0259040371],
            [0.7936177850, -2.4285922050, 0.7827717662],
            [-0.0040720468, 0.4505937099, -0.8086757660],
        ],
        dtype=np.float32,
    )


def nearest_index(lab: np.ndarray, palette_lab: np.ndarray) -> np.ndarray:
    """Index of the nearest palette colour for every Oklab colour in ``lab`` (shape ``lab.shape[:-1]``)."""
    flat = lab.reshape(-1, 3)
    d = (flat**2).sum(1)[:, None] - 2.0 * flat @ palette_lab.T + (palette_lab**2).sum(1)[None, :]
    return np.argmin(d, axis=1).reshape(lab.shape[:-1])


def ramps(palette: np.ndarray, step: float = 0.12) -> np.ndarray:
    """For every palette colour, the (shadow, base, highlight) palette indices used to shade it: int (n, 3).

    The shadow is the palette colour nearest to the base made ``step`` darker in Oklab L (among darker colours),
    the highlight likewise lighter; a colour with nothing darker (lighter) is its own shadow (highlight).
    """
    lab = to_oklab(palette)
    n = len(lab)
    out = np.repeat(np.arange(n)[:, None], 3, axis=1)
    for column, sign in ((0, -1.0), (2, 1.0)):
        target = lab + np.array([sign * step, 0.0, 0.0], dtype=np.float32)
        d = ((target[:, None, :] - lab[None, :, :]) ** 2).sum(-1)
        ok = sign * (lab[None, :, 0] - lab[:, None, 0]) > 0.02
        d = np.where(ok, d, np.inf)
        best = np.argmin(d, axis=1)
        out[:, column] = np.where(np.isfinite(d[np.arange(n), best]), best, np.arange(n))
    return out
