"""dungeon.layout: the conformance kit, the Tiled files read back as plain JSON and checked room by room, the
same files loaded by a real Tiled consumer (pytiled-parser, the parser of the arcade engine), and the map checked
against what Phaser 3's Tiled parser needs: by rule in Python always, and by Phaser's own parser under Node.js where
Phaser is installed (see ``_phaser``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections import deque
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import gamegen

REPO = Path(__file__).resolve().parents[3]
STARTER = REPO / "examples" / "starter" / "gamegen.toml"
PHASER_SCRIPT = Path(__file__).resolve().parent / "phaser_tiled.js"
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


def test_conformance_with_external_tileset(gamegen_conformance):
    gamegen_conformance("dungeon.layout", params={"tileset": "external"})


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
    folder = _bundle(tmp_path, 1, tile_size=12, tileset="external")
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


def test_the_tileset_is_embedded_by_default_and_no_tsj_is_written(tmp_path):
    folder = _bundle(tmp_path, 1)
    tmj, tileset, _ = _load(folder)
    assert tileset["firstgid"] == 1 and tileset["image"] == "dungeon_tiles.png" and tileset["tilecount"] == 4
    assert "source" not in tileset and tileset["name"] == "dungeon_tiles"
    assert sorted(p.name for p in folder.iterdir()) == ["dungeon.tmj", "dungeon_preview.png", "dungeon_tiles.png"]
    explicit = _bundle(tmp_path / "explicit", 1, tileset="embedded")
    assert (explicit / "dungeon.tmj").read_bytes() == (folder / "dungeon.tmj").read_bytes()


def test_single_room_map_still_places_start_and_exit_apart(tmp_path):
    tmj, _, _ = _load(_bundle(tmp_path, 2, width=16, height=16, min_room=12, max_room=14))
    assert len(_objects(tmj, "rooms")) == 1
    start, exit_ = ((s["x"], s["y"]) for s in _objects(tmj, "spawns") if s["type"] in ("player_start", "exit"))
    assert start != exit_


def test_max_room_below_min_room_is_a_parameter_error():
    with pytest.raises(gamegen.ParamError, match=r"max_room=4: .*must be ≥ min_room=6"):
        gamegen.generate("dungeon.layout", min_room=6, max_room=4)


# ── Phaser 3 ─────────────────────────────────────────────────────────────────────────────────────────────────────
# What Phaser 3's Tiled JSON parser (src/tilemaps/parsers/tiled: ParseJSONTiled, ParseTileLayers, ParseTilesets,
# Tileset.updateTileData, AssignTileProperties) needs of a map. An external tileset (a `source` key) is skipped
# with "External tilesets unsupported. Use Embed Tileset and re-export", and the first tile on a layer then throws.


def _phaser3_problems(tmj: dict, folder: Path) -> list[str]:
    """Every rule of Phaser 3's Tiled JSON parser that ``tmj`` (in ``folder``) breaks; [] when Phaser loads it."""
    problems = []
    if tmj.get("orientation") != "orthogonal":
        problems.append(f"orientation {tmj.get('orientation')!r}, expected 'orthogonal'")
    if tmj.get("infinite") is not False:
        problems.append("infinite must be false (an infinite map has chunks, not data arrays)")
    for key in ("width", "height", "tilewidth", "tileheight"):
        if not (isinstance(tmj.get(key), int) and tmj[key] > 0):
            problems.append(f"{key} must be a positive integer, got {tmj.get(key)!r}")
    if not float(tmj.get("version", 0)) > 1:  # Phaser reads the per-tile `tiles` array only when version > 1
        problems.append(f"version {tmj.get('version')!r}: Phaser reads tile properties only from version > 1")
    ranges = []
    for i, ts in enumerate(tmj.get("tilesets", [])):
        where = f"tilesets[{i}]"
        if "source" in ts:
            problems.append(f"{where}: external tileset {ts['source']!r} (Phaser: External tilesets unsupported)")
            continue
        if not (isinstance(ts.get("image"), str) and ts["image"]):
            problems.append(f"{where}: no image")
            continue
        for key in ("firstgid", "tilewidth", "tileheight", "tilecount", "columns", "margin", "spacing"):
            if not isinstance(ts.get(key), int):
                problems.append(f"{where}: {key} must be an integer, got {ts.get(key)!r}")
        if not (isinstance(ts.get("name"), str) and ts["name"]):
            problems.append(f"{where}: no name (the key of Phaser's addTilesetImage)")
        image = folder / ts["image"]
        if not image.is_file():
            problems.append(f"{where}: image {ts['image']!r} is not next to the map")
            continue
        with Image.open(image) as img:
            if img.size != (ts.get("imagewidth"), ts.get("imageheight")):
                problems.append(
                    f"{where}: imagewidth/imageheight {ts.get('imagewidth')}x{ts.get('imageheight')} "
                    f"but the image is {img.size[0]}x{img.size[1]}"
                )
        margin, spacing = ts.get("margin", 0), ts.get("spacing", 0)
        cols = (ts["imagewidth"] - 2 * margin + spacing) / (ts["tilewidth"] + spacing)
        rows = (ts["imageheight"] - 2 * margin + spacing) / (ts["tileheight"] + spacing)
        if cols % 1 or rows % 1:
            problems.append(f"{where}: the image is not a whole number of tiles (Phaser warns and truncates)")
        elif (ts["columns"], ts["tilecount"]) != (cols, cols * rows):
            problems.append(f"{where}: columns/tilecount {ts['columns']}/{ts['tilecount']}, image holds {cols}x{rows}")
        for tile in ts.get("tiles", []):
            props = tile.get("properties", [])
            if not (isinstance(tile.get("id"), int) and all({"name", "value"} <= set(p) for p in props)):
                problems.append(f"{where}: tile {tile.get('id')!r} needs an integer id and name/value properties")
        ranges.append(range(ts["firstgid"], ts["firstgid"] + ts["tilecount"]))
    if not ranges:
        problems.append("no embedded tileset: Phaser has no tiles to draw")
    tile_layers = [layer for layer in tmj.get("layers", []) if layer.get("type") == "tilelayer"]
    if not tile_layers:
        problems.append("no layer of type 'tilelayer'")
    names = [layer.get("name") for layer in tmj.get("layers", [])]
    if len(set(names)) != len(names):
        problems.append(f"layer names must be unique (Phaser's createLayer looks them up): {names}")
    for layer in tile_layers:
        where = f"layer {layer.get('name')!r}"
        if "compression" in layer:
            problems.append(f"{where}: compressed data (Phaser skips the layer)")
        if layer.get("encoding") not in (None, "base64"):
            problems.append(f"{where}: encoding {layer['encoding']!r}")
        data = layer.get("data")
        if layer.get("encoding") is None and not (isinstance(data, list) and all(isinstance(g, int) for g in data)):
            problems.append(f"{where}: data must be a flat array of integer gids")
            continue
        if (layer.get("width"), layer.get("height")) != (tmj.get("width"), tmj.get("height")):
            problems.append(
                f"{where}: {layer.get('width')}x{layer.get('height')}, the map is "
                f"{tmj.get('width')}x{tmj.get('height')}"
            )
        if isinstance(data, list) and len(data) != layer.get("width", 0) * layer.get("height", 0):
            problems.append(f"{where}: {len(data)} gids for {layer.get('width')}x{layer.get('height')} tiles")
        unknown = {g & 0x1FFFFFFF for g in data or []} - {0} - {g for r in ranges for g in r}
        if unknown:
            problems.append(f"{where}: gids {sorted(unknown)} are in no tileset (Phaser throws on them)")
    for layer in tmj.get("layers", []):
        if layer.get("type") == "objectgroup" and not all({"id", "x", "y"} <= set(o) for o in layer.get("objects", [])):
            problems.append(f"object layer {layer.get('name')!r}: every object needs id, x and y")
    return problems


