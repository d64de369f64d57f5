"""``character.sprite``: seeded pixel-art characters and creatures with animated sprite sheets.

Draws the template (or the user's mask) in each direction it allows (:mod:`.figure`), poses it for every frame of
idle, walk, attack and hurt (:mod:`.animation`), packs the frames into one sheet with its atlas (:mod:`.atlas`)
and adds GIF previews; the exporters in :mod:`.export` write the atlas formats.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import field_validator

from ..assets import Asset, BytesAsset, ImageAsset
from ..context import Context
from ..generator import Generator
from ..params import Field, Params
from .animation import ANIMATIONS, LOOPS, Animation, motion
from .atlas import SpriteSheetAsset, pack_rows
from .figure import choose_look, draw_figure, render_frames
from .masks import TEMPLATES, parse_user_mask, user_template
from .palettes import ColourSpec, PaletteSpec, resolve_colour, resolve_palette
from .pixelart import upscale_nearest
from .preview import animation_gif
from .sheet import SheetParams, sheet_asset

__all__ = ["SpriteParams", "SpriteGenerator"]


class SpriteParams(Params):
    """Parameters of ``character.sprite``."""

    template: Literal["humanoid", "quadruped", "flyer", "slime", "robot"] = Field(
        "humanoid", description="Body template (ignored when mask is given)"
    )
    mask: list[list[int]] | None = Field(
        None,
        description="Your own mask, rows of -1 (outline), 0 (empty), 1 (body or empty), 2 (body); 3–64 cells a side",
    )
    mirror: bool = Field(True, description="With mask: it is the left half, mirrored to make a symmetric body")
    palette: PaletteSpec = Field(
        "endesga32", description="A named palette (pico8, db16, sweetie16, endesga32, gameboy) or a list of hex colours"
    )
    outline: ColourSpec = Field(
        "auto", description="Outline colour: auto (the palette's darkest), none, or a hex colour"
    )
    size: int = Field(32, ge=16, le=128, description="Frame width and height in pixels")
    density: float = Field(0.6, ge=0.0, le=1.0, description="Chance that a maybe-body mask cell (1) is filled")
    animations: tuple[Animation, ...] = Field(ANIMATIONS, description="Animations to draw, in sheet order")
    directions: Literal[1, 4] = Field(
        4, description="4: every direction the template has (down, up, left, right); 1: its first"
    )
    idle_frames: int = Field(4, ge=2, le=16, description="Frames of the idle cycle")
    walk_frames: int = Field(6, ge=2, le=16, description="Frames of the walk cycle")
    attack_frames: int = Field(4, ge=2, le=16, description="Frames of the attack")
    hurt_frames: int = Field(3, ge=2, le=16, description="Frames of the hurt reaction (the first one flashes)")
    idle_ms: int = Field(200, ge=20, le=2000, description="Duration of one idle frame in milliseconds")
    walk_ms: int = Field(100, ge=20, le=2000, description="Duration of one walk frame in milliseconds")
    attack_ms: int = Field(90, ge=20, le=2000, description="Duration of one attack frame in milliseconds")
    hurt_ms: int = Field(100, ge=20, le=2000, description="Duration of one hurt frame in milliseconds")
    padding: int = Field(2, ge=0, le=16, description="Transparent pixels between frames and around the sheet")
    extrude: int = Field(1, ge=0, le=8, description="Pixels each frame's edge is repeated outwards (stops bleeding)")
    upscale: tuple[Literal[2, 4], ...] = Field(
        (), description="Also write nearest-neighbour upscaled sheets (2 and/or 4)"
    )
    character_sheet: bool = Field(False, description="Also write a character sheet (character.sheet defaults) as JSON")

    @field_validator("mask")
    @classmethod
    def _mask(cls, v: list[list[int]] | None) -> list[list[int]] | None:
        if v is not None:
            parse_user_mask(v)
        return v

    @field_validator("animations", "upscale")
    @classmethod
    def _unique(cls, v: tuple) -> tuple:
        if len(set(v)) != len(v):
            raise ValueError("values must not repeat")
        return v

    @field_validator("animations")
    @classmethod
    def _some(cls, v: tuple) -> tuple:
        if not v:
            raise ValueError(f"name at least one of {', '.join(ANIMATIONS)}")
        return v


def _to_rgba(indices: np.ndarray, palette: np.ndarray) -> np.ndarray:
    table = np.zeros((len(palette) + 1, 4), dtype=np.uint8)
    table[:-1, :3] = palette
    table[:-1, 3] = 255
    return table[indices]  # index -1 picks the transparent last row


class SpriteGenerator(Generator[SpriteParams]):
    """Seeded pixel-art characters with idle/walk/attack/hurt sprite sheets (TexturePacker, Aseprite, Godot).

    A template (humanoid, quadruped, flyer, slime, robot) or your own mask is filled by chance, mirrored,
    coloured from a named or custom palette and outlined; each animation is drawn in every direction the template
    has. Output: the sheet PNG with its atlases, a GIF preview per animation, optional 2×/4× upscales and an
    optional character sheet. The same seed always gives the same sprite.
    """

    name = "character.sprite"
    version = "1.0.0"
    quick_params = {"size": 16, "walk_frames": 4}

    def generate(self, params: SpriteParams, ctx: Context) -> list[Asset]:
        template = user_template(params.mask, params.mirror) if params.mask else TEMPLATES[params.template]
        palette = resolve_palette(params.palette)
        look = choose_look(palette, resolve_colour(params.outline, palette), template.rig, ctx.child("look"))
        directions = template.directions[: 1 if params.directions == 1 else None]
        figures = {  # down and up share a stream: the back view has the front's silhouette
            d: draw_figure(
                template.view(d),
                params.size,
                look,
                params.density,
                ctx.child("body", "side" if d in ("left", "right") else "front"),
            )
            for d in directions
        }
        scale = params.size / 16
        rows: list[tuple[str, np.ndarray, int, bool]] = []
        previews: list[Asset] = []
        for done, anim in enumerate(params.animations):
            count, ms = getattr(params, f"{anim}_frames"), getattr(params, f"{anim}_ms")
            strips = []
            for d in directions:
                side = d in ("left", "right")
                move = motion(template.rig, anim, side, count)
                indices = render_frames(figures[d], move.pixel_offsets(scale), move.squash, move.flash, look)
                frames = _to_rgba(indices, look.palette)
                if d == "left":
                    frames = frames[:, :, ::-1]
                rows.append((f"{anim}_{d}" if len(directions) > 1 else anim, frames, ms, LOOPS[anim]))
                strips.append(frames)
            preview = animation_gif(np.concatenate(strips, axis=2), ms, scale=max(1, 96 // params.size))
            previews.append(BytesAsset(f"sprite_{anim}", preview, ".gif", "image/gif", meta={"animation": anim}))
            ctx.progress(done + 1, len(params.animations), anim)
        sheet, atlas = pack_rows(rows, params.padding, params.extrude)
        meta = {
            "template": template.name,
            "frame_size": [params.size, params.size],
            "directions": list(directions),
            "animations": [tag.name for tag in atlas.tags],
            "palette": ["#" + bytes(c).hex() for c in look.palette],
        }
        assets: list[Asset] = [SpriteSheetAsset("sprite", sheet, atlas=atlas, meta=meta)]
        assets += [
            SpriteSheetAsset(
                f"sprite_{f}x", upscale_nearest(sheet, f), atlas=atlas.scaled(f), meta={**meta, "scale": f}
            )
            for f in params.upscale
        ]
        icon = rows[0][1][0]
        assets.append(ImageAsset("sprite_icon", icon, meta={"preview": True, "frame": atlas.frames[0].name}))
        assets += previews
        if params.character_sheet:
            assets.append(sheet_asset(SheetParams(), ctx))
        return assets
