"""Engine profiles write the texture maps their materials read: channel contents, slot records, and the file lists
that docs/engine-notes.md promises, read back with Pillow, pygltflib and the Khronos validator."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pygltflib
import pytest
from jstools import validate_gltf
from PIL import Image

import gamegen
from gamegen.export import ExportContext, ExportProfile, export_asset, get_profile
from gamegen.export.gltf import encode_glb, wrap_modes
from gamegen.export.profile import _PROFILES
from gamegen.provenance import provenance_record
from gamegen.texture.export import ENGINE_FILES, engine_file_names
from gamegen.texture.materials import build_surface
from gamegen.texture.pbr import PbrParams, from_surface, set_assets
from gamegen.texture.preview import material_preview
from gamegen.texture.quality import SEAM_LIMIT

DOC = Path(__file__).resolve().parents[1] / "docs" / "engine-notes.md"
PROFILES = ("generic", "unity", "unreal", "godot")
REPEAT, CLAMP = 10497, 33071


def doc_files(profile: str) -> list[str]:
    """The file column of the profile's table in docs/engine-notes.md, in order."""
    section = DOC.read_text(encoding="utf-8").split(f"### `{profile}`\n", 1)[1]
    section = re.split(r"\n#{2,3} ", section, maxsplit=1)[0]
    return re.findall(r"^\| `([^`]+)` \|", section, flags=re.MULTILINE)


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict, Path, dict]]:
    """One rust set (metallic, roughness and AO all vary) per profile: (assets by name, folder, manifest records)."""
    out = {}
    for profile in PROFILES:
        root = tmp_path_factory.mktemp(profile)
        assets = gamegen.generate("texture.material", family="rust", size=64, seed=11, profile=profile, out=root)
        manifest = json.loads((root / "manifest.json").read_text())
        files = {f["path"].split("/", 1)[1]: f for f in manifest["assets"][0]["files"]}
        out[profile] = ({a.name: a for a in assets}, root / "texture.material", files)
    return out


def _png(path: Path) -> tuple[str, np.ndarray]:
    with Image.open(path) as img:
        return img.mode, np.asarray(img)


@pytest.mark.parametrize("profile", PROFILES)
def test_each_profile_writes_exactly_the_files_its_doc_table_lists(bundles, profile):
    _, _, files = bundles[profile]
    listed = doc_files(profile)
    assert listed and set(files) == {*listed, "preview.glb"}
    if profile != "generic":
        assert listed == engine_file_names(profile)


def test_unity_writes_what_its_lit_shaders_read_and_nothing_else(bundles):
    maps, folder, files = bundles["unity"]
    orm, rough, ao = maps["orm"].array, maps["roughness"].array, maps["ao"].array
    assert not {"orm.png", "roughness.png"} & set(files)  # Unity's shaders read neither
    assert len(np.unique(orm[..., 2])) > 2 and len(np.unique(rough)) > 2  # the checks below see real variation

    mode, ms = _png(folder / "metallic_smoothness.png")
    assert mode == "RGBA" and ms.shape == (64, 64, 4)
    np.testing.assert_array_equal(ms[..., 0], orm[..., 2])  # R metallic
    np.testing.assert_array_equal(ms[..., 1], ao)  # G occlusion (URP channel-packing layout)
    assert (ms[..., 2] == 0).all()  # B unused
    np.testing.assert_array_equal(ms[..., 3], 255 - rough)  # A smoothness

    mode, mask = _png(folder / "mask_map.png")
    assert mode == "RGBA"
    np.testing.assert_array_equal(mask[..., 0], orm[..., 2])  # R metallic
    np.testing.assert_array_equal(mask[..., 1], ao)  # G occlusion
    assert (mask[..., 2] == 255).all()  # B detail mask: detail applies everywhere
    np.testing.assert_array_equal(mask[..., 3], 255 - rough)  # A smoothness

    np.testing.assert_array_equal(_png(folder / "ao.png")[1], ao)
    for name in ("metallic_smoothness.png", "mask_map.png"):
        meta = files[name]["meta"]
        assert meta["color_space"] == "linear" and meta["tiling"] == "xy" and meta["family"] == "rust"
        assert max(meta["quality"]["seam_x"], meta["quality"]["seam_y"]) <= SEAM_LIMIT


@pytest.mark.parametrize("profile", PROFILES)
def test_every_written_map_reads_back_as_its_source(bundles, profile):
    maps, folder, files = bundles[profile]
    for name in files:
        if name == "preview.glb":
            continue
        mode, arr = _png(folder / name)
        stem = name.removesuffix(".png")
        if stem in ("metallic_smoothness", "mask_map"):
            continue  # checked channel by channel above
        source = maps[stem].array
        if stem == "normal" and profile == "unreal":  # DirectX: green inverted
            source = source.copy()
            source[..., 1] = 255 - source[..., 1]
        expected_mode = {2: "L", 3: "RGB"}[source.ndim] if source.dtype == np.uint8 else "I;16"
        assert mode.startswith(expected_mode), (name, mode)
        np.testing.assert_array_equal(arr, source, err_msg=f"{profile}/{name}")
    if "orm.png" in files:
        orm = _png(folder / "orm.png")[1]
        np.testing.assert_array_equal(orm[..., 0], maps["ao"].array)
        np.testing.assert_array_equal(orm[..., 1], maps["roughness"].array)
        assert files["orm.png"]["meta"]["channels"] == {"r": "occlusion", "g": "roughness", "b": "metallic"}


