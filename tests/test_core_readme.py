"""The README's plugin example really works: installed through entry-point metadata, listed, generated."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import numpy as np

import gamegen

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def _block(lang: str, marker: str) -> str:
    blocks = re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)
    return next(b for b in blocks if marker in b)


def test_readme_plugin_example(install_plugin, tmp_path):
    source = _block("python", "class Stars(Generator[StarsParams])")
    eps = tomllib.loads(_block("toml", "gamegen.generators"))["project"]["entry-points"]["gamegen.generators"]
    assert len(source.strip().splitlines()) <= 16
    install_plugin("my-stars", {"my_stars.py": source}, eps)
    assert "texture.stars" in [g.name for g in gamegen.registry.list(kind="texture")]
    (img,) = gamegen.generate("texture.stars", seed=1, out=tmp_path / "b", params={"size": 32, "density": 0.5})
    assert img.array.shape == (32, 32) and set(np.unique(img.array)) <= {0, 255}
    assert (tmp_path / "b/manifest.json").is_file()
