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
