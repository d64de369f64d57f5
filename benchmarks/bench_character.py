"""Character speed: animated sprite sheets and the pixel-art pass, each against a named baseline in the same run.

    .venv/bin/python benchmarks/bench_character.py
    .venv/bin/python benchmarks/bench_character.py --sizes 32 128 --repeats 5

Sprites: a whole ``character.sprite`` run (every animation, every direction, GIF previews, sheet packing) per size,
as frames per second, and the frame renderer alone against a per-pixel Python loop that poses the same figure
the way the classic pixel-sprite generators draw (baseline: "per-pixel loop").
Pixel-art pass on a 512² picture down to 64 px: gamegen's vectorised dominant-colour downscale against a per-cell
Python loop (baseline: "per-cell loop"), and the whole pass against Pillow's quantize + box resize (baseline:
"Pillow", which blends colours; gamegen's pass keeps each cell's real colour). Minimum of the repeats.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable

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
    args = parser.parse_args()
    bench_sprites(args.sizes, args.repeats)
    bench_pixelart(args.repeats)


if __name__ == "__main__":
    main()
