"""Small generators for the build tests: fast, slow, failing, "neural" (reads a model) and world tiles.

They live in a real module so that process pools and Dask workers can import them; ``register`` makes them
an entry-point plugin for ``gamegen build`` subprocesses. ``tree`` fingerprints a built bundle and
``offline_hub`` fakes downloaded hub models.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

import gamegen
from gamegen import AdapterRef, Field, Generator, InputFile, ModelRef, Params

if TYPE_CHECKING:
    import pytest


def tree(root: Path) -> dict[str, str]:
    """Bundle-relative path → sha256 of every file under ``root``."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def offline_hub(monkeypatch: pytest.MonkeyPatch, root: Path) -> Callable[[str, bytes], Path]:
    """Point the Hugging Face cache at ``root`` (here and in worker processes started later), offline.

    Returns ``download(repo, weights)``, which puts a model into that cache as the hub client lays it out.
    """
    import huggingface_hub.constants

    for name, value in (("HF_HUB_CACHE", str(root)), ("HF_HUB_OFFLINE", "1")):
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(root))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)

    def download(repo: str, weights: bytes) -> Path:
        folder = root / f"models--{repo.replace('/', '--')}"
        revision = hashlib.sha1(weights).hexdigest()
        (folder / "refs").mkdir(parents=True, exist_ok=True)
        (folder / "refs" / "main").write_text(revision)
        snapshot = folder / "snapshots" / revision
        snapshot.mkdir(parents=True, exist_ok=True)
        (snapshot / "model.safetensors").write_bytes(weights)
        return snapshot

    return download


class _BuildTest(Generator):
    kind = "buildtest"
    version = "1.0.0"


class SpeckleParams(Params):
    size: int = Field(8, ge=4, le=256, description="Side in pixels")
    sleep: float = Field(0.0, ge=0, le=60, description="Seconds to wait first (a slow asset)")
    fail: bool = Field(False, description="Fail on purpose")
    crash: bool = Field(False, description="Kill the process it runs in (a worker dying mid-job)")
    gate: str | None = Field(None, description="Wait until this file exists (lets a test hold a build mid-way)")


class Speckle(_BuildTest):
    """Grey speckles plus their statistics."""

    name = "buildtest.speckle"
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


class Tile(_BuildTest):
    """One tile of a continuous world: a seeded smooth field sampled on the tile's global coordinates."""

    name = "buildtest.tile"
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
    model: ModelRef = Field(description="Model folder or hub id")
    prompt: InputFile = Field("a crate", description="What to draw, or a file holding it")


class FakeDiffusion(_BuildTest):
    """Pretends to run a diffusion model (a folder or a hub id, as the ML runtime resolves it); says its pid.

    Like the real neural generators it types its inputs (``ModelRef``, ``InputFile``) and lists none by hand.
    """

    name = "buildtest.model"
    params = ModelParams

    def generate(self, params, ctx):
        from gamegen.ml.runtime import resolve_model_path, weights_sha256

        ctx.use_model(params.model, weights_sha256(resolve_model_path(params.model), include_pickle=True))
        prompt = ctx.read_input(params.prompt).decode() if Path(params.prompt).is_file() else params.prompt
        return [gamegen.DataAsset("result", {"prompt": prompt, "pid": os.getpid(), "seed": ctx.seed})]


class StyledParams(Params):
    lora: AdapterRef | None = Field(None, description="A trained model folder (a recipe's \"@name\")")
    size: int = Field(8, ge=4, le=64, description="Side in pixels")


class Styled(_BuildTest):
    """Draws with a trained model: the picture's grey level comes from the model's weights."""

    name = "buildtest.styled"
    params = StyledParams

    def generate(self, params, ctx):
        level = 0
        if params.lora:
            weights = (Path(params.lora) / "model.safetensors").read_bytes()
            ctx.use_model(params.lora, hashlib.sha256(weights).hexdigest())
            level = weights[-1]
        grey = np.full((params.size, params.size), level, np.uint8)
        return [gamegen.ImageAsset("styled", grey)]


class Threads(_BuildTest):
    """Reports the thread limits of the process it ran in."""

    name = "buildtest.threads"

    def generate(self, params, ctx):
        return [gamegen.DataAsset("threads", {"numba": os.environ.get("NUMBA_NUM_THREADS")})]


class Process(_BuildTest):
    """Reports the process it ran in: its parent, its numba threads, and whether it inherited the build's modules."""

    name = "buildtest.process"

    def generate(self, params, ctx):
        import time

        import numba

        time.sleep(0.3)  # long enough for every lane to get a job
        inherited = "gamegen_fork_marker" in sys.modules  # set by the test in the build's own process only
        facts = {"pid": os.getpid(), "ppid": os.getppid(), "numba": numba.get_num_threads(), "inherited": inherited}
        return [gamegen.DataAsset("process", facts)]


def register(registry: gamegen.Registry) -> None:
    """Entry-point hook."""
    for gen in (Speckle, Tile, FakeDiffusion, Styled, Threads, Process):
        registry.register(gen)
