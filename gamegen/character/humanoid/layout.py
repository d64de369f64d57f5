"""Sheet layouts: the Liberated Pixel Cup (LPC) grid, or rows packed by the character atlas packer.

The LPC grid is 13 columns of square frames: rows 0–3 spellcast (7 frames), 4–7 thrust (8), 8–11 walk (9),
12–15 slash (6), 16–19 shoot (13) and row 20 hurt (6), directions in the order up, left, down, right; at 64 px
that is 832×1344, the sheet LPC tools and engines read. Animations the LPC base sheet has no row for (idle, run) go
on an extra sheet laid out the same way. Sheets are laid out as palette-free codes, so the colour sheet and one
sheet per layer come from the same layout by table look-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..atlas import AnimationTag, Atlas, FrameRect, pack_rows
from .poses import DURATION_MS, LOOPS

__all__ = ["LPC_COLUMNS", "LPC_ROWS", "EXTRA_ROWS", "Layout", "grid_layout", "packed_layout"]

LPC_COLUMNS = 13
LPC_ROWS: tuple[tuple[str, str], ...] = tuple(
    (anim, d) for anim in ("spellcast", "thrust", "walk", "slash", "shoot") for d in ("up", "left", "down", "right")
) + (("hurt", "down"),)
"""(animation, direction) of each LPC row; the hurt row is the one fall, drawn facing down."""
EXTRA_ROWS: tuple[tuple[str, str], ...] = tuple(
    (anim, d) for anim in ("idle", "run") for d in ("up", "left", "down", "right")
)


@dataclass(frozen=True)
class Layout:
    """A sheet of codes (H, W) uint8 and its atlas."""

    codes: np.ndarray
    atlas: Atlas


def _tag(anim: str, direction: str, lpc_hurt: bool) -> str:
    return "hurt" if lpc_hurt else f"{anim}_{direction}"


def grid_layout(
    rows: tuple[tuple[str, str], ...],
    columns: int,
    frames: dict[str, dict[str, np.ndarray]],
    speed: float,
) -> Layout:
    """One row per (animation, direction) in ``rows``, one column per frame, cells the frame size; rows whose
    animation or direction was not drawn stay empty (and out of the atlas). ``frames[anim][direction]`` is codes
    (F, S, S)."""
    size = next(iter(next(iter(frames.values())).values())).shape[-1]
    cells = np.zeros((len(rows), columns, size, size), dtype=np.uint8)
    rects: list[FrameRect] = []
    tags: list[AnimationTag] = []
    for r, (anim, direction) in enumerate(rows):
        drawn = frames.get(anim, {}).get(direction)
        if drawn is None:
            continue
        cells[r, : len(drawn)] = drawn
        name = _tag(anim, direction, anim == "hurt" and rows is LPC_ROWS)
        ms = max(1, round(DURATION_MS[anim] / speed))
        tags.append(AnimationTag(name, len(rects), len(rects) + len(drawn) - 1, LOOPS[anim]))
        rects += [FrameRect(f"{name}_{i}", i * size, r * size, size, size, ms) for i in range(len(drawn))]
    codes = cells.transpose(0, 2, 1, 3).reshape(len(rows) * size, columns * size)
    return Layout(codes, Atlas(tuple(rects), tuple(tags), codes.shape[1], codes.shape[0]))


def packed_layout(
    order: Sequence[tuple[str, str]], frames: dict[str, dict[str, np.ndarray]], speed: float, padding: int, extrude: int
) -> Layout:
    """The (animation, direction) rows in ``order`` packed by the character atlas packer (padding, extrusion)."""
    rows = []
    for anim, direction in order:
        codes = frames[anim][direction]
        as_rgba = np.zeros((*codes.shape, 4), dtype=np.uint8)
        as_rgba[..., 0] = codes
        rows.append((f"{anim}_{direction}", as_rgba, max(1, round(DURATION_MS[anim] / speed)), LOOPS[anim]))
    sheet, atlas = pack_rows(rows, padding, extrude)
    return Layout(np.ascontiguousarray(sheet[..., 0]), atlas)
