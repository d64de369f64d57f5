"""A dataset described for people and model cards: JSON-able, and the same wherever the data lies (no paths
outside it)."""

from __future__ import annotations

from typing import Any

from PIL import Image

from .items import Dataset, DatasetItem

__all__ = ["summarise"]


def _size(item: DatasetItem) -> str:
    """``WxH`` of an image item (a frame's box, an image file's header), ``unreadable`` when it is gone."""
    if item.box is not None:
        return f"{item.box[2]}x{item.box[3]}"
    if item.path is None:
        return "no image"
    try:
        with Image.open(item.path) as img:
            return f"{img.width}x{img.height}"
    except (OSError, ValueError, SyntaxError):
        return "unreadable"


def summarise(dataset: Dataset) -> dict[str, Any]:
    """kind, count, fingerprint, sizes (``WxH`` → items, most common first), captions (items that have one),
    licenses, characters (text), problems (``path``, ``reason``) and duplicates (``[kept, duplicate, kind]``)."""
    sizes: dict[str, int] = {}
    if dataset.kind != "text":
        for item in dataset.items:
            key = _size(item)
            sizes[key] = sizes.get(key, 0) + 1
    out: dict[str, Any] = {
        "kind": dataset.kind,
        "count": len(dataset.items),
        "fingerprint": dataset.fingerprint,
        "sizes": dict(sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))),
        "captions": sum(1 for item in dataset.items if item.caption),
        "licenses": dataset.licenses(),
        "problems": [{"path": p.path, "reason": p.reason} for p in dataset.problems],
        "duplicates": [list(d) for d in dataset.duplicates],
    }
    if dataset.kind == "text":
        out["characters"] = sum(len(item.text or "") for item in dataset.items)
    return out
