"""Early export: assets a generator marks ready (``ctx.ready``) are encoded while it goes on, with the same bytes.

The files, the manifest and the provenance must be exactly those of exporting after the generator returns; an asset
whose export context changed after it was readied (a model used later makes it AI-made) is encoded again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import gamegen
import gamegen.bundle as bundle
from gamegen import Generator, Params
from gamegen.bundle import export_run, write_bundle
from gamegen.export.png import XMP_KEY


@pytest.fixture
def spare_core(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Early export on (as on any machine with two cores), and the names of the assets taken from it."""
    monkeypatch.setattr(bundle, "thread_budget", lambda: 2)
    taken: list[str] = []
    claim = bundle.EarlyExport.claim

    def counted(self, asset, ctx):  # type: ignore[no-untyped-def]
        future = claim(self, asset, ctx)
        if future is not None:
            taken.append(asset.name)
        return future

    monkeypatch.setattr(bundle.EarlyExport, "claim", counted)
    return taken


def _tree(root: Path) -> dict[str, str]:
    files = (p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.mark.parametrize("compression", ["fast", "small"])
def test_a_material_encoded_while_it_is_made_is_the_bundle_written_after(tmp_path, spare_core, compression):
    params = {"family": "brick", "size": 64}
    gamegen.generate("texture.material", seed=3, out=tmp_path / "early", compression=compression, **params)
    assert sorted(spare_core) == ["albedo", "ao", "height", "normal", "orm", "roughness"]  # all but the preview
    run = gamegen.run_generator("texture.material", params, seed=3)
    after = export_run(run, "texture.material", compression=compression, threads=1)
    write_bundle(tmp_path / "after", [after], "generic")
    assert _tree(tmp_path / "early") == _tree(tmp_path / "after")


class LateModelParams(Params):
    pass


class LateModel(Generator):
    """Readies an image, then uses a model: the image is AI-made after all."""

    name = "texture.latemodel"
    kind = "texture"
    version = "1.0.0"
    params = LateModelParams

    def generate(self, params, ctx):  # type: ignore[no-untyped-def]
        first = ctx.ready(gamegen.ImageAsset("first", np.full((8, 8), 7, np.uint8)))
        ctx.use_model("org/tiny", "ab" * 32)
        return [first, ctx.ready(gamegen.ImageAsset("second", np.full((8, 8), 9, np.uint8)))]


def test_an_asset_readied_before_a_model_was_used_is_encoded_again_as_ai_made(tmp_path, spare_core, isolated_registry):
    isolated_registry.register(LateModel)
    gamegen.generate("texture.latemodel", out=tmp_path / "out")
    assert spare_core == ["second"]  # the first one's early bytes said "procedural": not used
    files = json.loads((tmp_path / "out" / "manifest.json").read_text())["assets"][0]["files"]
    assert [f["ai_generated"] for f in files] == [True, True]
    with Image.open(tmp_path / "out" / "texture.latemodel" / "first.png") as img:
        assert "trainedAlgorithmicMedia" in img.info[XMP_KEY]


def test_ready_without_an_export_hands_the_asset_back(isolated_registry):
    isolated_registry.register(LateModel)
    first, second = gamegen.generate("texture.latemodel")
    assert (first.name, second.name) == ("first", "second")
