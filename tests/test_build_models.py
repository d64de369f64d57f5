"""Models as build products: ``[[model]]`` tables trained when their key changes, used by assets as "@name"."""

from __future__ import annotations

import json
from pathlib import Path

import build_gens
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

pytest.importorskip("torch")

from toy_trainer import ToyAutoencoder  # noqa: E402

from gamegen.builds import BuildError, build, load_recipe  # noqa: E402
from gamegen.builds.recipe import RecipeError  # noqa: E402
from gamegen.cli import main  # noqa: E402
from gamegen.registry import trainers  # noqa: E402

RECIPE = """
name = "styled"
seed = 3

[[model]]
name = "toy"
trainer = "image.toy"
data = "art"
params = {{ steps = 3, batch_size = 2 }}

[[asset]]
name = "painted"
generator = "buildtest.styled"
params = {{ lora = "{ref}" }}

[[asset]]
name = "plain"
generator = "buildtest.speckle"
"""


@pytest.fixture(autouse=True)
def gens(isolated_registry):
    build_gens.register(isolated_registry)
    trainers.register(ToyAutoencoder)
    yield
    trainers.unregister(ToyAutoencoder.name)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    art = tmp_path / "project" / "art"
    art.mkdir(parents=True)
    rng = np.random.default_rng(1)
    for i in range(4):
        Image.fromarray(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)).save(art / f"a{i}.png")
    (tmp_path / "project" / "gamegen.toml").write_text(RECIPE.format(ref="@toy"))
    return tmp_path / "project"


def _build(project: Path, **kw):
    return build(project / "gamegen.toml", out=project / "out", cache=project / "cache", **kw)


def test_a_model_trains_once_and_its_assets_use_it(project: Path) -> None:
    first = _build(project)
    assert [(m.name, m.status) for m in first.models] == [("toy", "trained")]
    assert {a.id: a.status for a in first.assets} == {"painted": "built", "plain": "built"}
    manifest = json.loads((project / "out" / "manifest.json").read_text())
    painted = next(a for a in manifest["assets"] if a["id"] == "painted")
    assert painted["params"]["lora"] == "@toy", "the manifest keeps the recipe's words, not a cache path"
    again = _build(project)
    assert [(m.name, m.status) for m in again.models] == [("toy", "cached")]
    assert {a.id: a.status for a in again.assets} == {"painted": "cached", "plain": "cached"}
    as_json = again.to_dict()["models"]
    assert as_json[0]["name"] == "toy" and as_json[0]["status"] == "cached" and as_json[0]["key"]


def test_editing_one_data_file_retrains_the_model_and_rebuilds_only_its_assets(project: Path) -> None:
    _build(project)
    picture = project / "art" / "a0.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(picture)
    report = _build(project)
    assert [(m.name, m.status) for m in report.models] == [("toy", "trained")]
    assert {a.id: a.status for a in report.assets} == {"painted": "built", "plain": "cached"}


def test_a_damaged_model_in_the_cache_is_trained_again(project: Path) -> None:
    first = _build(project)
    folder = project / "cache" / "v2" / "models" / first.models[0].key
    (folder / "model.safetensors").write_bytes(b"not weights")
    with pytest.warns(UserWarning, match="damaged"):
        report = _build(project)
    assert report.models[0].status == "trained"
    assert {a.id: a.status for a in report.assets} == {"painted": "cached", "plain": "cached"}


def test_a_model_that_cannot_train_fails_the_build_and_keeps_the_bundle(project: Path) -> None:
    _build(project)
    before = {p: p.read_bytes() for p in (project / "out").rglob("*") if p.is_file()}
    for picture in (project / "art").iterdir():
        picture.unlink()
    with pytest.raises(BuildError, match="model toy") as info:
        _build(project)
    statuses = {a.id: a.status for a in info.value.report.assets}
    assert statuses == {"painted": "failed", "plain": "cancelled"}
    assert before == {p: p.read_bytes() for p in (project / "out").rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (lambda text: text.replace('lora = "@toy"', 'lora = "@tyo"'), "'tyo' is not a model of this recipe"),
        (lambda text: text.replace('data = "art"', 'data = "../elsewhere"'), "outside the recipe's folder"),
        (lambda text: text.replace('data = "art"', 'data = "nothing-here"'), "no such folder"),
        (lambda text: text.replace('trainer = "image.toy"', 'trainer = "image.tyo"'), "unknown trainer 'image.tyo'"),
        (lambda text: text.replace("steps = 3", "steps = 0"), "steps"),
    ],
)
def test_bad_model_tables_are_reported_with_their_line(project: Path, change, needle: str) -> None:
    (project.parent / "elsewhere").mkdir(exist_ok=True)
    path = project / "gamegen.toml"
    path.write_text(change(path.read_text()))
    with pytest.raises(RecipeError) as info:
        load_recipe(path)
    assert any(needle in p and p.startswith(f"{path}:") for p in info.value.problems), info.value.problems


def test_the_cli_reports_models_in_json(project: Path) -> None:
    args = ["build", str(project / "gamegen.toml"), "-o", str(project / "out"), "--cache", str(project / "cache"), "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [(m["name"], m["status"]) for m in report["models"]] == [("toy", "trained")]