@pytest.mark.parametrize("params", LAYOUTS, ids=["quick", "default", "large-tree", "dense-loops"])
@pytest.mark.parametrize("seed", [0, 7])
def test_the_default_map_meets_phaser3_tiled_parser_rules(tmp_path, params, seed):
    folder = _bundle(tmp_path, seed, **params)
    assert _phaser3_problems(json.loads((folder / "dungeon.tmj").read_text()), folder) == []


def test_the_external_tileset_option_is_what_phaser3_rejects(tmp_path):
    """The rules above catch the reported failure: the external-tileset option still writes it, for other engines."""
    folder = _bundle(tmp_path, 1, tileset="external")
    assert _phaser3_problems(json.loads((folder / "dungeon.tmj").read_text()), folder) == [
        "tilesets[0]: external tileset 'dungeon_tiles.tsj' (Phaser: External tilesets unsupported)",
        "no embedded tileset: Phaser has no tiles to draw",
        "layer 'tiles': gids [1, 2, 3, 4] are in no tileset (Phaser throws on them)",
    ]


def _phaser() -> tuple[str, Path]:
    """Node.js and a Phaser 3 package: $GAMEGEN_PHASER (the package folder) or tools/js/node_modules/phaser.

    Skipped, in CI too, where there is none: the shared tools/js does not install Phaser (yet), so the rules above
    are what always runs. ``npm pack phaser@3`` and unpacking it anywhere, then GAMEGEN_PHASER=<folder>, runs it.
    """
    node = shutil.which("node")
    package = Path(os.environ.get("GAMEGEN_PHASER") or REPO / "tools" / "js" / "node_modules" / "phaser")
    if node is None or not (package / "src" / "tilemaps" / "parsers" / "tiled" / "ParseJSONTiled.js").is_file():
        pytest.skip("Phaser 3's Tiled parser under Node.js: set GAMEGEN_PHASER to an unpacked phaser@3 package")
    if not json.loads((package / "package.json").read_text())["version"].startswith("3."):
        pytest.skip(f"{package} is not Phaser 3")
    return node, package


