"""Bundles: determinism, manifest contents, provenance in files, atomic replacement, safe names."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import gamegen
from gamegen import Field, Generator, Params


class NoiseParams(Params):
    size: int = Field(16, ge=4, le=256, description="Side in pixels")
    fail_after: int = Field(-1, ge=-1, description="Raise after this many assets (-1: never)")
    asset_name: str = Field("noise", description="Name of the first asset")


class Noise(Generator):
    """Grey noise plus a 16-bit map, a text and a data asset."""

    name = "texture.testnoise"
    kind = "texture"
    version = "1.2.3"
    params = NoiseParams

    def generate(self, params, ctx):
        grey = (ctx.rng.random((params.size, params.size)) * 255).astype(np.uint8)
        assets = [
            gamegen.ImageAsset(params.asset_name, grey),
            gamegen.ImageAsset("height", (grey.astype(np.uint16) * 257)),
            gamegen.TextAsset("notes", f"seed {ctx.seed}\n", ".txt"),
            gamegen.DataAsset("stats", {"mean": float(grey.mean())}),
        ]
        if params.fail_after >= 0:
            raise RuntimeError(f"disk on fire after {params.fail_after} assets")
        return assets


def _visible(folder: Path) -> list[str]:
    """What a user sees in ``folder``: names, without the hidden lock files gamegen keeps beside bundles."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".gamegen-lock"))


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_bundles(tmp_path):
    gamegen.generate(Noise, seed=5, out=tmp_path / "a")
    gamegen.generate(Noise, seed=5, out=tmp_path / "b")
    gamegen.generate(Noise, seed=6, out=tmp_path / "c")
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert _tree(tmp_path / "a")["texture.testnoise/noise.png"] != _tree(tmp_path / "c")["texture.testnoise/noise.png"]


def test_manifest_records_every_file(tmp_path):
    gamegen.generate(Noise, seed=2, out=tmp_path / "b", size=8)
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["format"] == "gamegen.bundle/1"
    assert manifest["generator_sdk"] == gamegen.__version__
    assert manifest["profile"] == "generic"
    (entry,) = manifest["assets"]
    assert entry["generator"] == "texture.testnoise" and entry["generator_version"] == "1.2.3"
    assert entry["kind"] == "texture" and entry["seed"] == 2
    assert entry["params"] == {"size": 8, "fail_after": -1, "asset_name": "noise"}
    assert entry["provenance"]["ai_generated"] is False
    assert entry["provenance"]["sdk_version"] == gamegen.__version__
    paths = {f["path"]: f for f in entry["files"]}
    assert set(paths) == {f"texture.testnoise/{n}" for n in ("noise.png", "height.png", "notes.txt", "stats.json")}
    for rel, f in paths.items():
        data = (tmp_path / "b" / rel).read_bytes()
        assert f["sha256"] == hashlib.sha256(data).hexdigest() and f["bytes"] == len(data)
    assert paths["texture.testnoise/stats.json"]["media_type"] == "application/json"
    assert str(tmp_path) not in (tmp_path / "b" / "manifest.json").read_text()


def test_pngs_read_back_with_their_values_and_provenance(tmp_path):
    assets = gamegen.generate(Noise, seed=3, out=tmp_path / "b", size=8)
    grey = Image.open(tmp_path / "b/texture.testnoise/noise.png")
    assert np.array_equal(np.asarray(grey), assets[0].array)
    height = Image.open(tmp_path / "b/texture.testnoise/height.png")
    assert height.mode.startswith("I;16") or height.mode == "I"
    assert np.array_equal(np.asarray(height).astype(np.uint16), assets[1].array)
    xmp = grey.info["XML:com.adobe.xmp"]
    assert "Iptc4xmpExt:DigitalSourceType" in xmp and xmp.count("algorithmicMedia") == 1
    assert "trainedAlgorithmicMedia" not in xmp


