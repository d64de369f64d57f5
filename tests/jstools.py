"""Run the real JavaScript consumers in tools/js (Khronos glTF validator, inkjs, bondage.js) on generated files.

In CI (``CI`` set) a missing Node.js or missing node_modules is a failure, never a skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

JS = Path(__file__).resolve().parent.parent / "tools" / "js"


def _node(package: str = "") -> str:
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / package).is_dir():
        if os.environ.get("CI"):
            raise RuntimeError("Node.js and tools/js/node_modules are required in CI (run: npm ci --prefix tools/js)")
        pytest.skip("Node.js tools not installed (npm ci --prefix tools/js)")
    return node


def validate_gltf(path: Path) -> dict[str, Any]:
    """The Khronos validator's issues object for a .glb/.gltf file (``numErrors`` etc.)."""
    proc = subprocess.run(
        [_node(), str(JS / "validate_gltf.js"), str(path)], capture_output=True, text=True, timeout=120
    )
    if proc.returncode == 2:
        raise RuntimeError(proc.stderr)
    return json.loads(proc.stdout)


def play_ink(path: Path, max_paths: int = 500) -> dict[str, Any]:
    """Compile an .ink file with inkjs and play every choice path: {errors, warnings, paths, endings, stuck}."""
    proc = subprocess.run(
        [_node(), str(JS / "ink_play.js"), str(path), str(max_paths)], capture_output=True, text=True, timeout=300
    )
    if not proc.stdout.strip():
        raise RuntimeError(proc.stderr)
    return json.loads(proc.stdout)


def play_yarn(path: Path, start: str, variables: dict[str, Any] | None = None, max_paths: int = 500) -> dict[str, Any]:
    """Parse a .yarn file with bondage.js (Yarn Spinner 2) and play every option path from ``start``, with
    ``variables`` set first: {errors, paths, stuck, commands, untagged, visited, lines: {"line:id": text}}."""
    args = [str(JS / "yarn_play.js"), str(path), start, str(max_paths), json.dumps(variables or {})]
    proc = subprocess.run([_node("@mnbroatch/bondage"), *args], capture_output=True, text=True, timeout=300)
    if not proc.stdout.strip():
        raise RuntimeError(proc.stderr)
    return json.loads(proc.stdout)
