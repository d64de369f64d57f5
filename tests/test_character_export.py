"""Sprite-sheet exports read back: TexturePacker JSON-hash, Aseprite JSON and Godot 4 SpriteFrames (.tres)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import gamegen

MS = {"idle_ms": 200, "walk_ms": 100, "attack_ms": 80, "hurt_ms": 125}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sprite") / "bundle"
    gamegen.generate("character.sprite", seed=11, out=out, profile="godot", size=16, upscale=[2], **MS)
    return out / "character.sprite"


def load(folder: Path, name: str) -> dict:
    return json.loads((folder / name).read_text(encoding="utf-8"))


# --- a small reader for Godot's text resource format, enough for SpriteFrames ---------------------------------

_HEADER = re.compile(r'^\[(\w+)((?: \w+=(?:"[^"]*"|[^ \]]+))*)\]$')
_ATTR = re.compile(r'(\w+)=("[^"]*"|[^ \]]+)')


def _variant(text: str) -> object:
    """Godot variant text → Python, by rewriting the constructors SpriteFrames uses into JSON and parsing that."""
    text = re.sub(r'(ExtResource|SubResource)\("([^"]*)"\)', r'{"\1": "\2"}', text)
    text = re.sub(r"Rect2\(([^)]*)\)", r'{"Rect2": [\1]}', text)
    text = re.sub(r'&"', '"', text)  # StringName literal
    return json.loads(text)


def parse_tres(text: str) -> list[tuple[str, dict[str, str], dict[str, object]]]:
    """Sections as (tag, header attributes, properties); raises on anything it does not understand."""
    sections: list[tuple[str, dict[str, str], dict[str, object]]] = []
    key, value_lines = None, []

    def flush() -> None:
        if key is not None:
            sections[-1][2][key] = _variant("\n".join(value_lines))

    for line in text.split("\n"):
        header = _HEADER.match(line)
        prop = re.match(r"^(\w+) = (.*)$", line)
        if header:
            flush()
            key, value_lines = None, []
            attrs = {k: v.strip('"') for k, v in _ATTR.findall(header.group(2))}
            sections.append((header.group(1), attrs, {}))
        elif prop:
            flush()
            key, value_lines = prop.group(1), [prop.group(2)]
        elif key is not None:
            value_lines.append(line)
        else:
            assert line == "", f"unexpected line outside a property: {line!r}"
    flush()
    return sections


# --- tests ------------------------------------------------------------------------------------------------------


def test_texturepacker_json_hash_describes_the_sheet(bundle):
    tp = load(bundle, "sprite.json")
    with Image.open(bundle / "sprite.png") as img:
        assert img.format == "PNG" and img.mode == "RGBA"
        size = img.size
        sheet = np.asarray(img)
    assert sheet[0, 0, 3] == 0 and sheet[-1, -1, 3] == 0  # a transparent background
    assert tp["meta"]["image"] == "sprite.png"
    assert (tp["meta"]["size"]["w"], tp["meta"]["size"]["h"]) == size
    assert tp["meta"]["format"] == "RGBA8888" and tp["meta"]["scale"] == "1"
    for name, f in tp["frames"].items():
        r = f["frame"]
        assert f["rotated"] is False and f["trimmed"] is False
        assert f["spriteSourceSize"] == {"x": 0, "y": 0, "w": r["w"], "h": r["h"]}
        assert f["sourceSize"] == {"w": 16, "h": 16} and (r["w"], r["h"]) == (16, 16)
        assert 0 <= r["x"] and r["x"] + r["w"] <= size[0] and 0 <= r["y"] and r["y"] + r["h"] <= size[1], name
        assert sheet[r["y"] : r["y"] + r["h"], r["x"] : r["x"] + r["w"], 3].any(), f"{name} is empty"
    rects = np.array([[f["frame"][k] for k in "xywh"] for f in tp["frames"].values()])
    x, y, w, h = rects.T
    overlap = (x[:, None] < x + w) & (x < (x + w)[:, None]) & (y[:, None] < y + h) & (y < (y + h)[:, None])
    assert not (overlap & ~np.eye(len(rects), dtype=bool)).any()
    names = [n for frames in tp["animations"].values() for n in frames]
    assert names == list(tp["frames"])  # every frame belongs to exactly one animation, in sheet order
    assert list(tp["animations"]) == [
        f"{a}_{d}" for a in ("idle", "walk", "attack", "hurt") for d in ("down", "up", "left", "right")
    ]


def test_upscaled_sheet_has_its_own_atlas(bundle):
    small, big = load(bundle, "sprite.json"), load(bundle, "sprite_2x.json")
    assert big["meta"]["image"] == "sprite_2x.png" and big["meta"]["scale"] == "2"
    with Image.open(bundle / "sprite_2x.png") as img:
        assert img.size == (2 * small["meta"]["size"]["w"], 2 * small["meta"]["size"]["h"])
    for name, f in small["frames"].items():
        assert big["frames"][name]["frame"] == {k: 2 * v for k, v in f["frame"].items()}


def test_aseprite_json_has_durations_and_frame_tags_phaser_can_read(bundle):
    ase, tp = load(bundle, "sprite.aseprite.json"), load(bundle, "sprite.json")
    assert ase["meta"]["image"] == "sprite.png"
    assert list(ase["frames"]) == [str(i) for i in range(len(tp["frames"]))]
    assert [f["frame"] for f in ase["frames"].values()] == [f["frame"] for f in tp["frames"].values()]
    tags = ase["meta"]["frameTags"]
    assert [t["name"] for t in tags] == list(tp["animations"])
    covered = []
    for tag in tags:  # as Phaser's createFromAseprite walks them: frames[str(i)] for i in from..to
        anim = tag["name"].split("_")[0]
        frames = [ase["frames"][str(i)] for i in range(tag["from"], tag["to"] + 1)]
        assert {f["duration"] for f in frames} == {MS[f"{anim}_ms"]}
        assert tag["direction"] == "forward"
        assert ("repeat" in tag) == (anim in ("attack", "hurt"))
        covered += range(tag["from"], tag["to"] + 1)
    assert covered == list(range(len(ase["frames"])))


def test_godot_sprite_frames_parse_back_and_match_the_atlas(bundle):
    sections = parse_tres((bundle / "sprite.tres").read_text(encoding="utf-8"))
    tp = load(bundle, "sprite.json")
    tag, attrs, _ = sections[0]
    assert tag == "gd_resource" and attrs["type"] == "SpriteFrames" and attrs["format"] == "3"
    ext = [s for s in sections if s[0] == "ext_resource"]
    subs = [s for s in sections if s[0] == "sub_resource"]
    assert int(attrs["load_steps"]) == len(ext) + len(subs) + 1
    assert len(ext) == 1 and ext[0][1]["type"] == "Texture2D"
    assert (bundle / ext[0][1]["path"]).is_file()  # relative to the .tres, as Godot resolves it
    ext_id = ext[0][1]["id"]
    regions = {}
    for _, a, props in subs:
        assert a["type"] == "AtlasTexture" and props["atlas"] == {"ExtResource": ext_id}
        regions[a["id"]] = props["region"]["Rect2"]
    assert len(regions) == len(subs)
    assert list(regions.values()) == [[f["frame"][k] for k in "xywh"] for f in tp["frames"].values()]
    resource = sections[-1]
    assert resource[0] == "resource" and sections.index(resource) > max(map(sections.index, subs))
    animations = resource[2]["animations"]
    assert [a["name"] for a in animations] == list(tp["animations"])
    for anim in animations:
        kind = anim["name"].split("_")[0]
        assert anim["loop"] is (kind in ("idle", "walk"))
        assert anim["speed"] == pytest.approx(1000 / MS[f"{kind}_ms"], abs=1e-6)
        assert all(f["duration"] == 1.0 for f in anim["frames"])
        refs = [f["texture"]["SubResource"] for f in anim["frames"]]
        assert [regions[r] for r in refs] == [
            [tp["frames"][n]["frame"][k] for k in "xywh"] for n in tp["animations"][anim["name"]]
        ]


def test_only_the_godot_profile_writes_sprite_frames(tmp_path):
    for profile in ("generic", "unity"):
        gamegen.generate("character.sprite", seed=1, out=tmp_path / profile, profile=profile, size=16)
        files = {p.name for p in (tmp_path / profile / "character.sprite").iterdir()}
        assert "sprite.png" in files and "sprite.json" in files and "sprite.tres" not in files


def test_sheet_png_carries_procedural_provenance(bundle):
    data = (bundle / "sprite.png").read_bytes()
    assert b"algorithmicMedia" in data and b"trainedAlgorithmicMedia" not in data
