"""landscape.heightmap: determinism, erosion, masks, engine formats and their size rules, glTF, bad input."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from jstools import validate_gltf
from PIL import Image

import gamegen
from gamegen.cli import main
from gamegen.landscape.assets import HeightmapAsset
from gamegen.landscape.engine import VALID_SIZES

QUICK = dict(octaves=5, erosion_iterations=1, thermal_iterations=2, mesh_resolution=32)


def _bundle(out: Path, profile: str = "generic", seed: int = 0, size: int = 65, **params: object) -> dict[str, bytes]:
    gamegen.generate("landscape.heightmap", seed=seed, out=out, profile=profile, size=size, **{**QUICK, **params})
    root = out / "landscape.heightmap"
    return {p.name: p.read_bytes() for p in sorted(root.iterdir())}


@pytest.fixture(scope="module")
def generic(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return _bundle(tmp_path_factory.mktemp("generic"))


@pytest.fixture(scope="module")
def assets() -> dict[str, gamegen.Asset]:
    return {a.name: a for a in gamegen.generate("landscape.heightmap", seed=3, size=129, **QUICK)}


def test_same_seed_same_bytes_and_different_seeds_differ(tmp_path: Path, generic: dict[str, bytes]) -> None:
    assert _bundle(tmp_path / "again") == generic
    other = _bundle(tmp_path / "other", seed=1)
    assert other["height.png"] != generic["height.png"]


def test_png16_reads_back_with_its_scale(generic: dict[str, bytes]) -> None:
    img = Image.open(io.BytesIO(generic["height.png"]))
    assert img.mode.startswith("I;16") and img.size == (65, 65)
    heights = np.asarray(img).astype(np.int64)
    assert 0 <= heights.min() < heights.max() <= 65535
    meta = json.loads(generic["height.json"])
    assert meta["size"] == 65 and meta["height_range_m"] == 500.0 and meta["terrain_extent_m"] == 128.0


def test_every_layer_is_present_and_sized(assets: dict[str, gamegen.Asset]) -> None:
    for name in ("normal", "slope", "flow", "wear", "deposition", "splat", "preview"):
        assert assets[name].array.shape[:2] == (129, 129), name
    assert assets["normal"].array.shape == (129, 129, 3)
    assert assets["splat_legend"].obj["channels"]["R"]["layer"] == "sand"


def test_splat_weights_sum_to_255(assets: dict[str, gamegen.Asset]) -> None:
    splat = assets["splat"].array.astype(np.int64)
    assert splat.shape == (129, 129, 4)
    assert (splat.sum(axis=-1) == 255).all()


def test_erosion_carves_and_deposits() -> None:
    carved = {a.name: a for a in gamegen.generate("landscape.heightmap", seed=5, size=129, erosion_iterations=4)}
    flat = {
        a.name: a
        for a in gamegen.generate("landscape.heightmap", seed=5, size=129, erosion_iterations=0, thermal_iterations=0)
    }
    assert carved["wear"].array.max() > 100 and carved["deposition"].array.max() > 100
    assert flat["wear"].array.max() == 0 and flat["deposition"].array.max() == 0
    flow = carved["flow"].array.astype(np.float64)
    assert flow.max() > 2 * np.median(flow)  # water gathers in channels
    moved = carved["height"].heights.astype(np.int64) - flat["height"].heights.astype(np.int64)
    assert (moved < 0).mean() > 0.2 and (moved > 0).mean() > 0.05


def test_unity_raw_is_little_endian_south_first(tmp_path: Path) -> None:
    files = _bundle(tmp_path, profile="unity")
    raw = files["height.raw"]
    assert len(raw) == 65 * 65 * 2
    png = np.asarray(Image.open(io.BytesIO(files["height.png"]))).astype(np.uint16)
    np.testing.assert_array_equal(np.frombuffer(raw, "<u2").reshape(65, 65), png[::-1])
    unity = json.loads(files["height.json"])["unity"]
    assert unity["terrain_size_m"] == [128.0, 500.0, 128.0] and unity["heightmap_resolution"] == 65


def test_godot_r16_exr_and_unreal_scale(tmp_path: Path) -> None:
    import OpenEXR

    godot = _bundle(tmp_path / "godot", profile="godot")
    assert len(godot["height.r16"]) == 65 * 65 * 2 and "height.png" not in godot
    r16 = np.frombuffer(godot["height.r16"], "<u2").reshape(65, 65)
    (tmp_path / "h.exr").write_bytes(godot["height.exr"])
    with OpenEXR.File(str(tmp_path / "h.exr")) as exr:
        metres = exr.channels()["R"].pixels
    np.testing.assert_allclose(metres, r16 / 65535 * 500.0, rtol=1e-6)
    unreal = _bundle(tmp_path / "unreal", profile="unreal", size=127)
    meta = json.loads(unreal["height.json"])["unreal"]
    assert meta["scale_cm"][2] == pytest.approx(500.0 * 100 / 512)
    assert meta["section_size_quads"] * 2 * int(meta["components"].split("x")[0]) + 1 == 127
    assert Image.open(io.BytesIO(unreal["height.png"])).size == (127, 127)


@pytest.mark.parametrize(("profile", "size"), [("unity", 100), ("unity", 8193), ("unreal", 129), ("godot", 127)])
def test_profile_size_rules_are_parameter_errors(profile: str, size: int) -> None:
    with pytest.raises(gamegen.ParamError, match=f"size={size}.*allowed: {', '.join(map(str, VALID_SIZES[profile]))}"):
        gamegen.generate("landscape.heightmap", profile=profile, size=size)


def test_cli_size_error_exits_2_naming_the_sizes(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["generate", "landscape.heightmap", "-o", str(tmp_path / "o"), "--profile", "unreal", "--set", "size=1025"],
    )
    assert result.exit_code == 2
    assert "127, 253, 505, 1009, 2017, 4033, 8129" in result.output


@pytest.mark.parametrize(
    ("params", "text"),
    [
        (dict(size=0), "size=0"),
        (dict(octaves=-1), "octaves=-1"),
        (dict(persistence=math.nan), "persistence=nan"),
        (dict(noise="voronoi"), "noise"),
        (dict(talus_angle_deg=90), "talus_angle_deg"),
    ],
)
def test_bad_parameters_are_clear_errors(params: dict, text: str) -> None:
    with pytest.raises(gamegen.ParamError, match=text):
        gamegen.generate("landscape.heightmap", **params)


def test_gltf_terrain_is_valid_and_chunked(tmp_path: Path) -> None:
    files = _bundle(tmp_path, size=257, mesh_resolution=200)
    path = tmp_path / "terrain.glb"
    path.write_bytes(files["terrain.glb"])
    report = validate_gltf(path)
    assert report["numErrors"] == 0, report
    import pygltflib

    gltf = pygltflib.GLTF2.load_from_bytes(files["terrain.glb"])
    assert len(gltf.meshes) == 4  # 200 quads per side in chunks of 128
    assert gltf.materials[0].pbrMetallicRoughness.baseColorTexture is not None
    vertices = sum(gltf.accessors[m.primitives[0].attributes.POSITION].count for m in gltf.meshes)
    assert vertices < 257 * 257


def test_heightmap_asset_checks_its_data() -> None:
    with pytest.raises(TypeError, match="square uint16"):
        HeightmapAsset("h", np.zeros((4, 5), np.uint16), 1.0, 100.0)
    encoded = HeightmapAsset.encode(np.array([[-5.0, 0.0], [50.0, 200.0]]), 100.0)
    np.testing.assert_array_equal(encoded, [[0, 0], [32768, 65535]])
