"""Character speed: animated sprite sheets and the pixel-art pass, each against a named baseline in the same run.

    .venv/bin/python benchmarks/bench_character.py
    .venv/bin/python benchmarks/bench_character.py --sizes 32 128 --repeats 5
    .venv/bin/python benchmarks/bench_character.py --only humanoid --repeats 9

Humanoids: whole ``character.humanoid`` runs (no file export) making the full LPC layout — 178 frames of spellcast,
thrust, walk, slash, shoot and hurt in four directions — with every layer sheet, the readability checks, the GIF
preview and the credits, as sheets per second at 32 and 64 px, against ``character.sprite`` (humanoid template,
default animations) at the same sizes in the same run; then the same with idle and run added (their extra sheet),
and a whole ``gamegen.generate`` to a bundle (PNG encoding, atlases, manifest) for scale. Wall and CPU seconds are
both printed: CPU seconds of this single-threaded work are the per-core figure, steady on a busy machine (goal: a
complete 64 px LPC sheet with all layers in under 100 ms on one core). The load average is printed before and after.

Sprites: a whole ``character.sprite`` run (every animation, every direction, GIF previews, sheet packing) per size,
as frames per second, and the frame renderer alone against a per-pixel Python loop that poses the same figure
the way the classic pixel-sprite generators draw (baseline: "per-pixel loop").
Pixel-art pass on a 512² picture down to 64 px: gamegen's vectorised dominant-colour downscale against a per-cell
Python loop (baseline: "per-cell loop"), and the whole pass against Pillow's quantize + box resize (baseline:
"Pillow", which blends colours; gamegen's pass keeps each cell's real colour). Minimum of the repeats.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator

import numpy as np
from PIL import Image

import gamegen
from gamegen.character.animation import motion
from gamegen.character.figure import choose_look, draw_figure, render_frames
from gamegen.character.masks import TEMPLATES
from gamegen.character.palettes import nearest_index, resolve_colour, resolve_palette, to_oklab
from gamegen.character.pixelart import downscale_dominant, pixelate


def best(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def loop_render(figure, offsets: np.ndarray) -> np.ndarray:
    """Baseline: pose every frame pixel by pixel in Python (no squash, flash or outline: less work than gamegen)."""
    h, w = figure.colours.shape
    out = np.full((len(offsets), h, w), -1)
    for f in range(len(offsets)):
        for part in figure.layers:
            for y in range(h):
                for x in range(w):
                    if part is None or figure.parts[y, x] != part:
                        continue
                    ty, tx = y + offsets[f, part, 1], x + offsets[f, part, 0]
                    if 0 <= ty < h and 0 <= tx < w:
                        out[f, ty, tx] = figure.colours[y, x]
    return out


def loop_dominant(indices: np.ndarray, foreground: np.ndarray, grid: tuple[int, int]) -> np.ndarray:
    """Baseline: the most common foreground colour of each cell, one cell at a time."""
    h, w = indices.shape
    out = np.zeros(grid, dtype=int)
    for cy in range(grid[0]):
        for cx in range(grid[1]):
            ys, xs = (
                slice(cy * h // grid[0], (cy + 1) * h // grid[0]),
                slice(cx * w // grid[1], (cx + 1) * w // grid[1]),
            )
            counts = Counter(indices[ys, xs][foreground[ys, xs]].tolist())
            out[cy, cx] = counts.most_common(1)[0][0] if counts else 0
    return out


def bench_sprites(sizes: list[int], repeats: int) -> None:
    print("character.sprite (humanoid, 4 animations × 4 directions, default frame counts)")
    for size in sizes:
        seconds = best(lambda s=size: gamegen.generate("character.sprite", seed=1, size=s), repeats)
        sheet = gamegen.generate("character.sprite", seed=1, size=size)[0]
        print(f"  size {size:>3}: {seconds * 1000:7.1f} ms per run, {len(sheet.atlas.frames) / seconds:7.0f} frames/s")
    palette = resolve_palette("endesga32")
    look = choose_look(palette, resolve_colour("auto", palette), "biped", np.random.default_rng(0))
    for size in sizes:
        figure = draw_figure(TEMPLATES["humanoid"].front, size, look, 0.6, np.random.default_rng(1))
        move = motion("biped", "walk", False, 6)
        offsets = move.pixel_offsets(size / 16)
        ours = best(lambda f=figure, o=offsets, m=move: render_frames(f, o, m.squash, m.flash, look), repeats)
        base = best(lambda f=figure, o=offsets: loop_render(f, o), 1)
        print(
            f"  render 6 walk frames at {size:>3}: gamegen {ours * 1000:7.2f} ms, per-pixel loop {base * 1000:8.1f} ms"
            f"  → {base / ours:6.0f}× faster"
        )


LPC_ANIMATIONS = ["spellcast", "thrust", "walk", "slash", "shoot", "hurt"]


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} (1 min), {five:.1f} (5 min); {os.cpu_count()} cores"


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Minimum wall and minimum CPU seconds of ``repeats`` calls (the minimum is the steadier figure)."""
    walls, cpus = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


