"""A character's identity: the seeded choice of every part the user did not pin, and its colours.

Chosen once per character and shared by every frame, so the same person appears in every animation and direction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np

from .body import Build, Height
from .ramps import CLOTH_COLOURS, HAIR_COLOURS, HAIR_WEIGHTS, MATERIALS, SKIN_TONES, CharacterColours, build_colours

__all__ = [
    "HairStyle",
    "HAIR_STYLES",
    "Outfit",
    "OUTFITS",
    "Weapon",
    "WEAPONS",
    "Look",
    "choose_look",
]

HairStyle = Literal["bald", "short", "spiky", "bob", "long", "ponytail", "bun", "mohawk"]
HAIR_STYLES: tuple[HairStyle, ...] = get_args(HairStyle)
Outfit = Literal["tunic", "vest", "robe", "dress", "armour"]
OUTFITS: tuple[Outfit, ...] = get_args(Outfit)
Weapon = Literal["none", "sword", "axe", "spear", "staff", "bow", "shield"]
WEAPONS: tuple[Weapon, ...] = get_args(Weapon)
Fringe = Literal["straight", "swept", "parted"]

_HAIR_WEIGHTS = np.array([0.4, 3, 1.5, 2, 2, 2, 1.2, 0.6])
_WEAPON_MATERIAL = {
    "none": "steel",
    "sword": "steel",
    "axe": "steel",
    "spear": "steel",
    "staff": "wood",
    "bow": "wood",
    "shield": "steel",
}
_ARMOUR_METALS = ((0.70, 0.020, 250.0), (0.62, 0.090, 70.0))  # steel, bronze


@dataclass(frozen=True)
class Look:
    """Everything that makes one character: styles, garments, held item, body type and colours."""

    hair: HairStyle
    fringe: Fringe
    outfit: Outfit
    sleeves: Literal["long", "short", "none"]
    legwear: Literal["pants", "shorts", "skirt"]
    cape: bool
    belt: bool
    weapon: Weapon
    build: Build
    height: Height
    skin: int
    colours: CharacterColours

    def describe(self) -> dict[str, Any]:
        """The choices as plain values for the manifest (and to pin them in a later run)."""
        return {
            "hair": self.hair,
            "fringe": self.fringe,
            "outfit": self.outfit,
            "sleeves": self.sleeves,
            "legwear": self.legwear,
            "cape": self.cape,
            "belt": self.belt,
            "weapon": self.weapon,
            "build": self.build,
            "height": self.height,
            "skin": self.skin,
        }


def _pick(rng: np.random.Generator, options: tuple[Any, ...], weights: np.ndarray | None = None) -> Any:
    p = None if weights is None else weights / weights.sum()
    return options[int(rng.choice(len(options), p=p))]


Lch = tuple[float, float, float]


def _apart(a: Lch, b: Lch) -> bool:
    """Whether two OKLCh colours read apart: different lightness, or clearly different hues."""
    hue = abs((a[2] - b[2] + 180) % 360 - 180)
    return abs(a[0] - b[0]) > 0.14 or (hue > 70 and a[1] > 0.05 and b[1] > 0.05)


def _contrasting(rng: np.random.Generator, *against: Lch) -> Lch:
    """A cloth colour that reads apart from every colour in ``against`` (one draw from ``rng`` whatever they are)."""
    options = [c for c in CLOTH_COLOURS if all(_apart(c, other) for other in against)] or list(CLOTH_COLOURS)
    return options[int(rng.integers(len(options)))]


def _off(colour: Lch, skin: Lch) -> Lch:
    """``colour`` darkened (lightened when it cannot be) until it reads apart from the skin (hair against a face)."""
    if _apart(colour, skin):
        return colour
    lightness = skin[0] - 0.16 if skin[0] - 0.16 >= 0.22 else skin[0] + 0.16
    return (lightness, colour[1], colour[2])


def choose_look(pinned: dict[str, Any], palette: np.ndarray | None, rng: np.random.Generator) -> Look:
    """Pick every part not in ``pinned`` (``hair``, ``outfit``, ``weapon``, ``skin``, ``build``, ``height``,
    ``cape``: None or "auto" means "choose") with ``rng``; every draw happens whatever is pinned, so pinning one
    part leaves the other parts as the seed had them (colours may shift to keep hair and clothes apart from the
    skin)."""

    def choice(name: str, drawn: Any) -> Any:
        value = pinned.get(name)
        return drawn if value is None or value == "auto" else value

    hair = choice("hair", _pick(rng, HAIR_STYLES, _HAIR_WEIGHTS))
    fringe = _pick(rng, get_args(Fringe))
    outfit = choice("outfit", _pick(rng, OUTFITS, np.array([3, 2, 1.5, 1.5, 1.5])))
    weapon = choice("weapon", _pick(rng, WEAPONS, np.array([0.6, 2, 1, 1, 1.3, 1.3, 1.3])))
    build = choice("build", _pick(rng, get_args(Build)))
    height = choice("height", _pick(rng, get_args(Height)))
    skin = choice("skin", int(rng.integers(8)))
    cape = choice("cape", bool(rng.random() < 0.25))
    sleeve_draw, leg_draw, belt_draw = rng.random(3)
    tone = SKIN_TONES[skin]
    hair_colour = _off(HAIR_COLOURS[int(rng.choice(len(HAIR_COLOURS), p=HAIR_WEIGHTS / HAIR_WEIGHTS.sum()))], tone)
    main = _contrasting(rng, tone)
    second = _contrasting(rng, main, tone)
    metal = _ARMOUR_METALS[int(rng.integers(len(_ARMOUR_METALS)))]
    sleeves: Literal["long", "short", "none"] = {
        "tunic": "long" if sleeve_draw < 0.6 else "short",
        "vest": "none",
        "robe": "long",
        "dress": "short" if sleeve_draw < 0.5 else "none",
        "armour": "long",
    }[outfit]
    legwear: Literal["pants", "shorts", "skirt"] = (
        "skirt" if outfit in ("robe", "dress") else ("shorts" if leg_draw < 0.2 else "pants")
    )
    if outfit == "armour":
        main, second = metal, main
    colours = build_colours(tone, hair_colour, main, second, MATERIALS[_WEAPON_MATERIAL[weapon]], palette)
    return Look(
        hair=hair,
        fringe=fringe,
        outfit=outfit,
        sleeves=sleeves,
        legwear=legwear,
        cape=bool(cape),
        belt=bool(outfit != "robe" or belt_draw < 0.5),
        weapon=weapon,
        build=build,
        height=height,
        skin=int(skin),
        colours=colours,
    )
