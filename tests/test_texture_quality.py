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


def _whole_image_report(arr: np.ndarray) -> dict:
    """check_map's statistics computed on the whole float image at once (numpy's own reductions)."""
    a = quality.as_float(arr)

    def seam(ax: int) -> float:
        other = tuple(i for i in range(a.ndim) if i != ax)
        wrap = np.abs(a.take(0, axis=ax) - a.take(-1, axis=ax)).mean()
        steps = np.abs(np.diff(a, axis=ax)).mean(axis=other)
        return float((wrap + quality._EPS) / (np.percentile(steps, quality.SEAM_PERCENTILE) + quality._EPS))

    return {
        "min": round(float(a.min()), 4),
        "max": round(float(a.max()), 4),
        "mean": round(float(a.mean()), 4),
        "clipped_fraction": round(float(np.mean((a <= 0.0) | (a >= 1.0))), 4),
        "seam_x": round(seam(1), 3),
        "seam_y": round(seam(0), 3),
        "seam_limit": quality.SEAM_LIMIT,
    }


@pytest.mark.parametrize(
    ("shape", "dtype"), [((37, 29, 3), np.uint8), ((40, 33), np.uint16), ((300, 260, 4), np.uint8), ((2, 2), np.uint8)]
)
def test_band_wise_checks_report_what_the_whole_image_gives(shape, dtype, monkeypatch):
    """The checks read a map in bands (a float copy of a 4096² map is 201 MB) and still get numpy's numbers."""
    monkeypatch.setattr(quality, "_BAND", 5)
    monkeypatch.setattr(quality, "_LEAF", 128)
    rng = np.random.default_rng(1)
    top = np.iinfo(dtype).max
    for arr in (rng.integers(0, top + 1, shape, dtype=dtype), np.cumsum(rng.integers(0, 9, shape), 0).astype(dtype)):
        assert quality.check_map("m", arr, "none") == _whole_image_report(arr)
        transposed = np.swapaxes(arr, 0, 1)  # a view: reduced in its own memory order, as numpy does
        assert quality.check_map("t", transposed, "none") == _whole_image_report(transposed)


def test_preview_textures_shrink_in_bands_like_one_resize(monkeypatch):
    from PIL import Image

    from gamegen.texture import preview

    monkeypatch.setattr(preview, "_SHRINK_ROWS", 48)
    rng = np.random.default_rng(2)
    for shape in [(1024, 1024, 3), (2048, 1024), (1024, 768, 3)]:
        arr = np.cumsum(rng.integers(0, 3, shape), axis=0).astype(np.uint8)
        scale = preview.PREVIEW_TEXTURE_SIZE / max(shape[:2])
        size = (round(shape[1] * scale), round(shape[0] * scale))
        whole = np.asarray(Image.fromarray(arr).resize(size, Image.Resampling.BOX))
        assert np.array_equal(preview._shrink(arr), whole), shape
