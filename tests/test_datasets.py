"""gamegen.datasets: loaders (images, captions both ways, texts, sprites, bundles), fingerprint, duplicates,
hostile input, splits, from_bundle and the ``gamegen dataset`` commands. Every dataset is made here, tiny."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import gamegen
from gamegen.cli import main
from gamegen.datasets import PICKS_FORMAT, DataProblem, Dataset, DatasetItem, from_bundle, load_dataset
from gamegen.datasets.markup import clean_ink, clean_yarn
from gamegen.errors import DatasetError, OutputFolderError, ParamError


def picture(kind: int, size: int = 64) -> np.ndarray:
    """A smooth RGB picture, different for each ``kind`` (so no two kinds are near duplicates)."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    angle = kind * 1.7
    wave = np.sin(2 * np.pi * (np.cos(angle) * x + np.sin(angle) * y) * (1 + kind % 3))
    rgb = np.stack([wave, np.roll(wave, kind * 7, 0), x - y], -1)
    return ((rgb - rgb.min()) / np.ptp(rgb) * 255).astype(np.uint8)


def save(path: Path, pixels: np.ndarray, **kwargs: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path, **kwargs)
    return path


def by_id(ds: Dataset) -> dict[str, DatasetItem]:
    return {i.id: i for i in ds.items}


def problem_paths(ds: Dataset) -> dict[str, str]:
    return {p.path: p.reason for p in ds.problems}


# ---------------------------------------------------------------- images and captions


def test_image_folder_with_sidecar_captions(tmp_path: Path) -> None:
    save(tmp_path / "a.png", picture(0))
    (tmp_path / "a.txt").write_text("a mossy stone wall\n")
    save(tmp_path / "b.webp", picture(1), lossless=True)
    save(tmp_path / "sub" / "c.jpg", picture(2), quality=95)
    (tmp_path / ".hidden.png").write_bytes(b"not looked at")
    ds = load_dataset(tmp_path)
    assert ds.kind == "image" and ds.root == tmp_path and ds.problems == [] and ds.duplicates == []
    items = by_id(ds)
    assert list(items) == ["a.png", "b.webp", "sub/c.jpg"]
    assert items["a.png"].caption == "a mossy stone wall" and items["b.webp"].caption == ""
    assert items["a.png"].sha256 == hashlib.sha256((tmp_path / "a.png").read_bytes()).hexdigest()
    assert items["sub/c.jpg"].path == tmp_path / "sub" / "c.jpg" and items["a.png"].text is None
    img = items["a.png"].image()
    assert img.mode == "RGBA" and img.size == (64, 64)
    assert np.array_equal(np.asarray(img)[..., :3], picture(0))
    summary = ds.summary()
    assert summary["sizes"] == {"64x64": 3} and summary["captions"] == 1 and summary["count"] == 3
    assert json.loads(json.dumps(summary)) == summary and str(tmp_path) not in json.dumps(summary)


def test_metadata_jsonl_captions_licences_and_bad_lines(tmp_path: Path) -> None:
    for k, name in enumerate(["a.png", "b.png", "art/c.png"]):
        save(tmp_path / name, picture(k))
    (tmp_path / "a.txt").write_text("sidecar loses to metadata")
    lines = [
        {"file_name": "a.png", "text": "brick", "license": "CC-BY-4.0", "source": "studio"},
        {"file_name": "missing.png", "text": "no such image"},
        "{not json",
        {"file_name": "../outside.png", "text": "climbs out"},
        {"file_name": "/etc/passwd", "text": "absolute"},
        {"file_name": "b.png", "text": 3},
        {"file_name": "./art/c.png", "text": "wood", "license": "CC0-1.0"},
    ]
    body = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    (tmp_path / "metadata.jsonl").write_text(body + "\n\n")
    ds = load_dataset(tmp_path)
    items = by_id(ds)
    assert (items["a.png"].caption, items["a.png"].license, items["a.png"].source) == ("brick", "CC-BY-4.0", "studio")
    assert items["art/c.png"].caption == "wood" and items["b.png"].caption == ""
    assert ds.licenses() == {"CC-BY-4.0": 1, "CC0-1.0": 1, "unspecified": 1}
    problems = problem_paths(ds)
    assert "not an image of the dataset" in problems["metadata.jsonl:2"]
    assert "not a JSON line" in problems["metadata.jsonl:3"]
    assert "'..'" in problems["metadata.jsonl:4"] and "relative path" in problems["metadata.jsonl:5"]
    assert "'text' must be a string" in problems["metadata.jsonl:6"]
    assert len(problems) == 5


