"""The refinement-loop example runs as documented: generate → pick → dataset → train → generate → recipe build."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "training" / "refine_loop.py"


def test_the_refinement_loop_example_runs_offline(tmp_path: Path) -> None:
    out = tmp_path / "loop"
    run = subprocess.run(
        [sys.executable, str(EXAMPLE), "-o", str(out), "--steps", "2"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "first build: models: brick-style trained; assets: 1 built" in run.stdout
    assert "second build: models: brick-style cached; assets: 0 built, 1 cached" in run.stdout
    for model in ("brick-lora", "lore-lm"):
        card = json.loads((out / "models" / model / "gamegen-model.json").read_text())
        assert card["dataset"]["fingerprint"] and card["steps"] == 2
    styled = json.loads((out / "styled-bricks" / "manifest.json").read_text())
    files = styled["assets"][0]["files"]
    assert all(f["ai_generated"] for f in files), "files made with a trained adapter are labelled AI-made"
    assert files[0]["meta"]["diffusion"]["lora"][0]["adapter"] == "brick-lora"
    assert (out / "project" / "bundle" / "manifest.json").is_file()
