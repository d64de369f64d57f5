"""Shared fixtures: installing throw-away plugins through real entry-point metadata, and registry isolation."""

from __future__ import annotations

import importlib
import os
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import gamegen

sys.path.insert(0, str(Path(__file__).parent))  # tests/tiny_models.py, tests/jstools.py


@pytest.fixture
def isolated_registry() -> Iterator[gamegen.Registry]:
    """The global registry, restored to its previous contents after the test."""
    reg = gamegen.registry
    reg.load_entry_points()
    saved = (dict(reg._generators), dict(reg._origin), reg._loaded, dict(reg.broken))
    yield reg
    reg._generators, reg._origin, reg._loaded, reg.broken = dict(saved[0]), dict(saved[1]), saved[2], dict(saved[3])


@pytest.fixture
def install_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_registry: gamegen.Registry
) -> Callable[..., Path]:
    """Install a plugin distribution into a temporary site folder: modules plus a real ``.dist-info``.

    ``install(dist, {"mod.py": source}, {"ep_name": "mod:Obj"})`` makes importlib.metadata see the entry points
    (in this process and, through PYTHONPATH, in subprocesses) and reloads the global registry.
    """
    site = tmp_path / "site"

    def install(
        dist: str, modules: dict[str, str], entry_points: dict[str, str], group: str = "gamegen.generators"
    ) -> Path:
        site.mkdir(exist_ok=True)
        for rel, source in modules.items():
            path = site / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(source))
        info = site / f"{dist.replace('-', '_')}-0.1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1.0\n")
        eps = "\n".join(f"{k} = {v}" for k, v in entry_points.items())
        (info / "entry_points.txt").write_text(f"[{group}]\n{eps}\n")
        monkeypatch.syspath_prepend(str(site))
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])))
        importlib.invalidate_caches()
        isolated_registry.reload()
        return site

    return install