def test_failing_generator_leaves_previous_bundle_intact(tmp_path):
    out = tmp_path / "bundle"
    gamegen.generate(Noise, seed=1, out=out)
    before = _tree(out)
    with pytest.raises(gamegen.GenerationError, match="disk on fire"):
        gamegen.generate(Noise, seed=2, out=out, fail_after=1)
    assert _tree(out) == before
    assert _visible(tmp_path) == ["bundle"]


def test_failure_during_export_leaves_previous_bundle_intact(tmp_path, monkeypatch):
    out = tmp_path / "bundle"
    gamegen.generate(Noise, seed=1, out=out)
    before = _tree(out)
    import gamegen.bundle as bundle_mod

    real = bundle_mod.write_bundle_into

    def half_then_fail(root, exported, profile):
        (root / "partial.bin").write_bytes(b"x" * 10)
        raise OSError("no space left on device")

    monkeypatch.setattr(bundle_mod, "write_bundle_into", half_then_fail)
    with pytest.raises(OSError):
        gamegen.generate(Noise, seed=2, out=out)
    monkeypatch.setattr(bundle_mod, "write_bundle_into", real)
    assert _tree(out) == before
    assert _visible(tmp_path) == ["bundle"]


@pytest.mark.parametrize("syncfs", ["syncfs", "per-file fsync"])
def test_replacing_a_bundle_swaps_it_whole(tmp_path, monkeypatch, syncfs):
    import gamegen.atomic as atomic

    if syncfs != "syncfs":
        monkeypatch.setattr(atomic, "_syncfs", None)  # the path taken where Linux's syncfs is missing
    out = tmp_path / "bundle"
    gamegen.generate(Noise, seed=1, out=out)
    (out / "stale.txt").write_text("from an older build")
    gamegen.generate(Noise, seed=2, out=out)
    fresh = tmp_path / "fresh"
    gamegen.generate(Noise, seed=2, out=fresh)
    assert _tree(out) == _tree(fresh)  # nothing of the old folder survives, nothing is missing
    assert _visible(tmp_path) == ["bundle", "fresh"]


@pytest.mark.parametrize("bad", ["../evil", "/abs", "a/b", "nul\x00", "CON", "..", "", "white space"])
def test_names_that_escape_or_are_not_portable_are_rejected(bad):
    with pytest.raises(gamegen.AssetNameError):
        gamegen.ImageAsset(bad, np.zeros((2, 2), np.uint8))


def test_bad_asset_name_from_a_generator_is_a_clear_error(tmp_path):
    with pytest.raises(gamegen.AssetNameError, match="escape the bundle"):
        gamegen.generate(Noise, out=tmp_path / "b", asset_name="../../etc")
    assert not (tmp_path / "b").exists()


def test_mesh_asset_exports_as_glb_the_validator_accepts(tmp_path):
    from jstools import validate_gltf

    class Quad(Generator):
        """A textured quad."""

        name = "texture.testquad"
        kind = "texture"
        version = "1.0.0"

        def generate(self, params, ctx):
            colour = (ctx.rng.random((8, 8, 3)) * 255).astype(np.uint8)
            part = gamegen.MeshPart(
                positions=[[0, 0, 0], [1, 0, 0], [1, 0, 1], [0, 0, 1]],
                indices=[[0, 2, 1], [0, 3, 2]],
                normals=[[0, 1, 0]] * 4,
                uvs=[[0, 0], [1, 0], [1, 1], [0, 1]],
            )
            mat = gamegen.Material(base_color=colour, orm=colour, normal=np.full((8, 8, 3), 128, np.uint8))
            return [gamegen.MeshAsset("quad", [part], material=mat)]

    gamegen.generate(Quad, out=tmp_path / "b")
    report = validate_gltf(tmp_path / "b/texture.testquad/quad.glb")
    assert report["numErrors"] == 0, report["messages"]
    assert report["messages"] == []  # tangents ship with the normal map: nothing left for the viewer to guess