def bench_humanoids(repeats: int) -> None:
    print(f"character.humanoid vs character.sprite, no file export; {_load()}")
    gamegen.run_generator("character.humanoid", {"size": 32})  # warm-up: imports, first-call allocations
    print(f"  {'run':<46} {'size':>4} {'wall ms':>8} {'CPU ms':>7} {'sheets/s':>9} {'per core':>9}")
    cases = [
        ("humanoid, full LPC layout + layer sheets", "character.humanoid", {"animations": LPC_ANIMATIONS}),
        ("humanoid, LPC + extra sheet (idle, run)", "character.humanoid", {}),
        ("sprite (humanoid template, 4 anims × 4 dirs)", "character.sprite", {"template": "humanoid"}),
    ]
    goal = None
    for label, name, params in cases:
        for size in (32, 64):
            seeds = iter(range(10**6))  # a new character each repeat

            def run(n: str = name, p: dict = params, s: int = size, seeds: Iterator[int] = seeds) -> object:
                return gamegen.run_generator(n, {**p, "size": s}, seed=next(seeds))

            wall, cpu = timed(run, repeats)
            print(f"  {label:<46} {size:>4} {wall * 1e3:8.1f} {cpu * 1e3:7.1f} {1 / wall:9.1f} {1 / cpu:9.1f}")
            if name == "character.humanoid" and size == 64 and "animations" in params:
                goal = cpu
    with tempfile.TemporaryDirectory(prefix="gamegen-bench-humanoid-") as tmp:
        counter = iter(range(10**6))
        wall, cpu = timed(
            lambda: gamegen.generate("character.humanoid", seed=1, out=f"{tmp}/{next(counter)}", params={"size": 64}),
            max(1, repeats // 3),
        )
        print(f"  whole gamegen.generate to a bundle at 64 px (PNGs, atlases, .tres): {wall * 1e3:.0f} ms wall")
    if goal is not None:
        verdict = "met" if goal < 0.1 else "NOT met"
        print(f"  goal: a 64 px LPC sheet with all layers in < 100 ms on one core: {goal * 1e3:.1f} ms CPU → {verdict}")
    print(f"  {_load()}")


def bench_pixelart(repeats: int) -> None:
    rng = np.random.default_rng(0)
    y, x = np.mgrid[:512, :512]
    picture = np.clip(np.full((512, 512, 3), 240.0) + rng.normal(0, 3, (512, 512, 3)), 0, 255)
    picture[(y - 256) ** 2 + (x - 256) ** 2 < 180**2] = (200, 40, 50)
    picture[150:260, 280:400] = (40, 60, 190)
    picture = picture.astype(np.uint8)
    palette = resolve_palette("pico8")
    indices = nearest_index(to_oklab(picture), to_oklab(palette))
    foreground = np.ones((512, 512), dtype=bool)
    ours = best(lambda: downscale_dominant(indices, foreground, (64, 64), len(palette)), repeats)
    base = best(lambda: loop_dominant(indices, foreground, (64, 64)), 1)
    print("pixel-art pass, 512² → 64 px, pico8")
    print(
        f"  dominant-colour downscale: gamegen {ours * 1000:7.2f} ms, per-cell loop {base * 1000:7.1f} ms"
        f"  → {base / ours:5.0f}× faster"
    )
    whole = best(lambda: pixelate(picture, 64, rng=np.random.default_rng(0), palette=palette), repeats)
    pil_palette = Image.new("P", (1, 1))
    pil_palette.putpalette(palette.tobytes() + bytes(768 - palette.size))

    def pillow() -> Image.Image:
        small = Image.fromarray(picture).resize((64, 64), Image.Resampling.BOX)
        return small.quantize(palette=pil_palette, dither=Image.Dither.NONE)

    base = best(pillow, repeats)
    print(
        f"  whole pass (key, quantise, downscale, outline): gamegen {whole * 1000:6.1f} ms, "
        f"Pillow quantize+resize {base * 1000:6.2f} ms → {whole / base:5.1f}× Pillow's time"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[32, 64, 128])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=["sprites", "humanoid", "pixelart"], help="run one section")
    args = parser.parse_args()
    if args.only in (None, "sprites"):
        bench_sprites(args.sizes, args.repeats)
    if args.only in (None, "humanoid"):
        bench_humanoids(max(args.repeats, 5))
    if args.only in (None, "pixelart"):
        bench_pixelart(args.repeats)


if __name__ == "__main__":
    main()
