"""The user's paths: ``gamegen train image.vae`` then ``gamegen generate character.learned`` from the CLI, a sprite
sheet with its atlas as training data, and a recipe whose ``[[model]]`` an asset uses as ``"@name"``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

pytest.importorskip("torch")

import gamegen  # noqa: E402
from gamegen.builds import build  # noqa: E402
from gamegen.cli import main  # noqa: E402

QUICK = ["--set", "steps=6", "--set", "size=16", "--set", "width=8", "--set", "batch_size=4", "--set", "copy_samples=4"]


def test_train_a_vae_then_generate_sprites_from_it(shapes: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    model = tmp_path / "my-vae"
    trained = runner.invoke(main, ["train", "image.vae", "--data", str(shapes), "-o", str(model), *QUICK, "--json"])
    assert trained.exit_code == 0, trained.output
    report = json.loads(trained.stdout)
    assert report["trainer"] == "image.vae" and "near_copy_share" in report["metrics"]
    out = tmp_path / "sprites"
    made = runner.invoke(
        main, ["generate", "character.learned", "-o", str(out), "--set", f"model={model}", "--set", "count=5"]
    )
    assert made.exit_code == 0, made.output
    folder = out / "character.learned"
    assert {"sprites.png", "sprites.json", "sprites.aseprite.json", "sprite_004.png"} <= {
        p.name for p in folder.iterdir()
    }
    atlas = json.loads((folder / "sprites.json").read_text())
    assert list(atlas["frames"]) == [f"samples_{i}" for i in range(5)] and atlas["animations"] == {
        "samples": list(atlas["frames"])
    }
    tiles = runner.invoke(
        main, ["generate", "texture.learned", "-o", str(tmp_path / "tiles"), "--set", f"model={model}"]
    )
    assert tiles.exit_code == 0, tiles.output


def test_a_bad_model_folder_is_one_line_and_exit_2(shapes: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["generate", "character.learned", "-o", str(tmp_path / "x"), "--set", f"model={shapes}"]
    )
    assert result.exit_code == 2, result.output
    assert "not a model folder made by image.ddpm, image.gan or image.vae" in result.output
    assert "Traceback" not in result.output


def test_a_sprite_sheet_with_its_atlas_is_training_data(tmp_path: Path) -> None:
    sheet = gamegen.generate("character.sprite", seed=3, out=tmp_path / "hero", params={"size": 16, "directions": 1})
    data = tmp_path / "data"
    data.mkdir()
    for name in ("sprite.png", "sprite.json"):
        (data / name).write_bytes((tmp_path / "hero" / "character.sprite" / name).read_bytes())
    frames = len(next(a for a in sheet if a.name == "sprite").atlas.frames)
    result = CliRunner().invoke(
        main, ["train", "image.gan", "--data", str(data), "-o", str(tmp_path / "gan"), *QUICK, "--json"]
    )
    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "gan" / "gamegen-model.json").read_text())
    assert card["dataset"]["kind"] == "sprite" and card["extra"]["copy_check"]["items"] == frames


RECIPE = """
name = "learned"
seed = 5

[[model]]
name = "blobs"
trainer = "image.vae"
data = "art"
params = { steps = 6, size = 16, width = 8, batch_size = 4, copy_samples = 4 }

[[asset]]
name = "critters"
generator = "character.learned"
params = { model = "@blobs", count = 3 }
"""


def test_a_recipe_trains_its_model_and_samples_it_by_name(shapes: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "art").mkdir(parents=True)
    for picture in shapes.glob("*.png"):
        (project / "art" / picture.name).write_bytes(picture.read_bytes())
    (project / "gamegen.toml").write_text(RECIPE)
    report = build(project / "gamegen.toml", out=project / "out", cache=project / "cache")
    assert [(m.name, m.status) for m in report.models] == [("blobs", "trained")]
    manifest = json.loads((project / "out" / "manifest.json").read_text())
    (critters,) = manifest["assets"]
    assert critters["params"]["model"] == "@blobs"
    sprites = [f for f in critters["files"] if f["path"].rsplit("/", 1)[-1].startswith("sprite_")]
    assert len(sprites) == 3 and all("nearest_distance" in f["meta"]["quality"] for f in sprites)
    pictures = [np.asarray(Image.open(project / "out" / f["path"])) for f in sprites]
    assert all(p.shape == (16, 16, 4) for p in pictures)
    again = build(project / "gamegen.toml", out=project / "out", cache=project / "cache")
    assert [(m.name, m.status) for m in again.models] == [("blobs", "cached")]
