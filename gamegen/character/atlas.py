"""Sprite sheets: packing animation frames on a grid (padding, extrusion) and the atlas that describes them.

The atlas is format-neutral; ``export.py`` writes it as TexturePacker JSON-hash, Aseprite JSON and Godot
SpriteFrames, all from this one description, so the formats can never disagree about a frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..assets import ImageAsset

__all__ = ["FrameRect", "AnimationTag", "Atlas", "SpriteSheetAsset", "pack_rows"]


@dataclass(frozen=True)
class FrameRect:
    """One frame: its name, its rectangle in the sheet (pixels, excluding extrusion) and how long it shows."""

    name: str
    x: int
    y: int
    w: int
    h: int
    duration_ms: int


@dataclass(frozen=True)
class AnimationTag:
    """An animation: the frames ``start``…``end`` (inclusive) of the atlas, played forward, looping or once."""

    name: str
    start: int
    end: int
    loop: bool


@dataclass(frozen=True)
class Atlas:
    """Frames and animations of one sheet image of ``width``×``height`` pixels, drawn at ``scale``× size."""

    frames: tuple[FrameRect, ...]
    tags: tuple[AnimationTag, ...]
    width: int
    height: int
    scale: int = 1

    def scaled(self, factor: int) -> Atlas:
        """The atlas of the same sheet upscaled ``factor``× (nearest-neighbour)."""
        frames = tuple(replace(f, x=f.x * factor, y=f.y * factor, w=f.w * factor, h=f.h * factor) for f in self.frames)
        return Atlas(frames, self.tags, self.width * factor, self.height * factor, self.scale * factor)


@dataclass
class SpriteSheetAsset(ImageAsset):
    """An RGBA sprite sheet plus its atlas; exporters write the image and the atlas formats side by side."""

    exporters = {
        "generic": "gamegen.character.export:export_sprite_sheet",
        "godot": "gamegen.character.export:export_sprite_sheet_godot",
    }

    atlas: Atlas = field(kw_only=True)


def pack_rows(rows: list[tuple[str, np.ndarray, int, bool]], padding: int, extrude: int) -> tuple[np.ndarray, Atlas]:
    """Pack animations, one per grid row, into a sheet: ``(name, frames (F, h, w, 4), duration_ms, loop)``.

    Cells are ``padding`` pixels apart (and from the sheet's edges); each frame's edge pixels are repeated
    ``extrude`` pixels outwards so texture filtering never samples a neighbour. Frame names are ``<anim>_<i>``.
    """
    h, w = rows[0][1].shape[1:3]
    columns = max(len(frames) for _, frames, _, _ in rows)
    pitch_y, pitch_x = h + 2 * extrude + padding, w + 2 * extrude + padding
    grid = np.zeros((len(rows), columns, pitch_y, pitch_x, 4), dtype=np.uint8)
    frames_out: list[FrameRect] = []
    tags: list[AnimationTag] = []
    for r, (name, frames, duration, loop) in enumerate(rows):
        grown = np.pad(frames, ((0, 0), (extrude, extrude), (extrude, extrude), (0, 0)), mode="edge")
        grid[r, : len(frames), : h + 2 * extrude, : w + 2 * extrude] = grown
        tags.append(AnimationTag(name, len(frames_out), len(frames_out) + len(frames) - 1, loop))
        frames_out += [
            FrameRect(f"{name}_{i}", padding + i * pitch_x + extrude, padding + r * pitch_y + extrude, w, h, duration)
            for i in range(len(frames))
        ]
    sheet = grid.transpose(0, 2, 1, 3, 4).reshape(len(rows) * pitch_y, columns * pitch_x, 4)
    sheet = np.pad(sheet, ((padding, 0), (padding, 0), (0, 0)))
    return sheet, Atlas(tuple(frames_out), tuple(tags), sheet.shape[1], sheet.shape[0])
