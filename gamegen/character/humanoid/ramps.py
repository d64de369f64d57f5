"""Colour ramps: a character's 12-colour palette of hue-shifted ramps, lit from the top-left.

Each ramp is built in OKLCh: shadows darker and turned towards blue-violet, lights brighter and turned towards
yellow (the hue-shifting pixel artists do by hand). With a named palette every colour snaps to its nearest
palette colour (Oklab), so the sprite stays on that palette.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from ..palettes import nearest_index, to_oklab

__all__ = [
    "Slot",
    "SKIN_TONES",
    "HAIR_COLOURS",
    "CLOTH_COLOURS",
    "MATERIALS",
    "oklch_to_rgb",
    "hex_colour",
    "CharacterColours",
    "build_colours",
]


class Slot(IntEnum):
    """The character palette's entries: one dark tinted outline and five short ramps (light → shadow)."""

    OUTLINE = 0
    SKIN = 1
    SKIN_D = 2
    HAIR_L = 3
    HAIR = 4
    HAIR_D = 5
    MAIN_L = 6
    MAIN = 7
    MAIN_D = 8
    SECOND = 9
    SECOND_D = 10
    ITEM = 11


# OKLCh (lightness, chroma, hue in degrees). Skin 0-7 are natural tones light to deep, 8-9 fantasy (green, blue-grey).
SKIN_TONES: tuple[tuple[float, float, float], ...] = (
    (0.90, 0.045, 62.0),
    (0.84, 0.065, 58.0),
    (0.78, 0.080, 60.0),
    (0.72, 0.085, 70.0),
    (0.65, 0.095, 55.0),
    (0.56, 0.085, 50.0),
    (0.47, 0.070, 45.0),
    (0.39, 0.055, 40.0),
    (0.68, 0.110, 135.0),
    (0.70, 0.040, 240.0),
)
HAIR_COLOURS: tuple[tuple[float, float, float], ...] = (
    (0.27, 0.020, 280.0),  # black
    (0.34, 0.050, 50.0),  # dark brown
    (0.45, 0.075, 55.0),  # brown
    (0.50, 0.120, 38.0),  # auburn
    (0.64, 0.140, 58.0),  # ginger
    (0.82, 0.110, 92.0),  # blonde
    (0.90, 0.035, 95.0),  # platinum
    (0.66, 0.010, 250.0),  # grey
    (0.55, 0.150, 255.0),  # blue (rare)
    (0.62, 0.160, 350.0),  # pink (rare)
    (0.60, 0.150, 150.0),  # green (rare)
)
HAIR_WEIGHTS = np.array([3, 3, 3, 2, 2, 2, 1, 1, 0.2, 0.2, 0.2])
CLOTH_COLOURS: tuple[tuple[float, float, float], ...] = (
    (0.52, 0.170, 27.0),  # red
    (0.42, 0.140, 15.0),  # crimson
    (0.66, 0.150, 55.0),  # orange
    (0.74, 0.130, 90.0),  # mustard
    (0.55, 0.100, 125.0),  # olive
    (0.48, 0.110, 150.0),  # forest
    (0.55, 0.090, 195.0),  # teal
    (0.38, 0.100, 265.0),  # navy
    (0.52, 0.150, 262.0),  # royal blue
    (0.47, 0.140, 305.0),  # purple
    (0.45, 0.100, 350.0),  # plum
    (0.47, 0.060, 55.0),  # brown
    (0.60, 0.015, 250.0),  # grey
    (0.86, 0.035, 85.0),  # cream
    (0.32, 0.030, 280.0),  # charcoal
)
MATERIALS: dict[str, tuple[float, float, float]] = {
    "steel": (0.82, 0.020, 250.0),
    "wood": (0.56, 0.090, 60.0),
    "gold": (0.80, 0.130, 88.0),
    "leather": (0.45, 0.070, 50.0),
}

_COOL, _WARM = 275.0, 85.0  # hues shadows and lights turn towards


def _toward(h: float, target: float, most: float) -> float:
    """Hue ``h`` turned towards ``target`` by at most ``most`` degrees, the short way round."""
    d = (target - h + 180.0) % 360.0 - 180.0
    return (h + float(np.clip(d, -most, most))) % 360.0


def oklch_to_rgb(lch: np.ndarray) -> np.ndarray:
    """OKLCh (..., 3) with hue in degrees → sRGB uint8 (..., 3), clipped into the gamut."""
    lch = np.asarray(lch, dtype=np.float64)
    h = np.radians(lch[..., 2])
    lab = np.stack([lch[..., 0], lch[..., 1] * np.cos(h), lch[..., 1] * np.sin(h)], axis=-1)
    lms = (
        lab
        @ np.array(
            [
                [1.0, 1.0, 1.0],
                [0.3963377774, -0.1055613458, -0.0894841775],
                [0.2158037573, -0.0638541728, -1.2914855480],
            ]
        )
    ) ** 3
    lin = lms @ np.array(
        [
            [4.0767416621, -1.2684380046, -0.0041960863],
            [-3.3077115913, 2.6097574011, -0.7034186147],
            [0.2309699292, -0.3413193965, 1.7076147010],
        ]
    )
    lin = np.clip(lin, 0.0, 1.0)
    srgb = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)
    return np.clip(np.rint(srgb * 255.0), 0, 255).astype(np.uint8)


def hex_colour(rgb: np.ndarray) -> str:
    """uint8 (3,) → ``'#rrggbb'``."""
    return "#" + bytes(int(v) for v in rgb).hex()


def _ramp(base: tuple[float, float, float], steps: int, cool: float = _COOL) -> list[tuple[float, float, float]]:
    """``steps`` (1–3) colours light → shadow around ``base``: lights warmer, shadows cooler and darker."""
    lightness, chroma, hue = base
    light = (min(0.97, lightness + 0.09), chroma * 0.9, _toward(hue, _WARM, 12.0))
    shadow = (max(0.12, lightness - 0.14), min(0.2, chroma * 1.1 + 0.01), _toward(hue, cool, 22.0))
    return {1: [base], 2: [base, shadow], 3: [light, base, shadow]}[steps]


@dataclass(frozen=True)
class CharacterColours:
    """A character's colours: RGB per :class:`Slot` (uint8 (12, 3)); equal slots mean a snapped palette merged them."""

    rgb: np.ndarray

    def used(self) -> np.ndarray:
        """The distinct colours, in slot order (uint8 (n, 3))."""
        _, first = np.unique(self.rgb, axis=0, return_index=True)
        return self.rgb[np.sort(first)]


def build_colours(
    skin: tuple[float, float, float],
    hair: tuple[float, float, float],
    main: tuple[float, float, float],
    second: tuple[float, float, float],
    item: tuple[float, float, float],
    palette: np.ndarray | None,
) -> CharacterColours:
    """The 12 slot colours from five base colours (OKLCh); snapped to ``palette`` (uint8 (n, 3)) when given."""
    outline = (0.24, 0.05, _toward(main[2], _COOL, 40.0))
    lch = [outline, *_ramp(skin, 2, cool=345.0), *_ramp(hair, 3), *_ramp(main, 3), *_ramp(second, 2), item]
    rgb = oklch_to_rgb(np.array(lch))
    if palette is not None:
        rgb = palette[nearest_index(to_oklab(rgb), to_oklab(palette))]
    return CharacterColours(rgb)