def test_metadata_in_a_subfolder_is_relative_to_it(tmp_path: Path) -> None:
    save(tmp_path / "set" / "x.png", picture(3))
    (tmp_path / "set" / "metadata.jsonl").write_text(json.dumps({"file_name": "x.png", "text": "ice"}) + "\n")
    assert by_id(load_dataset(tmp_path))["set/x.png"].caption == "ice"


# ---------------------------------------------------------------- fingerprint


def test_fingerprint_changes_when_and_only_when_the_data_changes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    save(data / "a.png", picture(0))
    save(data / "b.png", picture(1))
    (data / "a.txt").write_text("stone")
    first = load_dataset(data).fingerprint
    assert load_dataset(data).fingerprint == first
    os.utime(data / "a.png", (1, 1))  # touched: same data
    assert load_dataset(data).fingerprint == first
    moved = tmp_path / "elsewhere"
    os.rename(data, moved)  # the same data in another folder
    assert load_dataset(moved).fingerprint == first and load_dataset(moved).summary()["fingerprint"] == first
    (moved / "a.txt").write_text("brick")
    edited = load_dataset(moved).fingerprint
    assert edited != first
    os.rename(moved / "b.png", moved / "c.png")
    renamed = load_dataset(moved).fingerprint
    assert renamed not in (first, edited)
    save(moved / "c.png", picture(1)[::-1].copy())
    assert load_dataset(moved).fingerprint not in (first, edited, renamed)


# ---------------------------------------------------------------- duplicates


def test_exact_and_near_duplicates(tmp_path: Path) -> None:
    base = picture(4)
    save(tmp_path / "a.png", base)
    (tmp_path / "b_same_bytes.png").write_bytes((tmp_path / "a.png").read_bytes())
    brighter = np.clip(base.astype(int) + 3, 0, 255).astype(np.uint8)
    save(tmp_path / "c_brighter.png", brighter)
    save(tmp_path / "d_jpeg.jpg", base, quality=90)
    save(tmp_path / "e_other.png", picture(5))
    flat = np.zeros((64, 64, 3), np.uint8)
    save(tmp_path / "f_red.png", flat + np.array([200, 0, 0], np.uint8))
    save(tmp_path / "g_blue.png", flat + np.array([0, 0, 200], np.uint8))  # same dHash as red, other colour
    ds = load_dataset(tmp_path)
    assert ds.duplicates == [
        ("a.png", "b_same_bytes.png", "exact"), ("a.png", "c_brighter.png", "near"), ("a.png", "d_jpeg.jpg", "near")
    ]  # fmt: skip
    assert ds.summary()["duplicates"] == [list(d) for d in ds.duplicates]


def test_near_duplicates_are_not_chained(tmp_path: Path) -> None:
    """Each near duplicate is close to the item it is reported against, not only through a chain."""
    from gamegen.datasets.duplicates import image_groups

    def sig(bits: int) -> list[int]:
        return [bits, 3, 3, 3]

    step = (1 << 4) - 1  # 4 bits apart: a~b, b~c, but a and c are 8 bits apart
    groups = image_groups(np.array([sig(0), sig(step), sig(step | step << 4)], np.uint64))
    assert groups[0] == groups[1] != groups[2]


def test_popcount_without_numpy_2() -> None:
    from gamegen.datasets.duplicates import _table_popcount

    values = np.random.default_rng(0).integers(0, 2**63, 1000, dtype=np.uint64) | np.uint64(1 << 63)
    assert _table_popcount(values).tolist() == [bin(int(v)).count("1") for v in values]


