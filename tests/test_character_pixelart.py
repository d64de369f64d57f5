"""The pixel-art pass: background removal, dominant-colour downscale, palette quantisation, outline."""

from __future__ import annotations

import numpy as np
import pytest

from gamegen.character.palettes import PALETTES, parse_hex, resolve_palette, to_oklab
from gamegen.character.pixelart import outline_ring, pixelate, upscale_nearest

RED, BLUE, PURPLE, WHITE = (200, 30, 40), (30, 40, 200), (115, 35, 120), (250, 250, 250)


def picture() -> np.ndarray:
    """A red disk with a blue patch and a white 'eye' on a slightly noisy near-white backdrop (128×128 RGB)."""
    rng = np.random.default_rng(0)
    img = np.clip(np.full((128, 128, 3), 244.0) + rng.normal(0, 2, (128, 128, 3)), 0, 255)
    y, x = np.mgrid[:128, :128]
    img[(y - 64) ** 2 + (x - 64) ** 2 < 44**2] = RED
    img[40:56, 72:96] = BLUE
    img[64:72, 48:56] = WHITE  # one 8×8 cell, enclosed by the disk
    return img.astype(np.uint8)


def colours(rgba: np.ndarray) -> set[tuple[int, int, int]]:
    return {tuple(int(v) for v in c) for c in rgba[rgba[..., 3] > 0][:, :3]}


def test_colour_key_removes_only_the_backdrop_connected_to_the_border():
    art = pixelate(picture(), 16, rng=np.random.default_rng(1), colors=6)
    assert art.shape == (16, 16, 4)
    assert set(np.unique(art[..., 3])) == {0, 255}
    assert (art[[0, 0, -1, -1], [0, -1, 0, -1], 3] == 0).all()
    assert art[8, 8, 3] == 255
    eye = art[8, 6]
    assert eye[3] == 255 and to_oklab(eye[:3])[0] > 0.9  # the white eye stays, it is not background


@pytest.mark.parametrize("name", ["pico8", "endesga32", "gameboy"])
def test_every_opaque_pixel_is_a_palette_colour(name):
    palette = resolve_palette(name)
    art = pixelate(picture(), 32, rng=np.random.default_rng(2), palette=palette)
    assert colours(art) <= {parse_hex(c) for c in PALETTES[name]}
    assert colours(pixelate(picture(), 32, rng=np.random.default_rng(2), palette=palette, dither="bayer")) <= {
        parse_hex(c) for c in PALETTES[name]
    }


def test_k_colours_when_no_palette_is_given():
    art = pixelate(picture(), 32, rng=np.random.default_rng(3), colors=4)
    assert 2 <= len(colours(art)) <= 4


def test_downscale_takes_each_cells_dominant_colour_not_the_average():
    img = np.zeros((16, 16, 3), dtype=np.uint8)
    img[:] = BLUE
    img[:8, :8] = RED
    img[:8, :8][:, ::3] = BLUE  # the top-left cell: 5/8 red, 3/8 blue, whose average is purple
    palette = np.array([RED, BLUE, PURPLE, WHITE], dtype=np.uint8)
    art = pixelate(img, 2, rng=np.random.default_rng(0), palette=palette, background="none", outline="none")
    assert tuple(art[0, 0, :3]) == RED and tuple(art[1, 1, :3]) == BLUE


def test_outline_is_the_darkest_palette_colour_around_the_silhouette():
    palette = resolve_palette("pico8")
    art = pixelate(picture(), 32, rng=np.random.default_rng(4), palette=palette)
    opaque = art[..., 3] > 0
    interior = opaque.copy()
    interior[1:-1, 1:-1] &= opaque[:-2, 1:-1] & opaque[2:, 1:-1] & opaque[1:-1, :-2] & opaque[1:-1, 2:]
    rim = opaque & ~interior
    assert rim.any() and (art[rim][:, :3] == 0).all()  # pico8's darkest colour is black
    bare = pixelate(picture(), 32, rng=np.random.default_rng(4), palette=palette, outline="none")
    assert (bare[..., 3] > 0).sum() < opaque.sum()


def test_no_dithering_by_default():
    """A left-to-right ramp: undithered, every column is one colour and the colours never go back; Bayer mixes."""
    ramp = np.repeat(np.linspace(0, 255, 64)[None, :, None], 64, axis=0).repeat(3, axis=2).astype(np.uint8)
    palette = resolve_palette("gameboy")

    def run(**params) -> np.ndarray:
        return pixelate(ramp, 16, rng=np.random.default_rng(0), palette=palette, background="none", **params)

    plain = run()
    assert np.array_equal(plain, run(dither="none"))
    assert (plain == plain[:1]).all()  # every column a single colour
    light = to_oklab(plain[0, :, :3])[:, 0]
    assert (np.diff(light) >= 0).all() and len(np.unique(plain[0, :, :3], axis=0)) == 4
    dithered = run(dither="bayer")
    assert not (dithered == dithered[:1]).all()


def test_an_outline_colour_of_ones_own():
    magenta = np.array([255, 0, 255], dtype=np.uint8)
    palette = resolve_palette("pico8")
    art = pixelate(picture(), 32, rng=np.random.default_rng(4), palette=palette, outline=magenta)
    bare = pixelate(picture(), 32, rng=np.random.default_rng(4), palette=palette, outline="none")
    ring = outline_ring(bare[..., 3] > 0)
    assert ring.any() and (art[ring][:, :3] == magenta).all()
    assert np.array_equal(art[~ring], bare[~ring])  # only the ring is added


def test_alpha_background_uses_the_alpha_channel():
    img = np.zeros((64, 64, 4), dtype=np.uint8)
    img[..., :3] = RED
    img[16:48, 16:48, 3] = 255
    art = pixelate(img, 16, rng=np.random.default_rng(0), colors=2, background="alpha", outline="none")
    assert (art[..., 3] > 0).sum() == 8 * 8
    with pytest.raises(ValueError, match="alpha channel"):
        pixelate(img[..., :3], 16, rng=np.random.default_rng(0), background="alpha")


def test_seeded_and_deterministic():
    a = pixelate(picture(), 24, rng=np.random.default_rng(9), colors=5)
    b = pixelate(picture(), 24, rng=np.random.default_rng(9), colors=5)
    assert np.array_equal(a, b)


def test_helpers():
    assert upscale_nearest(np.arange(4).reshape(2, 2), 2).tolist() == [
        [0, 0, 1, 1],
        [0, 0, 1, 1],
        [2, 2, 3, 3],
        [2, 2, 3, 3],
    ]
    ring = outline_ring(np.pad(np.ones((1, 1), dtype=bool), 2))
    assert ring.sum() == 4 and not ring[2, 2]
    with pytest.raises(ValueError, match="RGB or RGBA"):
        pixelate(np.zeros((8, 8), dtype=np.uint8), 4, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="only scales down"):
        pixelate(np.zeros((8, 8, 3), dtype=np.uint8), 16, rng=np.random.default_rng(0))
