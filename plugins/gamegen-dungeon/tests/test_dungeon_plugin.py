"""dungeon.layout: the conformance kit, the Tiled files read back as plain JSON and checked room by room, and the
same files loaded by a real Tiled consumer (pytiled-parser, the parser of the arcade engine)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import deque
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import gamegen

LAYOUTS = [
    {"width": 32, "height": 24, "tile_size": 8, "depth": 3},
    {},  # defaults
    {"width": 96, "height": 64, "tile_size": 4, "depth": 6, "loops": 0.0, "min_room": 3},
    {"width": 40, "height": 40, "tile_size": 4, "depth": 8, "loops": 1.0, "max_room": 32},
]


def _bundle(tmp_path: Path, seed: int = 0, **params) -> Path:
    out = tmp_path / f"bundle-{seed}"
    gamegen.generate("dungeon.layout", seed=seed, out=out, **params)
    return out / "dungeon.layout"


def _load(folder: Path) -> tuple[dict, dict, np.ndarray]:
    """The map, its tileset (external or embedded) and the tile layer as an (h, w) gid grid."""
    tmj = json.loads((folder / "dungeon.tmj").read_text())
    ref = tmj["tilesets"][0]
    tileset = json.loads((folder / ref["source"]).read_text()) if "source" in ref else ref
    (layer,) = [layer for layer in tmj["layers"] if layer["type"] == "tilelayer"]
    return tmj, tileset, np.array(layer["data"]).reshape(layer["height"], layer["width"])


def _objects(tmj: dict, group: str) -> list[dict]:
    return next(layer["objects"] for layer in tmj["layers"] if layer.get("name") == group)


def _gid(tileset: dict, kind: str) -> int:
    return next(t["id"] for t in tileset["tiles"] if t["type"] == kind) + 1


def _reachable(walkable: np.ndarray, start: tuple[int, int]) -> np.ndarray:
    """Plain breadth-first search over 4-neighbours (independent of the plugin's own reachability code)."""
    seen = np.zeros_like(walkable)
    seen[start[1], start[0]] = True
    queue = deque([start])
    while queue:
        x, y = queue.popleft()
        for nx, ny in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
            if 0 <= ny < walkable.shape[0] and 0 <= nx < walkable.shape[1] and walkable[ny, nx] and not seen[ny, nx]:
                seen[ny, nx] = True
                queue.append((nx, ny))
    return seen


def _tiled_parser():
    """pytiled-parser (the plugin's ``test`` extra): required in CI, skipped elsewhere when it is missing."""
    if os.environ.get("CI"):
        import pytiled_parser
    else:
        pytiled_parser = pytest.importorskip(
            "pytiled_parser", reason="pip install -e 'plugins/gamegen-dungeon[test]' for the Tiled consumer check"
        )
    return pytiled_parser


def test_installed_plugin_shows_in_gamegen_list():
    """A fresh ``gamegen list`` finds the generator through the package's entry point."""
    listed = subprocess.run(
        [sys.executable, "-m", "gamegen", "list", "--kind", "dungeon", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert [(g["name"], g["origin"]) for g in json.loads(listed.stdout)] == [
        ("dungeon.layout", "plugin 'dungeon' (gamegen_dungeon, from gamegen-dungeon)")
    ]


def test_conformance(gamegen_conformance):
    gamegen_conformance("dungeon.layout")


def test_conformance_with_embedded_tileset(gamegen_conformance):
    gamegen_conformance("dungeon.layout", params={"tileset": "embedded"})


@pytest.mark.parametrize("params", LAYOUTS, ids=["quick", "default", "large-tree", "dense-loops"])
@pytest.mark.parametrize("seed", range(4))
def test_every_room_is_reachable_from_the_player_start(tmp_path, params, seed):
    tmj, tileset, grid = _load(_bundle(tmp_path, seed, **params))
    walkable_gids = [
        t["id"] + 1
        for t in tileset["tiles"]
        if {"name": "walkable", "type": "bool", "value": True} in t.get("properties", [])
    ]
    size = tmj["tilewidth"]
    (start,) = [s for s in _objects(tmj, "spawns") if s["type"] == "player_start"]
    seen = _reachable(np.isin(grid, walkable_gids), (int(start["x"] // size), int(start["y"] // size)))
    rooms = _objects(tmj, "rooms")
    assert len(rooms) >= 2
    for room in rooms:
        x, y, w, h = (int(room[k] // size) for k in ("x", "y", "width", "height"))
        assert (grid[y : y + h, x : x + w] == _gid(tileset, "floor")).all(), room["name"]
        assert seen[y : y + h, x : x + w].all(), f"{room['name']} is not reachable"
    for obj in _objects(tmj, "doors") + _objects(tmj, "spawns"):
        assert seen[int(obj["y"] // size), int(obj["x"] // size)], obj["name"]


@pytest.mark.parametrize("tileset", ["external", "embedded"])
@pytest.mark.parametrize("seed", [4, 9])
def test_tiled_consumer_loads_the_map_as_written(tmp_path, tileset, seed):
    """A real consumer parses map and tileset; its view (tiles, classes, properties, objects) is the dungeon's."""
    parser = _tiled_parser()
    folder = _bundle(tmp_path, seed, tileset=tileset, tile_size=12)
    _, _, grid = _load(folder)
    parsed = parser.parse_map(folder / "dungeon.tmj")
    assert (parsed.orientation, parsed.render_order, parsed.infinite) == ("orthogonal", "right-down", False)
    assert (parsed.map_size.width, parsed.map_size.height, parsed.tile_size.width) == (grid.shape[1], grid.shape[0], 12)
    assert parsed.properties == {"generator": "dungeon.layout", "seed": seed}
    ((firstgid, tiles),) = parsed.tilesets.items()
    assert firstgid == 1 and (tiles.tile_width, tiles.tile_count, tiles.columns) == (12, 4, 4)
    assert [(tiles.tiles[i].class_, tiles.tiles[i].properties) for i in range(4)] == [
        ("floor", {"walkable": True}),
        ("corridor", {"walkable": True}),
        ("door", {"walkable": True}),
        ("wall", {"walkable": False}),
    ]
    with Image.open(folder / tiles.image) as img:  # an absolute path for an external tileset, relative if embedded
        assert img.size == (tiles.image_width, tiles.image_height) == (4 * 12, 12)
    layers = {layer.name: layer for layer in parsed.layers}
    assert list(layers) == ["tiles", "rooms", "doors", "spawns"]
    assert (np.array(layers["tiles"].data) == grid).all()
    walkable = np.isin(grid, [firstgid + i for i, tile in tiles.tiles.items() if tile.properties["walkable"]])
    rooms = [
        tuple(int(v // 12) for v in (o.coordinates.x, o.coordinates.y, o.size.width, o.size.height))
        for o in layers["rooms"].tiled_objects
    ]
    assert len(rooms) >= 2 and all(type(o).__name__ == "Rectangle" for o in layers["rooms"].tiled_objects)
    spawns = layers["spawns"].tiled_objects
    assert all(type(o).__name__ == "Point" and isinstance(o.properties["room"], int) for o in spawns)
    (start,) = [o for o in spawns if o.class_ == "player_start"]
    seen = _reachable(walkable, (int(start.coordinates.x // 12), int(start.coordinates.y // 12)))
    assert all(seen[y : y + h, x : x + w].all() for x, y, w, h in rooms)
    assert len(layers["doors"].tiled_objects) == int((grid == tiles.tiles[2].id + firstgid).sum()) > 0


def test_doors_stand_in_doorways_between_walls(tmp_path):
    tmj, tileset, grid = _load(_bundle(tmp_path, 3))
    door, wall, floor = (_gid(tileset, k) for k in ("door", "wall", "floor"))
    doors = _objects(tmj, "doors")
    assert doors and len(doors) == int((grid == door).sum())
    for obj in doors:
        x, y = int(obj["x"] // 16), int(obj["y"] // 16)
        n, s, w, e = grid[y - 1, x], grid[y + 1, x], grid[y, x - 1], grid[y, x + 1]
        assert floor in (n, s, w, e)
        assert (w == e == wall and wall not in (n, s)) or (n == s == wall and wall not in (w, e))


def test_spawns_are_on_distinct_floor_tiles_of_their_rooms(tmp_path):
    tmj, tileset, grid = _load(_bundle(tmp_path, 5, enemies=3, treasure=1.0))
    rooms = _objects(tmj, "rooms")
    spawns = _objects(tmj, "spawns")
    kinds = [s["type"] for s in spawns]
    assert kinds.count("player_start") == 1 and kinds.count("exit") == 1 and kinds.count("treasure") == len(rooms)
    tiles = [(int(s["x"] // 16), int(s["y"] // 16)) for s in spawns]
    assert len(set(tiles)) == len(tiles)
    start_room = next(s for s in spawns if s["type"] == "player_start")["properties"][0]["value"]
    for spawn, (x, y) in zip(spawns, tiles, strict=True):
        assert spawn["point"] and grid[y, x] == _gid(tileset, "floor")
        room = rooms[spawn["properties"][0]["value"]]
        assert room["x"] <= x * 16 < room["x"] + room["width"] and room["y"] <= y * 16 < room["y"] + room["height"]
        assert not (spawn["type"] == "enemy" and spawn["properties"][0]["value"] == start_room)


def test_external_tileset_image_matches_its_description(tmp_path):
    folder = _bundle(tmp_path, 1, tile_size=12)
    tmj, tileset, grid = _load(folder)
    assert tmj["tilesets"] == [{"firstgid": 1, "source": "dungeon_tiles.tsj"}]
    assert (tmj["type"], tmj["orientation"], tmj["renderorder"], tmj["infinite"]) == (
        "map",
        "orthogonal",
        "right-down",
        False,
    )
    assert tileset["type"] == "tileset" and [t["type"] for t in tileset["tiles"]] == [
        "floor",
        "corridor",
        "door",
        "wall",
    ]
    with Image.open(folder / tileset["image"]) as img:
        assert img.size == (tileset["imagewidth"], tileset["imageheight"]) == (tileset["columns"] * 12, 12)
    assert grid.shape == (tmj["height"], tmj["width"]) and set(np.unique(grid)) <= {0, 1, 2, 3, 4}
    with Image.open(folder / "dungeon_preview.png") as preview:
        assert preview.size == (tmj["width"] * 12, tmj["height"] * 12)


def test_embedded_tileset_writes_no_tsj(tmp_path):
    folder = _bundle(tmp_path, 1, tileset="embedded")
    tmj, tileset, _ = _load(folder)
    assert tileset["firstgid"] == 1 and tileset["image"] == "dungeon_tiles.png" and tileset["tilecount"] == 4
    assert sorted(p.name for p in folder.iterdir()) == ["dungeon.tmj", "dungeon_preview.png", "dungeon_tiles.png"]


def test_single_room_map_still_places_start_and_exit_apart(tmp_path):
    tmj, _, _ = _load(_bundle(tmp_path, 2, width=16, height=16, min_room=12, max_room=14))
    assert len(_objects(tmj, "rooms")) == 1
    start, exit_ = ((s["x"], s["y"]) for s in _objects(tmj, "spawns") if s["type"] in ("player_start", "exit"))
    assert start != exit_


def test_max_room_below_min_room_is_a_parameter_error():
    with pytest.raises(gamegen.ParamError, match=r"max_room=4: .*must be ≥ min_room=6"):
        gamegen.generate("dungeon.layout", min_room=6, max_room=4)
