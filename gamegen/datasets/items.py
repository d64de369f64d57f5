"""A dataset's items and the dataset itself: what trainers iterate over, and the fingerprint that says when the
data changed (and only then: renaming a file or editing a caption changes it, touching a file does not)."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from PIL import Image

from ..errors import DatasetError, ParamError
from .reading import MAX_IMAGE_BYTES, Unreadable, decode_image, read_capped

__all__ = ["DataKind", "DataProblem", "Dataset", "DatasetItem", "Duplicate", "Loaded", "UNSPECIFIED_LICENSE"]

DataKind = Literal["image", "text", "sprite"]
Duplicate = tuple[str, str, str]  # (kept id, duplicate id, "exact" | "near")
UNSPECIFIED_LICENSE = "unspecified"


@dataclass(frozen=True)
class DataProblem:
    """A file, line or frame that was skipped: its path in the dataset (``file:line`` for a line) and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class DatasetItem:
    """One training example: an image file, a sprite frame (``box`` inside the sheet at ``path``) or a text.

    ``id`` is the path relative to the dataset root (``sheet.png#frame`` for a frame, ``file.jsonl#line`` for a
    line); ``sha256`` hashes the content (file bytes, a frame's decoded pixels, a text's cleaned UTF-8).
    """

    id: str
    caption: str
    sha256: str
    license: str | None = None
    source: str | None = None
    text: str | None = None
    path: Path | None = None
    box: tuple[int, int, int, int] | None = None

    def image(self) -> Image.Image:
        """The item's pixels as RGBA, read now (a frame is cropped from its sheet; the last sheets read are kept)."""
        if self.path is None:
            raise DatasetError(f"{self.id}: a text item has no image")
        try:
            stat = self.path.stat()
            img = _decoded(self.path, stat.st_mtime_ns, stat.st_size)
        except (OSError, Unreadable) as exc:
            raise DatasetError(f"{self.path}: {getattr(exc, 'strerror', None) or exc}") from None
        if self.box is None:
            return img.copy()
        x, y, w, h = self.box
        return img.crop((x, y, x + w, y + h))


@functools.lru_cache(maxsize=2)
def _decoded(path: Path, mtime_ns: int, size: int) -> Image.Image:
    """The decoded image at ``path`` (cached by modification time and size, so an edited file is read again)."""
    return decode_image(read_capped(path, MAX_IMAGE_BYTES))


@dataclass
class Loaded:
    """What a loader found: items, skipped files, and each item's near-duplicate signature by id."""

    items: list[DatasetItem] = field(default_factory=list)
    problems: list[DataProblem] = field(default_factory=list)
    signatures: dict[str, Any] = field(default_factory=dict)


@dataclass
class Dataset:
    """Training data read from ``root``: usable items sorted by id, what was skipped, and duplicates found.

    Each duplicate is ``(kept, duplicate, "exact" | "near")``: ``kept`` is the first id of its group, so dropping
    every second id keeps one item of each group.
    """

    root: Path
    kind: DataKind
    items: list[DatasetItem]
    problems: list[DataProblem] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """sha256 over the sorted (id, sha256, caption, license, source) of every item."""
        rows = sorted([i.id, i.sha256, i.caption, i.license, i.source] for i in self.items)
        return hashlib.sha256(json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()

    def licenses(self) -> dict[str, int]:
        """How many items carry each licence (``"unspecified"`` for none), most common first."""
        counts: dict[str, int] = {}
        for item in self.items:
            key = item.license or UNSPECIFIED_LICENSE
            counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def summary(self) -> dict[str, Any]:
        """A JSON-able description for people and model cards (:func:`gamegen.datasets.summary.summarise`)."""
        from .summary import summarise

        return summarise(self)

    def split(self, heldout: float, seed: int) -> tuple[list[DatasetItem], list[DatasetItem]]:
        """(train, held-out) items: the ``heldout`` fraction whose hash of (seed, id) ranks lowest, at least one
        of each when ``0 < heldout`` and there are two items or more. The same ids and seed give the same split."""
        if isinstance(heldout, bool) or not isinstance(heldout, int | float) or not 0 <= heldout < 1:
            raise ParamError(f"heldout={heldout!r}: must be a fraction with 0 ≤ heldout < 1")
        count = len(self.items)
        take = 0 if heldout == 0 or count < 2 else min(count - 1, max(1, round(heldout * count)))
        ranked = sorted(self.items, key=lambda i: hashlib.sha256(f"{seed}\0{i.id}".encode()).digest())
        held = {i.id for i in ranked[:take]}
        return [i for i in self.items if i.id not in held], [i for i in self.items if i.id in held]
