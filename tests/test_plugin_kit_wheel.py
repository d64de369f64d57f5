"""gamegen as users get it: a built wheel, installed into a fresh venv, scaffolds a plugin that installs and passes.

The wheel is built with pip from a copy of the sources (``--no-build-isolation``). The fresh venv gets gamegen from
that wheel only; its dependencies (numpy, pydantic, pytest ...) come from this venv, appended after the fresh venv's
own site-packages, so nothing is downloaded and this venv is never changed. Takes ~10 s.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "writing-a-plugin.md"


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a command without this pytest session's or this venv's environment leaking into it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_", "PYTHONPATH", "VIRTUAL_ENV"))}
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """gamegen's wheel, built from a copy of the sources (templates/ reaches it through the gamegen/templates link)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "templates", src / "templates")
    shutil.copytree(ROOT / "gamegen", src / "gamegen", symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check", "-q")
    built = _run(*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", tmp / "dist", src, cwd=tmp)
    assert built.returncode == 0, built.stderr
    (found,) = (tmp / "dist").glob("gamegen-*.whl")
    return found


def test_wheel_contains_the_plugin_template_and_the_pytest_plugin(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    template = {
        f"gamegen/templates/{p.relative_to(ROOT / 'templates').as_posix()}"
        for p in (ROOT / "templates" / "plugin").rglob("*")
        if p.is_file()
    }
    assert "gamegen/templates/plugin/kinds/default.py.tmpl" in template
    assert template <= names, sorted(template - names)
    assert {"gamegen/testing/pytest_plugin.py", "gamegen/scaffold.py", "gamegen/cli/plugin.py"} <= names
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "[pytest11]\ngamegen = gamegen.testing.pytest_plugin" in zipfile.ZipFile(wheel).read(entry_points).decode()


@pytest.fixture
def venv(tmp_path: Path, wheel: Path) -> Path:
    """A fresh venv (its python) with gamegen installed from the wheel, not from this source tree."""
    folder = tmp_path / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", folder, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    python = folder / "bin" / "python"
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path).stdout.strip()
    host = sysconfig.get_path("purelib")
    (Path(site) / "zz_gamegen_host.pth").write_text(f"import site; site.addsitedir({host!r})\n")
    installed = _run(*_pip(python), "install", "--no-deps", "--no-index", wheel, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    where = _run(python, "-c", "import gamegen; print(gamegen.__file__)", cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(site), where.stdout + where.stderr
    return python


def _pip(python: Path) -> list[str | Path]:
    """This venv's pip acting on the venv of ``python`` (which has no pip of its own)."""
    return [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", "--python", python]


def _guide_scaffold_commands() -> list[tuple[list[str], str]]:
    """The commands of the guide's "1. Scaffold" block, each with the output its comment promises."""
    section = GUIDE.read_text().split("## 1. Scaffold", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, flags=re.S).group(1)
    commands = []
    for line in block.splitlines():
        command, _, comment = line.partition("#")
        commands.append((shlex.split(command), comment.strip()))
    return commands


def _in_venv(argv: list[str], python: Path) -> list[str | Path]:
    """A guide command run against the fresh venv: its python for gamegen and pytest, this pip offline for pip."""
    tool, *rest = argv
    if tool == "pip":
        return [*_pip(python), rest[0], "--no-index", "--no-build-isolation", *rest[1:]]
    return [python, "-m", tool, *(["-p", "no:cacheprovider"] if tool == "pytest" else []), *rest]


def test_guide_scaffold_install_list_and_pytest_in_a_fresh_venv(venv, tmp_path):
    """The guide's section 1, verbatim: right after scaffolding, ``pip install -e DIR && gamegen list`` shows the
    generator (with the summary the guide quotes) and ``pytest DIR`` passes with no edits."""
    commands = _guide_scaffold_commands()
    assert [argv[0] for argv, _ in commands] == ["gamegen", "pip", "gamegen", "pytest"]
    outputs = []
    for argv, promise in commands:
        done = _run(*_in_venv(argv, venv), cwd=tmp_path)
        assert done.returncode == 0, f"{shlex.join(argv)}\n{done.stdout}\n{done.stderr}"
        outputs.append((done.stdout, promise))
    (listed, listed_promise), (tested, tested_promise) = outputs[2], outputs[3]
    line = next(row for row in listed.splitlines() if row.startswith("texture.my_stars "))
    assert " ".join(line.split()).startswith(" ".join(listed_promise.rstrip(". ").split())), line
    assert tested_promise == "the conformance kit passes before you change a line"
    assert re.search(r"=+ 2 passed in ", tested) and "plugins: gamegen-" in tested, tested
    assert (tmp_path / "my-stars" / "gamegen_my_stars" / "generator.py").is_file()

    again = _run(venv, "-m", "gamegen", "new-plugin", "my_stars", "-o", tmp_path / "again", cwd=tmp_path)
    assert again.returncode == 2
    assert "name='my_stars': generator texture.my_stars already exists" in again.stderr + again.stdout

    strict = _run(*_in_venv(["pytest", "-q", "my-stars", "--gamegen-time-factor", "1e-9"], venv), cwd=tmp_path)
    assert strict.returncode == 1 and "1 failed, 1 passed" in strict.stdout, strict.stdout + strict.stderr
    assert "[time_budget] fastest quick run took " in strict.stdout
