"""Loading an image dataset: per-image cost of ``load_dataset`` (read, hash, decode, signature) against a bare
read + decode of the same files in the same run, and the near-duplicate search alone at growing sizes.

    .venv/bin/python benchmarks/bench_datasets.py                    # 1000 images of 64², search up to 20 000
    .venv/bin/python benchmarks/bench_datasets.py --images 4000 --size 128 --search 5000,50000

The load costs a fixed ≈0.2–0.3 ms an image over the bare decode (sha256, the 9×8 signature, captions): about
2.8× at 64², 1.7× at 256². The search grows with the square of the distinct signatures (it compares every pair,
in blocks): measured here ≈1 s for 20 000 and 15–30 s for 100 000 (the cap) on 2 busy cores.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from gamegen.datasets import load_dataset
from gamegen.datasets.duplicates import image_groups


def make_images(folder: Path, count: int, size: int) -> None:
    """``count`` smooth, different RGB pictures (seeded, so every run reads the same files)."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    for k in range(count):
        a, b, c = rng.uniform(0.5, 4.0, 3)
        rgb = np.stack([np.sin(a * x + b * y), np.cos(b * x - c * y), np.sin(c * (x + y))], -1)
        Image.fromarray(((rgb + 1) * 127.5).astype(np.uint8)).save(folder / f"{k:05}.png")


def bare(folder: Path) -> None:
    """Read and fully decode every PNG: the floor any loader pays."""
    for path in sorted(folder.glob("*.png")):
        with Image.open(path) as img:
            img.convert("RGBA")


def best_of(runs: int, fn: object) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--search", default="1000,5000,20000", help="signature counts for the search alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_images(folder, args.images, args.size)
        floor = best_of(3, lambda: bare(folder))
        load = best_of(3, lambda: load_dataset(folder))
        print(f"{args.images} images of {args.size}²: load_dataset {load * 1e3 / args.images:.3f} ms/image, "
              f"bare decode {floor * 1e3 / args.images:.3f} ms/image, ratio {load / floor:.2f}×")  # fmt: skip
    rng = np.random.default_rng(1)
    for count in map(int, args.search.split(",")):
        signatures = np.column_stack(
            [rng.integers(0, 2**63, count, dtype=np.uint64), rng.integers(0, 16, (count, 3)).astype(np.uint64)]
        )
        took = best_of(1, lambda s=signatures: image_groups(s))
        print(f"near-duplicate search over {count} signatures: {took:.2f} s")


if __name__ == "__main__":
    main()
