"""Builds: an N×N ``landscape.world`` tile recipe on 1 vs 2 workers, Dask vs the local pool, cold vs warm; the starter
recipe's schedule on 2 workers against the ideal one; a no-op ``gamegen build`` from the command line.

Every figure is a ratio against a baseline measured in the same run (cold builds use an empty cache each):

    .venv/bin/python benchmarks/bench_build.py                 # everything: 8×8 tiles of 65², schedule, no-op
    .venv/bin/python benchmarks/bench_build.py --grid 4 --set tile_size=129 --generator landscape.world
    .venv/bin/python benchmarks/bench_build.py --schedule-only   # the starter on 2 workers vs the ideal schedule
    .venv/bin/python benchmarks/bench_build.py --noop-only       # `gamegen build` of the unchanged starter

Expect ≥ 1.7× for 2 workers vs 1 on a 2-core machine, Dask within 1.2× of the local pool, and a warm rebuild in
a small fraction of the cold time. Worker start-up (process spawn, LocalCluster) is inside every timing. Workers
are single-threaded (``--worker-threads 1``) so that the ratio measures the build's own scaling, not numba's
threads inside one tile; the load average is printed because other work on the machine skews every figure.

Schedule: the starter on 2 workers against the ideal, sum of job times / max(longest job, sum / 2): the job phase
(first job's start to last job's end, from each asset's ``started`` and ``seconds`` in the report) against the ideal
wall of the same jobs (expect ≥ 90%), and the whole build's speed-up against the ideal speed-up, with the bound that
the serial part of a build (start-up, planning, writing the bundle) sets on it. In this process (baselines: the same
build on one worker, first in the process and again at the end; once numba's threading layer runs here, workers are
spawned, not forked, and load everything again), and from the command line, where each build is a fresh
``gamegen build --json`` (baseline: ``--jobs 1``).

No-op: the wall and CPU time of ``gamegen build`` of the starter with nothing to do (expect ≤ 0.3 s) beside a bare
``python -c pass``, ``gamegen --version`` and the same build without its stamp (every asset checked against the
cache, the bundle written again: the path a no-op build took before), medians of repeats; child processes write
their bytecode cache (as an installed gamegen has one) into a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import gamegen
from gamegen.builds.executors import THREAD_VARIABLES

STARTER = Path(__file__).parent.parent / "examples" / "starter" / "gamegen.toml"
GAMEGEN = [sys.executable, "-m", "gamegen"]


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


def _load() -> str:
    return f"load average (1 min) {os.getloadavg()[0]:.1f}; {os.cpu_count()} cores"


def _ideal(seconds: list[float], jobs: int) -> float:
    """The ideal speed-up of jobs taking ``seconds`` on ``jobs`` workers: sum / max(longest, sum / jobs)."""
    return sum(seconds) / _ideal_wall(seconds, jobs)


def _ideal_wall(seconds: list[float], jobs: int) -> float:
    """The shortest wall time jobs taking ``seconds`` can take on ``jobs`` workers (a load on the machine lengthens
    the jobs and so this too: wall / ideal wall stays comparable when the load is steady)."""
    return max(max(seconds), sum(seconds) / jobs)


def schedule(root: Path, jobs: int) -> None:
    """The starter recipe's speed-up on ``jobs`` workers against the ideal speed-up: cold (no history: the generators'
    estimates order the jobs), then a forced rebuild that orders them by the times the first build recorded. Two
    baselines on one worker: the first build in this process (it also loads every generator and JIT cache, as the
    command line does), and a forced rebuild after the others (everything loaded, as in the parallel builds)."""
    start = time.perf_counter()
    gamegen.build(STARTER, out=root / "serial", cache=root / "cache-serial", jobs=1)
    first = time.perf_counter() - start
    cache = root / "cache-starter"
    runs = {}
    for label, force in (("cold, estimates", False), ("rebuild, recorded times", True)):
        start = time.perf_counter()
        report = gamegen.build(STARTER, out=root / "starter", cache=cache, jobs=jobs, force=force)
        wall = time.perf_counter() - start
        runs[label] = (wall, [a.seconds for a in report.assets], _job_phase([(a.started, a.seconds) for a in report.assets]))
    start = time.perf_counter()
    gamegen.build(STARTER, out=root / "serial", cache=root / "cache-serial", jobs=1, force=True)
    warm = time.perf_counter() - start
    for label, (wall, seconds, phase) in runs.items():
        ideal = _ideal(seconds, jobs)
        print(
            f"  in this process, {label}: {wall:.2f} s wall, jobs {sum(seconds):.2f} s in all, longest "
            f"{max(seconds):.2f} s: ideal {ideal:.2f}×, ideal wall {_ideal_wall(seconds, jobs):.2f} s; job phase "
            f"{phase:.2f} s: {_ideal_wall(seconds, jobs) / phase:.0%} of the ideal wall\n"
            f"    vs one worker: first build {first:.2f} s: {first / wall:.2f}×, {first / wall / ideal:.0%} of ideal; "
            f"warm rebuild {warm:.2f} s: {warm / wall:.2f}×, {warm / wall / ideal:.0%} of ideal"
        )


def _cli(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU seconds (user + system, the child and its workers) of one ``gamegen`` command, and its stdout.

    Output goes to a file, not a pipe: a pipe would also wait for helper processes that hold it (multiprocessing's
    resource tracker outlives a build by a moment), which a terminal does not.
    """
    with tempfile.TemporaryFile("w+") as out:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(args, stdout=out, stderr=subprocess.DEVNULL, text=True, env=env, check=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        out.seek(0)
        text = out.read()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, text


def _child_env(root: Path) -> dict[str, str]:
    """The environment of timed child processes: bytecode cached (in ``root``), as an installed gamegen has it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": str(root / "pycache")}


def _job_phase(spans: list[tuple[float | None, float]]) -> float:
    """Seconds from the first job's start to the last job's end, from each job's (started, seconds): the part of a
    build its schedule decides."""
    ran = [(start, seconds) for start, seconds in spans if start is not None]
    return max(start + seconds for start, seconds in ran) - min(start for start, _ in ran)


def schedule_cli(root: Path, jobs: int, repeats: int) -> None:
    """``gamegen build --jobs N`` of the starter from a fresh cache, against ``--jobs 1`` (interleaved repeats): the
    whole command against the ideal speed-up, and its job phase (first job's start to last job's end) against the
    ideal wall of the same jobs. The bound: what the whole command would reach with a perfect schedule and no
    per-process cost, as the serial part (start-up, planning, writing the bundle) stays."""
    env = _child_env(root)
    warm = [*GAMEGEN, "build", str(STARTER), "-o", str(root / "cli-warm"), "--cache", str(root / "cli-warm-cache")]
    _cli([*warm, "--jobs", str(jobs)], env)  # every module's bytecode written once, by a process and a worker
    walls: dict[int, list[float]] = {1: [], jobs: []}
    ideals: list[float] = []
    phases: list[float] = []
    serial_parts: list[float] = []
    sums: list[float] = []
    for r in range(repeats):
        for n in walls:
            args = [*GAMEGEN, "build", str(STARTER), "-o", str(root / f"cli-{n}-{r}"), "--json", "--jobs", str(n)]
            wall, _, out = _cli([*args, "--cache", str(root / f"cli-cache-{n}-{r}")], env)
            walls[n].append(wall)
            assets = json.loads(out)["assets"]
            seconds = [a["seconds"] for a in assets]
            if n == 1:
                serial_parts.append(wall - sum(seconds))
                sums.append(sum(seconds))
            else:
                ideals.append(_ideal(seconds, jobs))
                phases.append(_ideal_wall(seconds, jobs) / _job_phase([(a["started"], a["seconds"]) for a in assets]))
    serial, parallel, ideal = statistics.median(walls[1]), statistics.median(walls[jobs]), statistics.median(ideals)
    fixed, work = statistics.median(serial_parts), statistics.median(sums)
    bound = (fixed + work) / (fixed + work / jobs) / ideal
    print(
        f"  command line (medians of {repeats}):   {parallel:6.2f} s wall vs {serial:.2f} s with --jobs 1: "
        f"{serial / parallel:.2f}× of an ideal {ideal:.2f}×: {serial / parallel / ideal:.0%} of ideal; "
        f"best {min(walls[1]) / min(walls[jobs]) / ideal:.0%}\n"
        f"    job phase: {statistics.median(phases):.0%} of the ideal wall of its jobs (expect ≥ 90%; "
        f"worst {min(phases):.0%})\n"
        f"    serial part of a build (start-up, planning, bundle writing): {fixed:.2f} s beside {work:.2f} s of jobs: "
        f"a perfect schedule with no per-process cost would reach {bound:.0%} of ideal for the whole command"
    )


def noop(root: Path, repeats: int) -> None:
    """A no-op ``gamegen build`` of the starter (everything cached, nothing changed) against a bare interpreter."""
    env = _child_env(root)
    build = [*GAMEGEN, "build", str(STARTER), "-o", str(root / "noop"), "--cache", str(root / "noop-cache")]
    _cli(build, env)  # the first build: everything made and cached, the stamp written
    full = "gamegen build (no stamp)"  # the baseline: every asset checked against the cache, the bundle rewritten
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "gamegen --version": [*GAMEGEN, "--version"],
        "gamegen build (no-op)": build,
        full: build,
    }
    times: dict[str, list[tuple[float, float]]] = {label: [] for label in commands}
    for _ in range(repeats):  # interleaved, so a busy spell hits every command alike
        for label, args in commands.items():
            if label == full:
                shutil.rmtree(root / "noop-cache" / "stamps")
            times[label].append(_cli(args, env)[:2])
    print(f"no-op build of the starter from the command line, medians of {repeats}; {_load()}:")
    wall = {label: statistics.median(w for w, _ in t) for label, t in times.items()}
    for label, t in times.items():
        cpu = statistics.median(c for _, c in t)
        print(f"  {label:<24} {wall[label]:6.3f} s wall  {cpu:6.3f} s CPU  (best {min(w for w, _ in t):.3f} s)")
    bare, build_wall = wall["python -c pass"], wall["gamegen build (no-op)"]
    print(
        f"  no-op build: {build_wall:.3f} s (expect ≤ 0.3 s), {build_wall - bare:.3f} s above a bare interpreter, "
        f"{wall[full] / build_wall:.1f}× faster than checking every asset against the cache"
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
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the command-line timings")
    parser.add_argument("--schedule-only", action="store_true", help="only the starter-recipe scheduling figures")
    parser.add_argument("--noop-only", action="store_true", help="only the no-op build from the command line")
    args = parser.parse_args()
    os.environ.update({name: str(args.worker_threads) for name in THREAD_VARIABLES})
    load_before = os.getloadavg()
    if args.noop_only:
        with tempfile.TemporaryDirectory(prefix="gamegen-bench-") as tmp:
            noop(Path(tmp), max(args.repeats, 5))
        return
    if args.schedule_only:
        print(f"starter on 2 workers vs the ideal schedule; {_load()}")
        with tempfile.TemporaryDirectory(prefix="gamegen-bench-") as tmp:
            schedule(Path(tmp), 2)
            schedule_cli(Path(tmp), 2, args.repeats)
        print(f"  {_load()} after")
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
    print(f"starter on 2 workers vs the ideal schedule; {_load()}")
    with tempfile.TemporaryDirectory(prefix="gamegen-bench-") as tmp:
        schedule(Path(tmp), 2)
        schedule_cli(Path(tmp), 2, args.repeats)
    with tempfile.TemporaryDirectory(prefix="gamegen-bench-") as tmp:
        noop(Path(tmp), max(args.repeats, 5))


if __name__ == "__main__":
    main()
