"""``gamegen new-plugin``: the rendered package, its generator under the kit, and name checks.

Scaffold → pip install → ``gamegen list`` → pytest in a fresh venv is in test_plugin_kit_wheel.py."""

from __future__ import annotations

import ast
import importlib
import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

import gamegen
from gamegen.cli import main
from gamegen.plugin import Generator
from gamegen.scaffold import PLUGIN_API_MINIMUM, new_plugin, template_kinds
from gamegen.testing import check_generator

# Kinds are an open set: the four with a worked example of their own, and words gamegen has never heard of.
KINDS = [*template_kinds(), "audio", "weather"]


def _load_generator(folder: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> type[Generator]:
    """Import the rendered package straight from ``folder`` (no install) and return its generator class."""
    monkeypatch.syspath_prepend(str(folder))
    module = importlib.import_module(f"gamegen_{name}.generator")
    camel = "".join(part.capitalize() for part in name.split("_"))
    return getattr(module, camel)


def test_renders_a_package_with_entry_point_params_readme_and_test(tmp_path):
    out = new_plugin("my_stars", "texture", tmp_path / "my-stars")
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == [
        "README.md",
        "gamegen_my_stars/__init__.py",
        "gamegen_my_stars/generator.py",
        "pyproject.toml",
        "tests/test_my_stars.py",
    ]
    pyproject = (out / "pyproject.toml").read_text()
    assert 'name = "gamegen-my-stars"' in pyproject
    assert '[project.entry-points."gamegen.generators"]\nmy_stars = "gamegen_my_stars.generator:MyStars"' in pyproject
    assert "class MyStarsParams(Params):" in (out / "gamegen_my_stars/generator.py").read_text()
    assert 'gamegen_conformance("texture.my_stars")' in (out / "tests/test_my_stars.py").read_text()
    for path in out.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")
    assert not [p for p in out.rglob("*") if p.is_file() and "{{" in p.read_text() + p.as_posix()]


def test_template_kinds_are_the_four_built_in_ones():
    assert template_kinds() == ["character", "landscape", "narrative", "texture"]


def test_pins_are_the_real_minimums(tmp_path):
    project = tomllib.loads((new_plugin("pinned", "texture", tmp_path / "p") / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    assert "gamegen>=0.3" in project["dependencies"] and PLUGIN_API_MINIMUM == "0.3"


def _gamegen_imports(source: str) -> set[str]:
    """Every gamegen module a Python source imports from."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        names += [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
        found |= {n for n in names if n.split(".")[0] == "gamegen"}
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_template_passes_the_conformance_kit(tmp_path, monkeypatch, kind):
    name = f"kit_{kind}"
    out = new_plugin(name, kind, tmp_path / name)
    generator = _load_generator(out, name, monkeypatch)
    assert (generator.name, generator.kind) == (f"{kind}.{name}", kind)
    assert generator.params.__name__ == f"Kit{kind.title()}Params"
    assert check_generator(generator, workdir=tmp_path / "conformance").ok
    source = (out / f"gamegen_{name}" / "generator.py").read_text()
    assert _gamegen_imports(source) == {"gamegen.plugin"}
    assert f"(Generator[Kit{kind.title()}Params]):" in source
    assert not re.search(r"^ +(kind|params) =", source, flags=re.M)  # derived from the name and the type argument
    assert {m for p in out.rglob("*.py") for m in _gamegen_imports(p.read_text())} <= {"gamegen", "gamegen.plugin"}


@pytest.mark.parametrize("name", ["MyStars", "my-stars", "1stars", "_stars", "class", "stars!", ""])
def test_names_that_are_not_lowercase_identifiers_are_refused(tmp_path, name):
    with pytest.raises(gamegen.ParamError, match=r"must be a lowercase Python identifier"):
        new_plugin(name, "texture", tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_invalid_kind_is_refused(tmp_path):
    with pytest.raises(gamegen.ParamError, match=r"kind='Sound FX': must be a lowercase Python identifier"):
        new_plugin("boom", "Sound FX", tmp_path / "x")


def test_name_of_an_existing_generator_is_refused(isolated_registry, tmp_path):
    class Taken(Generator[gamegen.Params]):
        """Taken."""

        name, version = "texture.taken", "1.0.0"

        def generate(self, params, ctx):
            return []

    isolated_registry.register(Taken)
    with pytest.raises(gamegen.ParamError, match=r"name='taken': generator texture\.taken already exists \(code\)"):
        new_plugin("taken", "texture", tmp_path / "x")
    assert new_plugin("taken", "landscape", tmp_path / "y").is_dir()  # the same name under another kind is free


def test_name_of_an_installed_package_is_refused(tmp_path):
    # gamegen_dungeon is the first-party plugin's package, installed with gamegen (scripts/setup.sh)
    with pytest.raises(
        gamegen.ParamError, match=r"name='dungeon': a Python package gamegen_dungeon is already installed"
    ):
        new_plugin("dungeon", "texture", tmp_path / "x")


def test_refuses_to_overwrite_a_non_empty_folder(tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine")
    with pytest.raises(gamegen.GamegenError, match="already exists and is not an empty folder"):
        new_plugin("stars", "texture", tmp_path / "busy")
    assert (tmp_path / "busy" / "keep.txt").read_text() == "mine"


def test_default_folder_is_named_after_the_distribution(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert (
        new_plugin("dark_sky") == Path("gamegen-dark-sky") and (tmp_path / "gamegen-dark-sky/pyproject.toml").is_file()
    )


def test_cli_creates_the_plugin_and_exits_2_on_a_bad_name(tmp_path):
    runner = CliRunner()
    made = runner.invoke(main, ["new-plugin", "my_hills", "--kind", "landscape", "-o", str(tmp_path / "hills")])
    assert made.exit_code == 0, made.output
    assert (
        "created" in made.output and "(generator landscape.my_hills)" in made.output and "pip install -e" in made.output
    )
    assert 'name = "landscape.my_hills"' in (tmp_path / "hills/gamegen_my_hills/generator.py").read_text()
    refused = runner.invoke(main, ["new-plugin", "My-Hills", "-o", str(tmp_path / "bad")])
    assert refused.exit_code == 2
    assert "error: name='My-Hills': must be a lowercase Python identifier" in refused.output


@pytest.mark.parametrize("kind", ["weather", "audio", "class"])
def test_cli_accepts_any_kind_and_says_which_example_it_started_from(tmp_path, kind):
    made = CliRunner().invoke(main, ["new-plugin", "boom", "--kind", kind, "-o", str(tmp_path / "boom")])
    assert made.exit_code == 0, made.output
    assert f"(generator {kind}.boom; no example for kind {kind!r}: started from the generic one)" in made.output
    assert f'name = "{kind}.boom"' in (tmp_path / "boom/gamegen_boom/generator.py").read_text()
