"""Landscape speed and memory, as ratios against named baselines measured in the same run.

    .venv/bin/python benchmarks/bench_landscape.py                 # everything the issue asks for
    .venv/bin/python benchmarks/bench_landscape.py --skip-memory   # noise and erosion only (about a minute)

Noise: fBm, 6 octaves, on a 2049² grid — gamegen's pnoise2-compatible fast path vs ``noise.pnoise2`` called per
pixel in a Python loop that fills an array (100 rows, extrapolated per pixel; the bare C call rate without any loop
work is printed too) and vs pyfastnoiselite's Perlin FBm over the same grid
(targets ≥ 30× and ≥ 2×); plus a fresh process's first call, which must load the cached JIT, not compile.
Erosion: the heightmap's noise + droplet + thermal erosion (halo included) at 1025² and 2049² with the default
settings, which rain per pixel, so the work grows with area (target: 2049² ≤ 4.5× the time of 1025²).
Memory: peak resident memory of a child process that generates and exports a 4097² heightmap with erosion and
every mask (target ≤ 1.5 GB). Timings are the minimum of repeats (the steadier figure on a busy machine).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np

N_NOISE = 2049
OCTAVES = 6
FREQ = 1 / 256


def _best(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bench_noise(repeats: int) -> None:
    import noise
    from pyfastnoiselite.pyfastnoiselite import FastNoiseLite, FractalType, NoiseType

    from gamegen.landscape.noise import fractal_grid

    coords = np.arange(N_NOISE, dtype=np.float32) * np.float32(FREQ)
    fractal_grid(coords[:8], coords[:8], octaves=OCTAVES)  # load the cached kernels
    ours = _best(lambda: fractal_grid(coords, coords, octaves=OCTAVES), repeats)

    rows = 100  # a subsample of whole rows, extrapolated per pixel to the full grid
    out = np.empty((rows, N_NOISE), np.float32)
    pnoise = noise.pnoise2
    t = time.perf_counter()
    for r in range(rows):  # the loop a noise user writes: coordinates per pixel, results stored in an array
        y = r * FREQ
        for c in range(N_NOISE):
            out[r, c] = pnoise(c * FREQ, y, octaves=OCTAVES)
    per_pixel = (time.perf_counter() - t) / (rows * N_NOISE) * N_NOISE**2
    flat = [(float(x), float(y)) for y in coords[:rows] for x in coords]
    t = time.perf_counter()
    for x, y in flat:  # the C function alone: pre-built arguments, positional, results dropped
        pnoise(x, y, OCTAVES)
    bare = (time.perf_counter() - t) / len(flat) * N_NOISE**2

    fnl = FastNoiseLite(0)
    fnl.noise_type = NoiseType.NoiseType_Perlin
    fnl.fractal_type = FractalType.FractalType_FBm
    fnl.fractal_octaves = OCTAVES
    fnl.frequency = FREQ
    grid = np.arange(N_NOISE, dtype=np.float32)
    points = np.stack([np.tile(grid, N_NOISE), np.repeat(grid, N_NOISE)])
    fast_noise = _best(lambda: fnl.gen_from_coords(points), repeats)

    cold = subprocess.run(
        [
            sys.executable,
            "-c",
            "import time; t = time.perf_counter(); import numpy as np; "
            "from gamegen.landscape.noise import fractal_grid; fractal_grid(np.zeros(4), np.zeros(4), octaves=6); "
            "print(time.perf_counter() - t)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    mpx = N_NOISE**2 / 1e6
    print(f"noise fBm {OCTAVES} octaves {N_NOISE}²:")
    print(f"  gamegen fractal_grid       {ours:8.3f} s  {mpx / ours:7.1f} Mpx/s")
    print(f"  noise.pnoise2 per pixel    {per_pixel:8.3f} s  {mpx / per_pixel:7.2f} Mpx/s  ({rows} rows, extrapolated)")
    print(f"  noise.pnoise2 bare calls   {bare:8.3f} s  {mpx / bare:7.2f} Mpx/s  (no loop work, extrapolated)")
    print(f"  pyfastnoiselite FBm        {fast_noise:8.3f} s  {mpx / fast_noise:7.1f} Mpx/s")
    print(f"  ratio vs pnoise2 per pixel {per_pixel / ours:8.1f}×  (target ≥ 30×; vs bare calls {bare / ours:.1f}×)")
    print(f"  ratio vs pyfastnoiselite   {fast_noise / ours:8.2f}×  (target ≥ 2×)")
    print(f"  fresh process, import + first call: {float(cold.stdout):.2f} s (JIT cache loaded, not compiled)")


def bench_erosion(repeats: int) -> None:
    from gamegen.context import Context
    from gamegen.landscape.params import HeightmapParams
    from gamegen.landscape.terrain import Terrain

    params = HeightmapParams()
    terrain = Terrain.from_context(params, Context(0))
    terrain.window(0, 0, 64, 64)  # load the cached kernels
    wall: dict[int, list[float]] = {1025: [], 2049: []}
    cpu: dict[int, list[float]] = {1025: [], 2049: []}
    for _ in range(repeats):  # interleaved, so a busy spell on the machine hits both sizes alike
        for n in wall:
            t, c = time.perf_counter(), time.process_time()
            terrain.window(-1, -1, n + 2, n + 2)
            wall[n].append(time.perf_counter() - t)
            cpu[n].append(time.process_time() - c)
    print(
        f"erosion (noise + {params.erosion_iterations}×{params.rain} droplets/px + {params.thermal_iterations} "
        f"thermal steps, halo {terrain.halo} px), best of {repeats}:"
    )
    for n in wall:
        print(f"  {n}²  {min(wall[n]):7.2f} s wall  {min(cpu[n]):7.2f} s CPU")
    print(
        f"  ratio 2049² / 1025²  {min(wall[2049]) / min(wall[1025]):.2f}× wall, "
        f"{min(cpu[2049]) / min(cpu[1025]):.2f}× CPU  (area ratio 4.0; target ≤ 4.5×)"
    )


_MEMORY_CHILD = """
import resource, tempfile, gamegen
run = gamegen.run_generator("landscape.heightmap", {"size": 4097})
exported = gamegen.export_run(run, "terrain")
with tempfile.TemporaryDirectory() as out:
    gamegen.write_bundle(out + "/b", [exported], "generic")
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def bench_memory() -> None:
    t = time.perf_counter()
    child = subprocess.run([sys.executable, "-c", _MEMORY_CHILD], capture_output=True, text=True, check=True)
    peak_gb = int(child.stdout.split()[-1]) * 1024 / 1e9
    print("memory, 4097² heightmap with erosion, all masks, mesh and export (child process):")
    print(f"  peak RSS {peak_gb:.2f} GB  (target ≤ 1.5 GB), {time.perf_counter() - t:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-noise", action="store_true")
    parser.add_argument("--skip-erosion", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    if not args.skip_noise:
        bench_noise(args.repeats)
    if not args.skip_erosion:
        bench_erosion(args.repeats)
    if not args.skip_memory:
        bench_memory()


if __name__ == "__main__":
    main()
