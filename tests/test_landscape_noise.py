"""The Perlin fast path reproduces the ``noise`` package's pnoise2 and the fractal variants stay in range."""

from __future__ import annotations

import json
import subprocess
import sys

import noise
import numpy as np
import pytest

from gamegen.landscape.noise import fractal_grid, fractal_points, pnoise2, warped_fractal_grid

CASES = [
    dict(octaves=1),
    dict(octaves=6),
    dict(octaves=5, persistence=0.63, lacunarity=2.3, repeatx=8.0, repeaty=5.0, base=1),
    dict(octaves=3, persistence=0.4, lacunarity=1.7, repeatx=3.5, repeaty=1024.0, base=0),
]


def _reference(xs: np.ndarray, ys: np.ndarray, kw: dict) -> np.ndarray:
    return np.array([[noise.pnoise2(float(x), float(y), **kw) for x in xs] for y in ys], dtype=np.float32)


@pytest.mark.parametrize("kw", CASES, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
def test_grid_and_points_match_noise_pnoise2(kw: dict) -> None:
    xs = np.linspace(-9.7, 13.3, 61, dtype=np.float32)
    ys = np.linspace(-5.1, 7.9, 47, dtype=np.float32)
    ref = _reference(xs, ys, kw)
    np.testing.assert_allclose(fractal_grid(xs, ys, **kw), ref, rtol=0, atol=1e-6)
    gx, gy = np.meshgrid(xs, ys)
    np.testing.assert_allclose(pnoise2(gx, gy, **kw), ref, rtol=0, atol=1e-6)


def test_scalar_call_like_the_noise_package() -> None:
    assert float(pnoise2(0.37, -2.5, 4, 0.5, 2.0, 1024, 1024, 1)) == pytest.approx(
        noise.pnoise2(0.37, -2.5, 4, 0.5, 2.0, 1024, 1024, 1), abs=1e-7
    )


@pytest.mark.parametrize("kind", ["fbm", "billow", "ridged"])
def test_fractal_kinds_are_bounded_and_differ(kind: str) -> None:
    xs = np.arange(128, dtype=np.float32) / 23.0
    values = fractal_grid(xs, xs + 5, octaves=5, kind=kind)
    assert values.dtype == np.float32 and np.isfinite(values).all()
    assert -1.0 <= values.min() < values.max() <= 1.0
    gx, gy = np.meshgrid(xs, xs + 5)
    np.testing.assert_array_equal(fractal_points(gx, gy, octaves=5, kind=kind), values)


WARPED = [
    dict(octaves=8),
    dict(octaves=5, persistence=0.63, lacunarity=2.3, base=200, kind="ridged"),
    dict(octaves=3, repeatx=3.5, repeaty=2.0, base=1, kind="billow"),  # points past the period: the fmod path
]


@pytest.mark.parametrize("kw", WARPED, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
@pytest.mark.parametrize("gain", [0.33, 40.0])
def test_warped_grid_is_bit_identical_to_points_at_the_warped_coordinates(kw: dict, gain: float) -> None:
    xs = np.linspace(-9.7, 13.3, 203, dtype=np.float32)
    ys = np.linspace(-5.1, 7.9, 37, dtype=np.float32)
    warp_x = (xs + np.float32(17.3), ys + np.float32(31.7))
    warp_y = (xs + np.float32(53.1), ys + np.float32(11.9))
    u = fractal_grid(*warp_x, octaves=4, base=9)
    v = fractal_grid(*warp_y, octaves=4, base=9)
    g = np.float32(gain)
    expected = fractal_points(u * g + xs[None, :], v * g + ys[:, None], **kw)
    got = warped_fractal_grid(xs, ys, warp_x, warp_y, gain, 4, 9, **kw)
    assert got.dtype == np.float32 and got.shape == (37, 203)
    assert got.tobytes() == expected.tobytes()


def test_warped_grid_checks_its_coordinates() -> None:
    xs = np.zeros(4, np.float32)
    with pytest.raises(ValueError, match="warp_x"):
        warped_fractal_grid(xs, xs, (xs[:3], xs), (xs, xs), 1.0)
    with pytest.raises(ValueError, match="base"):
        warped_fractal_grid(xs, xs, (xs, xs), (xs, xs), 1.0, warp_base=300)


@pytest.mark.parametrize(
    ("kw", "message"), [(dict(octaves=0), "octaves"), (dict(base=256), "base"), (dict(kind="cellular"), "kind")]
)
def test_bad_settings_name_the_argument(kw: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fractal_grid(np.zeros(2), np.zeros(2), **kw)


_JIT_PROBE = """
import json, numba
from gamegen.context import Context
from gamegen.landscape import erosion, noise
from gamegen.landscape.params import TerrainParams
from gamegen.landscape.terrain import Terrain
erosion.PARALLEL_DROPLETS = 0  # the parallel rain kernel too
terrain = Terrain.from_context(TerrainParams(), Context(0))
terrain.window(0, 0, 8, 8)
terrain.moisture(0, 0, 8, 8)
kernels = [d for m in (noise, erosion) for d in vars(m).values() if isinstance(d, numba.core.registry.CPUDispatcher)]
print(json.dumps({d.__name__: [sum(d.stats.cache_hits.values()), sum(d.stats.cache_misses.values())] for d in kernels}))
"""


def test_a_second_process_loads_the_compiled_kernels_from_the_cache() -> None:
    """The JIT cost is paid once: a fresh process finds every kernel terrain uses in numba's on-disk cache."""
    runs = [
        subprocess.run([sys.executable, "-c", _JIT_PROBE], capture_output=True, text=True, check=True) for _ in range(2)
    ]
    stats = json.loads(runs[-1].stdout)
    assert all(misses == 0 for _, misses in stats.values()), stats
    used = {name for name, (hits, _) in stats.items() if hits}
    assert {"_grid", "_warped", "_rain_parallel", "_talus_step"} <= used, stats
