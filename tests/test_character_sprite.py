"""character.sprite: seeded sprites, atlas consistency, transparency, symmetry, animation, palettes and errors."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import gamegen
from gamegen.character.atlas import SpriteSheetAsset
from gamegen.character.figure import Look, draw_figure
from gamegen.character.masks import Part, View
from gamegen.character.palettes import PALETTES, parse_hex, ramps, resolve_palette, to_oklab
from gamegen.cli import main

TEMPLATES = ("humanoid", "robot", "quadruped", "flyer", "slime")
COUNTS = {"idle_frames": 3, "walk_frames": 5, "attack_frames": 4, "hurt_frames": 2}
DURATIONS = {"idle": 150, "walk": 80, "attack": 60, "hurt": 120}


def sprite(seed: int = 0, **params) -> dict[str, gamegen.Asset]:
    return {a.name: a for a in gamegen.generate("character.sprite", seed=seed, **params)}


def frames(sheet: SpriteSheetAsset, tag_name: str) -> list[np.ndarray]:
    tag = next(t for t in sheet.atlas.tags if t.name == tag_name)
    return [sheet.array[f.y : f.y + f.h, f.x : f.x + f.w] for f in sheet.atlas.frames[tag.start : tag.end + 1]]


def colours(rgba: np.ndarray) -> set[tuple[int, int, int]]:
    opaque = rgba[rgba[..., 3] > 0]
    return {tuple(int(v) for v in c) for c in opaque[:, :3]}


def test_same_seed_same_bytes_and_different_seeds_differ(tmp_path):
    params = {"size": 16, "upscale": [2], "character_sheet": True}
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        gamegen.generate("character.sprite", seed=seed, out=tmp_path / name, profile="godot", **params)
    files = {
        n: {p.relative_to(tmp_path / n).as_posix(): p.read_bytes() for p in (tmp_path / n).rglob("*") if p.is_file()}
        for n in "abc"
    }
    assert files["a"] == files["b"]
    assert files["a"]["character.sprite/sprite.png"] != files["c"]["character.sprite/sprite.png"]


@pytest.mark.parametrize("template", TEMPLATES)
def test_atlas_frames_lie_inside_the_sheet_never_overlap_and_name_the_animations(template):
    ms = {f"{a}_ms": d for a, d in DURATIONS.items()}
    sheet = sprite(template=template, size=24, padding=1, extrude=2, **COUNTS, **ms)["sprite"]
    atlas = sheet.atlas
    h, w = sheet.array.shape[:2]
    assert (atlas.width, atlas.height) == (w, h)
    rects = np.array([(f.x, f.y, f.w, f.h) for f in atlas.frames])
    grown = rects + np.array([-2, -2, 4, 4])  # the extrusion belongs to its frame too
    assert (grown[:, 0] >= 0).all() and (grown[:, 1] >= 0).all()
    assert (grown[:, 0] + grown[:, 2] <= w).all() and (grown[:, 1] + grown[:, 3] <= h).all()
    x, y, fw, fh = grown.T
    overlap = (x[:, None] < x + fw) & (x < (x + fw)[:, None]) & (y[:, None] < y + fh) & (y < (y + fh)[:, None])
    assert not (overlap & ~np.eye(len(rects), dtype=bool)).any()
    directions = {"quadruped": ["left", "right"], "slime": ["down", "up"]}.get(
        template, ["down", "up", "left", "right"]
    )
    expected = [f"{a}_{d}" for a in ("idle", "walk", "attack", "hurt") for d in directions]
    assert [t.name for t in atlas.tags] == expected
    for tag in atlas.tags:
        anim = tag.name.split("_")[0]
        assert tag.end - tag.start + 1 == COUNTS[f"{anim}_frames"]
        assert [f.name for f in atlas.frames[tag.start : tag.end + 1]] == [
            f"{tag.name}_{i}" for i in range(tag.end - tag.start + 1)
        ]
        assert {f.duration_ms for f in atlas.frames[tag.start : tag.end + 1]} == {DURATIONS[anim]}
        assert tag.loop == (anim in ("idle", "walk"))
    outside = np.ones((h, w), dtype=bool)
    for gx, gy, gw, gh in grown:
        outside[gy : gy + gh, gx : gx + gw] = False
    assert (sheet.array[outside, 3] == 0).all()


@pytest.mark.parametrize("template", TEMPLATES)
def test_background_is_transparent_and_alpha_is_binary(template):
    sheet = sprite(template=template, seed=2)["sprite"]
    alpha = sheet.array[..., 3]
    assert set(np.unique(alpha)) <= {0, 255}
    assert (sheet.array[alpha == 0, :3] == 0).all()
    for frame in (f for tag in sheet.atlas.tags for f in frames(sheet, tag.name)):
        assert not (frame[0, :, 3].any() or frame[:, 0, 3].any() or frame[:, -1, 3].any())  # room to move
        assert 0.2 < (frame[..., 3] == 0).mean() < 0.95


@pytest.mark.parametrize("size", [16, 21, 32])
@pytest.mark.parametrize("template", ["humanoid", "robot", "flyer", "slime"])
def test_mirrored_templates_are_exactly_symmetric_at_rest(template, size):
    sheet = sprite(template=template, size=size, seed=size, animations=["idle"])["sprite"]
    for direction in ("down", "up"):
        for frame in frames(sheet, f"idle_{direction}"):
            assert np.array_equal(frame, frame[:, ::-1])


def test_user_mask_is_mirrored_into_a_symmetric_one_direction_sprite():
    mask = [[0, 0, 0, 1], [0, 1, 2, 2], [0, 0, 1, 2], [1, 1, 2, 2], [0, 1, 2, 2], [0, 0, 2, 0], [0, -1, 2, 0]]
    sheet = sprite(mask=mask, seed=4)["sprite"]
    assert [t.name for t in sheet.atlas.tags] == ["idle", "walk", "attack", "hurt"]
    for frame in frames(sheet, "idle"):
        assert np.array_equal(frame, frame[:, ::-1])
    lopsided = sprite(mask=mask, mirror=False, seed=4)["sprite"]
    assert not np.array_equal(frames(lopsided, "idle")[0], frames(lopsided, "idle")[0][:, ::-1])


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_animation_moves_from_frame_to_frame(template):
    sheet = sprite(template=template, seed=1)["sprite"]
    for tag in sheet.atlas.tags:
        cycle = frames(sheet, tag.name)
        for i, frame in enumerate(cycle):
            assert not np.array_equal(frame, cycle[(i + 1) % len(cycle)]), f"{tag.name}: frame {i} repeats"


@pytest.mark.parametrize("count", [2, 3, 5, 8])
def test_any_frame_count_gives_mostly_new_frames(count):
    for template in TEMPLATES:
        sheet = sprite(template=template, size=16, seed=count, **{f"{a}_frames": count for a in DURATIONS})["sprite"]
        for tag in sheet.atlas.tags:
            distinct = {f.tobytes() for f in frames(sheet, tag.name)}
            assert len(distinct) >= max(2, -(-count // 2)), f"{template} {tag.name}: {len(distinct)} distinct frames"


def silhouette(frame: np.ndarray) -> tuple[int, int, int]:
    """Top row, width and rightmost column of a frame's opaque pixels."""
    solid = frame[..., 3] > 0
    cols = np.flatnonzero(solid.any(0))
    return int(np.flatnonzero(solid.any(1))[0]), len(cols), int(cols[-1])