def test_tangents_follow_u_and_the_image_up_direction():
    from gamegen.export.gltf import vertex_tangents

    positions = np.array([[0, 0, 0], [1, 0, 0], [1, 0, 1], [0, 0, 1]], np.float32)
    normals = np.tile(np.array([[0, 1, 0]], np.float32), (4, 1))
    indices = np.array([[0, 2, 1], [0, 3, 2]])
    # v grows along +z, so the image's "up" (−v) is −z = cross(normal, +x): a right-handed frame, w = +1
    plain = vertex_tangents(positions, normals, np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float32), indices)
    np.testing.assert_allclose(plain, [[1, 0, 0, 1]] * 4, atol=1e-6)
    mirrored = vertex_tangents(positions, normals, np.array([[0, 1], [1, 1], [1, 0], [0, 0]], np.float32), indices)
    np.testing.assert_allclose(mirrored, [[1, 0, 0, -1]] * 4, atol=1e-6)  # v flipped: the frame is mirrored
    flat = vertex_tangents(positions, normals, np.zeros((4, 2), np.float32), indices)  # no usable UVs
    np.testing.assert_allclose(np.linalg.norm(flat[:, :3], axis=1), 1, atol=1e-6)
    np.testing.assert_allclose(flat[:, :3] @ [0, 1, 0], 0, atol=1e-6)


def test_normal_maps_follow_the_profile_convention(tmp_path):
    class Normals(Generator):
        """A normal map."""

        name = "texture.testnormals"
        kind = "texture"
        version = "1.0.0"

        def generate(self, params, ctx):
            arr = np.zeros((4, 4, 3), np.uint8)
            arr[..., 1] = 200
            return [gamegen.NormalMapAsset("normal", arr)]

    for profile, green in (("generic", 200), ("unreal", 55)):
        out = tmp_path / profile
        gamegen.generate(Normals, out=out, profile=profile)
        assert np.asarray(Image.open(out / "texture.testnormals/normal.png"))[0, 0, 1] == green
        manifest = json.loads((out / "manifest.json").read_text())
        meta = manifest["assets"][0]["files"][0]["meta"]
        assert meta["normal_convention"] == ("opengl" if profile == "generic" else "directx")


def test_variations_write_sub_bundles_and_a_contact_sheet(tmp_path):
    runs = gamegen.generate_variations(Noise, 3, seed=10, out=tmp_path / "v")
    assert len(runs) == 3
    assert sorted(p.name for p in (tmp_path / "v").iterdir()) == ["contact_sheet.png", "manifest.json", "seed-10", "seed-11", "seed-12"]
    for s in (10, 11, 12):
        assert json.loads((tmp_path / f"v/seed-{s}/manifest.json").read_text())["assets"][0]["seed"] == s
    sheet = Image.open(tmp_path / "v/contact_sheet.png")
    assert sheet.width >= 3 * 256


def test_text_only_variations_get_a_page_to_read(tmp_path):
    class Names(Generator):
        """Tavern names, one a line."""

        name = "narrative.testnames"
        kind = "narrative"
        version = "1.0.0"

        def generate(self, params, ctx):
            names = [f"The {w} Inn" for w in ctx.rng.choice(["Red", "Blue", "Old", "Grey"], 30)]
            return [gamegen.DataAsset("meta", {"n": 30}), gamegen.TextAsset("names", "\n".join(names))]

    runs = gamegen.generate_variations(Names, 2, seed=5, out=tmp_path / "v")
    assert sorted(p.name for p in (tmp_path / "v").iterdir()) == ["contact_sheet.md", "manifest.json", "seed-5", "seed-6"]
    page = (tmp_path / "v/contact_sheet.md").read_text()
    for seed, assets in zip((5, 6), runs, strict=True):
        section = page.split(f"## seed {seed} — names.txt\n")[1]
        assert assets[1].text.splitlines()[:20] == section.split("```")[1].strip().splitlines()[:20]
    assert "… (10 more lines)" in page  # long texts are cut to their opening lines


def test_unknown_profile_is_refused_before_running(tmp_path):
    with pytest.raises(gamegen.GamegenError, match="unknown export profile 'unity3d'"):
        gamegen.generate(Noise, out=tmp_path / "b", profile="unity3d")
