"""Landscape speed and memory, as ratios against named baselines measured in the same run.

    .venv/bin/python benchmarks/bench_landscape.py                 # everything the issue asks for
    .venv/bin/python benchmarks/bench_landscape.py --skip-memory   # noise and erosion only (about a minute)
    .venv/bin/python benchmarks/bench_landscape.py --only warped heightmap peak

Noise: fBm, 6 octaves, on a 2049² grid — gamegen's pnoise2-compatible fast path vs ``noise.pnoise2`` called per
pixel in a Python loop that fills an array (100 rows, extrapolated per pixel; the bare C call rate without any loop
work is printed too) and vs pyfastnoiselite's Perlin FBm over the same grid
(targets ≥ 30× and ≥ 2×); plus a fresh process's first call, which must load the cached JIT, not compile.
Warped fBm: the default terrain's noise (8 octaves displaced by two 4-octave fBm fields, as ``Terrain.base_height``
makes it) per core — a child process with NUMBA_NUM_THREADS=1, CPU seconds — vs pyfastnoiselite building the same
warped fBm (its binding has no domain-warp call: two FBm offset fields, then FBm at the displaced points; target ≥ 2×),
vs pyfastnoiselite's plain 8-octave FBm and vs gamegen's per-point path (``fractal_grid`` offsets, then
``fractal_points``); then the same with every numba thread (wall).
Heightmap: whole ``landscape.heightmap`` generation (no export) at 1025² and 2049² with the default settings, wall and
CPU, against the same generation with the noise on the per-point path (same bytes).
Erosion: the heightmap's noise + droplet + thermal erosion (halo included) at 1025² and 2049² with the default
settings, which rain per pixel, so the work grows with area (target: 2049² ≤ 4.5× the time of 1025²).
World: one ``landscape.world`` tile (the middle one of a 3×3 grid, default settings, no export) at 65²…513², per core
(a child with NUMBA_NUM_THREADS=1, CPU seconds), against the same tile made with the erosion lattice of
landscape.world < 1.3 (blocks centred on tile corners: 2×2 blocks of a period plus 2·69 px each, kept here as the
baseline) and against a heightmap of the tile's size; the pixels each tile erodes, per (tile + 2·TILE_HALO)² (target:
a tile's time grows with its area plus its halo, not more).
Peak: the resident memory a 4097² ``landscape.heightmap`` generation adds to its process — a fresh child warmed up
by a small run; its peak resident set (VmHWM, the image's own ``ru_maxrss``) before and after ``gamegen.run_generator``,
no export — against the bytes of the arrays it returns (target ≤ 1.3×).
Memory: peak resident memory (VmHWM) of a child process that generates and exports a 4097² heightmap with erosion and
every mask (target ≤ 1.5 GB). Timings are the minimum of repeats (the steadier figure on a busy machine); the load
average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
from peak_memory import peak_ratio

N_NOISE = 2049
OCTAVES = 6
FREQ = 1 / 256
SECTIONS = ("noise", "warped", "heightmap", "erosion", "world", "peak", "memory")
WORLD_TILES = (65, 129, 257, 513)


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} (1 min), {five:.1f} (5 min); {os.cpu_count()} cores"


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


def _warped_case() -> tuple[Callable[[], object], Callable[[], object], int, float]:
    """The default terrain's warped fBm on an N_NOISE² window, and the same numbers by the per-point path."""
    from gamegen.context import Context
    from gamegen.landscape import terrain as terrain_module
    from gamegen.landscape.params import HeightmapParams

    terrain = terrain_module.Terrain.from_context(HeightmapParams(), Context(0))
    terrain.base_height(0, 0, 16, 16)  # load the cached kernels
    p = terrain.params

    def per_point() -> object:
        with _per_point_noise():
            return terrain.base_height(0, 0, N_NOISE, N_NOISE)

    with _per_point_noise():
        terrain.base_height(0, 0, 16, 16)
    return (
        (lambda: terrain.base_height(0, 0, N_NOISE, N_NOISE)),
        per_point,
        p.octaves,
        p.metres_per_pixel / p.feature_scale_m,
    )


