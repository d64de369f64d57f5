"""landscape.world: tiles share edges exactly, are independent of each other, and erosion leaves no seam."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import gamegen
from gamegen.cli import main

TILE = 65
TERRAIN = dict(octaves=6, erosion_iterations=2, thermal_iterations=4, mesh_resolution=16)


def _heights(assets: list[gamegen.Asset]) -> dict[str, np.ndarray]:
    return {a.name: a.heights for a in assets if a.name.startswith("height")}


@pytest.fixture(scope="module")
def world_assets() -> dict[str, gamegen.Asset]:
    return {a.name: a for a in gamegen.generate("landscape.world", seed=11, tile_size=TILE, grid=2, **TERRAIN)}


@pytest.fixture(scope="module")
def world(world_assets: dict[str, gamegen.Asset]) -> dict[str, np.ndarray]:
    return _heights(list(world_assets.values()))


def _assembled(tiles: dict[str, np.ndarray]) -> np.ndarray:
    step = TILE - 1
    out = np.zeros((2 * step + 1, 2 * step + 1), np.uint16)
    for j in range(2):
        for i in range(2):
            out[j * step : j * step + TILE, i * step : i * step + TILE] = tiles[f"height_x{i}_y{j}"]
    return out


def test_neighbours_share_their_edge_samples_exactly(world: dict[str, np.ndarray]) -> None:
    np.testing.assert_array_equal(world["height_x0_y0"][:, -1], world["height_x1_y0"][:, 0])
    np.testing.assert_array_equal(world["height_x0_y1"][:, -1], world["height_x1_y1"][:, 0])
    np.testing.assert_array_equal(world["height_x0_y0"][-1, :], world["height_x0_y1"][0, :])
    np.testing.assert_array_equal(world["height_x1_y0"][-1, :], world["height_x1_y1"][0, :])


def test_neighbours_terrain_textures_share_their_border_texels(world_assets: dict[str, gamegen.Asset]) -> None:
    """One texel per sample and no wrap-around: a renderer shows the same colour on both sides of a tile border."""
    tex = {(i, j): world_assets[f"terrain_x{i}_y{j}"].material.base_color for i in range(2) for j in range(2)}
    assert tex[0, 0].shape == (TILE, TILE, 3)
    for j in range(2):
        np.testing.assert_array_equal(tex[0, j][:, -1], tex[1, j][:, 0])
    for i in range(2):
        np.testing.assert_array_equal(tex[i, 0][-1], tex[i, 1][0])
    assert all(world_assets[f"terrain_x{i}_y{j}"].meta["tiling"] == "none" for i, j in tex)


@pytest.mark.parametrize("layer", ["normal", "slope", "flow", "wear", "deposition", "splat"])
def test_neighbours_masks_agree_on_their_shared_edge(world_assets: dict[str, gamegen.Asset], layer: str) -> None:
    tiles = {(i, j): world_assets[f"{layer}_x{i}_y{j}"].array for i in range(2) for j in range(2)}
    for j in range(2):
        np.testing.assert_array_equal(tiles[0, j][:, -1], tiles[1, j][:, 0])
    for i in range(2):
        np.testing.assert_array_equal(tiles[i, 0][-1], tiles[i, 1][0])


def test_a_tile_made_alone_equals_the_same_tile_in_the_world(world: dict[str, np.ndarray]) -> None:
    alone = _heights(
        gamegen.generate("landscape.world", seed=11, tile_size=TILE, grid=2, tile_x=1, tile_y=1, **TERRAIN)
    )
    assert list(alone) == ["height_x1_y1"]
    np.testing.assert_array_equal(alone["height_x1_y1"], world["height_x1_y1"])
    column = _heights(gamegen.generate("landscape.world", seed=11, tile_size=TILE, grid=2, tile_x=0, **TERRAIN))
    assert sorted(column) == ["height_x0_y0", "height_x0_y1"]
    np.testing.assert_array_equal(column["height_x0_y1"], world["height_x0_y1"])
    other = _heights(
        gamegen.generate("landscape.world", seed=12, tile_size=TILE, grid=2, tile_x=1, tile_y=1, **TERRAIN)
    )
    assert not np.array_equal(other["height_x1_y1"], world["height_x1_y1"])


_ONE_THREAD_TILE = """
import json, sys, gamegen
from gamegen.landscape import erosion
erosion.PARALLEL_DROPLETS = 0  # every pass through the parallel kernel, on one thread
assets = gamegen.generate("landscape.world", seed=11, tile_x=1, tile_y=1, **json.loads(sys.argv[1]))
sys.stdout.buffer.write(next(a.heights for a in assets if a.name.startswith("height")).tobytes())
"""


def test_a_tile_is_the_same_on_one_thread_through_the_parallel_kernels(world: dict[str, np.ndarray]) -> None:
    """Another machine (other core count, other droplet kernel) makes the same bytes."""
    settings = json.dumps(dict(tile_size=TILE, grid=2, **TERRAIN))
    env = {**os.environ, "NUMBA_NUM_THREADS": "1"}
    child = subprocess.run([sys.executable, "-c", _ONE_THREAD_TILE, settings], capture_output=True, env=env, check=True)
    assert child.stdout == world["height_x1_y1"].tobytes()


def test_tiles_equal_the_region_made_in_one_piece(world: dict[str, np.ndarray]) -> None:
    whole = _heights(gamegen.generate("landscape.world", seed=11, tile_size=2 * TILE - 1, grid=1, **TERRAIN))
    np.testing.assert_array_equal(_assembled(world), whole["height_x0_y0"])


def test_no_step_at_tile_borders_compared_with_one_heightmap(world: dict[str, np.ndarray]) -> None:
    """Against landscape.heightmap of the same region: the border steps stay within the map's own gradients."""
    single = {a.name: a for a in gamegen.generate("landscape.heightmap", seed=11, size=2 * TILE - 1, **TERRAIN)}
    one_map = single["height"].heights.astype(np.float64)
    tiled = _assembled(world).astype(np.float64)
    b = TILE - 1
    interior = np.concatenate([np.abs(np.diff(one_map, axis=1)).ravel(), np.abs(np.diff(one_map, axis=0)).ravel()])
    steps = np.concatenate(
        [
            np.abs(tiled[:, b + 1] - tiled[:, b]),
            np.abs(tiled[:, b] - tiled[:, b - 1]),
            np.abs(tiled[b + 1, :] - tiled[b, :]),
            np.abs(tiled[b, :] - tiled[b - 1, :]),
        ]
    )
    assert steps.max() <= interior.max()
    assert np.percentile(steps, 90) <= np.percentile(interior, 95)
    # the same terrain: tiled erosion departs from one-piece erosion by far less than the relief
    assert np.abs(tiled - one_map).mean() < 0.01 * (one_map.max() - one_map.min())


