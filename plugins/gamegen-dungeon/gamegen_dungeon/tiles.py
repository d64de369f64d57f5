"""The dungeon tileset (floor, corridor, door, wall) painted procedurally, and the map preview drawn with it."""

from __future__ import annotations

import numpy as np

from .layout import Layout

__all__ = ["TILE_TYPES", "TILE_PROPERTIES", "SPAWN_COLOURS", "paint_tileset", "render_preview"]

# Tileset order = layout tile class - 1, so a layout grid value is directly a Tiled gid (0 = empty).
TILE_TYPES = ("floor", "corridor", "door", "wall")
TILE_PROPERTIES = tuple({"walkable": kind != "wall"} for kind in TILE_TYPES)
SPAWN_COLOURS = {
    "player_start": (80, 220, 90),
    "exit": (250, 210, 60),
    "enemy": (220, 60, 50),
    "treasure": (80, 170, 250),
}
_VOID_COLOUR = (18, 16, 22, 255)


def _shade(base: tuple[int, int, int], light: np.ndarray) -> np.ndarray:
    """RGBA tile from a base colour scaled by a per-pixel light map."""
    rgb = np.clip(np.asarray(base, float) * light[..., None], 0, 255)
    return np.concatenate([rgb, np.full(light.shape + (1,), 255.0)], axis=-1).round().astype(np.uint8)


def paint_tileset(rng: np.random.Generator, size: int) -> np.ndarray:
    """One row of ``size`` px RGBA tiles in :data:`TILE_TYPES` order: flagstones, cobbles, planks, bricks."""
    y, x = np.mgrid[0:size, 0:size]
    grain = 1.0 + 0.12 * (rng.random((4, size, size)) - 0.5)
    edge = (x == 0) | (y == 0) | (x == size - 1) | (y == size - 1)
    half = max(size // 2, 1)
    quarter = max(size // 4, 1)
    floor = grain[0] * np.where(edge | (x % half == 0) | (y % half == 0), 0.7, 1.0)
    corridor = grain[1] * np.where(((x // quarter + y // quarter) % 2) == 0, 0.9, 1.0) * np.where(edge, 0.8, 1.0)
    planks = grain[2] * np.where((x % quarter == 0) | edge, 0.6, 1.0)
    planks[(size // 2 - 1 <= y) & (y <= size // 2) & (x >= size - quarter - 1) & (x < size - 1)] = 0.35  # handle
    row = y // quarter
    bricks = grain[3] * np.where((y % quarter == 0) | ((x + (row % 2) * half) % half == 0), 0.55, 1.0)
    tiles = [
        _shade((112, 104, 96), floor),
        _shade((84, 80, 76), corridor),
        _shade((134, 88, 46), planks),
        _shade((92, 96, 112), bricks),
    ]
    return np.concatenate(tiles, axis=1)


def render_preview(layout: Layout, tileset: np.ndarray, size: int) -> np.ndarray:
    """The map drawn with its tileset (RGBA, ``size`` px per tile) with a coloured marker on every spawn point."""
    atlas = np.concatenate(
        [
            np.broadcast_to(np.array(_VOID_COLOUR, np.uint8), (size, size, 4)),
            tileset.reshape(size, len(TILE_TYPES), size, 4).transpose(1, 0, 2, 3).reshape(-1, size, 4),
        ]
    )
    atlas = atlas.reshape(len(TILE_TYPES) + 1, size, size, 4)
    h, w = layout.grid.shape
    image = atlas[layout.grid].transpose(0, 2, 1, 3, 4).reshape(h * size, w * size, 4).copy()
    inset = max(size // 4, 1)
    for spawn in layout.spawns:
        top, left = spawn.y * size + inset, spawn.x * size + inset
        image[top : top + size - 2 * inset, left : left + size - 2 * inset, :3] = SPAWN_COLOURS[spawn.kind]
    return image
