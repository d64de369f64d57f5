"""Cost of making a bundle durable before it is swapped into place, against the baseline ``per-file-fsync``.

    .venv/bin/python benchmarks/bench_bundle.py

``atomic_directory`` makes the finished folder durable with one ``syncfs`` of its filesystem (Linux); the baseline
is what it falls back to elsewhere, an ``fsync`` of every file. Both write the same files through the same swap.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import gamegen.atomic as atomic


def write_bundle(target: Path, files: int, size: int) -> float:
    """Seconds to write ``files`` files of ``size`` bytes into ``target`` through atomic_directory."""
    data = os.urandom(size)
    start = time.perf_counter()
    with atomic.atomic_directory(target) as tmp:
        for i in range(files):
            (tmp / f"asset-{i}.bin").write_bytes(data)
    return time.perf_counter() - start


def main() -> None:
    syncfs = atomic._syncfs
    if syncfs is None:
        print("syncfs is not available here: atomic_directory already uses the per-file-fsync baseline")
        return
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as root:
        target = Path(root) / "bundle"
        for files, size in [(20, 1_000_000), (300, 200_000), (2000, 4_000)]:
            ours, base = [], []
            for _ in range(5):
                ours.append(write_bundle(target, files, size))
                atomic._syncfs = None
                try:
                    base.append(write_bundle(target, files, size))
                finally:
                    atomic._syncfs = syncfs
            o, b = min(ours), min(base)
            print(
                f"{files:5d} files × {size / 1e3:6.0f} kB: syncfs {o:.3f} s, per-file-fsync {b:.3f} s, {b / o:.2f}× faster"
            )


if __name__ == "__main__":
    main()
