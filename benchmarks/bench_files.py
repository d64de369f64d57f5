"""File work (PNG encode + hash + write + sync) in whole ``gamegen.generate`` calls: today's path vs the new default.

    .venv/bin/python benchmarks/bench_files.py                    # everything the issue asks for
    .venv/bin/python benchmarks/bench_files.py --skip-2049 --repeats 2
    .venv/bin/python benchmarks/bench_files.py --only-combinations  # the encoder settings the default was picked from

Whole calls ``gamegen.generate(name, out=tmp, ...)`` of ``landscape.heightmap`` (size 1025 and 2049) and
``texture.material`` (1024², families stone and brick), each in two modes, interleaved repeat by repeat so a busy
spell on the machine hits both alike:

- ``baseline``: ``compression="small"`` with the assets exported one after another (``export_run(threads=1)``)
  once the generator has returned: 0.2's bytes and 0.2's schedule;
- ``default``: what a plain ``gamegen.generate`` does now (``compression="fast"``, assets encoded on one thread per
  core, and those the generator marks ready with ``ctx.ready`` encoded on the spare core while it goes on); and
  ``fast, 1 thread`` between the two (no early encoding), to tell the encoder's share of the gain from the threads'.

For each: wall seconds, process CPU seconds and cores busy (CPU / wall, out of the cores this process may use), the
file-work share (time inside ``export_run`` + ``write_bundle`` — encode, hash, write, sync — over the whole call: the
two are wrapped with timers inside ``gamegen.api``; encoding that overlapped the generator is not in it, but any
time it took from the generator is in the wall and the ``generator`` column), and the bundle's size. Targets: file work ≤ 20 % of the call;
the default ≥ 1.5× faster than the baseline for the heightmap at 2049² and ≥ 2× for the material at 1024². Minima and
medians of the repeats are printed (the minimum is the steadier figure on a busy machine), with the load average
before and after, since other work on the machine skews every figure.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import os
import statistics
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import gamegen
import gamegen.api as api
from gamegen.bundle import export_run
from gamegen.export.png import encode_png
from gamegen.machine import usable_cores

CORES = usable_cores()

MODES: dict[str, dict[str, Any]] = {
    "baseline": {"compression": "small", "threads": 1, "early": False},  # 0.2: one after another, at the end
    "fast, 1 thread": {"compression": "fast", "threads": 1, "early": False},  # what the encoder alone gives
    "default": {"compression": "fast", "threads": None, "early": True},  # fast, all cores, early
}


@dataclass
class Sample:
    wall: float
    cpu: float
    files: float  # seconds inside export_run + write_bundle
    size: int  # bytes of the bundle


@dataclass
class Case:
    label: str
    generator: str
    params: dict[str, Any]
    target: float | None  # speed-up the issue asks for (None: none)
    samples: dict[str, list[Sample]] = field(default_factory=lambda: {m: [] for m in MODES})


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (1 min), {five:.1f} (5 min)"


@contextlib.contextmanager
def _no_early_export(compression: str) -> Iterator[None]:
    """Every file encoded after the generator returns, as before ``ctx.ready``."""
    yield None


def whole_call(case: Case, mode: str, root: Path) -> Sample:
    """One ``gamegen.generate`` call with ``export_run`` and ``write_bundle`` timed from inside."""
    settings = MODES[mode]
    spent = [0.0]

    def timed(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - t

        return wrapper

    exporter = functools.partial(export_run, threads=settings["threads"])
    originals = api.export_run, api.write_bundle, api.early_export
    api.export_run, api.write_bundle = timed(exporter), timed(api.write_bundle)
    if not settings["early"]:
        api.early_export = _no_early_export
    out = root / f"{case.label}-{mode}"
    try:
        t, c = time.perf_counter(), time.process_time()
        gamegen.generate(case.generator, out=out, compression=settings["compression"], params=case.params)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
    finally:
        api.export_run, api.write_bundle, api.early_export = originals
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return Sample(wall, cpu, spent[0], size)


def bench_calls(cases: list[Case], repeats: int) -> None:
    print(f"whole gamegen.generate calls, {repeats} interleaved repeats; {CORES} cores; load {_load()}")
    for case in cases:  # warm-up: imports, registry, JIT caches, first-call allocations
        gamegen.run_generator(case.generator, {**case.params, "size": 65 if "heightmap" in case.generator else 64})
    with tempfile.TemporaryDirectory(prefix="gamegen-bench-files-") as tmp:
        root = Path(tmp)
        for case in cases:
            for _ in range(repeats):
                for mode in MODES:
                    case.samples[mode].append(whole_call(case, mode, root))
            report(case)
    print(f"load after: {_load()}")


def report(case: Case) -> None:
    print(f"\n## {case.label}")
    print(
        f"{'mode':>14} {'wall min':>9} {'median':>7} {'CPU':>7} {'cores busy':>10} {'files min':>9} "
        f"{'file share':>10} {'generator':>9} {'bundle MB':>9}"
    )
    best: dict[str, Sample] = {}
    for mode, samples in case.samples.items():
        s = best[mode] = min(samples, key=lambda x: x.wall)
        median = statistics.median(x.wall for x in samples)
        files = min(x.files for x in samples)
        print(
            f"{mode:>14} {s.wall:8.2f}s {median:6.2f}s {s.cpu:6.2f}s {s.cpu / s.wall:5.2f}/{CORES:<4} "
            f"{files:8.2f}s {s.files / s.wall:9.0%} {s.wall - s.files:8.2f}s {s.size / 1e6:9.2f}"
        )
    base = case.samples["baseline"]
    for mode in [m for m in MODES if m != "baseline"]:
        new = case.samples[mode]
        by_min = min(x.wall for x in base) / min(x.wall for x in new)
        by_median = statistics.median(x.wall for x in base) / statistics.median(x.wall for x in new)
        files = min(x.files for x in base) / min(x.files for x in new)
        target = f"target ≥ {case.target}×" if case.target and mode == "default" else "no target"
        share = best[mode].files / best[mode].wall
        print(
            f"  {mode} vs baseline: {by_min:.2f}× (min), {by_median:.2f}× (median) faster [{target}]; file work "
            f"{files:.1f}× faster; file share {share:.0%}{' [target ≤ 20%]' if mode == 'default' else ''}; "
            f"bundle {best[mode].size / best['baseline'].size:.3f}× the size"
        )


def _pillow(a: np.ndarray, level: int, strategy: int = -1) -> bytes:
    from PIL import Image

    img = (
        Image.frombytes("I;16", a.shape[::-1], a.astype("<u2").tobytes())
        if a.dtype == np.uint16
        else Image.fromarray(a)
    )
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=level, optimize=False, compress_type=strategy)
    return buf.getvalue()


def _filtered(a: np.ndarray, kind: str, level: int, strategy: int) -> bytes:
    """The image stream with one PNG filter on every row, deflated (the IDAT payload; chunk overhead is tiny)."""
    rows = (a.astype(">u2") if a.dtype == np.uint16 else a).reshape(a.shape[0], -1).view(np.uint8)
    bpp = rows.shape[1] // a.shape[1]
    out = np.empty((rows.shape[0], rows.shape[1] + 1), np.uint8)
    out[:, 0] = {"none": 0, "sub": 1, "up": 2, "avg": 3}[kind]
    body = out[:, 1:]
    if kind == "none":
        body[:] = rows
    elif kind == "sub":
        body[:, :bpp] = rows[:, :bpp]
        np.subtract(rows[:, bpp:], rows[:, :-bpp], out=body[:, bpp:])
    elif kind == "up":
        body[0] = rows[0]
        np.subtract(rows[1:], rows[:-1], out=body[1:])
    else:  # avg: minus the mean of left and up, rounded down
        wide = rows.astype(np.uint16)
        pred = np.zeros_like(wide)
        pred[1:] += wide[:-1]
        pred[:, bpp:] += wide[:, :-bpp]
        np.subtract(rows, (pred >> 1).astype(np.uint8), out=body)
    deflate = zlib.compressobj(level, zlib.DEFLATED, 15, 8, strategy)
    return deflate.compress(out) + deflate.flush()


COMBINATIONS: dict[str, Callable[[np.ndarray], bytes]] = {
    "small: Pillow adaptive, zlib 6": lambda a: encode_png(a, compression="small"),
    "Pillow adaptive, zlib 1": lambda a: _pillow(a, 1),
    "Pillow adaptive, zlib 1, Z_RLE": lambda a: _pillow(a, 1, zlib.Z_RLE),
    "Pillow adaptive, zlib 0 (filter cost)": lambda a: _pillow(a, 0),
    "no filter, zlib 1": lambda a: _filtered(a, "none", 1, zlib.Z_DEFAULT_STRATEGY),
    "Up, zlib 1": lambda a: _filtered(a, "up", 1, zlib.Z_DEFAULT_STRATEGY),
    "Up, Z_HUFFMAN_ONLY": lambda a: _filtered(a, "up", 1, zlib.Z_HUFFMAN_ONLY),
    "Sub, Z_RLE": lambda a: _filtered(a, "sub", 1, zlib.Z_RLE),
    "Avg, Z_RLE": lambda a: _filtered(a, "avg", 1, zlib.Z_RLE),
    "fast: Up, Z_RLE (strips, whole PNG)": lambda a: encode_png(a, compression="fast"),
}


def bench_combinations(repeats: int) -> None:
    """Serial encode seconds and bytes, summed over every image of a heightmap (1025) and a stone set (1024²)."""
    arrays: list[np.ndarray] = []
    for name, params in (("landscape.heightmap", {"size": 1025}), ("texture.material", {"size": 1024})):
        for asset in gamegen.run_generator(name, params).assets:
            a = getattr(asset, "heights", getattr(asset, "array", None))
            if isinstance(a, np.ndarray):
                arrays.append(np.ascontiguousarray(a))
    raw = sum(a.nbytes for a in arrays)
    print(
        f"\nencoder settings, one thread, {len(arrays)} images ({raw / 1e6:.0f} MB raw), best of {repeats}; load {_load()}"
    )
    print(f"{'':>40} {'seconds':>8} {'MB':>7} {'MB/s':>6}")
    for label, fn in COMBINATIONS.items():
        seconds = size = 0.0
        for a in arrays:
            times = []
            for _ in range(repeats):
                t = time.perf_counter()
                n = len(fn(a))
                times.append(time.perf_counter() - t)
            seconds += min(times)
            size += n
        print(f"{label:>40} {seconds:8.3f} {size / 1e6:7.2f} {raw / 1e6 / seconds:6.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-2049", action="store_true", help="leave out the 2049² heightmap (the slow case)")
    parser.add_argument("--skip-combinations", action="store_true")
    parser.add_argument("--only-combinations", action="store_true")
    args = parser.parse_args()
    cases = [
        Case("landscape.heightmap 1025²", "landscape.heightmap", {"size": 1025}, None),
        Case("landscape.heightmap 2049²", "landscape.heightmap", {"size": 2049}, 1.5),
        Case("texture.material stone 1024²", "texture.material", {"family": "stone", "size": 1024}, 2.0),
        Case("texture.material brick 1024²", "texture.material", {"family": "brick", "size": 1024}, 2.0),
    ]
    if args.skip_2049:
        cases = [c for c in cases if "2049" not in c.label]
    if not args.only_combinations:
        bench_calls(cases, args.repeats)
    if not args.skip_combinations:
        bench_combinations(args.repeats)


if __name__ == "__main__":
    main()
