"""Tiny datasets the tests make (sprites of a few shapes on transparency, seamless tiles) and one torch thread per
test: these models are so small that a second thread only waits on the first (restored after each test)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

COLOURS = [(200, 40, 40), (40, 160, 60), (40, 60, 200), (230, 200, 40)]


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _shape_sprites(folder: Path, count: int, seed: int = 0, size: int = 16) -> Path:
    """``count`` sprites: a filled circle or square of one of four colours on a transparent background."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size]
    for i in range(count):
        cy, cx = rng.integers(size // 3, size - size // 3, 2)
        r = int(rng.integers(size // 5, size // 3 + 1))
        inside = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r if i % 2 == 0 else (abs(yy - cy) <= r) & (abs(xx - cx) <= r)
        pixels = np.zeros((size, size, 4), np.uint8)
        pixels[inside] = (*COLOURS[i % 4], 255)
        Image.fromarray(pixels).save(folder / f"shape{i:02d}.png")
    return folder


def _stripe_tiles(folder: Path, count: int, size: int = 16) -> Path:
    """``count`` opaque seamless tiles: two-colour stripes and checks whose periods divide the tile."""
    folder.mkdir(parents=True, exist_ok=True)
    yy, xx = np.mgrid[0:size, 0:size]
    for i in range(count):
        period = size // (2 ** (1 + i % 2))  # divides the tile: the pattern wraps around
        pattern = (
            ((xx + yy * (i % 2)) // (period // 2)) % 2
            if i % 4 < 2
            else ((xx // (period // 2)) + (yy // (period // 2))) % 2
        )
        a, b = np.array(COLOURS[i % 4]), np.array(COLOURS[(i + 1) % 4])
        rgb = np.where(pattern[..., None] == 1, a, b).astype(np.uint8)
        Image.fromarray(rgb).save(folder / f"tile{i:02d}.png")
    return folder


@pytest.fixture(scope="session")
def make_shapes(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int, int], Path]:
    """``make_shapes(count, seed)``: a folder of shape sprites (made once per count and seed)."""
    root = tmp_path_factory.mktemp("shapes")
    return functools.cache(lambda count, seed=0: _shape_sprites(root / f"{count}-{seed}", count, seed))


@pytest.fixture(scope="session")
def shapes(make_shapes: Callable[[int, int], Path]) -> Path:
    return make_shapes(8, 0)


@pytest.fixture(scope="session")
def tiles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _stripe_tiles(tmp_path_factory.mktemp("data") / "tiles", 4)


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``trained(trainer, data, seed=0, **params)``: the model folder of that run, trained once per session."""
    from gamegen.training import train

    root = tmp_path_factory.mktemp("models")
    made: dict[str, Path] = {}

    def run(trainer: str, data: Path, seed: int = 0, **params: Any) -> Path:
        key = json.dumps([trainer, str(data), seed, params], sort_keys=True)
        if key not in made:
            torch = pytest.importorskip("torch")
            before = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                out = root / f"m{len(made)}"
                train(trainer, data, out, params, seed=seed)
            finally:
                torch.set_num_threads(before)
            made[key] = out
        return made[key]

    return run