@contextmanager
def _per_point_noise() -> Iterator[None]:
    """Terrain's warped fBm computed the general way: full-size offset fields on the grid path, then every displaced
    point through ``fractal_points`` (the path the default heightmap took before; the same bits)."""
    from gamegen.landscape import noise
    from gamegen.landscape import terrain as terrain_module

    def warped(xs, ys, warp_x, warp_y, gain, warp_octaves, warp_base, octaves, persistence, lacunarity, **kw):  # noqa: ANN001, ANN202
        g = np.float32(gain)
        u = noise.fractal_grid(*warp_x, octaves=warp_octaves, base=warp_base) * g + xs[None, :]
        v = noise.fractal_grid(*warp_y, octaves=warp_octaves, base=warp_base) * g + ys[:, None]
        return noise.fractal_points(u, v, octaves, persistence, lacunarity, **kw)

    original = terrain_module.warped_fractal_grid
    terrain_module.warped_fractal_grid = warped
    try:
        yield
    finally:
        terrain_module.warped_fractal_grid = original


def _fnl_warped(
    octaves: int, frequency: float, amplitude_px: float
) -> tuple[Callable[[], object], Callable[[], object]]:
    """pyfastnoiselite's warped fBm over the same grid (two 4-octave FBm offset fields, FBm at the displaced points;
    its binding has no domain-warp call) and its plain FBm."""
    from pyfastnoiselite.pyfastnoiselite import FastNoiseLite, FractalType, NoiseType

    def fbm(seed: int, n_octaves: int) -> FastNoiseLite:
        f = FastNoiseLite(seed)
        f.noise_type = NoiseType.NoiseType_Perlin
        f.fractal_type = FractalType.FractalType_FBm
        f.fractal_octaves = n_octaves
        f.frequency = frequency
        return f

    main, warp_x, warp_y = fbm(0, octaves), fbm(1, 4), fbm(2, 4)
    grid = np.arange(N_NOISE, dtype=np.float32)
    points = np.stack([np.tile(grid, N_NOISE), np.repeat(grid, N_NOISE)])
    amp = np.float32(amplitude_px)

    def warped() -> object:
        moved = np.empty_like(points)
        moved[0] = points[0] + warp_x.gen_from_coords(points) * amp
        moved[1] = points[1] + warp_y.gen_from_coords(points) * amp
        return main.gen_from_coords(moved)

    return warped, lambda: main.gen_from_coords(points)


