"""``load_dataset``: read a folder as image, text or sprite data, guessing which when not told."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import get_args

import numpy as np

from ..errors import DatasetError, ParamError
from .bundles import bundle_assets, bundle_format, load_bundle
from .captions import METADATA_FILE
from .duplicates import duplicate_pairs, image_groups, text_groups
from .images import load_images
from .items import DataKind, Dataset, Loaded
from .reading import IMAGE_SUFFIXES, MAX_JSON_BYTES, Unreadable, read_capped
from .scan import Scan, scan_folder
from .sprites import is_atlas, load_sprites
from .text import TEXT_SUFFIXES, load_texts

__all__ = ["MAX_PICTURES", "load_dataset"]

MAX_PICTURES = 100_000  # near duplicates compare every pair of distinct pictures: ~30 s at the cap, 2 cores
_KINDS: tuple[str, ...] = get_args(DataKind)


def load_dataset(path: str | Path, kind: DataKind | None = None) -> Dataset:
    """Read the training data in the folder ``path`` (sub-folders too).

    ``kind`` is guessed when None: a gamegen bundle → image (text when no asset has a picture); a folder with an
    atlas JSON → sprite; else images or texts, whichever files are more. Unusable files become ``problems``; no
    usable item at all is a :class:`~gamegen.errors.DatasetError` (exit 2) naming the folder.
    """
    given = Path(os.path.abspath(Path(path).expanduser()))
    if kind is not None and kind not in _KINDS:
        raise ParamError(f"kind={kind!r}: must be one of {', '.join(_KINDS)}")
    if not given.is_dir():
        what = "is a file; put the data in a folder of its own" if given.exists() else "no such folder"
        raise DatasetError(f"{given}: {what}")
    scan = scan_folder(given)
    bundle = bundle_format(given) is not None
    chosen: DataKind = kind or (_guess_bundle(given) if bundle else _guess(scan))
    loaders: dict[str, Callable[[Scan], Loaded]] = {
        "image": load_bundle if bundle else load_images, "text": load_texts, "sprite": load_sprites
    }  # fmt: skip
    found = loaders[chosen](scan)
    problems = scan.problems + found.problems
    if not found.items:
        first = f"; first problem: {problems[0]}" if problems else ""
        if not scan.files:
            raise DatasetError(f"{given}: no files to read{first}")
        raise DatasetError(f"{given}: no usable {chosen} items among {len(scan.files)} files{first}")
    if chosen != "text" and len(found.items) > MAX_PICTURES:
        raise DatasetError(
            f"{given}: {len(found.items)} pictures, more than the {MAX_PICTURES} allowed; split the data"
        )
    items = sorted(found.items, key=lambda item: item.id)
    signatures = [found.signatures[item.id] for item in items]
    groups = text_groups(signatures) if chosen == "text" else image_groups(np.stack(signatures))
    return Dataset(given, chosen, items, problems, duplicate_pairs(items, groups))


def _guess_bundle(root: Path) -> DataKind:
    """image when an asset of the bundle has a picture, else text (a bundle of quests and dialogue)."""
    return "image" if any(asset.image is not None for asset in bundle_assets(root, [])) else "text"


def _guess(scan: Scan) -> DataKind:
    """sprite when an atlas JSON is present, else image or text by which files are more (captions not counted)."""
    for rel in scan.suffixed(frozenset({".json"})):
        try:
            if is_atlas(json.loads(read_capped(scan.root / rel, MAX_JSON_BYTES))):
                return "sprite"
        except (Unreadable, ValueError, RecursionError):
            continue
    images = scan.suffixed(IMAGE_SUFFIXES)
    sidecars = {PurePosixPath(i).with_suffix(".txt").as_posix() for i in images}
    texts = [t for t in scan.suffixed(TEXT_SUFFIXES) if t not in sidecars and PurePosixPath(t).name != METADATA_FILE]
    return "image" if images and len(images) >= len(texts) else "text"
