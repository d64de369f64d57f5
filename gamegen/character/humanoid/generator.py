"""``character.humanoid``: layered, part-based pixel-art people with every animation in four directions.

A seeded identity (:mod:`.look`) on a body (:mod:`.body`) is posed by the rig (:mod:`.poses`), its parts drawn
per view (:mod:`.parts`) and composited (:mod:`.compose`); the frames are laid out as an LPC sheet or packed
(:mod:`.layout`), checked (:mod:`.qc`) and written with their atlases, one sheet per layer, a GIF preview and a
credits file.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, field_validator

from ..._version import __version__
from ...assets import Asset, BytesAsset, ImageAsset, TextAsset
from ...context import Context
from ...generator import Generator
from ...params import Field, Params
from ..atlas import SpriteSheetAsset
from ..palettes import resolve_palette
from ..preview import animation_gif
from .body import body
from .compose import TONES, layer_lut, palette_lut, render
from .layout import EXTRA_ROWS, LPC_COLUMNS, LPC_ROWS, Layout, grid_layout, packed_layout
from .look import Look, choose_look
from .parts import LAYERS, Part
from .poses import ANIMATIONS, DIRECTIONS, DURATION_MS, FRAMES, Animation, Direction, concat, skeleton
from .qc import check, quality
from .ramps import hex_colour

__all__ = ["HumanoidParams", "HumanoidGenerator"]

HairChoice = Literal["auto", "bald", "short", "spiky", "bob", "long", "ponytail", "bun", "mohawk"]
OutfitChoice = Literal["auto", "tunic", "vest", "robe", "dress", "armour"]
WeaponChoice = Literal["auto", "none", "sword", "axe", "spear", "staff", "bow", "shield"]


def _checked_palette(spec: str | list[str]) -> str | list[str]:
    if spec != "auto":
        resolve_palette(spec)
    return spec


HumanoidPalette = Annotated[str | list[str], AfterValidator(_checked_palette)]


class HumanoidParams(Params):
    """Parameters of ``character.humanoid``; every part left at ``auto`` (or unset) is chosen by the seed."""

    hair: HairChoice = Field("auto", description="Hair style")
    outfit: OutfitChoice = Field("auto", description="Clothes: tunic, vest, robe, dress or armour")
    weapon: WeaponChoice = Field("auto", description="Held item (shield: a sword and a shield)")
    skin: int | None = Field(None, ge=0, le=9, description="Skin tone: 0–7 light to deep, 8 green, 9 blue-grey")
    build: Literal["auto", "slim", "broad"] = Field("auto", description="Body build")
    height: Literal["auto", "short", "tall"] = Field("auto", description="Body height")
    cape: bool | None = Field(None, description="Wear a cape (unset: the seed decides)")
    palette: HumanoidPalette = Field(
        "auto",
        description="auto (hue-shifted ramps), a named palette (pico8, db16, sweetie16, endesga32, gameboy) "
        "or a list of hex colours the sprite snaps to",
    )
    size: Literal[32, 64] = Field(64, description="Frame size: 32 (chibi proportions) or 64 (LPC proportions)")
    layout: Literal["lpc", "packed"] = Field(
        "lpc", description="lpc: the LPC sheet grid (832×1344 at 64 px); packed: the atlas packer's rows"
    )
    animations: tuple[Animation, ...] = Field(ANIMATIONS, description="Animations to draw")
    directions: tuple[Direction, ...] = Field(DIRECTIONS, description="Directions to draw (up, left, down, right)")
    layers: bool = Field(True, description="Also write one sheet per layer (same layout) for recolouring/swaps")
    speed: float = Field(1.0, ge=0.25, le=4.0, description="Playback speed: frame durations are divided by it")
    padding: int = Field(2, ge=0, le=16, description="packed: transparent pixels between frames")
    extrude: int = Field(1, ge=0, le=8, description="packed: pixels each frame's edge is repeated outwards")

    @field_validator("animations", "directions")
    @classmethod
    def _unique_and_some(cls, v: tuple) -> tuple:
        if not v:
            raise ValueError("name at least one")
        if len(set(v)) != len(v):
            raise ValueError("values must not repeat")
        return v


def _credits(params: HumanoidParams, look: Look, seed: int, version: str) -> str:
    settings = ", ".join(f"{k}={v}" for k, v in look.describe().items())
    return (
        f"Character sprite sheets made by gamegen {__version__} (character.humanoid {version}), seed {seed}.\n"
        f"Settings: {settings}; size={params.size}, layout={params.layout}.\n\n"
        "Every pixel was generated procedurally by gamegen from these settings and the seed. No third-party art\n"
        "is used: no Liberated Pixel Cup (LPC) or Universal LPC Spritesheet artwork is included, so none of their\n"
        "credits or licences (CC-BY-SA, GPL, OGA-BY) apply to these images. The `lpc` layout only follows the LPC\n"
        "sheet's grid (frame size, rows, directions) so that tools and engines that read LPC sheets read this one.\n"
        "gamegen is MIT-licensed; it claims no rights in the images it generates.\n"
    )


def _split(codes: dict[str, np.ndarray], animations: tuple[str, ...]) -> dict[str, dict[str, np.ndarray]]:
    """Codes per direction (all animations' frames in turn) → per animation, per direction."""
    out: dict[str, dict[str, np.ndarray]] = {}
    start = 0
    for anim in animations:
        out[anim] = {d: c[start : start + FRAMES[anim]] for d, c in codes.items()}
        start += FRAMES[anim]
    return out


def _sheets(params: HumanoidParams, frames: dict[str, dict[str, np.ndarray]]) -> list[tuple[str, Layout]]:
    if params.layout == "packed":
        order = [(a, d) for a in params.animations for d in params.directions]
        return [("humanoid", packed_layout(order, frames, params.speed, params.padding, params.extrude))]
    sheets = []
    lpc = {a: v for a, v in frames.items() if any(a == row[0] for row in LPC_ROWS)}
    extra = {a: v for a, v in frames.items() if a not in lpc}
    if lpc:
        sheets.append(("humanoid", grid_layout(LPC_ROWS, LPC_COLUMNS, lpc, params.speed)))
    if extra:
        columns = max(FRAMES[a] for a in extra)
        sheets.append(("humanoid_extra" if lpc else "humanoid", grid_layout(EXTRA_ROWS, columns, extra, params.speed)))
    return sheets


def _rgba(lut32: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Codes (..., H, W) → RGBA uint8 (..., H, W, 4) through a code → packed RGBA table."""
    return lut32[codes].view(np.uint8).reshape(*codes.shape, 4)


def _sparse_rgba(shape: tuple[int, ...], where: np.ndarray, rgba32: np.ndarray) -> np.ndarray:
    """An RGBA image (H, W, 4) that is transparent except at the flat indices ``where`` (packed colours)."""
    out = np.zeros(int(np.prod(shape)), dtype=np.uint32)
    out[where] = rgba32
    return out.view(np.uint8).reshape(*shape, 4)


class HumanoidGenerator(Generator[HumanoidParams]):
    """Layered pixel-art people: hair, face, clothes and a held item, animated in four directions (LPC sheets).

    A rig of parts (body, head and face, hair, garments, belt, cape, held item) composited in a fixed order with
    hue-shifted ramps lit from the top-left and a tinted outline; idle, walk, run, slash, thrust, shoot,
    spellcast and hurt in up/left/down/right. Writes an LPC-layout (or packed) sheet with TexturePacker,
    Aseprite and Godot atlases, one sheet per layer, a GIF preview and a credits file; readability checks are in
    the manifest. The seed picks every part you do not pin.
    """

    name = "character.humanoid"
    version = "1.0.0"
    quick_params = {"size": 32}
    time_budget_s = 10.0

    def generate(self, params: HumanoidParams, ctx: Context) -> list[Asset]:
        palette = None if params.palette == "auto" else resolve_palette(params.palette)
        pinned: dict[str, Any] = {
            name: getattr(params, name) for name in ("hair", "outfit", "weapon", "skin", "build", "height", "cape")
        }
        look = choose_look(pinned, palette, ctx.child("look"))
        b = body(params.size, look.build, look.height)
        rig = concat([skeleton(b, anim, look.weapon) for anim in params.animations])
        frames = _split(render(b, look, rig, params.directions), params.animations)
        lut = palette_lut(look.colours.rgb)
        clothes = tuple(part * TONES + tone for part in (Part.TORSO, Part.LEGS) for tone in range(3))
        hair = tuple(Part.HAIR * TONES + tone for tone in range(3))
        identity = (clothes, hair) if look.hair != "bald" else (clothes,)
        report = quality(frames, lut, look.colours.used(), identity)
        check(report)
        lut32 = lut.view(np.uint32).ravel()
        layer_of = layer_lut()
        credits = _credits(params, look, ctx.seed, self.version)
        meta: dict[str, Any] = {
            "layout": params.layout,
            "frame_size": [params.size, params.size],
            "directions": list(params.directions),
            "look": look.describe(),
            "palette": [hex_colour(c) for c in look.colours.used()],
            "generated": "procedural; no third-party art (see credits.txt)",
            "quality": report,
        }
        assets: list[Asset] = []
        for name, sheet in _sheets(params, frames):
            flat = sheet.codes.ravel()
            where = np.flatnonzero(flat)  # a sheet is mostly empty: colour only its drawn pixels
            drawn = flat[where]
            layer = layer_of[drawn]
            present = [i for i in range(len(LAYERS)) if params.layers and (layer == i).any()]
            sheet_meta = {**meta, "animations": {t.name: t.end - t.start + 1 for t in sheet.atlas.tags}}
            sheet_meta["layers"] = [f"{name}_{LAYERS[i]}" for i in present]
            rgba = _sparse_rgba(sheet.codes.shape, where, lut32[drawn])
            assets.append(SpriteSheetAsset(name, rgba, atlas=sheet.atlas, meta=sheet_meta))
            for i in present:
                own = layer == i
                assets.append(
                    ImageAsset(
                        f"{name}_{LAYERS[i]}",
                        _sparse_rgba(sheet.codes.shape, where[own], lut32[drawn[own]]),
                        meta={"layer": LAYERS[i], "stack_order": i, "atlas": name},
                    )
                )
        shown = "walk" if "walk" in frames else params.animations[0]
        strip = np.concatenate([frames[shown][d] for d in params.directions], axis=2)
        icon = frames[shown]["down" if "down" in params.directions else params.directions[0]][0]
        assets.append(ImageAsset("humanoid_icon", _rgba(lut32, icon), meta={"preview": True}))
        gif = animation_gif(_rgba(lut32, strip), max(1, round(DURATION_MS[shown] / params.speed)))
        assets.append(BytesAsset(f"humanoid_{shown}", gif, ".gif", "image/gif", meta={"animation": shown}))
        assets.append(TextAsset("credits", credits, ".txt", meta={"generated": True}))
        return assets