def _cpu_best(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Minimum wall and CPU seconds of ``repeats`` calls."""
    wall, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return min(wall), min(cpu)


def _warped_child(repeats: int) -> None:
    """Print the per-core figures as JSON (run with NUMBA_NUM_THREADS=1)."""
    ours, per_point, octaves, frequency = _warped_case()
    from gamegen.landscape.params import HeightmapParams

    warp_px = HeightmapParams().warp_strength / frequency  # the terrain's typical displacement, in pixels
    fnl_warped, fnl_plain = _fnl_warped(octaves, frequency, warp_px)
    fnl_warped()
    figures = {
        "gamegen": _cpu_best(ours, repeats),
        "per_point": _cpu_best(per_point, repeats),
        "fnl_warped": _cpu_best(fnl_warped, repeats),
        "fnl_plain": _cpu_best(fnl_plain, repeats),
    }
    print(json.dumps({"octaves": octaves, **figures}))


def bench_warped(repeats: int) -> None:
    env = {**os.environ, "NUMBA_NUM_THREADS": "1"}
    cmd = [sys.executable, __file__, "--warped-child", "--repeats", str(repeats)]
    load = _load()
    child = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout.splitlines()[-1])
    mpx = N_NOISE**2 / 1e6
    octaves = child.pop("octaves")
    print(f"warped fBm (the default terrain noise: {octaves} octaves, 2 × 4-octave offset fields), {N_NOISE}², {load}")
    print(f"  per core (child process, NUMBA_NUM_THREADS=1; CPU seconds, best of {repeats}):")
    names = {
        "gamegen": "gamegen warped_fractal_grid",
        "per_point": "gamegen per-point path",
        "fnl_warped": "pyfastnoiselite warped FBm",
        "fnl_plain": "pyfastnoiselite FBm, no warp",
    }
    for key, label in names.items():
        _, cpu = child[key]
        print(f"    {label:30} {cpu:7.3f} s  {mpx / cpu:7.1f} Mpx/s per core")
    ours = child["gamegen"][1]
    print(f"    ratio vs pyfastnoiselite warped FBm  {child['fnl_warped'][1] / ours:6.2f}×  (target ≥ 2×, per core)")
    print(f"    ratio vs pyfastnoiselite plain FBm   {child['fnl_plain'][1] / ours:6.2f}×  (per core)")
    print(f"    ratio vs gamegen per-point path      {child['per_point'][1] / ours:6.2f}×  (per core)")
    ours_fn, per_point, _, _ = _warped_case()
    import numba

    wall, cpu = _cpu_best(ours_fn, repeats)
    pp_wall, _ = _cpu_best(per_point, repeats)
    threads = numba.get_num_threads()
    print(f"  all numba threads ({threads}), wall, {_load()}:")
    print(f"    gamegen warped_fractal_grid    {wall:7.3f} s  {mpx / wall:7.1f} Mpx/s  ({cpu / wall:.1f} cores busy)")
    print(f"    gamegen per-point path         {pp_wall:7.3f} s  {mpx / pp_wall:7.1f} Mpx/s")
    print(
        f"    ratio vs pyfastnoiselite warped FBm (one thread) {child['fnl_warped'][0] / wall:6.2f}× wall  "
        f"(per core above: {child['fnl_warped'][1] / ours:.2f}×)"
    )


def bench_heightmap(repeats: int) -> None:
    import gamegen

    sizes = (1025, 2049)
    gamegen.run_generator("landscape.heightmap", {"size": 65})  # imports and cached kernels
    cases = {"warped grid (default)": None, "per-point noise": _per_point_noise}
    wall: dict[tuple[str, int], list[float]] = {(c, n): [] for c in cases for n in sizes}
    cpu: dict[tuple[str, int], list[float]] = {(c, n): [] for c in cases for n in sizes}
    load = _load()
    for _ in range(repeats):  # interleaved, so a busy spell hits every case alike
        for n in sizes:
            for case, patch in cases.items():
                with patch() if patch else _nothing():
                    t, c = time.perf_counter(), time.process_time()
                    gamegen.run_generator("landscape.heightmap", {"size": n})
                    wall[case, n].append(time.perf_counter() - t)
                    cpu[case, n].append(time.process_time() - c)
    print(f"landscape.heightmap, default settings, whole generation (no export), best of {repeats}; {load}:")
    for n in sizes:
        for case in cases:
            w, c = min(wall[case, n]), min(cpu[case, n])
            print(f"  {n}²  {case:22} {w:7.2f} s wall  {c:7.2f} s CPU  ({c / w:.1f} cores busy)")
        base, ours = ("per-point noise", n), ("warped grid (default)", n)
        print(
            f"  {n}²  per-point / default    {min(wall[base]) / min(wall[ours]):.2f}× wall, "
            f"{min(cpu[base]) / min(cpu[ours]):.2f}× CPU"
        )
    d = "warped grid (default)"
    print(f"  2049² / 1025² (area 4.0): {min(wall[d, 2049]) / min(wall[d, 1025]):.2f}× wall; load now {_load()}")


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def bench_peak() -> None:
    warm = {"size": 65, "octaves": 5, "erosion_iterations": 1, "thermal_iterations": 2, "mesh_resolution": 32}
    load = _load()
    f = peak_ratio("landscape.heightmap", {"size": 4097}, warm)
    print(
        f"peak memory of landscape.heightmap 4097² generation (fresh child, peak RSS: VmHWM / ru_maxrss, no export); {load}:"
    )
    print(
        f"  baseline {f['baseline'] / 1e9:.2f} GB; added {f['added'] / 1e9:.3f} GB for {f['final'] / 1e9:.3f} GB of "
        f"returned arrays: {f['added'] / f['final']:.2f}× (target ≤ 1.3×)"
    )


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


@contextmanager
def _corner_lattice() -> Iterator[None]:
    """landscape.world's erosion before 1.3 (the baseline): blocks of a period centred on tile corners, each eroded
    with a 32 + 37 px halo and cross-faded over ±32 px, so a tile blends 2×2 of them (four times its area)."""
    from gamegen.landscape import terrain as t

    blend, margin = 32, t.MARGIN

    def weights(start: int, n: int, k: int, size: int) -> np.ndarray:
        x = np.arange(start, start + n, dtype=np.float64)
        lo, hi = k * size - size // 2, k * size + size - size // 2
        rise = np.clip((x - lo + blend) / (2 * blend), 0.0, 1.0)
        fall = np.clip((x - hi + blend) / (2 * blend), 0.0, 1.0)
        return rise * rise * (3 - 2 * rise) * (1 - fall * fall * (3 - 2 * fall))

    def covering(start: int, n: int, size: int) -> range:
        return range((start - blend + size // 2) // size - 1, (start + n - 1 + blend + size // 2) // size + 2)

    def blocks(self: t.Terrain, x0: int, y0: int, w: int, h: int, size: int) -> t.TerrainFields:
        acc = [np.zeros((h, w), np.float64) for _ in range(4)]
        for ky in covering(y0, h, size):
            wy = weights(y0, h, ky, size)
            rows = np.nonzero(wy)[0]
            for kx in covering(x0, w, size):
                wx = weights(x0, w, kx, size)
                cols = np.nonzero(wx)[0]
                if not (rows.size and cols.size):
                    continue
                start, extent = -(size // 2) - blend - margin, size + 2 * (blend + margin)
                block = self.erode(kx * size + start, ky * size + start, extent, extent)
                r0, c0 = y0 + rows[0] - ky * size - start, x0 + cols[0] - kx * size - start
                sub = (slice(r0, r0 + rows.size), slice(c0, c0 + cols.size))
                weight = wy[rows, None] * wx[None, cols]
                dst = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
                wear, deposit = block.erosion(sub)
                for a, src in zip(acc, (block.height[sub], wear, deposit, block.flow[sub]), strict=True):
                    a[dst] += weight * src
        height, wear, deposit, flow = (a.astype(np.float32) for a in acc)
        return t.TerrainFields(height, flow, wear=wear, deposit=deposit)

    def block_size(tile_size: int) -> int:
        size = tile_size - 1
        while size > 512 and size % 2 == 0:
            size //= 2
        while size < 4 * blend:
            size *= 2
        return size

    saved = t.Terrain.blocks, t.Terrain.block_size
    t.Terrain.blocks, t.Terrain.block_size = blocks, staticmethod(block_size)  # type: ignore[method-assign, assignment]
    try:
        yield
    finally:
        t.Terrain.blocks, t.Terrain.block_size = saved  # type: ignore[method-assign]


def _eroded_pixels(tile_size: int) -> int:
    """Pixels of erosion the middle tile of a 3×3 world needs: the sum of its lattice blocks' windows."""
    from gamegen.landscape import terrain as t

    step, period = tile_size - 1, t.Terrain.block_size(tile_size)
    spans = [t._support(q, period) for q in t._pieces(step - 1, step + 3, period)]
    side = sum(hi - lo + 1 + 2 * t.MARGIN for lo, hi in spans)
    return side * side


def _world_child(repeats: int) -> None:
    """Print per-core seconds (CPU) of a middle world tile, new and old lattice, and of a heightmap, as JSON."""
    import gamegen

    def tile(n: int) -> Callable[[], object]:
        return lambda: gamegen.run_generator("landscape.world", {"tile_size": n, "grid": 3, "tile_x": 1, "tile_y": 1})

    tile(33)()
    with _corner_lattice():
        tile(33)()
    cases = {"new": _nothing, "old": _corner_lattice}
    cpu: dict[str, list[float]] = {f"{c} {n}": [] for c in (*cases, "heightmap") for n in WORLD_TILES}
    for _ in range(repeats):  # interleaved, so a busy spell hits every case alike
        for n in WORLD_TILES:
            for case, patch in cases.items():
                with patch():
                    c = time.process_time()
                    tile(n)()
                    cpu[f"{case} {n}"].append(time.process_time() - c)
            c = time.process_time()
            gamegen.run_generator("landscape.heightmap", {"size": n})
            cpu[f"heightmap {n}"].append(time.process_time() - c)
    print(json.dumps({k: min(v) for k, v in cpu.items()}))


def bench_world(repeats: int) -> None:
    from gamegen.landscape.terrain import HALO, TILE_HALO

    env = {**os.environ, "NUMBA_NUM_THREADS": "1"}
    load = _load()
    cmd = [sys.executable, __file__, "--world-child", "--repeats", str(repeats)]
    cpu = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout.splitlines()[-1])
    print(
        f"landscape.world: the middle tile of a 3×3 world, default settings, no export; per core (child, "
        f"NUMBA_NUM_THREADS=1, CPU seconds, best of {repeats}); {load}; now {_load()}"
    )
    print(f"  tile halo {TILE_HALO} px a side (3·MARGIN + 2·BLEND); a heightmap window's halo is {HALO} px")
    print(
        "  tile    seconds  old lattice  old/new   eroded px  (tile-1+2·halo)²  µs/eroded px   heightmap  tile/heightmap"
    )
    for n in WORLD_TILES:
        new, old, hm = cpu[f"new {n}"], cpu[f"old {n}"], cpu[f"heightmap {n}"]
        px, area = _eroded_pixels(n), (n - 1 + 2 * TILE_HALO) ** 2
        print(
            f"  {n:4}²  {new:7.3f}  {old:9.3f}  {old / new:7.2f}×  {px:10,}  {area:14,}  {new / px * 1e6:11.2f}  "
            f"{hm:9.3f}  {new / hm:10.2f}×"
        )
    print(
        f"  a 65² tile vs a 513² heightmap: {cpu['new 65'] / cpu['heightmap 513']:.2f}× its time "
        f"(old lattice: {cpu['old 65'] / cpu['heightmap 513']:.2f}×)"
    )


