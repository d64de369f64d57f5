"""What the generators hand to gamegen's exporters: sprites as one sprite sheet with its atlases (plus each sprite
on its own), tiles with their seam QC (plus a 2×2 preview); every picture carries its copy check in ``quality``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from gamegen.assets import Asset, ImageAsset, TilingAxes
from gamegen.character.atlas import AnimationTag, Atlas, SpriteSheetAsset, pack_rows
from gamegen.texture.quality import check_map

__all__ = ["sprite_assets", "tile_assets"]

_COLUMNS = 16
_FRAME_MS = 120


def _sheet(name: str, pictures: np.ndarray, tag: str, loop: bool, meta: dict[str, Any]) -> SpriteSheetAsset:
    """The pictures packed 16 to a row; frames ``<tag>_<i>`` in order, one animation ``tag`` over all of them."""
    rows = [(f"r{i}", pictures[i : i + _COLUMNS], _FRAME_MS, loop) for i in range(0, len(pictures), _COLUMNS)]
    sheet, packed = pack_rows(rows, padding=2, extrude=1)
    frames = tuple(replace(f, name=f"{tag}_{i}") for i, f in enumerate(packed.frames))
    atlas = Atlas(frames, (AnimationTag(tag, 0, len(frames) - 1, loop),), packed.width, packed.height)
    return SpriteSheetAsset(name, sheet, atlas=atlas, meta=meta)


def sprite_assets(
    pictures: np.ndarray, checks: list[dict[str, Any]] | None, tag: str, meta: dict[str, Any]
) -> list[Asset]:
    """``sprites`` (the sheet: an animation ``tag`` — ``samples``, ``variations`` or ``interpolation``) and
    ``sprite_NNN`` for each picture with its copy check."""
    frame_checks = {"copy_check": checks} if checks is not None else {}
    assets: list[Asset] = [_sheet("sprites", pictures, tag, tag == "interpolation", {**meta, **frame_checks})]
    for i, picture in enumerate(pictures):
        own = {"frame": f"{tag}_{i}", **({"quality": checks[i]} if checks is not None else {})}
        assets.append(
            ImageAsset(f"sprite_{i:03d}", picture, meta={**meta, **own, **({"preview": True} if i == 0 else {})})
        )
    return assets


def tile_assets(
    pictures: np.ndarray, checks: list[dict[str, Any]] | None, tiling: TilingAxes, meta: dict[str, Any]
) -> list[Asset]:
    """``tile_NNN`` for each picture, its seam scores (a seam on a promised axis raises QualityError) and copy
    check in ``quality``; ``tiles_preview``: the first tile repeated 2×2, where a seam would show."""
    assets: list[Asset] = []
    for i, picture in enumerate(pictures):
        name = f"tile_{i:03d}"
        quality = {**check_map(name, picture, tiling), **(checks[i] if checks is not None else {})}
        assets.append(ImageAsset(name, picture, meta={**meta, "tiling": tiling, "quality": quality}))
    preview = np.tile(pictures[0], (2, 2, 1))
    assets.append(
        ImageAsset("tiles_preview", preview, meta={**meta, "tiling": tiling, "preview": True, "of": "tile_000"})
    )
    return assets
