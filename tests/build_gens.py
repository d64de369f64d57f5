"""Small generators for the build tests: fast, slow, failing, "neural" (reads a model folder) and world tiles.

They live in a real module so that process pools and Dask workers can import them; ``register`` makes them
an entry-point plugin for ``gamegen build`` subprocesses.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import numpy as np

import gamegen
from gamegen import Field, Generator, Params


class SpeckleParams(Params):
    size: int = Field(8, ge=4, le=256, description="Side in pixels")
    sleep: float = Field(0.0, ge=0, le=60, description="Seconds to wait first (a slow asset)")
    fail: bool = Field(False, description="Fail on purpose")
    crash: bool = Field(False, description="Kill the process it runs in (a worker dying mid-job)")
    gate: str | None = Field(None, description="Wait until this file exists (lets a test hold a build mid-way)")


class Speckle(Generator):
    """Grey speckles plus their statistics."""

    name = "buildtest.speckle"
    kind = "buildtest"
    version = "1.0.0"
    params = SpeckleParams

    def generate(self, params, ctx):
        time.sleep(params.sleep)
        while params.gate and not os.path.exists(params.gate):
            time.sleep(0.01)
        if params.crash:
            os._exit(3)
        if params.fail:
            raise RuntimeError("the speckles caught fire")
        grey = (ctx.rng.random((params.size, params.size)) * 255).astype(np.uint8)
        return [gamegen.ImageAsset("speckle", grey), gamegen.DataAsset("stats", {"mean": float(grey.mean())})]


class TileParams(Params):
    grid: int = Field(2, ge=1, le=64, description="Tiles per side")
    tile_size: int = Field(9, ge=3, le=257, description="Samples per tile side (edges shared with neighbours)")
    tile_x: int = Field(0, ge=0, le=63, description="Tile column")
    tile_y: int = Field(0, ge=0, le=63, description="Tile row")


class Tile(Generator):
    """One tile of a continuous world: a seeded smooth field sampled on the tile's global coordinates."""

    name = "buildtest.tile"
    kind = "buildtest"
    version = "1.0.0"
    params = TileParams

    def generate(self, params, ctx):
        if params.tile_x >= params.grid or params.tile_y >= params.grid:
            raise gamegen.ParamError(
                f"tile ({params.tile_x}, {params.tile_y}) is outside the {params.grid}x{params.grid} grid"
            )
        step = params.tile_size - 1
        ys, xs = np.mgrid[0 : params.tile_size, 0 : params.tile_size]
        freq, phase = ctx.rng.uniform(0.05, 0.2, 2), ctx.rng.uniform(0, 6.28, 2)
        gx, gy = xs + params.tile_x * step, ys + params.tile_y * step
        height = np.sin(gx * freq[0] + phase[0]) * np.cos(gy * freq[1] + phase[1])
        return [gamegen.ImageAsset("height", ((height + 1) * 32767.5).astype(np.uint16))]


class ModelParams(Params):
    model: str = Field(description="Model folder")
    prompt: str = Field("a crate", description="What to draw")


class FakeDiffusion(Generator):
    """Pretends to run a diffusion model: reads weights from a model folder and says which process it ran in."""

    name = "buildtest.model"
    kind = "buildtest"
    version = "1.0.0"
    params = ModelParams

    def input_files(self, params):
        return [Path(params.model)]

    def generate(self, params, ctx):
        weights = ctx.read_input(Path(params.model) / "weights.bin")
        ctx.use_model("test/fake-diffusion", hashlib.sha256(weights).hexdigest())
        return [gamegen.DataAsset("result", {"prompt": params.prompt, "pid": os.getpid(), "seed": ctx.seed})]


class Threads(Generator):
    """Reports the thread limits of the process it ran in."""

    name = "buildtest.threads"
    kind = "buildtest"
    version = "1.0.0"

    def generate(self, params, ctx):
        return [gamegen.DataAsset("threads", {"numba": os.environ.get("NUMBA_NUM_THREADS")})]


def register(registry: gamegen.Registry) -> None:
    """Entry-point hook."""
    for gen in (Speckle, Tile, FakeDiffusion, Threads):
        registry.register(gen)
