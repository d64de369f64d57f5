"""``gamegen new-plugin``: the rendered package, name checks, and scaffold → pip install → list → pytest for real."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import gamegen
from gamegen.cli import main
from gamegen.scaffold import new_plugin
from gamegen.testing import check_generator

KINDS = ["texture", "landscape", "character", "narrative", "audio"]
BIN = Path(sys.executable).parent


def _load_generator(folder: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> type[gamegen.Generator]:
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


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_template_passes_the_conformance_kit(tmp_path, monkeypatch, kind):
    name = f"kit_{kind}"
    generator = _load_generator(new_plugin(name, kind, tmp_path / name), name, monkeypatch)
    assert (generator.name, generator.kind) == (f"{kind}.{name}", kind)
    assert check_generator(generator, workdir=tmp_path / "conformance").ok


@pytest.mark.parametrize("name", ["MyStars", "my-stars", "1stars", "_stars", "class", "stars!", ""])
def test_names_that_are_not_lowercase_identifiers_are_refused(tmp_path, name):
    with pytest.raises(gamegen.ParamError, match=r"must be a lowercase Python identifier"):
        new_plugin(name, "texture", tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_invalid_kind_is_refused(tmp_path):
    with pytest.raises(gamegen.ParamError, match=r"kind='Sound FX': must be a lowercase Python identifier"):
        new_plugin("boom", "Sound FX", tmp_path / "x")


def test_name_of_an_existing_generator_is_refused(isolated_registry, tmp_path):
    taken = type(
        "Taken",
        (gamegen.Generator,),
        {
            "__doc__": "Taken.",
            "name": "texture.taken",
            "kind": "texture",
            "version": "1.0.0",
            "generate": lambda self, p, c: [],
        },
    )
    isolated_registry.register(taken)
    with pytest.raises(gamegen.ParamError, match=r"name='taken': generator texture\.taken already exists \(code\)"):
        new_plugin("taken", "texture", tmp_path / "x")
    assert new_plugin("taken", "landscape", tmp_path / "y").is_dir()  # the same name under another kind is free


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
    assert "created" in made.output and "pip install -e" in made.output
    assert 'kind = "landscape"' in (tmp_path / "hills/gamegen_my_hills/generator.py").read_text()
    refused = runner.invoke(main, ["new-plugin", "My-Hills", "-o", str(tmp_path / "bad")])
    assert refused.exit_code == 2
    assert "error: name='My-Hills': must be a lowercase Python identifier" in refused.output


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_scaffold_install_list_and_pytest_in_real_subprocesses(tmp_path):
    """The issue's promise, verbatim: right after scaffolding, ``pip install -e DIR && gamegen list`` shows the
    generator and ``pytest DIR`` passes with no edits. Installs into this venv (uninstalled after); takes ~20 s."""
    name = f"kit_probe_{os.getpid()}"
    folder = tmp_path / "probe"
    made = _run(str(BIN / "gamegen"), "new-plugin", name, "--kind", "texture", "-o", str(folder), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    installed = _run(*pip, "install", "--no-deps", "--no-build-isolation", "-e", str(folder), cwd=tmp_path)
    try:
        assert installed.returncode == 0, installed.stderr
        listed = _run(str(BIN / "gamegen"), "list", cwd=tmp_path)
        assert listed.returncode == 0, listed.stderr
        assert f"texture.{name} " in listed.stdout
        tested = _run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder), cwd=tmp_path)
        assert tested.returncode == 0, tested.stdout + tested.stderr
        assert "2 passed" in tested.stdout
    finally:
        _run(*pip, "uninstall", "-y", f"gamegen-{name.replace('_', '-')}", cwd=tmp_path)
    assert f"texture.{name}" not in _run(str(BIN / "gamegen"), "list", cwd=tmp_path).stdout
