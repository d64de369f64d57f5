"""character.diffusion with a tiny offline Stable Diffusion pipeline built in code (64×64, 2 steps)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tiny_models import make_tiny_sd

import gamegen
from gamegen.character.palettes import PALETTES, parse_hex

pytest.importorskip("diffusers")

QUICK = {"steps": 2, "resolution": 64, "size": 16}


@pytest.fixture(scope="module")
def tiny_sd(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(make_tiny_sd(tmp_path_factory.mktemp("models") / "tiny-sd"))


def run(model: str, seed: int = 0, **params) -> dict[str, gamegen.ImageAsset]:
    return {a.name: a for a in gamegen.generate("character.diffusion", seed=seed, model=model, **{**QUICK, **params})}


@pytest.fixture(scope="module")
def pico(tiny_sd: str) -> dict[str, gamegen.ImageAsset]:
    """One run shared by several tests (each run of even a tiny pipeline costs seconds on a busy CI machine)."""
    return run(tiny_sd, palette="pico8", upscale=[2])


def test_pixel_art_uses_only_the_named_palette(pico):
    art = pico["sprite"].array
    assert art.shape == (16, 16, 4) and set(np.unique(art[..., 3])) <= {0, 255}
    opaque = art[art[..., 3] > 0][:, :3]
    assert {tuple(int(v) for v in c) for c in opaque} <= {parse_hex(c) for c in PALETTES["pico8"]}
    assert np.array_equal(pico["sprite_2x"].array, art.repeat(2, 0).repeat(2, 1))
    assert pico["sprite_source"].array.shape == (64, 64, 3)
    assert pico["sprite"].meta["scheduler"] == "DDIMScheduler" and "game sprite" in pico["sprite"].meta["prompt"]


def test_same_seed_same_pixels(tiny_sd, pico):
    again = run(tiny_sd, palette="pico8", upscale=[2])
    assert all(np.array_equal(again[k].array, pico[k].array) for k in pico)


def test_k_colour_portrait_bundle_is_labelled_ai_generated_with_the_model_hash(tiny_sd, pico, tmp_path):
    assets = gamegen.generate(
        "character.diffusion", seed=1, model=tiny_sd, out=tmp_path / "b", subject="portrait", colors=5, **QUICK
    )
    art = assets[0].array
    assert assets[0].name == "portrait" and len(np.unique(art[art[..., 3] > 0][:, :3], axis=0)) <= 5
    assert not np.array_equal(assets[-1].array, pico["sprite_source"].array)  # another seed, another picture
    entry = json.loads((tmp_path / "b" / "manifest.json").read_text())["assets"][0]
    assert entry["provenance"]["ai_generated"] is True
    assert entry["provenance"]["models"][0]["model_id"] == Path(tiny_sd).name
    assert all(f["ai_generated"] for f in entry["files"])
    assert b"trainedAlgorithmicMedia" in (tmp_path / "b" / "character.diffusion" / "portrait.png").read_bytes()
    gen = gamegen.registry.get("character.diffusion")
    assert gen().input_files(gen.validate({"model": tiny_sd})) == [Path(tiny_sd)]


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"background": "alpha"}, "background='alpha'"),
        ({"key_color": "none"}, "key_color='none'"),
        ({"resolution": 100}, "resolution=100: value error, must be a multiple of 8"),
        ({"palette": "neon"}, "unknown palette 'neon'"),
        ({"size": 4}, "16 ≤ size ≤ 128"),
        ({"size": 128}, "size=128 must not exceed resolution=64"),
        ({"key_color": "#12"}, "key_color='#12': value error, must be auto or a hex colour"),
        ({"outline": "black"}, "outline='black': value error, must be auto, none or a hex colour"),
    ],
)
def test_bad_parameters_are_clear_errors(tiny_sd, params, needle):
    with pytest.raises(gamegen.ParamError) as err:
        run(tiny_sd, **params)
    assert needle in str(err.value)
