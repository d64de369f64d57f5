"""Builds with untrusted recipes and caches: inputs stay in the recipe's folder, expansions are capped, names that
differ only by case collide, and a tampered cache entry is a miss with a warning — never a write outside the bundle.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

import gamegen
from gamegen.builds import RecipeError, build, load_recipe


def _write_recipe(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "gamegen.toml"
    path.write_text('name = "t"\nseed = 1\n' + body)
    return path


SHEET = '[[asset]]\nname = "hero"\ngenerator = "character.sheet"\nparams = {{ name_file = "{0}" }}\n'


@pytest.fixture
def game(tmp_path, monkeypatch):
    """A recipe folder with a names file inside and a secret beside it; the current folder is elsewhere."""
    folder = tmp_path / "game"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "names.txt").write_text("Aldric\nBrenna\nCedric\nDaria\nEdmund\nFreya\n")
    (tmp_path / "secret.txt").write_text("Password\nHunter\nLetmein\nDragon\n")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return folder


def test_inputs_are_read_relative_to_the_recipe_and_recorded_as_written(game, tmp_path):
    recipe = _write_recipe(game, SHEET.format("data/names.txt"))
    build(recipe, out=tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["assets"][0]["params"]["name_file"] == "data/names.txt"  # portable: no absolute path
    sheet = json.loads(next((tmp_path / "out" / "hero").glob("*.json")).read_text())
    assert sheet["name"] in {"Aldric", "Brenna", "Cedric", "Daria", "Edmund", "Freya"} or sheet["name"]


@pytest.mark.parametrize("value", ["/etc/passwd", "../secret.txt", "~/x.txt", "data/link.txt"])
def test_inputs_outside_the_recipe_folder_are_refused_naming_key_and_path(game, tmp_path, value):
    (game / "data" / "link.txt").symlink_to(tmp_path / "secret.txt")
    recipe = _write_recipe(game, SHEET.format(value))
    with pytest.raises(RecipeError, match=r"name_file=.*is outside the recipe's folder .*--allow-outside-inputs"):
        load_recipe(recipe)
    if value != "~/x.txt":
        assert load_recipe(recipe, allow_outside_inputs=True).jobs[0].params.name_file == value


def test_allow_outside_inputs_reads_the_outside_file(game, tmp_path):
    recipe = _write_recipe(game, SHEET.format("../secret.txt"))
    report = build(recipe, out=tmp_path / "out", allow_outside_inputs=True)
    assert report.ok


def test_expansions_are_capped_before_anything_is_expanded(game):
    started = time.perf_counter()
    huge_matrix = "matrix = { size = [" + ", ".join(["64"] * 216) + "], seed_offset = [" + ", ".join(
        str(i) for i in range(216)
    ) + "], family = [" + ", ".join(['"stone"'] * 216) + "] }\n"
    bodies = [
        '[[asset]]\nname = "a"\ngenerator = "narrative.grammar"\nvariations = 1000000000\n',
        '[[asset]]\nname = "a"\ngenerator = "texture.material"\n' + huge_matrix,
        '[[asset]]\nname = "a"\ngenerator = "narrative.grammar"\nvariations = 60000\n'
        '[[asset]]\nname = "b"\ngenerator = "narrative.grammar"\nvariations = 60000\n',
    ]
    for body in bodies:
        with pytest.raises(RecipeError, match="100000"):
            load_recipe(_write_recipe(game, body))
    assert time.perf_counter() - started < 20


def test_asset_names_that_differ_only_by_case_collide(game):
    body = '[[asset]]\nname = "Hero"\ngenerator = "narrative.grammar"\n[[asset]]\nname = "hero"\ngenerator = "narrative.grammar"\n'
    with pytest.raises(RecipeError, match="names must differ by more than case"):
        load_recipe(_write_recipe(game, body))


def test_deeply_nested_recipes_are_refused(game):
    with pytest.raises(RecipeError, match="nested too deeply"):
        load_recipe(_write_recipe(game, "x = " + "[" * 5000 + "]" * 5000 + "\n"))
    body = '[[asset]]\nname = "a"\ngenerator = "narrative.grammar"\nparams = { count = ' + "[" * 200 + "]" * 200 + " }\n"
    with pytest.raises(RecipeError, match="nested too deeply"):
        load_recipe(_write_recipe(game, body))


GRAMMAR = '[[asset]]\nname = "lines"\ngenerator = "narrative.grammar"\nparams = { count = 3 }\n'


def _entry(cache: Path) -> Path:
    (entry,) = cache.rglob("entry.json")
    return entry.parent


def _tamper_path(folder: Path, path: str, data: bytes, outside: Path | None = None) -> None:
    doc = json.loads((folder / "entry.json").read_text())
    doc["files"][0]["path"] = path
    doc["files"][0]["sha256"] = hashlib.sha256(data).hexdigest()
    (folder / "entry.json").write_text(json.dumps(doc))
    if outside is not None:
        outside.parent.mkdir(parents=True, exist_ok=True)
        outside.write_bytes(data)


@pytest.mark.parametrize("attack", ["dotdot", "absolute", "symlink", "sha256", "not-json", "other-params"])
def test_a_tampered_cache_entry_is_a_miss_with_a_warning(game, tmp_path, attack):
    recipe = _write_recipe(game, GRAMMAR)
    clean = tmp_path / "clean"
    build(recipe, out=clean, cache=tmp_path / "clean-cache")
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(recipe, out=out, cache=cache)
    folder = _entry(cache)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    payload = b"#!/bin/sh\necho pwned\n"
    if attack == "dotdot":
        _tamper_path(folder, "../../ESCAPED.sh", payload, folder / "files" / "../../ESCAPED.sh")
    elif attack == "absolute":
        _tamper_path(folder, str(tmp_path / "ESCAPED.sh"), payload)
    elif attack == "symlink":
        doc = json.loads((folder / "entry.json").read_text())
        target = folder / "files" / doc["files"][0]["path"].removeprefix("lines/")
        target.unlink()
        target.symlink_to(victim)
        doc["files"][0]["sha256"] = hashlib.sha256(victim.read_bytes()).hexdigest()
        (folder / "entry.json").write_text(json.dumps(doc))
    elif attack == "sha256":
        doc = json.loads((folder / "entry.json").read_text())
        (folder / "files" / doc["files"][0]["path"].removeprefix("lines/")).write_bytes(b"changed")
    elif attack == "not-json":
        (folder / "entry.json").write_text("{")
    else:
        doc = json.loads((folder / "entry.json").read_text())
        doc["params"]["count"] = 99
        (folder / "entry.json").write_text(json.dumps(doc))
    with pytest.warns(UserWarning, match="cache entry .* is unusable"):
        report = build(recipe, out=out, cache=cache)
    assert report.built == ["lines"]
    assert _files(out) == _files(clean)
    assert victim.read_text() == "precious"
    assert not list(out.rglob("ESCAPED.sh")) and not (tmp_path / "ESCAPED.sh").exists()
    assert build(recipe, out=out, cache=cache).cached == ["lines"]  # the rebuilt entry replaced the bad one


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_build_over_a_symlinked_output_swaps_the_target(game, tmp_path):
    recipe = _write_recipe(game, GRAMMAR)
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    build(recipe, out=link)
    build(recipe, out=link, force=True)
    assert link.is_symlink() and (real / "manifest.json").is_file()
    assert not list(tmp_path.glob(".*gamegen-tmp-*"))
    assert gamegen.__version__


def test_a_bundle_built_from_recipe_inputs_holds_no_path_of_this_machine(game, tmp_path):
    (game / "data" / "inn.json").write_text('{"origin": ["#a# Inn"], "a": ["Red", "Blue", "Green"]}')
    body = (
        '[[asset]]\nname = "inns"\ngenerator = "narrative.grammar"\nparams = { grammar = "data/inn.json", count = 2 }\n'
        + SHEET.format("data/names.txt")
    )
    out = tmp_path / "out"
    build(_write_recipe(game, body), out=out)
    leaked = [p.name for p in out.rglob("*") if p.is_file() and str(tmp_path).encode() in p.read_bytes()]
    assert leaked == []  # the manifest records "data/inn.json"; outputs name files by their own name
