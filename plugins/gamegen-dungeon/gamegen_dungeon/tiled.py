"""Tiled maps as a gamegen asset type, and their exporter: ``.tmj`` map, ``.tsj`` tileset and tileset ``.png``.

The JSON follows Tiled's map format 1.10 (orthogonal, right-down, finite, uncompressed ``data`` arrays of gids),
which Tiled, Godot (YATI / Tiled importers), Phaser, Defold, LDtk's importer and many engines read. The tileset is
embedded in the map by default: Phaser 3's Tiled parser skips external tilesets ("External tilesets unsupported").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gamegen.plugin import Asset, ExportContext, ExportedFile, check_name, dump_json, encode_png, xmp_packet

__all__ = ["TILED_VERSION", "Tileset", "MapObject", "TiledMapAsset", "export_tiled_map"]

TILED_VERSION = "1.10"
_PROPERTY_TYPES = {bool: "bool", int: "int", float: "float", str: "string"}


@dataclass
class Tileset:
    """A single-image tileset: one row of square ``tile_size`` tiles, each with a type and custom properties."""

    name: str
    image: np.ndarray
    tile_size: int
    tile_types: tuple[str, ...]
    tile_properties: tuple[dict[str, Any], ...] = ()

    def __post_init__(self) -> None:
        check_name(self.name, "tileset name")
        if self.image.shape[:2] != (self.tile_size, self.tile_size * len(self.tile_types)):
            raise ValueError(
                f"tileset {self.name!r}: image {self.image.shape} is not one row of "
                f"{len(self.tile_types)} tiles of {self.tile_size} px"
            )


@dataclass
class MapObject:
    """An object on a Tiled object layer, in pixels: a rectangle, or a point when ``point`` is set."""

    name: str
    type: str
    x: float
    y: float
    width: float = 0.0
    height: float = 0.0
    point: bool = False
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass
class TiledMapAsset(Asset):
    """An orthogonal Tiled map: named tile layers of gids (0 = empty, tile i of the tileset = i + 1), object layers
    and one tileset, embedded in the map (``embed_tileset``, the default: every consumer, Phaser included, reads
    it) or written as its own ``.tsj`` file that the map references."""

    exporters = {"generic": "gamegen_dungeon.tiled:export_tiled_map"}

    tileset: Tileset
    layers: dict[str, np.ndarray]
    objects: dict[str, list[MapObject]] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)
    embed_tileset: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        shapes = {np.shape(grid) for grid in self.layers.values()}
        if len(shapes) != 1 or len(next(iter(shapes))) != 2:
            raise ValueError(f"TiledMapAsset {self.name!r}: tile layers must be 2-D and the same size, got {shapes}")


def _properties(values: dict[str, Any]) -> list[dict[str, Any]]:
    """Tiled's typed property list, sorted by name."""
    return [{"name": k, "type": _PROPERTY_TYPES[type(v)], "value": v} for k, v in sorted(values.items())]


def _tileset_json(ts: Tileset, image: str) -> dict[str, Any]:
    tiles = []
    for i, kind in enumerate(ts.tile_types):
        tile: dict[str, Any] = {"id": i, "type": kind}
        if i < len(ts.tile_properties) and ts.tile_properties[i]:
            tile["properties"] = _properties(ts.tile_properties[i])
        tiles.append(tile)
    return {
        "columns": len(ts.tile_types),
        "image": image,
        "imageheight": int(ts.image.shape[0]),
        "imagewidth": int(ts.image.shape[1]),
        "margin": 0,
        "name": ts.name,
        "spacing": 0,
        "tilecount": len(ts.tile_types),
        "tileheight": ts.tile_size,
        "tiles": tiles,
        "tilewidth": ts.tile_size,
    }


def _object_json(obj: MapObject, object_id: int) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": object_id,
        "name": obj.name,
        "type": obj.type,
        "x": obj.x,
        "y": obj.y,
        "width": obj.width,
        "height": obj.height,
        "rotation": 0,
        "visible": True,
    }
    if obj.point:
        record["point"] = True
    if obj.properties:
        record["properties"] = _properties(obj.properties)
    return record


def _map_json(asset: TiledMapAsset, tileset_ref: dict[str, Any]) -> dict[str, Any]:
    height, width = next(iter(asset.layers.values())).shape
    layers: list[dict[str, Any]] = []
    for name, grid in asset.layers.items():
        layers.append(
            {
                "data": np.asarray(grid).ravel().astype(int).tolist(),
                "height": height,
                "width": width,
                "id": len(layers) + 1,
                "name": name,
                "opacity": 1,
                "type": "tilelayer",
                "visible": True,
                "x": 0,
                "y": 0,
            }
        )
    next_object = 1
    for name, objects in asset.objects.items():
        records = [_object_json(obj, next_object + i) for i, obj in enumerate(objects)]
        next_object += len(objects)
        layers.append(
            {
                "draworder": "topdown",
                "id": len(layers) + 1,
                "name": name,
                "objects": records,
                "opacity": 1,
                "type": "objectgroup",
                "visible": True,
                "x": 0,
                "y": 0,
            }
        )
    return {
        "compressionlevel": -1,
        "height": height,
        "infinite": False,
        "layers": layers,
        "nextlayerid": len(layers) + 1,
        "nextobjectid": next_object,
        "orientation": "orthogonal",
        "properties": _properties(asset.properties),
        "renderorder": "right-down",
        "tiledversion": TILED_VERSION,
        "tileheight": asset.tileset.tile_size,
        "tilesets": [tileset_ref],
        "tilewidth": asset.tileset.tile_size,
        "type": "map",
        "version": TILED_VERSION,
        "width": width,
    }


def export_tiled_map(asset: TiledMapAsset, ctx: ExportContext) -> list[ExportedFile]:
    """``<name>.tmj`` plus the tileset image ``<tileset>.png`` and, unless embedded, ``<tileset>.tsj``."""
    ts = asset.tileset
    image = f"{ts.name}.png"
    tileset = _tileset_json(ts, image)
    files = [ExportedFile(image, encode_png(ts.image, xmp=xmp_packet(ctx.provenance)), "image/png")]
    if asset.embed_tileset:
        ref = {"firstgid": 1, **tileset}
    else:
        ref = {"firstgid": 1, "source": f"{ts.name}.tsj"}
        document = {**tileset, "tiledversion": TILED_VERSION, "type": "tileset", "version": TILED_VERSION}
        files.append(ExportedFile(f"{ts.name}.tsj", dump_json(document), "application/json"))
    files.insert(
        0, ExportedFile(asset.name + ".tmj", dump_json(_map_json(asset, ref)), "application/json", dict(asset.meta))
    )
    return files
