"""The example bundle: its recipe uses only generators that exist, with valid parameters, and builds."""

from __future__ import annotations

import json
from pathlib import Path

from gamegen.build import build, load_recipe

STARTER = Path(__file__).parents[1] / "examples" / "starter" / "gamegen.toml"


def test_the_starter_recipe_is_valid_and_covers_every_family():
    recipe = load_recipe(STARTER)
    families = {job.generator.name.split(".")[0] for job in recipe.jobs}
    assert {"landscape", "texture", "character", "narrative", "dungeon", "audio"} <= families
    assert recipe.profile == "unity" and len({job.seed for job in recipe.jobs if job.asset == "world"}) == 1


def test_a_slice_of_the_starter_bundle_builds(tmp_path):
    report = build(
        STARTER, out=tmp_path / "out", cache=tmp_path / "cache", only=["main-quest", "crypt", "coin", "slime"]
    )
    assert sorted(report.built) == ["coin", "crypt", "main-quest", "slime"]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["profile"] == "unity" and [a["id"] for a in manifest["assets"]] == sorted(report.built)