def test_duplicate_texts(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The Old Mill burned down.")
    (tmp_path / "b.txt").write_text("the old mill -- burned down!")
    (tmp_path / "c.md").write_text("The Old Mill burned down.\n\n")
    ds = load_dataset(tmp_path)
    assert sorted(ds.duplicates) == [("a.txt", "b.txt", "near"), ("a.txt", "c.md", "exact")]


# ---------------------------------------------------------------- bad and hostile input


def test_corrupt_files_are_named_with_the_reason(tmp_path: Path) -> None:
    save(tmp_path / "good.png", picture(0))
    whole = save(tmp_path / "full.png", picture(1)).read_bytes()
    (tmp_path / "truncated.png").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "garbage.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (tmp_path / "full.png").unlink()
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe caption")
    save(tmp_path / "bad.png", picture(2))
    ds = load_dataset(tmp_path)
    assert [i.id for i in ds.items] == ["bad.png", "good.png"]
    problems = problem_paths(ds)
    assert "not a readable PNG" in problems["truncated.png"] and "not a readable PNG" in problems["garbage.png"]
    assert "not UTF-8" in problems["bad.txt"]


def test_empty_folder_and_no_usable_item_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no files to read") as err:
        load_dataset(tmp_path)
    assert err.value.exit_code == 2 and str(tmp_path) in str(err.value) and "\n" not in str(err.value)
    (tmp_path / "broken.png").write_bytes(b"nope")
    with pytest.raises(DatasetError, match=r"no usable image items.*broken\.png: not a readable"):
        load_dataset(tmp_path)
    with pytest.raises(DatasetError, match="no such folder"):
        load_dataset(tmp_path / "missing")
    with pytest.raises(ParamError, match="kind='audio'"):
        load_dataset(tmp_path, "audio")  # type: ignore[arg-type]


def test_symbolic_links_out_of_the_dataset_are_skipped(tmp_path: Path) -> None:
    outside = save(tmp_path / "secret" / "private.png", picture(0))
    data = tmp_path / "data"
    save(data / "real.png", picture(1))
    (data / "leak.png").symlink_to(outside)
    (data / "alias.png").symlink_to(data / "real.png")  # stays inside: read
    (data / "dir").symlink_to(tmp_path / "secret", target_is_directory=True)
    (data / "fifo.png").parent.mkdir(exist_ok=True)
    os.mkfifo(data / "fifo.png")
    (data / "metadata.jsonl").write_text(json.dumps({"file_name": "../secret/private.png", "text": "x"}) + "\n")
    ds = load_dataset(data)
    assert [i.id for i in ds.items] == ["alias.png", "real.png"]
    problems = problem_paths(ds)
    assert "outside the dataset" in problems["leak.png"] and "not followed" in problems["dir"]
    assert "not a regular file" in problems["fifo.png"] and "'..'" in problems["metadata.jsonl:1"]


def test_file_count_and_size_caps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gamegen.datasets import load, reading, scan

    for k in range(4):
        save(tmp_path / f"{k}.png", picture(k, 16))
    monkeypatch.setattr(scan, "MAX_FILES", 3)
    with pytest.raises(DatasetError, match="more than 3 files"):
        load_dataset(tmp_path)
    monkeypatch.setattr(scan, "MAX_FILES", 100)
    monkeypatch.setattr(load, "MAX_PICTURES", 3)
    with pytest.raises(DatasetError, match="4 pictures, more than the 3 allowed"):
        load_dataset(tmp_path)
    monkeypatch.setattr(load, "MAX_PICTURES", 100)
    monkeypatch.setattr(reading, "MAX_PIXELS", 100)
    with pytest.raises(DatasetError, match=r"16×16 pixels, more than the 100 allowed"):
        load_dataset(tmp_path)


# ---------------------------------------------------------------- text


def test_text_files_jsonl_lines_and_scripts(tmp_path: Path) -> None:
    gamegen.generate("narrative.dialogue", seed=2, out=tmp_path / "dlg")
    data = tmp_path / "dlg"
    (data / "lore.md").write_text("# The Mill\r\n\r\nIt burned down.   \r\n\r\n")
    (data / "lines.jsonl").write_text(
        json.dumps({"text": "Guard: Halt!", "license": "CC0-1.0"}) + "\n{oops\n" + json.dumps({"txt": "x"}) + "\n"
    )
    (data / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    ds = load_dataset(data)
    assert ds.kind == "text"
    items = by_id(ds)
    ink = next(i for i in items.values() if i.id.endswith(".ink"))
    yarn = next(i for i in items.values() if i.id.endswith(".yarn"))
    assert ink.text == yarn.text and (ink.id, yarn.id, "exact") in ds.duplicates
    assert ink.text is not None and ": " in ink.text.splitlines()[0]
    for marker in ("#", "<<", "->", "{", "}", "===", "VAR", "~"):
        assert marker not in ink.text
    assert items["lore.md"].text == "# The Mill\n\nIt burned down."
    assert items["lines.jsonl#1"].text == "Guard: Halt!" and items["lines.jsonl#1"].license == "CC0-1.0"
    assert ink.sha256 == hashlib.sha256(ink.text.encode()).hexdigest() and ink.caption == "" and ink.path is None
    problems = problem_paths(ds)
    assert "not a JSON line" in problems["lines.jsonl:2"] and "string 'text'" in problems["lines.jsonl:3"]
    assert "not UTF-8" in problems["latin1.txt"]
    summary = ds.summary()
    assert summary["sizes"] == {} and summary["characters"] == sum(len(i.text or "") for i in ds.items)
    with pytest.raises(DatasetError, match="no image"):
        ink.image()


def test_markup_is_stripped_and_speakers_kept() -> None:
    ink = """INCLUDE other.ink
VAR met = false
-> start
=== start ===
= hello
/* a note
   over lines */
Wynn: Welcome, {name}! #line:a // comment
* (ask) [Any news? #line:b] -> news
+ Goodbye[.] for now.
- (after) Wynn: Safe travels. <>
{ met:
  Wynn: Again?
- else:
  Wynn: New here?
}
~ met = true
-> DONE
"""
    assert clean_ink(ink).splitlines() == [
        "Wynn: Welcome, !", "Any news?", "Goodbye. for now.", "Wynn: Safe travels.", "Wynn: Again?", "Wynn: New here?"
    ]  # fmt: skip
    yarn = """title: Start
tags: intro
position: 0,0
---
<<declare $gold = 3>>
Wynn: You have {$gold} [b]gold[/b]. #line:c
-> Buy a map #line:d
    <<jump Map>>
// comment
===
title: Map
---
Wynn: Here.[wave/]
===
"""
    assert clean_yarn(yarn).splitlines() == ["Wynn: You have gold.", "Buy a map", "Wynn: Here."]


def test_a_file_is_not_a_dataset(tmp_path: Path) -> None:
    (tmp_path / "lore.txt").write_text("A dragon sleeps under the hill.")
    with pytest.raises(DatasetError, match="lore.txt: is a file; put the data in a folder of its own"):
        load_dataset(tmp_path / "lore.txt")


# ---------------------------------------------------------------- sprites


def _sheet(tmp_path: Path) -> np.ndarray:
    sheet = np.zeros((16, 48, 4), np.uint8)
    for k in range(3):
        sheet[:, k * 16 : (k + 1) * 16, :3] = picture(k, 16)
        sheet[:, k * 16 : (k + 1) * 16, 3] = 255
    save(tmp_path / "hero.png", sheet)
    return sheet


def test_texturepacker_array_and_aseprite_atlases(tmp_path: Path) -> None:
    sheet = _sheet(tmp_path)
    frames: list[dict[str, Any]] = [
        {"filename": f"walk_{k}.png", "frame": {"x": 16 * k, "y": 0, "w": 16, "h": 16}} for k in range(3)
    ]
    frames.append({"filename": "turned", "frame": {"x": 0, "y": 0, "w": 16, "h": 16}, "rotated": True})
    frames.append({"filename": "off", "frame": {"x": 40, "y": 0, "w": 16, "h": 16}})
    frames.append({"filename": "bad", "frame": {"x": -1, "y": 0, "w": 16, "h": 16}})
    (tmp_path / "hero.json").write_text(json.dumps({"frames": frames, "meta": {"image": "hero.png"}}))
    (tmp_path / "hero.txt").write_text("red knight")
    ds = load_dataset(tmp_path)
    assert ds.kind == "sprite"
    items = by_id(ds)
    assert list(items) == ["hero.png#walk_0.png", "hero.png#walk_1.png", "hero.png#walk_2.png"]
    frame = items["hero.png#walk_1.png"]
    assert frame.box == (16, 0, 16, 16) and frame.caption == "red knight, walk" and frame.path == tmp_path / "hero.png"
    assert np.array_equal(np.asarray(frame.image()), sheet[:, 16:32])
    reasons = " | ".join(str(p) for p in ds.problems)
    assert "rotated" in reasons and "outside the 48×16 sheet" in reasons and "four whole numbers" in reasons

    (tmp_path / "hero.json").unlink()
    tags = [{"name": "attack", "from": 0, "to": 1}, {"name": "hurt", "from": 2, "to": 2}]
    hashed = {str(k): {"frame": {"x": 16 * k, "y": 0, "w": 16, "h": 16}, "duration": 100} for k in range(3)}
    (tmp_path / "hero.aseprite.json").write_text(json.dumps({"frames": hashed, "meta": {"image": "hero.png",
                                                             "frameTags": tags}}))  # fmt: skip
    ds = load_dataset(tmp_path, "sprite")
    assert [(i.id, i.caption) for i in ds.items] == [
        ("hero.png#0", "red knight, attack"), ("hero.png#1", "red knight, attack"), ("hero.png#2", "red knight, hurt")
    ]  # fmt: skip
    hashes = {i.id: i.sha256 for i in ds.items}
    crop = np.ascontiguousarray(sheet[:, 16:32])
    assert hashes["hero.png#1"] == hashlib.sha256(b"16x16\n" + crop.tobytes()).hexdigest()


def test_atlas_may_not_name_an_image_outside(tmp_path: Path) -> None:
    save(tmp_path / "outside.png", picture(0, 16))
    data = tmp_path / "data"
    _sheet(data)
    frame = {"frame": {"x": 0, "y": 0, "w": 16, "h": 16}}
    (data / "evil.json").write_text(json.dumps({"frames": {"a": frame}, "meta": {"image": "../outside.png"}}))
    (data / "hero.json").write_text(json.dumps({"frames": {"a": frame}, "meta": {"image": "hero.png"}}))
    ds = load_dataset(data)
    assert [i.id for i in ds.items] == ["hero.png#a"] and "'..'" in problem_paths(ds)["evil.json"]


def test_gamegen_sprite_bundle_as_frames(tmp_path: Path) -> None:
    gamegen.generate("character.sprite", seed=1, out=tmp_path / "hero")
    ds = load_dataset(tmp_path / "hero", "sprite")
    ids = [i.id for i in ds.items]
    assert len(ids) == 68 and "character.sprite/sprite.png#walk_down_0" in ids  # TexturePacker names, read once
    assert all(i.box is not None and i.image().size == (32, 32) for i in ds.items[:4])
    assert [p.path for p in ds.problems] == ["character.sprite/sprite_icon.png"]


# ---------------------------------------------------------------- bundles


@pytest.fixture(scope="module")
def variations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundles") / "bricks"
    gamegen.generate_variations("texture.material", 3, seed=5, out=out, params={"size": 32, "family": "brick"})
    return out


def test_bundle_images_are_captioned_with_generator_and_params(variations: Path) -> None:
    ds = load_dataset(variations)
    assert ds.kind == "image" and [i.id for i in ds.items] == [
        f"seed-{s}/texture.material/albedo.png" for s in (5, 6, 7)
    ]
    item = ds.items[1]
    assert (
        item.caption.startswith("texture.material, ") and "family=brick" in item.caption and "size=32" in item.caption
    )
    manifest = json.loads((variations / "seed-6" / "manifest.json").read_text())["assets"][0]
    assert item.source == f"gamegen:texture.material@{manifest['generator_version']} seed=6"
    assert item.license is None and ds.problems == []


def test_from_bundle_with_a_pick_list_and_a_picks_file(variations: Path, tmp_path: Path) -> None:
    out = tmp_path / "data"
    ds = from_bundle(variations, ["seed-7", "seed-5"], out)
    assert [i.id for i in ds.items] == ["seed-5.png", "seed-7.png"] and ds.kind == "image"
    assert json.loads((out / "gamegen-dataset.json").read_text())["format"] == "gamegen.dataset/1"
    lines = [json.loads(line) for line in (out / "metadata.jsonl").read_text().splitlines()]
    source = load_dataset(variations)
    assert lines[0]["file_name"] == "seed-7.png" and lines[0]["text"] == source.items[2].caption
    assert lines[0]["source"].endswith(" seed=7") and "license" not in lines[0]
    assert (out / "seed-5.png").read_bytes() == (variations / "seed-5/texture.material/albedo.png").read_bytes()

    picks = tmp_path / "picks.json"
    picks.write_text(json.dumps({"format": PICKS_FORMAT, "picks": ["seed-6"], "rejects": ["seed-5"],
                                 "stars": {"seed-6": 4}}))  # fmt: skip
    again = from_bundle(variations, picks, out)  # replaces the dataset it wrote before
    assert [i.id for i in again.items] == ["seed-6.png"]
    assert json.loads((out / "metadata.jsonl").read_text())["stars"] == 4
    assert json.loads((out / "gamegen-dataset.json").read_text())["picks"]["rejects"] == ["seed-5"]


def test_from_bundle_refusals(variations: Path, tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"no asset 'seed-9'; its ids are seed-5, seed-6, seed-7"):
        from_bundle(variations, ["seed-9"], tmp_path / "d")
    with pytest.raises(DatasetError, match="both picked and rejected: seed-5"):
        from_bundle(variations, {"picks": ["seed-5"], "rejects": ["seed-5"]}, tmp_path / "d")
    with pytest.raises(DatasetError, match=r"stars\.seed-5: Input should be less than or equal to 5"):
        from_bundle(variations, {"picks": ["seed-5"], "stars": {"seed-5": 9}}, tmp_path / "d")
    with pytest.raises(DatasetError, match="picks: pics: Extra inputs are not permitted"):
        from_bundle(variations, {"picks": ["seed-5"], "pics": []}, tmp_path / "d")
    with pytest.raises(DatasetError, match="nor lie inside it"):
        from_bundle(variations, ["seed-5"], variations / "data")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(OutputFolderError):
        from_bundle(variations, ["seed-5"], mine)
    assert (mine / "notes.txt").read_text() == "keep me" and not (tmp_path / "d").exists()


def test_from_a_bundle_of_several_assets(tmp_path: Path) -> None:
    gamegen.generate("character.sprite", seed=3, out=tmp_path / "hero", asset_id="hero")
    ds = from_bundle(tmp_path / "hero", ["hero"], tmp_path / "data")
    assert [i.id for i in ds.items] == ["hero.png"] and ds.items[0].image().size == (32, 32)  # the preview frame
    assert ds.items[0].caption.startswith("character.sprite, ")


# ---------------------------------------------------------------- split


def test_split_is_deterministic_by_id(tmp_path: Path) -> None:
    for k in range(10):
        (tmp_path / f"{k}.txt").write_text(f"line number {k} " * (k + 1))
    ds = load_dataset(tmp_path)
    train, held = ds.split(0.2, seed=1)
    assert len(held) == 2 and len(train) == 8 and not {i.id for i in train} & {i.id for i in held}
    assert ds.split(0.2, seed=1) == (train, held)
    assert ds.split(0.0, seed=1) == (ds.items, [])
    assert len(ds.split(0.01, seed=1)[1]) == 1  # at least one held out
    with pytest.raises(ParamError, match="heldout=1"):
        ds.split(1, seed=1)


# ---------------------------------------------------------------- CLI


def test_cli_inspect_human_and_json(tmp_path: Path) -> None:
    save(tmp_path / "a.png", picture(0))
    save(tmp_path / "b.png", picture(0))
    (tmp_path / "c.png").write_bytes(b"broken")
    res = CliRunner().invoke(main, ["dataset", "inspect", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "2 image items" in res.output and "fingerprint: " in res.output and "captions: 0 of 2" in res.output
    assert "c.png: not a readable" in res.output and "b.png duplicates a.png (exact)" in res.output
    res = CliRunner().invoke(main, ["dataset", "inspect", str(tmp_path), "--json"])
    assert json.loads(res.output) == load_dataset(tmp_path).summary()
    res = CliRunner().invoke(main, ["dataset", "inspect", str(tmp_path), "--kind", "text"])
    assert res.exit_code == 2 and res.output.count("\n") == 1 and "no usable text items" in res.output


def test_cli_errors_are_one_line_exit_2(tmp_path: Path, variations: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for args, expected in [
        (["dataset", "inspect", str(empty)], "no files to read"),
        (["dataset", "inspect", str(tmp_path / "nope")], "no such folder"),
        (["dataset", "from-bundle", str(variations), "-o", str(tmp_path / "d")], "give --pick ID,ID,... or --picks"),
        (["dataset", "from-bundle", str(variations), "--pick", "a", "--picks", "p", "-o", "d"], "not both"),
        (["dataset", "from-bundle", str(variations), "--pick", "seed-1", "-o", str(tmp_path / "d")], "no asset"),
        (["dataset", "from-bundle", str(empty), "--pick", "x", "-o", str(tmp_path / "d")], "no manifest.json"),
        (["dataset", "from-bundle", str(variations), "--picks", str(tmp_path / "p.json"), "-o", str(tmp_path / "d")],
         "cannot be read"),
    ]:  # fmt: skip
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 2, (args, res.output)
        assert res.output.startswith("error: ") and res.output.count("\n") == 1 and expected in res.output, res.output


def test_cli_from_bundle(tmp_path: Path, variations: Path) -> None:
    out = tmp_path / "data"
    res = CliRunner().invoke(
        main, ["dataset", "from-bundle", str(variations), "--pick", "seed-5, seed-6", "-o", str(out)]
    )
    assert res.exit_code == 0 and "wrote 2 captioned images" in res.output, res.output
    picks = tmp_path / "picks.json"
    picks.write_text(json.dumps({"picks": ["seed-7"]}))
    res = CliRunner().invoke(main, ["dataset", "from-bundle", str(variations), "--picks", str(picks), "-o", str(out),
                                    "--json"])  # fmt: skip
    assert res.exit_code == 0 and json.loads(res.output)["count"] == 1
    gallery_bundle = tmp_path / "bundle"
    shutil.copytree(variations, gallery_bundle)
    (gallery_bundle / "picks.json").write_text(json.dumps({"picks": ["seed-5", "seed-7"], "rejects": [], "stars": {}}))
    res = CliRunner().invoke(main, ["dataset", "from-bundle", str(gallery_bundle), "-o", str(out)])
    assert res.exit_code == 0 and [i.id for i in load_dataset(out).items] == ["seed-5.png", "seed-7.png"]


def test_problem_and_item_types() -> None:
    problem = DataProblem("a.png", "broken")
    assert str(problem) == "a.png: broken"
    item = DatasetItem("x.txt", "", "0" * 64, text="hi")
    with pytest.raises(AttributeError):
        item.caption = "y"  # type: ignore[misc]
