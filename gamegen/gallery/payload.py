"""Each asset's data for its viewers, written once as a small script the page loads when the asset is opened.

A page opened from ``file://`` may show the bundle's files (``<img>``, ``<audio>``) but not read them: ``fetch`` is
refused and a canvas that drew a local image can no longer be read, nor used as a WebGL texture. So what the viewers
must read comes in a script that calls ``GG.payload(key, data)``, loaded with a classic ``<script src>``:

- ``texts``: text and JSON files (Ink, atlases, quest lines; the first 256 KiB of a file over 1 MiB);
- ``images``: texture maps and terrain layers as data URLs, at most 512 pixels a side (WebGL textures);
- ``heights``: a heightmap's samples, at most 257 a side, as little-endian uint16 in base64;
- ``waves``: a WAV's waveform (:func:`gamegen.gallery.audio.waveform`).

The file is named after the digests of the files it holds, so it is written once and reused while they stay the same.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ..manifest import FileRecord
from .audio import waveform
from .model import Card, Collection
from .thumbs import to_8bit

__all__ = ["PAYLOAD_VERSION", "plan", "payload_name", "write_payload"]

PAYLOAD_VERSION = "1"
TEXT_MAX = 1 << 20
TEXT_HEAD = 256 << 10
PIXELS_PX = 512
HEIGHTS_PX = 257
_TEXT_SUFFIXES = {".json", ".ink", ".yarn", ".csv", ".txt", ".md", ".tmj", ".tsj", ".tres", ".tscn", ".xml", ".tmx"}
_HEIGHT_SUFFIXES = {".png": 0, ".raw": 1, ".r16": 1}  # preference: a 16-bit PNG over raw samples


def _suffix(record: FileRecord) -> str:
    name = record.path.rsplit("/", 1)[-1]
    return name[name.rfind(".") :].lower() if "." in name else ""


def _is_text(record: FileRecord) -> bool:
    return (
        record.media_type.startswith("text/") or record.media_type.endswith("json") or _suffix(record) in _TEXT_SUFFIXES
    )


def _height_files(card: Card) -> list[FileRecord]:
    found = [f for f in card.entry.files if (f.meta or {}).get("height_encoding") and _suffix(f) in _HEIGHT_SUFFIXES]
    return sorted(found, key=lambda f: _HEIGHT_SUFFIXES[_suffix(f)])[:1]


def plan(card: Card) -> dict[str, str]:
    """What the payload of ``card`` holds: bundle-relative path → ``text``, ``image``, ``heights`` or ``wave``."""
    heights = _height_files(card)
    roles = {card.path(f): "heights" for f in heights}
    for f in card.entry.files:
        meta = f.meta or {}
        path = card.path(f)
        if path in roles or meta.get("height_encoding"):
            continue
        if f.media_type.startswith("audio/"):
            roles[path] = "wave"
        elif _is_text(f):
            roles[path] = "text"
        elif f.media_type == "image/png" and (meta.get("map") or (heights and "normal_convention" not in meta)):
            roles[path] = "image"  # a texture map, or a terrain's colour layer or mask
    return roles


def payload_name(card: Card, roles: dict[str, str]) -> str | None:
    """The payload's file name (relative to the gallery folder), from the digests of what it holds; None: empty."""
    if not roles:
        return None
    digests = {card.path(f): f.sha256 for f in card.entry.files}
    key = json.dumps([PAYLOAD_VERSION, sorted((p, digests[p], r) for p, r in roles.items())])
    return f"data/{hashlib.sha256(key.encode()).hexdigest()[:40]}.js"


def _text(path: Path) -> tuple[str, bool]:
    with path.open("rb") as fh:
        data = fh.read(TEXT_MAX + 1)
    cut = len(data) > TEXT_MAX
    return (data[:TEXT_HEAD] if cut else data).decode("utf-8", errors="replace"), cut


def _open_image(path: Path) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(path) as img:
            return img.copy()


def _data_url(path: Path) -> str:
    img = to_8bit(_open_image(path))
    img.thumbnail((PIXELS_PX, PIXELS_PX), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, "WEBP", quality=90, method=4)
    return "data:image/webp;base64," + base64.b64encode(buf.getvalue()).decode()


def _height_samples(path: Path, record: FileRecord) -> np.ndarray | None:
    if _suffix(record) == ".png":
        arr = np.asarray(_open_image(path))
        return arr if arr.ndim == 2 else None
    data = np.frombuffer(path.read_bytes(), "<u2")
    side = int(round(len(data) ** 0.5))
    return data.reshape(side, side) if side * side == len(data) and side > 1 else None


def _heights(path: Path, record: FileRecord) -> dict[str, Any] | None:
    arr = _height_samples(path, record)
    if arr is None:
        return None
    rows = np.round(np.linspace(0, arr.shape[0] - 1, min(arr.shape[0], HEIGHTS_PX))).astype(np.intp)
    cols = np.round(np.linspace(0, arr.shape[1] - 1, min(arr.shape[1], HEIGHTS_PX))).astype(np.intp)
    grid = np.clip(arr[np.ix_(rows, cols)], 0, 65535).astype("<u2")
    meta = record.meta or {}
    return {
        "w": len(cols),
        "h": len(rows),
        "data": base64.b64encode(grid.tobytes()).decode(),
        "range_m": meta.get("height_range_m"),
        "extent_m": meta.get("terrain_extent_m"),
        "sea_m": meta.get("sea_level_m"),
    }


def write_payload(collection: Collection, card: Card, roles: dict[str, str], target: Path) -> None:
    """Write ``card``'s payload script to ``target`` unless it exists (a file that cannot be read is left out)."""
    if target.exists():
        return
    doc: dict[str, Any] = {"texts": {}, "images": {}, "heights": {}, "waves": {}, "truncated": []}
    records = {card.path(f): f for f in card.entry.files}
    for rel, role in roles.items():
        src = collection.source(card, records[rel])
        if src is None:
            continue
        try:
            if role == "text":
                doc["texts"][rel], cut = _text(src)
                if cut:
                    doc["truncated"].append(rel)
            elif role == "image":
                doc["images"][rel] = _data_url(src)
            elif role == "heights" and (grid := _heights(src, records[rel])) is not None:
                doc["heights"][rel] = grid
            elif role == "wave" and (wave := waveform(src)) is not None:
                doc["waves"][rel] = wave
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
            continue
    key = target.stem
    body = json.dumps(doc, ensure_ascii=True, separators=(",", ":"))
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(f"GG.payload({json.dumps(key)},{body});\n", encoding="ascii")
    tmp.replace(target)
