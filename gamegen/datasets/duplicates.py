"""Exact and near duplicates: the same bytes twice, or pictures (texts) a person would call the same.

Images are near duplicates when the dHash of their alpha-premultiplied luma (9×8 thumbnail, 64 bits) differs in at
most :data:`MAX_DISTANCE` bits *and* their mean colours are within one of 16 levels per channel (dHash alone calls
every flat image the same, whatever its colour). Texts are near duplicates when they are equal once case,
punctuation and spacing are ignored. Groups are not chained: taken in id order, each item joins the first earlier
group whose first item it is close to, so every near duplicate is close to the item it is reported against.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
from PIL import Image

from .items import DatasetItem, Duplicate

__all__ = ["MAX_DISTANCE", "image_signature", "text_signature", "image_groups", "text_groups", "duplicate_pairs"]

MAX_DISTANCE = 4
_COLOUR_LEVEL = 16  # 256 / 16 levels per channel
_BLOCK = 1 << 22  # pairwise distances computed this many at a time (≈32 MB of uint64)
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)
_POPCOUNT16 = np.unpackbits(np.arange(1 << 16, dtype=">u2").view(np.uint8)).reshape(-1, 16).sum(1).astype(np.uint8)
_NOT_WORD = re.compile(r"[\W_]+")


def image_signature(image: Image.Image) -> np.ndarray:
    """``[dhash, r, g, b]`` (uint64): the 64-bit dHash and the mean colour in 16 levels per channel."""
    rgba = image if image.mode == "RGBA" else image.convert("RGBA")
    small = np.asarray(rgba.resize((9, 8), Image.Resampling.BOX), dtype=np.float32)
    rgb = small[..., :3] * (small[..., 3:] / 255.0)
    luma = rgb @ _LUMA
    dhash = np.packbits(luma[:, 1:] > luma[:, :-1]).view(">u8")[0]
    colour = rgb.mean(axis=(0, 1)) // _COLOUR_LEVEL
    return np.array([dhash, *colour], dtype=np.uint64)


def text_signature(text: str) -> str:
    """The text with case, punctuation and spacing taken out."""
    return _NOT_WORD.sub(" ", text.casefold()).strip()


def _table_popcount(x: np.ndarray) -> np.ndarray:
    """Set bits of each uint64 through a 16-bit table (numpy before 2.0 has no ``bitwise_count``)."""
    return sum(_POPCOUNT16[(x >> np.uint64(s)) & np.uint64(0xFFFF)] for s in (0, 16, 32, 48))


_popcount: Callable[[np.ndarray], np.ndarray] = getattr(np, "bitwise_count", _table_popcount)


def _close_pairs(unique: np.ndarray) -> np.ndarray:
    """(i, j), i < j, of distinct signatures within MAX_DISTANCE bits and one colour level of each other."""
    count = len(unique)
    hashes, colours = unique[:, 0], unique[:, 1:].astype(np.int64)
    rows = max(1, _BLOCK // max(count, 1))
    found = [np.empty((0, 2), np.int64)]
    for start in range(0, count, rows):
        stop = min(count, start + rows)
        distance = _popcount(hashes[start:stop, None] ^ hashes[None, start:])
        i, j = np.nonzero(distance <= MAX_DISTANCE)
        i, j = i + start, j + start
        keep = (j > i) & (np.abs(colours[i] - colours[j]).max(axis=1) <= 1)
        found.append(np.stack([i[keep], j[keep]], axis=1))
    return np.concatenate(found)


def _leaders(order: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Leader of each node: visited by ``order`` (rank, lower first), a node joins the first-ranked leader it is
    close to, else leads. No chains: every member is itself close to its leader."""
    count = len(order)
    leader = np.arange(count)
    if not len(edges):
        return leader
    both = np.concatenate([edges, edges[:, ::-1]])
    both = both[np.lexsort((order[both[:, 1]], both[:, 0]))]  # by node, then neighbour rank
    starts = np.searchsorted(both[:, 0], np.arange(count + 1))
    for node in np.argsort(order, kind="stable").tolist():
        neighbours = both[starts[node] : starts[node + 1], 1]
        earlier = neighbours[(order[neighbours] < order[node]) & (leader[neighbours] == neighbours)]
        if len(earlier):
            leader[node] = earlier[0]
    return leader


def image_groups(signatures: np.ndarray) -> np.ndarray:
    """A group label per row of ``signatures`` (N×4, rows in id order): each row joins the first earlier group
    leader it is a near duplicate of, else leads a group."""
    unique, inverse = np.unique(signatures, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    first = np.full(len(unique), len(inverse))
    np.minimum.at(first, inverse, np.arange(len(inverse)))
    return _leaders(first, _close_pairs(unique))[inverse]


def text_groups(signatures: list[str]) -> np.ndarray:
    """A group label per text signature: equal signatures share one."""
    first: dict[str, int] = {}
    return np.array([first.setdefault(s, len(first)) for s in signatures], dtype=np.int64)


def duplicate_pairs(items: list[DatasetItem], groups: np.ndarray) -> list[Duplicate]:
    """``(kept, duplicate, kind)`` for ``items`` (sorted by id): "exact" against the first item with the same
    sha256, "near" between the first of each sha256 and the first of its near group."""
    pairs: list[Duplicate] = []
    first_of_sha: dict[str, str] = {}
    first_of_group: dict[int, str] = {}
    for item, group in zip(items, groups.tolist(), strict=True):
        if item.sha256 in first_of_sha:
            pairs.append((first_of_sha[item.sha256], item.id, "exact"))
            continue
        first_of_sha[item.sha256] = item.id
        kept = first_of_group.setdefault(group, item.id)
        if kept != item.id:
            pairs.append((kept, item.id, "near"))
    return pairs
