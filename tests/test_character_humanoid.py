"""character.humanoid: the LPC grid, determinism and variety, layers, atlases, parameters, and each readability check."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_character_export import parse_tres

import gamegen
from gamegen.character.humanoid import qc
from gamegen.character.humanoid.layout import LPC_ROWS
from gamegen.character.palettes import PALETTES, parse_hex

DIRS = ("up", "left", "down", "right")
LPC_COUNTS = {"spellcast": 7, "thrust": 8, "walk": 9, "slash": 6, "shoot": 13, "hurt": 6}
LPC_MS = {"spellcast": 100, "thrust": 80, "walk": 90, "slash": 80, "shoot": 70, "hurt": 110, "idle": 250, "run": 70}


def humanoid(seed: int = 0, **params) -> dict[str, gamegen.Asset]:
    return {a.name: a for a in gamegen.generate("character.humanoid", seed=seed, params=params)}


@pytest.fixture(scope="module")
def lpc64() -> dict[str, gamegen.Asset]:
    return humanoid(7)


@pytest.fixture(scope="module")
def small() -> dict[int, dict[str, gamegen.Asset]]:
    """Eight characters at 32 px, one per seed."""
    return {seed: humanoid(seed, size=32) for seed in range(8)}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("humanoid") / "bundle"
    gamegen.generate("character.humanoid", seed=3, out=out, profile="godot", params={"size": 32})
    return out / "character.humanoid"


def cells(asset: gamegen.Asset) -> dict[str, list[np.ndarray]]:
    """Each animation tag's frames, cut out of the sheet by the atlas."""
    atlas, sheet = asset.atlas, asset.array
    return {
        t.name: [sheet[f.y : f.y + f.h, f.x : f.x + f.w] for f in atlas.frames[t.start : t.end + 1]] for t in atlas.tags
    }


def colours(rgba: np.ndarray) -> set[tuple[int, ...]]:
    return {tuple(int(v) for v in c) for c in rgba[rgba[..., 3] > 0][:, :3]}


# --- the LPC layout ---------------------------------------------------------------------------------------------


def test_the_lpc_sheet_is_the_lpc_grid(lpc64):
    sheet = lpc64["humanoid"]
    assert sheet.array.shape == (1344, 832, 4) and (sheet.atlas.width, sheet.atlas.height) == (832, 1344)
    expected_rows = [(a, d) for a in ("spellcast", "thrust", "walk", "slash", "shoot") for d in DIRS] + [("hurt", "")]
    assert [(a, d) for a, d in LPC_ROWS] == [(a, d or "down") for a, d in expected_rows]
    tags = {t.name: t for t in sheet.atlas.tags}
    assert list(tags) == [f"{a}_{d}" if d else a for a, d in expected_rows]
    for row, (anim, direction) in enumerate(expected_rows):
        tag = tags[f"{anim}_{direction}" if direction else anim]
        frames = sheet.atlas.frames[tag.start : tag.end + 1]
        assert len(frames) == LPC_COUNTS[anim]
        assert [(f.x, f.y, f.w, f.h) for f in frames] == [(64 * i, 64 * row, 64, 64) for i in range(len(frames))]
        assert {f.duration_ms for f in frames} == {LPC_MS[anim]}
        assert tag.loop == (anim == "walk")
        for i in range(13):  # drawn cells hold a character; the rest of the row is empty
            cell = sheet.array[64 * row : 64 * row + 64, 64 * i : 64 * i + 64, 3]
            assert cell.any() == (i < LPC_COUNTS[anim]), (anim, direction, i)
    assert len(sheet.atlas.frames) == 4 * (7 + 8 + 9 + 6 + 13) + 6 == 178


def test_idle_and_run_go_on_an_extra_sheet_laid_out_the_same_way(lpc64):
    extra = lpc64["humanoid_extra"]
    assert extra.array.shape == (8 * 64, 8 * 64, 4)
    assert [t.name for t in extra.atlas.tags] == [f"{a}_{d}" for a in ("idle", "run") for d in DIRS]
    assert [len(f) for f in cells(extra).values()] == [4] * 4 + [8] * 4


def test_at_32_px_the_lpc_grid_has_32_px_cells(small):
    sheet = small[0]["humanoid"]
    assert sheet.array.shape == (672, 416, 4)
    assert {(f.w, f.h) for f in sheet.atlas.frames} == {(32, 32)}
    assert [(f.x, f.y) for f in sheet.atlas.frames[:3]] == [(0, 0), (32, 0), (64, 0)]


