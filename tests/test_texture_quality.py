"""Texture quality checks: seam score, range/clipping, normal validity; broken promises are errors."""

from __future__ import annotations

import numpy as np
import pytest

import gamegen
from gamegen.texture import pbr, quality
from gamegen.texture.noise import gaussian_blur, spectral_noise, worley


def _u8(a: np.ndarray) -> np.ndarray:
    return np.round(np.clip(a, 0, 1) * 255).astype(np.uint8)


def test_periodic_noise_scores_low_and_a_crop_of_it_has_a_seam():
    rng = np.random.default_rng(1)
    periodic = spectral_noise(rng, 128, 4, beta=3.0)
    crop = spectral_noise(rng, 256, 8, beta=3.0)[:128, :128]  # a window of a bigger field does not wrap
    for axis in "xy":
        assert quality.seam_score(_u8(periodic), axis) <= 1.0
        assert quality.seam_score(_u8(crop), axis) > quality.SEAM_LIMIT


def test_seam_is_scored_per_axis():
    x_only = np.tile(np.linspace(0, 1, 64), (64, 1))  # a ramp left to right wraps badly along x only
    assert quality.seam_score(_u8(x_only), "x") > 10 and quality.seam_score(_u8(x_only), "y") == pytest.approx(1.0)
    report = quality.check_map("ramp", _u8(x_only), tiling="y")  # not promised along x: recorded, no error
    assert report["seam_x"] > quality.SEAM_LIMIT
    with pytest.raises(gamegen.QualityError, match="ramp: promised to tile along x"):
        quality.check_map("ramp", _u8(x_only), tiling="xy")


def test_range_and_clipping_are_reported():
    arr = np.zeros((10, 10), np.uint8)
    arr[:, 5:] = 255
    report = quality.check_map("half", arr, tiling="none")
    assert report["min"] == 0 and report["max"] == 1 and report["clipped_fraction"] == 1.0
    mid = quality.check_map("mid", np.full((4, 4), 128, np.uint8), tiling="xy")
    assert mid["clipped_fraction"] == 0 and mid["seam_x"] == 1.0  # a flat map is trivially seamless
    assert quality.check_map("h16", np.full((4, 4), 65535, np.uint16), tiling="none")["max"] == 1.0


def test_normal_validity():
    good = _u8(pbr.normal_map(spectral_noise(np.random.default_rng(0), 32, 4), 3.0) * 0.5 + 0.5)
    report = quality.check_normal_map("n", good)
    assert report["unit_length_error_max"] < 0.02 and report["z_min"] >= 0
    not_unit = np.full((4, 4, 3), 128, np.uint8)  # (0, 0, 0): no direction at all
    with pytest.raises(gamegen.QualityError, match="n: not a valid normal map"):
        quality.check_normal_map("n", not_unit)
    inward = np.zeros((4, 4, 3), np.uint8)
    inward[..., :] = (128, 128, 0)  # unit length but facing into the surface
    with pytest.raises(gamegen.QualityError, match="min Z"):
        quality.check_normal_map("n", inward)


def test_derived_maps_of_periodic_sources_stay_periodic():
    rng = np.random.default_rng(3)
    height = worley(rng, 64, 5).edge
    height /= height.max()
    shift = (17, 40)
    # wrap-around filters commute with rolling the input: no border treatment breaks the tile
    assert np.allclose(
        pbr.normal_map(np.roll(height, shift, (0, 1))), np.roll(pbr.normal_map(height), shift, (0, 1)), atol=1e-5
    )
    assert np.allclose(
        gaussian_blur(np.roll(height, shift, (0, 1)), 3), np.roll(gaussian_blur(height, 3), shift, (0, 1)), atol=1e-5
    )
    assert np.allclose(
        pbr.ambient_occlusion(np.roll(height, shift, (0, 1))),
        np.roll(pbr.ambient_occlusion(height), shift, (0, 1)),
        atol=1e-5,
    )


def test_a_seam_in_a_promised_set_is_an_error():
    ramp = np.tile(np.linspace(0, 255, 64).astype(np.uint8)[:, None], (1, 64))
    image = np.stack([ramp] * 3, axis=-1)
    params = pbr.PbrParams(preview="none")
    with pytest.raises(gamegen.QualityError, match="promised to tile along y"):
        pbr.set_assets(pbr.from_image(image, params), params, tiling="xy")
    assets = pbr.set_assets(pbr.from_image(image, params), params, tiling="x")  # the ramp runs along y
    assert assets[0].meta["quality"]["seam_y"] > quality.SEAM_LIMIT