def _parse_with_phaser(tmj: Path) -> dict:
    node, package = _phaser()
    proc = subprocess.run(
        [node, str(PHASER_SCRIPT), str(package), str(tmj)], capture_output=True, text=True, timeout=120
    )
    if not proc.stdout.strip():
        raise RuntimeError(proc.stderr)
    return json.loads(proc.stdout)


@pytest.mark.parametrize("seed", [4, 9])
def test_phaser3_parses_the_default_map_as_written(tmp_path, seed):
    folder = _bundle(tmp_path, seed, tile_size=12)
    tmj, tileset, grid = _load(folder)
    parsed = _parse_with_phaser(folder / "dungeon.tmj")
    assert "error" not in parsed and parsed["warnings"] == [], parsed
    assert parsed["map"] == {
        "width": grid.shape[1],
        "height": grid.shape[0],
        "tileWidth": 12,
        "tileHeight": 12,
        "orientation": 0,  # Phaser.Tilemaps.Orientation.ORTHOGONAL
        "infinite": False,
    }
    ((phaser_set),) = parsed["tilesets"]
    assert (phaser_set["name"], phaser_set["firstgid"], phaser_set["total"]) == ("dungeon_tiles", 1, 4)
    assert [phaser_set["tileData"][str(i)]["type"] for i in range(4)] == ["floor", "corridor", "door", "wall"]
    ((layer),) = parsed["layers"]
    assert layer["name"] == "tiles" and (np.array(layer["gids"]) == grid).all()
    walkable = [t["id"] + 1 for t in tileset["tiles"] if t["properties"][0]["value"]]
    assert (np.array(layer["walkable"]) == np.isin(grid, walkable)).all()
    objects = {group["name"]: group["objects"] for group in parsed["objects"]}
    assert {name: len(objs) for name, objs in objects.items()} == {
        name: len(_objects(tmj, name)) for name in ("rooms", "doors", "spawns")
    }
    assert all(o["rectangle"] for o in objects["rooms"] + objects["doors"])
    assert all(o["point"] for o in objects["spawns"])


def test_phaser3_rejects_the_external_tileset_option(tmp_path):
    """The failure the default avoids, reproduced: Phaser warns, skips the tileset, then throws on the first tile."""
    parsed = _parse_with_phaser(_bundle(tmp_path, 1, tileset="external") / "dungeon.tmj")
    assert parsed["warnings"] == ["External tilesets unsupported. Use Embed Tileset and re-export"]
    assert "error" in parsed


def test_the_starter_recipe_dungeons_load_in_pytiled_parser_and_meet_phaser3_rules(tmp_path):
    """Every dungeon.layout asset of examples/starter/gamegen.toml, with its params and the recipe's profile (read
    from the TOML, so that other generators of the recipe do not matter here): an embedded tileset that loads."""
    if not STARTER.is_file():
        pytest.skip("not in the gamegen repository (no examples/starter)")
    parser = _tiled_parser()
    recipe = tomllib.loads(STARTER.read_text())
    dungeons = [a for a in recipe["asset"] if a["generator"] == "dungeon.layout"]
    assert dungeons, "the starter recipe has no dungeon.layout asset"
    for asset in dungeons:
        out = tmp_path / asset["name"]
        profile = recipe.get("profile", "generic")
        gamegen.generate("dungeon.layout", seed=recipe.get("seed", 0), out=out, profile=profile, **asset["params"])
        folder = out / "dungeon.layout"
        tmj = json.loads((folder / "dungeon.tmj").read_text())
        assert not (folder / "dungeon_tiles.tsj").exists() and _phaser3_problems(tmj, folder) == [], asset["name"]
        parsed = parser.parse_map(folder / "dungeon.tmj")
        ((firstgid, tiles),) = parsed.tilesets.items()
        assert (firstgid, tiles.tile_count) == (1, 4) and (parsed.map_size.width, parsed.map_size.height) == (
            asset["params"].get("width", 48),
            asset["params"].get("height", 32),
        )
        assert [layer.name for layer in parsed.layers] == ["tiles", "rooms", "doors", "spawns"]