_MEMORY_CHILD = """
import resource, tempfile, gamegen
run = gamegen.run_generator("landscape.heightmap", {"size": 4097})
exported = gamegen.export_run(run, "terrain")
with tempfile.TemporaryDirectory() as out:
    gamegen.write_bundle(out + "/b", [exported], "generic")
try:  # VmHWM: this image's peak (ru_maxrss would include the parent's resident set at fork)
    print(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")))
except OSError:
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
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    for section in SECTIONS:
        parser.add_argument(f"--skip-{section}", action="store_true")
    parser.add_argument("--warped-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--world-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.warped_child:
        _warped_child(args.repeats)
        return
    if args.world_child:
        _world_child(args.repeats)
        return
    run = {s for s in SECTIONS if not getattr(args, f"skip_{s}")} & set(args.only or SECTIONS)
    benches: dict[str, Callable[[], None]] = {
        "noise": lambda: bench_noise(args.repeats),
        "warped": lambda: bench_warped(args.repeats),
        "heightmap": lambda: bench_heightmap(args.repeats),
        "erosion": lambda: bench_erosion(args.repeats),
        "world": lambda: bench_world(args.repeats),
        "peak": bench_peak,
        "memory": bench_memory,
    }
    for name in SECTIONS:
        if name in run:
            benches[name]()


if __name__ == "__main__":
    main()