def test_animations_bob_swing_limbs_lunge_and_squash():
    humanoid = sprite(template="humanoid", seed=1)["sprite"]
    quadruped = sprite(template="quadruped", seed=1)["sprite"]
    slime = sprite(template="slime", seed=1)["sprite"]
    for sheet, idle, walk in ((humanoid, "idle_down", "walk_right"), (quadruped, "idle_right", "walk_right")):
        assert len({silhouette(f)[0] for f in frames(sheet, idle)}) > 1  # breathing bob
        legs = [f[3 * f.shape[0] // 4 :].tobytes() for f in frames(sheet, walk)]
        assert len(set(legs)) == len(legs)  # the legs are somewhere else in every walk frame
    attack = [silhouette(f)[2] for f in frames(humanoid, "attack_right")]
    assert max(attack) >= attack[0] + 2  # the arm reaches forward
    for tag in ("idle_down", "walk_down"):
        assert len({silhouette(f)[1] for f in frames(slime, tag)}) >= 3  # squash and stretch
    hop = [silhouette(f)[0] for f in frames(slime, "walk_down")]
    assert max(hop) - min(hop) >= 6  # the slime leaves the ground


@pytest.mark.parametrize("size", [16, 128])
def test_every_template_fills_frames_of_the_smallest_and_largest_size(size):
    for template in TEMPLATES:
        sheet = sprite(template=template, size=size, seed=1, animations=["idle"], directions=1)["sprite"]
        for frame in frames(sheet, sheet.atlas.tags[0].name):
            assert frame.shape == (size, size, 4)
            top, width, _ = silhouette(frame)
            assert width >= 0.6 * size and size - top >= 0.35 * size, template  # the slime is a low blob


def test_parts_are_shaded_lit_from_above_and_outline_cells_keep_the_outline_colour():
    palette = resolve_palette("pico8")
    base = 4  # pico8's brown: it has a darker and a lighter neighbour
    look = Look(palette, np.full(len(Part), base), ramps(palette), eye=7, outline=0, flash=7)
    shadow, _, light = look.ramps[base]
    assert to_oklab(palette[shadow])[0] < to_oklab(palette[base])[0] < to_oklab(palette[light])[0]
    cells = np.zeros((8, 8), dtype=np.int8)
    cells[1:7, 1:7] = 2
    cells[4, 4] = -1  # an outline cell inside the body
    view = View(cells, np.full(cells.shape, int(Part.BODY), dtype=np.int8), mirrored=False)
    figure = draw_figure(view, 16, look, 1.0, np.random.default_rng(0))
    block = figure.colours[2:14, 2:14]
    assert (figure.colours[:2] == -1).all() and (figure.colours[:, :2] == -1).all()
    assert (block[0] == light).all() and (block[-1] == shadow).all()  # lit top rim, shaded bottom rim
    assert (block[6:8, 6:8] == look.outline).all()
    assert (block[1:-1] == base).mean() > 0.6 and set(np.unique(block)) <= {base, shadow, light, look.outline}


def test_left_is_the_mirror_image_of_right():
    sheet = sprite(template="quadruped", seed=9)["sprite"]
    for left, right in zip(frames(sheet, "walk_left"), frames(sheet, "walk_right"), strict=True):
        assert np.array_equal(left, right[:, ::-1])


def test_one_direction_names_animations_plainly():
    sheet = sprite(template="humanoid", directions=1, animations=["walk", "idle"])["sprite"]
    assert [t.name for t in sheet.atlas.tags] == ["walk", "idle"]


@pytest.mark.parametrize("palette", ["pico8", "gameboy", "sweetie16"])
def test_every_opaque_pixel_is_a_palette_colour(palette):
    allowed = {parse_hex(c) for c in PALETTES[palette]}
    assets = sprite(template="flyer", palette=palette, seed=3, size=20)
    assert colours(assets["sprite"].array) <= allowed
    assert colours(assets["sprite_icon"].array) <= allowed


def test_user_palette_and_outline_colour():
    palette = ["#203040", "#a05030", "#e0c080", "#60a040", "#f0f0f0"]
    sheet = sprite(palette=palette, outline="#ff00ff", seed=8)["sprite"]
    used = colours(sheet.array)
    assert used <= {parse_hex(c) for c in palette} | {(255, 0, 255)}
    assert (255, 0, 255) in used
    assert (255, 0, 255) not in colours(sprite(palette=palette, outline="none", seed=8)["sprite"].array)


def test_hurt_starts_with_a_flash_of_the_lightest_colour():
    sheet = sprite(palette="pico8", seed=2, animations=["hurt"])["sprite"]
    first = frames(sheet, "hurt_down")[0]
    assert colours(first) == {parse_hex("fff1e8"), (0, 0, 0)}  # lightest body, darkest outline


def test_gif_previews_play_each_animation_with_its_timing():
    assets = sprite(template="humanoid", walk_ms=80)
    for anim, count in (("idle", 4), ("walk", 6), ("attack", 4), ("hurt", 3)):
        gif = assets[f"sprite_{anim}"]
        assert gif.suffix == ".gif" and gif.media_type == "image/gif"
        with Image.open(io.BytesIO(gif.data)) as img:
            assert img.n_frames == count
            assert img.info["loop"] == 0 and "transparency" in img.info
            assert img.width == 4 * 32 * 3 and img.height == 32 * 3  # four directions side by side, 96 px tall
            if anim == "walk":
                assert img.info["duration"] == 80
            assert img.convert("RGBA").getpixel((0, 0))[3] == 0
            for i, frame in enumerate(frames(assets["sprite"], f"{anim}_down")):  # the same pixels, 3× bigger
                img.seek(i)
                assert np.array_equal(np.asarray(img.convert("RGBA"))[:, :96], frame.repeat(3, 0).repeat(3, 1))


def test_upscaled_copies_are_nearest_neighbour_with_scaled_atlases():
    assets = sprite(size=16, upscale=[2, 4])
    base = assets["sprite"]
    for factor in (2, 4):
        big = assets[f"sprite_{factor}x"]
        assert np.array_equal(big.array, base.array.repeat(factor, 0).repeat(factor, 1))
        assert big.atlas.scale == factor
        assert [(f.x, f.y, f.w) for f in big.atlas.frames] == [
            (f.x * factor, f.y * factor, f.w * factor) for f in base.atlas.frames
        ]


def test_extrusion_repeats_frame_edges():
    sheet = sprite(size=16, extrude=2, padding=0)["sprite"]
    a = sheet.array
    for f in sheet.atlas.frames[:8]:
        assert np.array_equal(a[f.y : f.y + f.h, f.x - 2], a[f.y : f.y + f.h, f.x])
        assert np.array_equal(a[f.y + f.h + 1, f.x : f.x + f.w], a[f.y + f.h - 1, f.x : f.x + f.w])


@pytest.mark.parametrize(
    ("params", "needles"),
    [
        ({"mask": [[0, 1, 1], [1, 2], [2, 2, 2]]}, ["mask", "same length"]),
        ({"mask": [[0, 1, 3], [1, 2, 2], [0, 2, 0]]}, ["mask", "-1, 0, 1 or 2", "row 0, column 2"]),
        ({"mask": [[0, 0, 0]] * 4}, ["mask", "no body cells"]),
        ({"mask": [[1, 2], [2, 2]]}, ["mask", "3–64 rows"]),
        ({"palette": "nes-ish"}, ["palette", "unknown palette", "pico8"]),
        ({"palette": ["#12345"]}, ["palette", "'#12345' is not a hex colour"]),
        ({"palette": ["#000000"]}, ["palette", "2–128 distinct colours"]),
        ({"outline": "blue"}, ["outline='blue'", "must be auto, none or a hex colour"]),
        ({"size": 8}, ["size=8", "16 ≤ size ≤ 128"]),
        ({"size": 256}, ["size=256", "16 ≤ size ≤ 128"]),
        ({"template": "dragon"}, ["template", "humanoid"]),
        ({"animations": []}, ["animations", "at least one"]),
        ({"animations": ["walk", "walk"]}, ["animations", "must not repeat"]),
        ({"walk_frames": 1}, ["walk_frames=1", "2 ≤ walk_frames ≤ 16"]),
        ({"idle_ms": 5}, ["idle_ms=5", "20 ≤ idle_ms ≤ 2000"]),
        ({"padding": 17}, ["padding=17", "0 ≤ padding ≤ 16"]),
        ({"extrude": -1}, ["extrude=-1", "0 ≤ extrude ≤ 8"]),
        ({"directions": 2}, ["directions=2", "1 or 4"]),
        ({"upscale": [3]}, ["upscale", "2 or 4"]),
        ({"upscale": [2, 2]}, ["upscale", "must not repeat"]),
        ({"mask": [[1] * 65] * 3}, ["mask", "3–64 cells per row, got 65"]),
    ],
)
def test_bad_masks_palettes_and_sizes_are_clear_parameter_errors(params, needles):
    with pytest.raises(gamegen.ParamError) as err:
        gamegen.generate("character.sprite", **params)
    for needle in needles:
        assert needle in str(err.value)


def test_one_cli_call_gives_sheet_atlases_godot_frames_previews_and_character_sheet(tmp_path):
    out = tmp_path / "hero"
    res = CliRunner().invoke(
        main,
        [
            "generate",
            "character.sprite",
            "-o",
            str(out),
            "--profile",
            "godot",
            "--seed",
            "3",
            "--set",
            "size=16",
            "--set",
            "character_sheet=true",
            "--quiet",
        ],
    )
    assert res.exit_code == 0, res.output
    files = {p.name for p in (out / "character.sprite").iterdir()}
    assert {
        "sprite.png",
        "sprite.json",
        "sprite.aseprite.json",
        "sprite.tres",
        "sprite_icon.png",
        "sprite_walk.gif",
        "character.json",
    } <= files
    manifest = json.loads((out / "manifest.json").read_text())
    records = {r["path"]: r for r in manifest["assets"][0]["files"]}
    assert records["character.sprite/sprite.png"]["ai_generated"] is False
    sheet = json.loads((out / "character.sprite" / "character.json").read_text())
    assert sheet["format"] == "gamegen.character.sheet/1" and sheet["name"]
