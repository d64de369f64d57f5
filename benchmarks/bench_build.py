"""Build throughput of an N×N ``landscape.world`` tile recipe: 1 vs 2 local workers, Dask vs the local pool, cold vs warm.

Every figure is a ratio against a baseline measured in the same run (cold builds use an empty cache each):

    .venv/bin/python benchmarks/bench_build.py                 # 8×8 tiles of 65², as in the issue
    .venv/bin/python benchmarks/bench_build.py --grid 4 --set tile_size=129 --generator landscape.world
    .venv/bin/python benchmarks/bench_build.py --schedule-only   # the starter on 2 workers vs the ideal schedule

Expect ≥ 1.7× for 2 workers vs 1 on a 2-core machine, Dask within 1.2× of the local pool, and a warm rebuild in
a small fraction of the cold time. Worker start-up (process spawn, LocalCluster) is inside every timing. Workers
are single-threaded (``--worker-threads 1``) so that the ratio measures the build's own scaling, not numba's
threads inside one tile; the load average is printed because other work on the machine skews every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import gamegen
from gamegen.builds.executors import THREAD_VARIABLES


def world_recipe(generator: str, grid: int, params: dict[str, Any]) -> dict[str, Any]:
    """One asset expanded to grid×grid tiles that share a seed: the showcase of tile-parallel builds."""
    cells = list(range(grid))
    return {
        "name": "bench-world",
        "seed": 2024,
        "asset": [
            {
                "name": "world",
                "generator": generator,
                "params": {"grid": grid, **params},
                "matrix": {"tile_x": cells, "tile_y": cells},
            }
        ],
    }


def timed_build(recipe: dict[str, Any], root: Path, label: str, cache: Path | None = None, **kw: Any) -> float:
    """Seconds for one build into ``root/label`` (a fresh cache unless ``cache`` is given)."""
    start = time.perf_counter()
    gamegen.build(recipe, out=root / label, cache=cache or root / f"cache-{label}", **kw)
    return time.perf_counter() - start


STARTER = Path(__file__).parent.parent / "examples" / "starter" / "gamegen.toml"


def schedule(root: Path, jobs: int) -> None:
    """The starter recipe's speed-up on ``jobs`` workers (baseline: the same build on one, in this process) against
    the ideal speed-up, sum of job times / max(longest job, sum / jobs): cold (no history: the generators' estimates
    order the jobs), then a forced rebuild that orders them by the times the first build recorded."""
    start = time.perf_counter()
    gamegen.build(STARTER, out=root / "serial", cache=root / "cache-serial", jobs=1)
    serial = time.perf_counter() - start
    cache = root / "cache-starter"
    for label, force in (("cold, estimates", False), ("rebuild, recorded times", True)):
        start = time.perf_counter()
        report = gamegen.build(STARTER, out=root / "starter", cache=cache, jobs=jobs, force=force)
        wall = time.perf_counter() - start
        seconds = [a.seconds for a in report.assets]
        ideal = sum(seconds) / max(max(seconds), sum(seconds) / jobs)
        print(
            f"  starter, {jobs} workers, {label:<24} {wall:6.2f} s wall vs {serial:.2f} s on one: {serial / wall:.2f}× "
            f"of an ideal {ideal:.2f}× (sum {sum(seconds):.2f} s, longest {max(seconds):.2f} s): "
            f"{serial / wall / ideal:.0%} of ideal (expect ≥ 90%)"
        )


def parse_sets(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, _, raw = pair.partition("=")
        out[key] = json.loads(raw)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generator", default="landscape.world")
    parser.add_argument("--grid", type=int, default=8, help="tiles per side")
    parser.add_argument("--set", dest="sets", action="append", default=["tile_size=65"], metavar="KEY=JSON")
    parser.add_argument("--worker-threads", type=int, default=1, help="numba/BLAS threads per worker")
    parser.add_argument("--schedule-only", action="store_true", help="only the starter-recipe scheduling figures")
    args = parser.parse_args()
    os.environ.update({name: str(args.worker_threads) for name in THREAD_VARIABLES})
    load_before = os.getloadavg()
    if args.schedule_only:
        print(f"load average (1 min) before {load_before[0]:.1f}; {os.cpu_count()} cores")
        with tempfile.TemporaryDirectory(prefix="gamegen-bench-") as tmp:
            schedule(Path(tmp), 2)
        print(f"load average (1 min) after {os.getloadavg()[0]:.1f}")
        return
    recipe = world_recipe(args.generator, args.grid, parse_sets(args.sets))
    tiles = args.grid**2
    with tempfile.TemporaryDirectory(prefix="gamegen-bench-") as tmp:
        root = Path(tmp)
        timings = {
            "processes, 1 worker": timed_build(recipe, root, "p1", executor="processes", jobs=1),
            "processes, 2 workers": timed_build(recipe, root, "p2", executor="processes", jobs=2),
            "dask LocalCluster, 2 workers": timed_build(recipe, root, "dask", executor="dask", jobs=2),
            "warm rebuild (all cached)": timed_build(recipe, root, "p1", cache=root / "cache-p1"),
        }
        same = len({(root / d / "manifest.json").read_bytes() for d in ("p1", "p2", "dask")}) == 1
    print(
        f"{args.generator}: {args.grid}×{args.grid} = {tiles} tiles, params {parse_sets(args.sets)}, "
        f"{args.worker_threads} thread(s) per worker, {os.cpu_count()} cores"
    )
    print(f"  load average (1 min) before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}")
    for label, seconds in timings.items():
        print(f"  {label:<30} {seconds:7.2f} s   {tiles / seconds:7.1f} tiles/s")
    p1, p2, dask, warm = timings.values()
    print(f"  2 workers vs 1 worker   (baseline: processes, 1 worker):  {p1 / p2:.2f}× throughput (expect ≥ 1.7×)")
    print(f"  dask vs local pool      (baseline: processes, 2 workers): {dask / p2:.2f}× the time (expect ≤ 1.2×)")
    print(
        f"  warm vs cold rebuild    (baseline: processes, 1 worker):  {warm / p1:.3f}× the time ({p1 / warm:.0f}× faster)"
    )
    print(f"  bundles byte-identical across executors: {same}")
    with tempfile.TemporaryDirectory(prefix="gamegen-bench-") as tmp:
        schedule(Path(tmp), 2)


if __name__ == "__main__":
    main()