def test_packed_layout_uses_the_atlas_packer_and_draws_the_same_frames():
    lpc = humanoid(5, size=32, animations=["walk", "hurt"])
    packed = humanoid(5, size=32, animations=["walk", "hurt"], layout="packed", padding=1, extrude=1)
    assert "humanoid_extra" not in packed
    tags = cells(packed["humanoid"])
    assert list(tags) == [f"{a}_{d}" for a in ("walk", "hurt") for d in DIRS]
    ours = cells(lpc["humanoid"])
    for d in DIRS:
        assert all(np.array_equal(a, b) for a, b in zip(tags[f"walk_{d}"], ours[f"walk_{d}"], strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(tags["hurt_down"], ours["hurt"], strict=True))
    atlas = packed["humanoid"].atlas
    rects = np.array([(f.x, f.y, f.w, f.h) for f in atlas.frames])
    x, y, w, h = rects.T
    overlap = (x[:, None] < x + w) & (x < (x + w)[:, None]) & (y[:, None] < y + h) & (y < (y + h)[:, None])
    assert not (overlap & ~np.eye(len(rects), dtype=bool)).any()
    layers = [n for n in packed if n.startswith("humanoid_") and n not in ("humanoid_icon", "humanoid_walk")]
    assert layers and all(packed[n].array.shape == packed["humanoid"].array.shape for n in layers)


# --- determinism and variety --------------------------------------------------------------------------------------


def test_same_seed_same_bytes_different_seeds_differ(tmp_path, bundle):
    again = tmp_path / "again"
    gamegen.generate("character.humanoid", seed=3, out=again, profile="godot", params={"size": 32})
    first = {p.name: p.read_bytes() for p in bundle.iterdir()}
    assert first == {p.name: p.read_bytes() for p in (again / "character.humanoid").iterdir()}
    other = humanoid(4, size=32)["humanoid"].array
    assert not np.array_equal(other, np.asarray(Image.open(bundle / "humanoid.png")))


def test_seeds_make_different_people(small):
    looks = [json.dumps(a["humanoid"].meta["look"], sort_keys=True) for a in small.values()]
    assert len(set(looks)) == len(looks)
    icons = [a["humanoid_icon"].array.tobytes() for a in small.values()]
    assert len(set(icons)) == len(icons)
    described = [a["humanoid"].meta["look"] for a in small.values()]
    assert len({d["hair"] for d in described}) >= 4 and len({d["outfit"] for d in described}) >= 3
    assert len({d["weapon"] for d in described}) >= 3 and len({d["skin"] for d in described}) >= 4
    assert len({tuple(a["humanoid"].meta["palette"]) for a in small.values()}) == len(small)


def test_pinned_parts_are_kept_and_the_seed_still_chooses_the_rest(small):
    free = small[2]["humanoid"].meta["look"]
    pinned = humanoid(2, size=32, hair="ponytail", weapon="bow", skin=8, cape=True)["humanoid"].meta["look"]
    assert (pinned["hair"], pinned["weapon"], pinned["skin"], pinned["cape"]) == ("ponytail", "bow", 8, True)
    for key in ("outfit", "build", "height", "fringe"):
        assert pinned[key] == free[key]


# --- files and atlases ----------------------------------------------------------------------------------------------


def test_atlases_load_and_agree_with_the_sheet(bundle):
    tp = json.loads((bundle / "humanoid.json").read_text())
    ase = json.loads((bundle / "humanoid.aseprite.json").read_text())
    with Image.open(bundle / "humanoid.png") as img:
        assert img.size == (416, 672) and img.mode == "RGBA"
    assert tp["meta"]["image"] == ase["meta"]["image"] == "humanoid.png"
    assert list(tp["animations"])[:4] == [f"spellcast_{d}" for d in DIRS] and "hurt" in tp["animations"]
    assert [f["frame"] for f in ase["frames"].values()] == [f["frame"] for f in tp["frames"].values()]
    for tag in ase["meta"]["frameTags"]:
        anim = tag["name"].split("_")[0]
        assert {ase["frames"][str(i)]["duration"] for i in range(tag["from"], tag["to"] + 1)} == {LPC_MS[anim]}
    sections = parse_tres((bundle / "humanoid.tres").read_text(encoding="utf-8"))
    animations = sections[-1][2]["animations"]
    assert [a["name"] for a in animations] == list(tp["animations"])
    assert {a["name"]: a["speed"] for a in animations}["walk_down"] == pytest.approx(1000 / 90)


def test_layer_sheets_stack_into_the_sheet(lpc64):
    sheet = lpc64["humanoid"]
    names = sheet.meta["layers"]
    assert {"humanoid_body", "humanoid_head", "humanoid_hair", "humanoid_torso"} <= set(names)
    layers = [lpc64[n] for n in names]
    assert [layer.meta["stack_order"] for layer in layers] == sorted(layer.meta["stack_order"] for layer in layers)
    stacked = np.zeros_like(sheet.array)
    owners = np.zeros(sheet.array.shape[:2], dtype=int)
    for layer in layers:
        assert layer.array.shape == sheet.array.shape
        opaque = layer.array[..., 3] > 0
        stacked[opaque] = layer.array[opaque]
        owners += opaque
    assert np.array_equal(stacked, sheet.array)
    assert owners.max() == 1  # every pixel lies in one layer: recolour a layer by swapping its colours


def test_credits_say_the_art_is_generated(bundle):
    text = (bundle / "credits.txt").read_text()
    assert "generated procedurally" in text and "No third-party art" in text and "seed 3" in text


def test_parameters_are_checked():
    for bad in ({"size": 48}, {"layout": "grid"}, {"hair": "afro"}, {"skin": 10}, {"palette": "nope"},
                {"animations": []}, {"directions": ["down", "down"]}, {"speed": 0}):  # fmt: skip
        with pytest.raises(gamegen.ParamError) as err:
            gamegen.generate("character.humanoid", seed=0, params=bad)
        assert next(iter(bad)) in str(err.value)


def test_a_named_palette_keeps_every_pixel_on_it():
    sheet = humanoid(1, size=32, palette="pico8", animations=["walk"])["humanoid"]
    allowed = {parse_hex(c) for c in PALETTES["pico8"]}
    assert colours(sheet.array) <= allowed


# --- readability checks (each a number in the manifest) ---------------------------------------------------------


def test_head_torso_and_legs_stack_in_every_upright_frame(small, lpc64):
    for assets in (*small.values(), lpc64):
        q = assets["humanoid"].meta["quality"]
        assert q["separation"] == 1.0
        low, high = (0.38, 0.58) if assets["humanoid"].meta["frame_size"] == [32, 32] else (0.25, 0.45)
        assert low <= q["head_height_share"] <= high


def test_eyes_show_from_the_front_and_sides_and_never_from_behind(small, lpc64):
    for assets in (*small.values(), lpc64):
        q = assets["humanoid"].meta["quality"]
        assert q["eyes_down"] == 1.0 and q["eyes_side"] >= 0.9 and q["eye_pixels_up"] == 0


def test_no_colour_is_off_the_characters_palette(small):
    for assets in small.values():
        sheet = assets["humanoid"]
        palette = {parse_hex(c) for c in sheet.meta["palette"]}
        assert colours(sheet.array) <= palette and 8 <= len(palette) <= 12
        assert sheet.meta["quality"]["off_palette_colours"] == 0 and sheet.meta["quality"]["colours"] <= 12


def test_the_outline_is_closed_in_every_frame(small):
    for assets in small.values():
        sheet = assets["humanoid"]
        outline = parse_hex(sheet.meta["palette"][0])
        for frames in cells(sheet).values():
            for frame in frames:
                solid = np.pad(frame[..., 3] > 0, 1)
                edge = solid[1:-1, 1:-1] & ~(solid[:-2, 1:-1] & solid[2:, 1:-1] & solid[1:-1, :-2] & solid[1:-1, 2:])
                assert (frame[edge][:, :3] == outline).all()
        assert sheet.meta["quality"]["outline_gaps"] == 0


def test_the_same_people_colours_show_in_every_frame(small):
    for assets in small.values():
        sheet = assets["humanoid"]
        assert sheet.meta["quality"]["identity"] == 1.0
        first = colours(cells(sheet)["walk_down"][0])
        for frame in cells(sheet)["walk_down"]:
            assert colours(frame) <= set(map(parse_hex, sheet.meta["palette"]))
            assert len(colours(frame) & first) >= len(first) - 2


def test_every_animation_moves_from_frame_to_frame(small):
    for assets in small.values():
        for name, frames in cells(assets["humanoid"]).items():
            for i in range(1, len(frames)):
                assert not np.array_equal(frames[i - 1], frames[i]), f"{name}: frame {i} repeats"
        assert assets["humanoid"].meta["quality"]["motion_min_pixels"] > 0


def test_left_is_right_mirrored_and_the_front_is_symmetric_at_rest(small):
    for assets in small.values():
        tags = cells(assets["humanoid"])
        for anim in ("walk", "slash", "shoot"):
            for left, right in zip(tags[f"{anim}_left"], tags[f"{anim}_right"], strict=True):
                assert np.array_equal(left[..., 3] > 0, right[:, ::-1, 3] > 0)
        assert assets["humanoid"].meta["quality"]["mirror_left_right"] == 1.0
    for seed in range(3):
        quality = humanoid(seed, size=32, weapon="none", animations=["idle"])["humanoid"].meta["quality"]
        assert quality["front_symmetry"] == 1.0


def test_a_broken_promise_is_a_quality_error(small):
    report = dict(small[0]["humanoid"].meta["quality"])
    assert qc.failures(report) == []
    broken = {**report, "outline_gaps": 3, "eye_pixels_up": 2, "still": ["walk_up"], "mirror_left_right": 0.9}
    problems = qc.failures(broken)
    assert len(problems) == 4
    with pytest.raises(gamegen.QualityError, match="outline is open"):
        qc.check(broken)
