"""Sprite frames: a sheet plus its atlas JSON (TexturePacker hash or array, Aseprite hash or array), one item per
frame, with id ``sheet.png#frame`` and the frame's ``box`` in the sheet.

A frame's caption is its sheet's caption (sidecar or ``metadata.jsonl``, as for images) and its animation: the
Aseprite tag holding it, else its name without the frame number (``walk_down_3`` → ``walk_down``). A sheet that
two atlases describe (gamegen writes both formats) is read once, from the TexturePacker one; frames stored rotated,
boxes outside the sheet and images no atlas names are problems.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import numpy as np
from PIL import Image

from .captions import Caption, read_captions
from .duplicates import image_signature
from .items import DataProblem, DatasetItem, Loaded
from .reading import IMAGE_SUFFIXES, MAX_IMAGE_BYTES, MAX_JSON_BYTES, Unreadable, decode_image, join_inside, read_capped
from .scan import Scan

__all__ = ["is_atlas", "load_sprites"]

_EXTENSION = re.compile(r"(\.[A-Za-z]\w*)?$")
_TRAILING_NUMBER = re.compile(r"[\s_.\-]*\d+$")


@dataclass(frozen=True)
class _Frame:
    name: str
    box: tuple[int, int, int, int]
    animation: str


@dataclass
class _Atlas:
    path: str
    sheet: str
    aseprite: bool
    frames: list[_Frame]


def is_atlas(doc: Any) -> bool:
    """True for a JSON document shaped like a TexturePacker or Aseprite atlas (``frames`` and a ``meta`` object)."""
    return isinstance(doc, dict) and isinstance(doc.get("frames"), dict | list) and isinstance(doc.get("meta"), dict)


def load_sprites(scan: Scan) -> Loaded:
    """One item per frame of every sheet an atlas in the folder describes."""
    found = Loaded()
    atlases = _read_atlases(scan, found.problems)
    captions, problems = read_captions(scan, sorted({a.sheet for a in atlases}))
    found.problems.extend(problems)
    present = set(scan.files)
    read: dict[str, _Atlas] = {}
    for atlas in sorted(atlases, key=lambda a: (a.aseprite, a.path)):
        if atlas.sheet in read:
            if {f.box for f in atlas.frames} != {f.box for f in read[atlas.sheet].frames}:
                found.problems.append(DataProblem(atlas.path, f"describes {atlas.sheet} differently from "
                                                  f"{read[atlas.sheet].path}, which was read; skipped"))  # fmt: skip
            continue
        if atlas.sheet not in present:
            found.problems.append(DataProblem(atlas.path, f"its image {atlas.sheet} is not in the dataset"))
            continue
        read[atlas.sheet] = atlas
        _add_frames(scan, atlas, captions.get(atlas.sheet, Caption()), found)
    for image in scan.suffixed(IMAGE_SUFFIXES):
        if image not in read:
            found.problems.append(DataProblem(image, "no atlas JSON describes this image: skipped"))
    return found


def _read_atlases(scan: Scan, problems: list[DataProblem]) -> list[_Atlas]:
    """Every atlas JSON of the folder (other JSON files are passed over; unreadable ones are problems)."""
    atlases = []
    for rel in scan.suffixed(frozenset({".json"})):
        try:
            doc = json.loads(read_capped(scan.root / rel, MAX_JSON_BYTES))
        except Unreadable as exc:
            problems.append(DataProblem(rel, str(exc)))
            continue
        except (ValueError, RecursionError) as exc:
            problems.append(DataProblem(rel, f"not JSON ({exc})"))
            continue
        if is_atlas(doc):
            try:
                atlases.append(_parse_atlas(rel, doc, problems))
            except Unreadable as exc:
                problems.append(DataProblem(rel, str(exc)))
    return atlases


def _parse_atlas(rel: str, doc: dict[str, Any], problems: list[DataProblem]) -> _Atlas:
    """The sheet and frames an atlas describes; a malformed frame is a problem, a missing sheet name Unreadable."""
    meta = doc["meta"]
    sheet = join_inside(PurePosixPath(rel).parent.as_posix(), meta.get("image"))
    raw = doc["frames"]
    entries = list(raw.items()) if isinstance(raw, dict) else [(_get(f, "filename"), f) for f in raw]
    tags = meta.get("frameTags") if isinstance(meta.get("frameTags"), list) else []
    tagged = _tag_of_index(tags, len(entries))
    frames: list[_Frame] = []
    names: set[str] = set()
    for index, (name, entry) in enumerate(entries):
        try:
            if not isinstance(name, str) or not name or name in names:
                raise Unreadable(f"frame {index} has no name of its own ({name!r})")
            if isinstance(entry, dict) and entry.get("rotated") is True:
                raise Unreadable(f"frame {name!r} is stored rotated in the sheet, which is not supported")
            box = _box(_get(entry, "frame"))
        except Unreadable as exc:
            problems.append(DataProblem(rel, str(exc)))
            continue
        names.add(name)
        frames.append(_Frame(name, box, tagged.get(index) or _TRAILING_NUMBER.sub("", _EXTENSION.sub("", name))))
    return _Atlas(rel, sheet, bool(tags), frames)


def _get(entry: Any, key: str) -> Any:
    return entry.get(key) if isinstance(entry, dict) else None


def _box(rect: Any) -> tuple[int, int, int, int]:
    """``(x, y, w, h)`` of a ``{"x", "y", "w", "h"}`` rectangle; Unreadable unless whole, non-negative, non-empty."""
    values = [_get(rect, k) for k in "xywh"]
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values) or 0 in values[2:]:
        raise Unreadable(f"frame rectangle {rect!r} is not four whole numbers x, y ≥ 0 and w, h > 0")
    x, y, w, h = values
    return x, y, w, h


def _tag_of_index(tags: list[Any], count: int) -> dict[int, str]:
    """Frame index → the first Aseprite tag (``name``, ``from``, ``to``) holding it."""
    out: dict[int, str] = {}
    for tag in tags:
        name, start, stop = (_get(tag, k) for k in ("name", "from", "to"))
        if isinstance(name, str) and isinstance(start, int) and isinstance(stop, int) and 0 <= start <= stop:
            for index in range(start, min(stop, count - 1) + 1):
                out.setdefault(index, name)
    return out


def _add_frames(scan: Scan, atlas: _Atlas, caption: Caption, found: Loaded) -> None:
    """Decode the sheet once and add each frame that lies inside it."""
    try:
        sheet = decode_image(read_capped(scan.root / atlas.sheet, MAX_IMAGE_BYTES))
    except Unreadable as exc:
        found.problems.append(DataProblem(atlas.sheet, str(exc)))
        return
    pixels = np.asarray(sheet)
    height, width = pixels.shape[:2]
    for frame in atlas.frames:
        item_id = f"{atlas.sheet}#{frame.name}"
        x, y, w, h = frame.box
        if x + w > width or y + h > height:
            found.problems.append(DataProblem(item_id, f"box {frame.box} lies outside the {width}×{height} sheet"))
            continue
        crop = np.ascontiguousarray(pixels[y : y + h, x : x + w])
        digest = hashlib.sha256(f"{w}x{h}\n".encode() + crop.tobytes()).hexdigest()
        words = ", ".join(part for part in (caption.text, frame.animation) if part)
        found.items.append(DatasetItem(item_id, words, digest, caption.license, caption.source,
                                       path=scan.root / atlas.sheet, box=frame.box))  # fmt: skip
        found.signatures[item_id] = image_signature(Image.fromarray(crop))
