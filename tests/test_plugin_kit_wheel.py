"""The plugin template ships inside the gamegen wheel (as ``gamegen/templates``), not only in the source tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_the_plugin_template_and_the_pytest_plugin(tmp_path):
    """Builds a real wheel with pip (``--no-build-isolation``) from a copy of the sources; takes ~20 s."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "templates", src / "templates")
    shutil.copytree(ROOT / "gamegen", src / "gamegen", symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("gamegen-*.whl")
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
