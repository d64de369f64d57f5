"""``dungeon.layout``: a BSP dungeon exported as a Tiled map (.tmj + tileset) with a PNG preview."""

from __future__ import annotations

from typing import Literal

from pydantic import ValidationInfo, field_validator

import gamegen
from gamegen import Field, Params

from .layout import DOOR, VOID, WALL, Layout, build_layout, walk_distances
from .tiled import MapObject, TiledMapAsset, Tileset
from .tiles import TILE_PROPERTIES, TILE_TYPES, paint_tileset, render_preview

__all__ = ["DungeonLayout", "DungeonParams"]


class DungeonParams(Params):
    """Map size, BSP depth, room sizes, loops and spawn density."""

    width: int = Field(48, ge=16, le=256, description="Map width in tiles")
    height: int = Field(32, ge=16, le=256, description="Map height in tiles")
    tile_size: int = Field(16, ge=4, le=64, description="Tile width and height in pixels")
    depth: int = Field(4, ge=1, le=8, description="BSP split levels: at most 2^depth rooms")
    min_room: int = Field(4, ge=3, le=14, description="Smallest room side in tiles")
    max_room: int = Field(10, ge=3, le=32, description="Largest room side in tiles (also bounded by its BSP leaf)")
    loops: float = Field(0.15, ge=0.0, le=1.0, description="Extra corridors per room beyond the spanning tree")
    enemies: int = Field(2, ge=0, le=16, description="Enemy spawn points per room (none in the start room)")
    treasure: float = Field(0.3, ge=0.0, le=1.0, description="Chance that a room holds a treasure spawn point")
    tileset: Literal["embedded", "external"] = Field(
        "embedded",
        description="Embed the tileset in the .tmj (loads everywhere, Phaser included), or write it as its own "
        ".tsj file that the map references (Tiled, Godot importers, pytiled-parser; not Phaser)",
    )

    @field_validator("max_room")
    @classmethod
    def _max_room_fits_min(cls, value: int, info: ValidationInfo) -> int:
        if value < info.data.get("min_room", 0):
            raise ValueError(f"must be ≥ min_room={info.data['min_room']}")
        return value


def _objects(layout: Layout, size: int) -> dict[str, list[MapObject]]:
    """Rooms as rectangles, doors as tile-sized rectangles, spawns as points at tile centres (all in pixels)."""
    rooms = [
        MapObject(f"room_{i}", "room", r.x * size, r.y * size, r.w * size, r.h * size, properties={"index": i})
        for i, r in enumerate(layout.rooms)
    ]
    doors = [
        MapObject(f"door_{k}", "door", int(x) * size, int(y) * size, size, size)
        for k, (y, x) in enumerate(zip(*(layout.grid == DOOR).nonzero(), strict=True))
    ]
    spawns = [
        MapObject(s.kind, s.kind, (s.x + 0.5) * size, (s.y + 0.5) * size, point=True, properties={"room": s.room})
        for s in layout.spawns
    ]
    return {"rooms": rooms, "doors": doors, "spawns": spawns}


class DungeonLayout(gamegen.Generator[DungeonParams]):
    """Dungeon level: BSP rooms, corridors, doors and spawn points, every room reachable, as a Tiled map.

    Writes ``dungeon.tmj`` (tile layer + object layers ``rooms``, ``doors``, ``spawns``) with its tileset embedded
    (tiles typed floor/corridor/door/wall with a ``walkable`` property; ``tileset=external`` writes it to
    ``dungeon_tiles.tsj`` instead), the tileset image ``dungeon_tiles.png`` and ``dungeon_preview.png``. The
    embedded map loads in Phaser 3 (``load.tilemapTiledJSON``), which rejects external tilesets.
    """

    name = "dungeon.layout"
    version = "1.1.0"
    quick_params = {"width": 32, "height": 24, "tile_size": 8, "depth": 3}
    time_budget_s = 10.0

    def generate(self, params: DungeonParams, ctx: gamegen.Context) -> list[gamegen.Asset]:
        """Build the layout, check that every walkable tile is reachable, and paint tileset and preview."""
        layout = build_layout(
            ctx.child("layout"),
            params.width,
            params.height,
            depth=params.depth,
            min_room=params.min_room,
            max_room=params.max_room,
            loops=params.loops,
            enemies=params.enemies,
            treasure=params.treasure,
        )
        walkable = (layout.grid != VOID) & (layout.grid != WALL)
        if (walk_distances(walkable, layout.rooms[0].center)[walkable] < 0).any():
            raise gamegen.GenerationError("dungeon.layout: some walkable tiles are unreachable (please report)")
        image = paint_tileset(ctx.child("tileset"), params.tile_size)
        tileset = Tileset("dungeon_tiles", image, params.tile_size, TILE_TYPES, TILE_PROPERTIES)
        objects = _objects(layout, params.tile_size)
        meta = {
            "rooms": len(layout.rooms),
            "corridors": len(layout.corridors),
            "doors": len(objects["doors"]),
            "spawns": len(objects["spawns"]),
            "connected": True,
        }
        tiled = TiledMapAsset(
            "dungeon",
            tileset=tileset,
            layers={"tiles": layout.grid},
            objects=objects,
            properties={"generator": self.name, "seed": ctx.seed},
            embed_tileset=params.tileset == "embedded",
            meta=meta,
        )
        preview = render_preview(layout, image, params.tile_size)
        return [tiled, gamegen.ImageAsset("dungeon_preview", preview, meta={"preview": True})]