def test_height_mapping_is_global(tmp_path: Path) -> None:
    gamegen.generate("landscape.world", seed=2, out=tmp_path, profile="unity", tile_size=33, grid=2, **TERRAIN)
    root = tmp_path / "landscape.world"
    layout = json.loads((root / "world.json").read_text())
    assert layout["grid"] == 2 and layout["shared_edge_samples"] == 1 and len(layout["tiles"]) == 4
    sidecars = [json.loads((root / f"height_x{t['x']}_y{t['y']}.json").read_text()) for t in layout["tiles"]]
    assert {s["height_range_m"] for s in sidecars} == {layout["height_range_m"]}
    assert all(len((root / f"height_x{t['x']}_y{t['y']}.raw").read_bytes()) == 33 * 33 * 2 for t in layout["tiles"])


def test_tile_outside_the_grid_and_bad_tile_size_are_parameter_errors(tmp_path: Path) -> None:
    with pytest.raises(gamegen.ParamError, match="tile_x=2.*0 ≤ tile_x ≤ 1"):
        gamegen.generate("landscape.world", grid=2, tile_x=2)
    result = CliRunner().invoke(
        main, ["generate", "landscape.world", "-o", str(tmp_path / "w"), "--profile", "unity", "--set", "tile_size=64"]
    )
    assert result.exit_code == 2 and "tile_size=64" in result.output and "4097" in result.output


ENGINES = [("unity", 33, "raw"), ("unreal", 127, "png"), ("godot", 33, "r16")]
"""Profile, a size it accepts, and its height file: both generators run from the CLI for each engine."""


@pytest.mark.parametrize(("profile", "size", "height_file"), ENGINES)
def test_cli_builds_an_engine_ready_heightmap(tmp_path: Path, profile: str, size: int, height_file: str) -> None:
    settings = [f"size={size}", "octaves=4", "erosion_iterations=1", "mesh_resolution=16"]
    args = ["generate", "landscape.heightmap", "-o", str(tmp_path), "--profile", profile]
    result = CliRunner().invoke(main, [*args, *(x for s in settings for x in ("--set", s))])
    assert result.exit_code == 0, result.output
    root = tmp_path / "landscape.heightmap"
    assert {f"height.{height_file}", "height.json", "terrain.glb", "splat.png"} <= {p.name for p in root.iterdir()}
    assert json.loads((root / "height.json").read_text())["size"] == size


@pytest.mark.parametrize(("profile", "size", "height_file"), ENGINES)
def test_cli_builds_one_tile_of_an_engine_ready_world(
    tmp_path: Path, profile: str, size: int, height_file: str
) -> None:
    settings = [f"tile_size={size}", "grid=3", "tile_x=2", "tile_y=1", "octaves=4", "mesh_resolution=16"]
    args = ["generate", "landscape.world", "-o", str(tmp_path), "--profile", profile, "--seed", "4"]
    result = CliRunner().invoke(main, [*args, *(x for s in settings for x in ("--set", s))])
    assert result.exit_code == 0, result.output
    root = tmp_path / "landscape.world"
    data = (root / f"height_x2_y1.{height_file}").read_bytes()
    assert (len(data) == size * size * 2) if height_file != "png" else data.startswith(b"\x89PNG")
    assert (root / "terrain_x2_y1.glb").is_file() and not list(root.glob("height_x0_*"))
    layout = json.loads((root / "world.json").read_text())
    assert layout["grid"] == 3 and layout["tile_size"] == size
