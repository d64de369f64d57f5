"""The starter bundle against gamegen 0.2.0's: a generator whose version did not change makes byte-identical files.

``tests/data/starter-bundle-0.2.0.json`` holds every file's sha256 from 0.2.0's starter build. The SDK version is
stamped into files (PNG XMP, glTF extras), so the build here runs with 0.2.0's stamp; then each asset made by the
same generator at the same version must match file for file, and each asset whose generator or version moved (the
starter's hero and villagers are now ``character.humanoid``) must say why in CHANGELOG.md.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import sys
from pathlib import Path

import gamegen

ROOT = Path(__file__).parent.parent
BASELINE = json.loads((Path(__file__).parent / "data" / "starter-bundle-0.2.0.json").read_text())


def _load_every_exporter() -> None:
    """Import the generators and every exporter module their asset types name, so the stamp patch reaches them."""
    gamegen.registry.load_entry_points()
    pending, seen = [gamegen.Asset], set()
    while pending:
        cls = pending.pop()
        seen.add(cls)
        pending += [sub for sub in cls.__subclasses__() if sub not in seen]
        for ref in vars(cls).get("exporters", {}).values():
            if isinstance(ref, str):
                importlib.import_module(ref.partition(":")[0])


def test_unchanged_generators_make_the_same_bytes_as_0_2_0(tmp_path, monkeypatch):
    _load_every_exporter()
    current = gamegen.__version__
    for module in [m for name, m in sys.modules.items() if name.startswith("gamegen")]:
        if getattr(module, "__version__", None) == current:
            monkeypatch.setattr(module, "__version__", BASELINE["gamegen"])
    gamegen.build(  # small: the PNG compression 0.2.0 wrote (fast, the default since, makes other bytes)
        ROOT / "examples" / "starter" / "gamegen.toml", out=tmp_path / "out", cache=tmp_path / "cache", compression="small"
    )
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    changelog = (ROOT / "CHANGELOG.md").read_text()
    compared = 0
    for entry in manifest["assets"]:
        before = BASELINE["assets"][entry["id"]]
        if (entry["generator"], entry["generator_version"]) != (before["generator"], before["generator_version"]):
            assert f"`{entry['generator']}` {entry['generator_version']}" in changelog, entry["generator"]
            continue
        files = {
            f["path"].split("/", 1)[1]: hashlib.sha256((tmp_path / "out" / f["path"]).read_bytes()).hexdigest()
            for f in entry["files"]
        }
        assert files == before["files"], entry["id"]
        compared += 1
    assert compared >= 3  # the slime sprite, the sheet and the grammar at least (hero and villagers: humanoids now)
