"""Erosion building blocks: droplets tied to global pixels, deterministic parallel rain, talus, block blending."""

from __future__ import annotations

import numpy as np
import pytest

from gamegen.context import Context
from gamegen.landscape import erosion
from gamegen.landscape.params import TerrainParams
from gamegen.landscape.terrain import Terrain


@pytest.fixture(scope="module")
def terrain() -> Terrain:
    return Terrain.from_context(TerrainParams(octaves=6, erosion_iterations=2, thermal_iterations=3), Context(7))


def test_overlapping_windows_rain_the_same_droplets_in_the_same_order() -> None:
    big = erosion.spawn_droplets(99, -40, -40, 200, 200, 1, 0.25, reach=36)
    small = erosion.spawn_droplets(99, 24, 24, 64, 64, 1, 0.25, reach=36)
    gx_big, gy_big = big.x - 40, big.y - 40
    gx_small, gy_small = small.x + 24, small.y + 24
    inside = (gx_big >= 24) & (gx_big < 88) & (gy_big >= 24) & (gy_big < 88)
    np.testing.assert_array_equal(np.sort(gx_big[inside]), np.sort(gx_small))
    # within each 32×32 cell, droplets run in the same (global, hashed) order in both windows
    cell_big = (gy_big[inside] // 32) * 1000 + gx_big[inside] // 32
    cell_small = (gy_small // 32) * 1000 + gx_small // 32
    for cell in np.unique(cell_small):
        np.testing.assert_array_equal(gx_big[inside][cell_big == cell], gx_small[cell_small == cell])


def test_parallel_rain_equals_serial_rain(terrain: Terrain, monkeypatch: pytest.MonkeyPatch) -> None:
    base = terrain.base_height(0, 0, 256, 256)
    settings = erosion.DropletSettings(passes=2)
    serial = erosion.hydraulic_erosion(base, 0, 0, 5, settings, 100.0, 200.0)
    monkeypatch.setattr(erosion, "PARALLEL_DROPLETS", 0)
    parallel = erosion.hydraulic_erosion(base, 0, 0, 5, settings, 100.0, 200.0)
    np.testing.assert_array_equal(serial[0], parallel[0])
    np.testing.assert_array_equal(serial[1], parallel[1])
    assert not np.array_equal(serial[0], base)


@pytest.mark.parametrize("parallel_from", [0, 10**9])
def test_rain_runs_the_listed_droplets_in_their_order(
    terrain: Terrain, monkeypatch: pytest.MonkeyPatch, parallel_from: int
) -> None:
    """Each cell spawns its own droplets as it runs them: the same droplets, in the order spawn_droplets lists."""
    x0, y0, n, unit, sea = -37, 21, 150, 200.0, 100.0
    base = terrain.base_height(x0, y0, n, n)
    settings = erosion.DropletSettings(passes=2)
    monkeypatch.setattr(erosion, "PARALLEL_DROPLETS", parallel_from)
    height, flow = erosion.hydraulic_erosion(base, x0, y0, 5, settings, sea, unit)
    s = settings
    physics = np.array(
        [s.inertia, s.capacity, s.min_capacity, s.deposit_speed, s.erode_speed, s.evaporation, s.gravity, s.lifetime]
    )
    bdx, bdy, bw = erosion._brush(s.radius)
    ref, ref_flow = (base / np.float32(unit)).astype(np.float32), np.zeros_like(base)
    for p in range(s.passes):
        d = erosion.spawn_droplets(5, x0, y0, n, n, p, s.rain, s.reach)
        for x, y in zip(d.x, d.y, strict=True):
            erosion._droplet(ref, x, y, physics, sea / unit, bdx, bdy, bw, ref_flow)
    ref *= np.float32(unit)
    assert height.tobytes() == ref.tobytes() and flow.tobytes() == ref_flow.tobytes()


def test_thermal_steps_in_bands_equal_whole_map_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """A step reads every neighbour as it was before the step, whatever the band size."""
    h = (np.random.default_rng(3).random((67, 45)) * 60).astype(np.float32)
    results = []
    for band in (2, 3, 64):
        monkeypatch.setattr(erosion, "TALUS_BAND", band)
        results.append(erosion.thermal_erosion(h.copy(), 6, 35.0, 1.0).tobytes())
    assert results[0] == results[1] == results[2]
    # the step written out over whole arrays: slide off, then gather the higher neighbours' shares
    ref = h.astype(np.float64)
    limit = float(np.float32(np.tan(np.radians(35.0))))
    steps = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx]

    def shifted(a: np.ndarray, dy: int, dx: int, fill: float) -> np.ndarray:  # a[r + dy, c + dx]
        rows, cols = a.shape
        return np.pad(a, 1, constant_values=fill)[1 + dy : 1 + dy + rows, 1 + dx : 1 + dx + cols]

    for _ in range(6):
        excess = {(dy, dx): ref - shifted(ref, dy, dx, np.inf) - limit * np.hypot(dy, dx) for dy, dx in steps}
        excess = {k: np.maximum(d, 0.0) for k, d in excess.items()}
        total = sum(excess.values())
        amount = 0.25 * np.maximum.reduce(list(excess.values()))
        sent = {k: np.divide(amount * d, total, out=np.zeros_like(d), where=total > 0) for k, d in excess.items()}
        ref = ref - amount + sum(shifted(sent[-dy, -dx], dy, dx, 0.0) for dy, dx in steps)
    np.testing.assert_allclose(np.frombuffer(results[0], np.float32).reshape(h.shape), ref, rtol=0, atol=1e-3)


def test_thermal_erosion_conserves_material_and_relaxes_cliffs() -> None:
    h = np.zeros((32, 32), np.float32)
    h[12:20, 12:20] = 50.0
    out = erosion.thermal_erosion(h.copy(), 200, 35.0, 1.0)
    assert out.sum() == pytest.approx(h.sum(), rel=1e-5)
    steepest = max(np.abs(np.diff(out, axis=0)).max(), np.abs(np.diff(out, axis=1)).max())
    assert steepest < 50.0 and steepest < np.abs(np.diff(h, axis=0)).max()


def test_blocks_give_a_pixel_the_same_value_whatever_window_asks(terrain: Terrain) -> None:
    a = terrain.blocks(-20, -20, 150, 150, 128)
    b = terrain.blocks(60, 30, 90, 70, 128)
    np.testing.assert_array_equal(a.height[50:120, 80:150], b.height[:, :70])
    np.testing.assert_array_equal(a.flow[50:120, 80:150], b.flow[:, :70])
