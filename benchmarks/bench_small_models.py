"""Small models from scratch (gamegen-smallmodels): train ``image.ddpm``, ``image.gan`` and ``image.vae`` for a fixed
number of steps on sprites the benchmark makes, and measure what they give, beside two naive baselines.

    .venv/bin/python benchmarks/bench_small_models.py --quick      # < 2 minutes: 200 sprites, short runs
    .venv/bin/python benchmarks/bench_small_models.py              # 500 sprites, the default budgets below
    .venv/bin/python benchmarks/bench_small_models.py --only vae --steps 3000 --device cuda

Data: ``--items`` 32×32 sprites from ``character.sprite`` (seed i, the five templates in turn, the first idle
frame), so anyone can rerun it. Per model: training time (its own copy-check sampling turned off, so it is training
only), steps/s; sampling throughput (images/s, ``--throughput`` pictures drawn ``_BATCH`` at a time and finished
to RGBA with the palette, as the generators do); and on ``--eval`` fresh samples: the near-copy share (the model's
own copy check: nearest training thumbnail nearer than the model's limit), the diversity ratio (mean pairwise
thumbnail distance of samples / of the training set), and **MMD²**: the unbiased squared maximum mean discrepancy
with a Gaussian kernel (bandwidth: the median pairwise distance of the pooled sets) between samples and training
items, both as 8×8 premultiplied-RGBA thumbnails (256 numbers in [0, 1]). It needs no download (FID and LPIPS load
Inception/VGG weights from the internet). Lower is closer to the data; the "half vs half" row is the floor two
samples of the data itself give.

Baselines in the same run: random pixels from the data's palette (with the data's share of transparent pixels),
and nearest-training-item resampling (training items drawn at random: every one a copy, MMD² at the floor).

Torch runs on ``--threads`` threads (default 1: these models are too small to gain from a second thread, and on a
shared machine the extra thread only waits); load average, cores and per-core figures are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from gamegen_smallmodels.copycheck import CopyIndex, mean_pairwise_distance, thumbnails
from gamegen_smallmodels.folder import load_model
from PIL import Image

import gamegen
from gamegen.machine import usable_cores
from gamegen.training import train

TEMPLATES = ("humanoid", "quadruped", "flyer", "slime", "robot")
BUDGETS = {  # steps and settings per model: (quick, full)
    "ddpm": (
        {"steps": 80, "width": 16, "batch_size": 16, "sample_steps": 20},
        {"steps": 1500, "width": 32, "batch_size": 16},
    ),
    "gan": ({"steps": 150, "width": 16, "batch_size": 32}, {"steps": 3000, "width": 16, "batch_size": 32}),
    "vae": ({"steps": 150, "width": 16, "batch_size": 32}, {"steps": 2000, "width": 32, "batch_size": 32}),
}


def make_sprites(folder: Path, count: int) -> float:
    """``count`` 32×32 sprites from character.sprite into ``folder``; returns the seconds it took."""
    start = time.perf_counter()
    folder.mkdir(parents=True)
    for i in range(count):
        params = {"template": TEMPLATES[i % 5], "size": 32, "directions": 1, "animations": ["idle"], "idle_frames": 2}
        icon = next(a for a in gamegen.generate("character.sprite", seed=i, params=params) if a.name == "sprite_icon")
        Image.fromarray(icon.array).save(folder / f"sprite_{i:04d}.png")
    return time.perf_counter() - start


def features(pixels: np.ndarray) -> np.ndarray:
    """uint8 (N, 32, 32, 4) → (N, 256): 8×8 premultiplied-RGBA thumbnails in [0, 1]."""
    x = pixels.astype(np.float64) / 255.0
    x[..., :3] *= x[..., 3:]
    n, h, w, _ = x.shape
    return x.reshape(n, 8, h // 8, 8, w // 8, 4).mean(axis=(2, 4)).reshape(n, -1)


def mmd2(a: np.ndarray, b: np.ndarray, bandwidth: float) -> float:
    """Unbiased MMD² between the rows of ``a`` and ``b`` with a Gaussian kernel of ``bandwidth``."""

    def kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        d = (x * x).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2 * x @ y.T
        return np.exp(-np.maximum(d, 0) / (2 * bandwidth**2))

    kaa, kbb, kab = kernel(a, a), kernel(b, b), kernel(a, b)
    m, n = len(a), len(b)
    return float(
        (kaa.sum() - np.trace(kaa)) / (m * (m - 1)) + (kbb.sum() - np.trace(kbb)) / (n * (n - 1)) - 2 * kab.mean()
    )


def median_distance(x: np.ndarray) -> float:
    d = np.sqrt(np.maximum((x * x).sum(1)[:, None] + (x * x).sum(1)[None, :] - 2 * x @ x.T, 0))
    return float(np.median(d[np.triu_indices(len(x), 1)]))


def judge(
    name: str, made: np.ndarray, data: np.ndarray, index: CopyIndex, bandwidth: float, rng: np.random.Generator
) -> dict:
    """Near-copy share, diversity ratio and MMD² of the pictures ``made`` against the training ``data``."""
    checks = index.check(made)
    thumbs = thumbnails(made)
    return {
        "name": name,
        "near_copy_share": float(np.mean([c["near_copy"] for c in checks])),
        "diversity_ratio": mean_pairwise_distance(thumbs, rng) / mean_pairwise_distance(index.thumbs, rng),
        "mmd2": mmd2(features(made), features(data), bandwidth),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 sprites and short runs (< 2 minutes)")
    parser.add_argument("--items", type=int, help="sprites in the dataset (default 500; quick 200)")
    parser.add_argument("--only", choices=sorted(BUDGETS), action="append", help="models to run (default: all)")
    parser.add_argument("--steps", type=int, help="train every model for this many steps instead of its budget")
    parser.add_argument("--eval", type=int, help="samples judged per model (default 1000; quick 200)")
    parser.add_argument("--throughput", type=int, default=256, help="pictures timed for sampling throughput")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--keep", type=Path, help="keep the data and model folders here")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    items = args.items or (200 if args.quick else 500)
    evaluate = args.eval or (200 if args.quick else 1000)
    load_before = os.getloadavg()
    root = Path(args.keep or tempfile.mkdtemp(prefix="bench-small-"))
    started = time.perf_counter()
    loads = " ".join(f"{x:.2f}" for x in load_before)
    print(f"cores usable {usable_cores()}, torch threads {args.threads}, device {args.device}, load average {loads}")
    data_seconds = make_sprites(root / "data", items)
    data = np.stack([np.asarray(Image.open(p)) for p in sorted((root / "data").glob("*.png"))])
    print(f"data: {items} sprites 32×32 from character.sprite in {data_seconds:.1f} s")
    rng = np.random.default_rng(0)
    half = rng.permutation(items)
    bandwidth = median_distance(features(data))
    results = []
    index: CopyIndex | None = None
    for family in args.only or sorted(BUDGETS):
        budget = dict(BUDGETS[family][0 if args.quick else 1])
        if args.steps:
            budget["steps"] = args.steps
        params = {**budget, "size": 32, "copy_samples": 0, "checkpoint_every": budget["steps"]}
        t0 = time.perf_counter()
        train(f"image.{family}", root / "data", root / family, params, seed=0, device=args.device)
        train_s = time.perf_counter() - t0
        model = load_model(str(root / family), args.device)
        index = model.index
        assert index is not None
        model.finish(model.sample(8, torch.Generator().manual_seed(1)))  # warm-up
        t0 = time.perf_counter()
        model.finish(model.sample(args.throughput, torch.Generator().manual_seed(2)))
        rate = args.throughput / (time.perf_counter() - t0)
        made = model.finish(model.sample(evaluate, torch.Generator().manual_seed(3)))
        figures = judge(f"image.{family}", made, data, index, bandwidth, rng)
        figures.update(
            {
                "steps": budget["steps"],
                "train_s": train_s,
                "steps_per_s": budget["steps"] / train_s,
                "images_per_s": rate,
            }
        )
        results.append(figures)
        Image.fromarray(_grid(made[:64])).save(root / f"{family}_samples.png")
    assert index is not None
    palette = np.unique(data[data[..., 3] > 0][:, :3], axis=0)
    opaque = float((data[..., 3] > 0).mean())
    noise = palette[rng.integers(0, len(palette), (evaluate, 32, 32))]
    alpha = np.where(rng.random((evaluate, 32, 32, 1)) < opaque, 255, 0).astype(np.uint8)
    noise = np.concatenate([noise, alpha], axis=-1) * (alpha > 0)
    baselines = [
        judge("random palette pixels", noise.astype(np.uint8), data, index, bandwidth, rng),
        judge("nearest-training-item resampling", data[rng.integers(0, items, evaluate)], data, index, bandwidth, rng),
    ]
    floor = mmd2(features(data[half[: items // 2]]), features(data[half[items // 2 :]]), bandwidth)
    cores = args.threads if args.device == "cpu" else 1
    print()
    print(_row("model", "steps", "train s", "steps/s", "/core", "img/s", "/core", "near-copy", "diversity", "MMD²"))
    for r in results:
        speeds = (r["steps_per_s"], r["steps_per_s"] / cores, r["images_per_s"], r["images_per_s"] / cores)
        timing = (
            r["steps"],
            f"{r['train_s']:.1f}",
            *(f"{v:.2f}" if i < 2 else f"{v:.0f}" for i, v in enumerate(speeds)),
        )
        print(
            _row(r["name"], *timing, f"{r['near_copy_share']:.3f}", f"{r['diversity_ratio']:.3f}", f"{r['mmd2']:.4f}")
        )
    for r in baselines:
        print(
            _row(r["name"], *[""] * 6, f"{r['near_copy_share']:.3f}", f"{r['diversity_ratio']:.3f}", f"{r['mmd2']:.4f}")
        )
    print(_row("data: half vs half (floor)", *[""] * 8, f"{floor:.4f}"))
    loads = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"\nMMD²: Gaussian kernel, bandwidth {bandwidth:.3f} (median pairwise distance), 8×8 premultiplied RGBA; "
        f"{evaluate} samples per row. Wall {time.perf_counter() - started:.0f} s; load average after {loads}"
    )
    if args.json:
        doc = {
            "items": items,
            "threads": args.threads,
            "device": args.device,
            "floor_mmd2": floor,
            "rows": results + baselines,
        }
        print(json.dumps(doc))
    if args.keep is None:
        shutil.rmtree(root)
    else:
        print(f"data, models and sample grids (<model>_samples.png) kept in {root}")


def _row(*cells: object) -> str:
    """One line of the results table: the name right-aligned in 34 characters, then the figures."""
    widths = (34, 6, 8, 8, 7, 8, 8, 9, 9, 8)
    return " ".join(f"{cell!s:>{w}}" for cell, w in zip(cells, widths, strict=True))


def _grid(pictures: np.ndarray, columns: int = 8) -> np.ndarray:
    """Pictures on a grey background, ``columns`` a row, 2 px apart (a look at what a model makes)."""
    n, h, w, _ = pictures.shape
    rows = -(-n // columns)
    sheet = np.full((rows * (h + 2), columns * (w + 2), 4), (128, 128, 128, 255), np.uint8)
    for i, p in enumerate(pictures):
        r, c = divmod(i, columns)
        alpha = p[..., 3:] / 255.0
        cell = sheet[r * (h + 2) : r * (h + 2) + h, c * (w + 2) : c * (w + 2) + w]
        cell[..., :3] = (p[..., :3] * alpha + cell[..., :3] * (1 - alpha)).astype(np.uint8)
    return sheet


if __name__ == "__main__":
    sys.exit(main())
