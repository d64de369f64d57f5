"""The example bundle: its recipe uses only generators that exist, builds, rebuilds from the cache and builds
identically on Dask; ``examples/build_script.py`` does the same from a game's own build step."""

from __future__ import annotations

import importlib.util
import json
import sys
import textwrap
from pathlib import Path

import pytest
from build_gens import tree

import gamegen
from gamegen.builds import load_recipe

EXAMPLES = Path(__file__).parents[1] / "examples"
STARTER = EXAMPLES / "starter" / "gamegen.toml"
SLICE = ["main-quest", "crypt", "coin", "slime"]


def test_the_starter_recipe_is_valid_and_covers_every_family():
    recipe = load_recipe(STARTER)
    families = {job.generator.name.split(".")[0] for job in recipe.jobs}
    assert {"landscape", "texture", "character", "narrative", "dungeon", "audio"} <= families
    assert recipe.profile == "unity" and len({job.seed for job in recipe.jobs if job.asset == "world"}) == 1


def test_a_slice_of_the_starter_bundle_builds_rebuilds_from_cache_and_builds_identically_on_dask(tmp_path):
    report = gamegen.build(STARTER, out=tmp_path / "out", cache=tmp_path / "cache", only=SLICE)
    assert sorted(report.built) == sorted(SLICE)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["profile"] == "unity" and [a["id"] for a in manifest["assets"]] == sorted(SLICE)
    first = tree(tmp_path / "out")
    again = gamegen.build(STARTER, out=tmp_path / "out", cache=tmp_path / "cache", only=SLICE)
    assert sorted(again.cached) == sorted(SLICE) and tree(tmp_path / "out") == first
    pytest.importorskip("distributed")
    on_dask = gamegen.build(STARTER, out=tmp_path / "dask", cache=tmp_path / "c-dask", only=SLICE, executor="dask")
    assert sorted(on_dask.built) == sorted(SLICE) and tree(tmp_path / "dask") == first


@pytest.fixture
def build_script(tmp_path, monkeypatch):
    """``run(*args)`` runs examples/build_script.py's main on a small recipe: (exit code, stdout, stderr)."""
    spec = importlib.util.spec_from_file_location("build_script", EXAMPLES / "build_script.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    recipe = tmp_path / "gamegen.toml"
    recipe.write_text(
        textwrap.dedent(
            """
            name = "tiny"

            [[asset]]
            name = "coin"
            generator = "audio.sfx"
            params = { preset = "coin" }

            [[asset]]
            name = "taverns"
            generator = "narrative.grammar"
            params = { grammar = "taverns", count = 3 }
            """
        )
    )
    monkeypatch.setattr(module, "RECIPE", recipe)

    def run(*args: object) -> int:
        monkeypatch.setattr(sys, "argv", ["build_script.py", *map(str, args)])
        return module.main()

    return run, recipe


def test_the_build_script_builds_with_a_profile_override_then_from_cache(tmp_path, build_script, capsys):
    run, recipe = build_script
    assert run("--out", tmp_path / "out", "--profile", "godot") == 0
    out = capsys.readouterr()
    assert out.out.startswith("2 built, 0 from cache, ") and "regenerated coin (audio.sfx, " in out.out
    assert "[2/2] taverns built" in out.err
    assert json.loads((tmp_path / "out/manifest.json").read_text())["profile"] == "godot"
    assert run("--out", tmp_path / "out", "--profile", "godot") == 0
    assert capsys.readouterr().out.startswith("0 built, 2 from cache, ")
    recipe.write_text(recipe.read_text().replace('preset = "coin"', 'preset = "coin", pitch = "high"'))
    assert run("--out", tmp_path / "out") == 2
    assert capsys.readouterr().err.startswith(f"{recipe}:7: asset 'coin': audio.sfx: unknown parameter 'pitch'")
