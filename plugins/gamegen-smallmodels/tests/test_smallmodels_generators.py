"""character.learned and texture.learned: the generator conformance kit on a model of each family, seamless tiles
from tiling models, the alpha and palette rules, the copy check, VAE variations and interpolation, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("torch")

import gamegen  # noqa: E402
from gamegen.errors import ParamError, QualityError  # noqa: E402
from gamegen.texture.quality import SEAM_LIMIT  # noqa: E402

QUICK = {"size": 16, "width": 8, "warmup_steps": 0, "copy_samples": 0}


def _files(out: Path, generator: str) -> dict[str, dict]:
    manifest = json.loads((out / "manifest.json").read_text())
    return {
        f["path"].rsplit("/", 1)[-1]: f for a in manifest["assets"] for f in a["files"] if a["generator"] == generator
    }


def _pixels(folder: Path, pattern: str = "*.png") -> np.ndarray:
    return np.stack([np.asarray(Image.open(p).convert("RGBA")) for p in sorted(folder.glob(pattern))])


@pytest.mark.parametrize("trainer", ["image.ddpm", "image.gan", "image.vae"])
def test_both_generators_pass_the_conformance_kit(trainer: str, shapes: Path, trained, gamegen_conformance) -> None:
    extra = {"sample_steps": 2} if trainer == "image.ddpm" else {}
    folder = str(trained(trainer, shapes, steps=4, batch_size=2, **QUICK, **extra))
    gamegen_conformance("character.learned", params={"model": folder})
    gamegen_conformance("texture.learned", params={"model": folder})


@pytest.mark.parametrize("trainer", ["image.ddpm", "image.gan", "image.vae"])
def test_tiling_models_make_seamless_tiles(trainer: str, tiles: Path, trained, tmp_path: Path) -> None:
    extra = {"sample_steps": 4} if trainer == "image.ddpm" else {}
    folder = trained(trainer, tiles, steps=30, batch_size=4, tiling="xy", **QUICK, **extra)
    gamegen.generate("texture.learned", seed=1, out=tmp_path / "out", params={"model": str(folder), "count": 6})
    files = _files(tmp_path / "out", "texture.learned")
    tiles_made = [f for name, f in files.items() if name.startswith("tile_")]
    assert len(tiles_made) == 6
    for f in tiles_made:
        quality = f["meta"]["quality"]
        assert quality["seam_x"] <= SEAM_LIMIT and quality["seam_y"] <= SEAM_LIMIT, quality
        assert f["meta"]["tiling"] == "xy" and "nearest_training_item" in quality
    assert (_pixels(tmp_path / "out" / "texture.learned", "tile_*.png")[..., 3] == 255).all(), (
        "opaque tiles stay opaque"
    )


def test_alpha_stays_binary_transparent_stays_transparent_and_colours_stay_in_the_palette(
    shapes: Path, trained, tmp_path: Path
) -> None:
    folder = trained("image.vae", shapes, steps=150, batch_size=8, **QUICK)
    data = _pixels(shapes)
    allowed = {tuple(c) for c in data[data[..., 3] > 0][:, :3]}
    gamegen.generate("character.learned", seed=2, out=tmp_path / "snap", params={"model": str(folder), "count": 16})
    made = _pixels(tmp_path / "snap" / "character.learned", "sprite_*.png")
    assert made.shape == (16, 16, 16, 4)
    assert set(np.unique(made[..., 3])) <= {0, 255}
    assert (made[made[..., 3] == 0][:, :3] == 0).all()
    assert {tuple(c) for c in made[made[..., 3] > 0][:, :3]} <= allowed, "no colour the data does not have"
    border = np.concatenate([made[:, 0], made[:, -1], made[:, :, 0], made[:, :, -1]])
    assert (border[..., 3] == 0).mean() > 0.9, "the shapes' transparent surroundings stay transparent"
    gamegen.generate(
        "character.learned", seed=2, out=tmp_path / "free", params={"model": str(folder), "count": 16, "palette": "off"}
    )
    free = _pixels(tmp_path / "free" / "character.learned", "sprite_*.png")
    assert len({tuple(c) for c in free[free[..., 3] > 0][:, :3]} - allowed) > 0


def test_the_copy_check_flags_a_model_that_memorised_four_pictures(make_shapes, trained, tmp_path: Path) -> None:
    four = make_shapes(4, 5)
    folder = trained("image.vae", four, steps=250, batch_size=8, latent=2, **{**QUICK, "copy_samples": 64})
    card = json.loads((folder / "gamegen-model.json").read_text())
    assert card["metrics"]["near_copy_share"] >= 0.3, card["metrics"]
    gamegen.generate("character.learned", seed=0, out=tmp_path / "flag", params={"model": str(folder), "count": 8})
    files = _files(tmp_path / "flag", "character.learned")
    checks = [f["meta"]["quality"] for n, f in sorted(files.items()) if n.startswith("sprite_")]
    assert sum(c["near_copy"] for c in checks) >= 2, checks
    assert {c["nearest_training_item"] for c in checks} <= {p.name for p in four.glob("*.png")}
    assert files["sprites.png"]["meta"]["copy_check"] == checks, "the sheet lists every frame's check"
    with pytest.raises(QualityError, match=r"picture \d is a near-copy of training item shape0\d\.png"):
        gamegen.generate("character.learned", seed=0, params={"model": str(folder), "count": 8, "copy_check": "fail"})
    unchecked = gamegen.generate(
        "character.learned", seed=0, params={"model": str(folder), "count": 8, "copy_check": "off"}
    )
    assert all("quality" not in a.meta for a in unchecked)


def test_the_copy_check_passes_novel_samples(make_shapes, trained) -> None:
    folder = trained("image.vae", make_shapes(32, 7), steps=60, batch_size=8, **{**QUICK, "copy_samples": 64})
    card = json.loads((folder / "gamegen-model.json").read_text())
    assert card["metrics"]["near_copy_share"] <= 0.1, card["metrics"]
    assets = gamegen.generate(
        "character.learned", seed=4, params={"model": str(folder), "count": 8, "copy_check": "fail"}
    )
    assert not any(a.meta["quality"]["near_copy"] for a in assets if a.name.startswith("sprite_"))


def test_the_copy_check_knows_copies_from_novel_pictures_and_shifted_tiles() -> None:
    from gamegen_smallmodels.copycheck import CopyIndex, auto_limit, thumbnails

    rng = np.random.default_rng(0)
    items = (rng.random((6, 32, 32, 4)) > 0.5).astype(np.uint8) * 255
    thumbs = thumbnails(items)
    index = CopyIndex([f"i{k}" for k in range(6)], thumbs, "none", auto_limit(thumbs, "none", rng))
    assert [c["near_copy"] for c in index.check(items)] == [True] * 6
    assert [c["nearest_training_item"] for c in index.check(items)] == [f"i{k}" for k in range(6)]
    novel = (rng.random((6, 32, 32, 4)) > 0.5).astype(np.uint8) * 255
    assert not any(c["near_copy"] for c in index.check(novel))
    shifted = np.roll(items, (6, 11), axis=(1, 2))
    assert not any(c["near_copy"] for c in index.check(shifted)), "without tiling a shifted picture is another picture"
    tiled = CopyIndex(index.ids, thumbs, "xy", index.limit)
    assert [c["nearest_training_item"] for c in tiled.check(np.roll(items, (8, 16), axis=(1, 2)))] == index.ids


def test_vae_interpolation_ends_reproduce_its_two_pictures(shapes: Path, trained, tmp_path: Path) -> None:
    folder = trained("image.vae", shapes, steps=150, batch_size=8, **QUICK)
    a, b = sorted(shapes.glob("*.png"))[:2]
    params = {"model": str(folder), "interpolate": f"{a},{b},5", "palette": "off"}
    assets = gamegen.generate("character.learned", seed=0, out=tmp_path / "lerp", params=params)
    frames = [x.array for x in assets if x.name.startswith("sprite_")]
    assert len(frames) == 5
    sheet = next(x for x in assets if x.name == "sprites")
    assert [t.name for t in sheet.atlas.tags] == ["interpolation"] and sheet.atlas.tags[0].loop

    def error(made: np.ndarray, path: Path) -> float:
        want = np.asarray(Image.open(path).convert("RGBA")).astype(float)
        got = made.astype(float)
        return float(np.abs(got[..., :3] * got[..., 3:] / 255 - want[..., :3] * want[..., 3:] / 255).mean() / 255)

    assert error(frames[0], a) < 0.08 and error(frames[-1], b) < 0.08
    assert error(frames[2], a) > error(frames[0], a), "the middle is on the way"


def test_vae_variations_stay_near_their_picture(shapes: Path, trained) -> None:
    folder = str(trained("image.vae", shapes, steps=150, batch_size=8, **QUICK))
    init = str(sorted(shapes.glob("*.png"))[0])
    same = gamegen.generate(
        "character.learned", seed=0, params={"model": folder, "init_image": init, "variation": 0.0, "count": 3}
    )
    near = gamegen.generate(
        "character.learned", seed=0, params={"model": folder, "init_image": init, "variation": 0.5, "count": 3}
    )
    assert same[1].meta["made"] == "variations"
    pictures = [a.array for a in same if a.name.startswith("sprite_")]
    assert all(np.array_equal(p, pictures[0]) for p in pictures), "no variation: the picture's own reconstruction"
    varied = [a.array for a in near if a.name.startswith("sprite_")]
    assert not all(np.array_equal(v, varied[0]) for v in varied)


def test_generation_is_seeded_and_records_the_model_in_provenance(shapes: Path, trained, tmp_path: Path) -> None:
    folder = trained("image.gan", shapes, steps=4, batch_size=2, **QUICK)
    one = gamegen.generate("character.learned", seed=9, out=tmp_path / "a", params={"model": str(folder), "count": 3})
    two = gamegen.generate("character.learned", seed=9, params={"model": str(folder), "count": 3})
    assert all(np.array_equal(x.array, y.array) for x, y in zip(one, two, strict=True))
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    (entry,) = manifest["assets"]
    assert entry["ai_generated"] if "ai_generated" in entry else all(f["ai_generated"] for f in entry["files"])
    assert folder.name in json.dumps(entry) and "models" in json.dumps(manifest)


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"model": ""}, "model: name a model folder"),
        ({"model": "nowhere"}, "no such model folder"),
        ({"init_image": "x.png", "interpolate": "a.png,b.png,3"}, "not both"),
        ({"interpolate": "a.png,b.png,1"}, "STEPS must be from 2"),
        ({"interpolate": "a.png"}, "'A,B,STEPS'"),
    ],
)
def test_bad_values_are_one_line_param_errors(params: dict, needle: str) -> None:
    with pytest.raises(ParamError, match=needle):
        gamegen.generate("character.learned", params=params)


def test_options_of_another_family_are_refused(shapes: Path, trained, tmp_path: Path) -> None:
    gan = str(trained("image.gan", shapes, steps=4, batch_size=2, **QUICK))
    init = str(sorted(shapes.glob("*.png"))[0])
    with pytest.raises(ParamError, match="init_image: only a VAE"):
        gamegen.generate("character.learned", params={"model": gan, "init_image": init})
    with pytest.raises(ParamError, match="sampler, sample_steps: only a diffusion model"):
        gamegen.generate("texture.learned", params={"model": gan, "sample_steps": 4})
    with pytest.raises(ParamError, match="label: this model is not class-conditional"):
        gamegen.generate("texture.learned", params={"model": gan, "label": "round"})
    with pytest.raises(ParamError, match="not a model folder made by"):
        gamegen.generate("character.learned", params={"model": str(shapes)})


def test_a_doctored_config_cannot_ask_for_a_huge_network(shapes: Path, trained, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "doctored"
    shutil.copytree(trained("image.gan", shapes, steps=4, batch_size=2, **QUICK), folder)
    config = json.loads((folder / "smallmodel.json").read_text())
    config["network"]["width"] = 1 << 20
    (folder / "smallmodel.json").write_text(json.dumps(config))
    with pytest.raises(ParamError, match=r"smallmodel.json is damaged \(network.width: "):
        gamegen.generate("character.learned", params={"model": str(folder)})
    config["network"]["width"] = 16  # a plausible shape the weights do not have
    (folder / "smallmodel.json").write_text(json.dumps(config))
    with pytest.raises(ParamError, match="model.safetensors does not fit the networks smallmodel.json describes"):
        gamegen.generate("character.learned", params={"model": str(folder)})