def test_the_manifest_records_each_files_engine_slot(bundles):
    unity, unreal, godot = (bundles[p][2] for p in ("unity", "unreal", "godot"))
    assert unity["metallic_smoothness.png"]["meta"]["engine_slot"] == {
        "urp": {"_MetallicGlossMap": "ra"},
        "builtin": {"_MetallicGlossMap": "ra"},
    }
    assert unity["metallic_smoothness.png"]["meta"]["engine_settings"]["urp"] == {"_Smoothness": 1.0}
    assert unity["mask_map.png"]["meta"]["engine_slot"] == {"hdrp": {"_MaskMap": "rgba"}}
    assert unity["mask_map.png"]["meta"]["channels"]["b"].startswith("detail mask")
    assert unity["normal.png"]["meta"]["engine_slot"]["hdrp"] == {"_NormalMap": "rgb"}
    assert unity["normal.png"]["meta"]["normal_convention"] == "opengl"
    assert unity["ao.png"]["meta"]["engine_slot"] == {"urp": {"_OcclusionMap": "g"}, "builtin": {"_OcclusionMap": "g"}}
    assert unity["height.png"]["meta"]["engine_slot"]["hdrp"] == {"_HeightMap": "r"}
    assert unity["albedo.png"]["meta"]["engine_slot"]["urp"] == {"_BaseMap": "rgb"}
    assert unreal["orm.png"]["meta"]["engine_slot"] == {
        "unreal": {"Ambient Occlusion": "r", "Roughness": "g", "Metallic": "b"}
    }
    assert unreal["normal.png"]["meta"]["normal_convention"] == "directx"
    assert godot["orm.png"]["meta"]["engine_slot"]["ORMMaterial3D"] == {"orm_texture": "rgb"}
    assert godot["orm.png"]["meta"]["engine_slot"]["StandardMaterial3D"] == {
        "ao_texture": "r",
        "roughness_texture": "g",
        "metallic_texture": "b",
    }
    assert godot["orm.png"]["meta"]["engine_settings"]["StandardMaterial3D"]["metallic"] == 1.0
    for profile in ("unity", "unreal", "godot"):  # every image file says where it goes, as ENGINE_FILES says
        files = bundles[profile][2]
        for spec in ENGINE_FILES[profile]:
            assert files[spec.filename]["meta"]["engine_slot"] == spec.slots, (profile, spec.filename)
        assert "engine_slot" not in files["preview.glb"].get("meta", {})
    assert not any("engine_slot" in f.get("meta", {}) for f in bundles["generic"][2].values())


def test_variations_keep_their_prefix_and_an_inheriting_profile_writes_like_its_parent(monkeypatch):
    params = PbrParams(preview="none")
    surface = build_surface("rust", np.random.default_rng(0), 32, 1.0, None)
    assets = set_assets(from_surface(surface, params), params, tiling="xy", prefix="v1_")
    monkeypatch.setitem(
        _PROFILES, "unity-test", ExportProfile("unity-test", "Unity, a studio's variant", parent="unity")
    )
    prov = provenance_record("texture.material", "1.1.0", False, None)
    for profile in ("unity", "unity-test"):
        ctx = ExportContext(profile=get_profile(profile), provenance=prov)
        written = [f.path for a in assets for f in export_asset(a, ctx)]
        assert sorted(written) == sorted(engine_file_names("unity", prefix="v1_"))


@pytest.mark.parametrize(
    ("tiling", "wrap"),
    [("xy", (REPEAT, REPEAT)), ("x", (REPEAT, CLAMP)), ("y", (CLAMP, REPEAT)), ("none", (CLAMP, CLAMP))],
)
def test_preview_sampler_repeats_only_tiled_axes(tmp_path, tiling, wrap):
    assert wrap_modes(tiling) == wrap
    maps = {a.name: a for a in gamegen.generate("texture.material", family="brick", size=64, preview="none")}
    for shape in ("sphere", "quad"):
        mesh = material_preview(
            "p", maps["albedo"].array, maps["normal"].array, maps["orm"].array, shape, {"tiling": tiling}
        )
        path = tmp_path / f"{shape}.glb"
        path.write_bytes(encode_glb(mesh))
        gltf = pygltflib.GLTF2().load(str(path))
        sampler = gltf.samplers[0]
        assert (sampler.wrapS, sampler.wrapT) == wrap
        assert all(t.sampler == 0 for t in gltf.textures)
        uvs = mesh.parts[0].uvs
        for column, axis in enumerate("xy"):  # the texture repeats on the mesh only where it tiles
            if axis not in tiling:
                assert 0.0 <= uvs[:, column].min() and uvs[:, column].max() <= 1.0, (shape, axis)
            elif shape == "quad":
                assert uvs[:, column].max() == 2.0
        report = validate_gltf(path)
        assert report["numErrors"] == 0 and report["numWarnings"] == 0, report["messages"]


def test_meshes_without_a_tiling_entry_keep_glTF_default_repeat():
    assert wrap_modes(None) == wrap_modes("xy") == wrap_modes(True) == (REPEAT, REPEAT)
