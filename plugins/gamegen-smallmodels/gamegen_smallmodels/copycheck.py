"""The copy check: does a generated picture reproduce a training item?

A model trained on a few hundred pictures can memorise them. Its folder keeps a compact index of the training
items — a 16×16 thumbnail of each (premultiplied RGBA, box-averaged; 1 KiB an item, never the pictures) and their
ids — and every picture it makes is compared with it. The distance is the RMS difference of two thumbnails in
[0, 1] units; a tiling model's pictures are compared with every circular shift of each item along the tiled axes (a
shifted tile is the same tile). A picture nearer to an item than ``limit`` is a near-copy; by default the limit is
half the median distance between a training item and its nearest other item: nearer to an item than the training
items are to each other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np

from gamegen.assets import TilingAxes

__all__ = [
    "FEATURE",
    "INDEX_FILE",
    "THUMB",
    "CopyIndex",
    "Nearest",
    "auto_limit",
    "mean_pairwise_distance",
    "nearest",
    "thumbnails",
]

THUMB = 16
INDEX_FILE = "copy_index.safetensors"
FEATURE = "16x16 premultiplied RGBA thumbnails (box filter), RMS distance in [0, 1]"
_CHUNK_BYTES = 32 << 20


def thumbnails(pixels: np.ndarray) -> np.ndarray:
    """uint8 (N, S, S, 4) → uint8 (N, 16, 16, 4): premultiplied colour and alpha, averaged over S/16 blocks."""
    n, h, w, _ = pixels.shape
    x = pixels.astype(np.float32) / 255.0
    x[..., :3] *= x[..., 3:]
    if h % THUMB or w % THUMB:
        raise ValueError(f"pictures of {w}×{h} do not divide into {THUMB}×{THUMB} thumbnails")
    blocks = x.reshape(n, THUMB, h // THUMB, THUMB, w // THUMB, 4).mean(axis=(2, 4))
    return np.clip(np.rint(blocks * 255.0), 0, 255).astype(np.uint8)


def _flat(thumbs: np.ndarray) -> np.ndarray:
    return thumbs.reshape(len(thumbs), -1).astype(np.float32) / 255.0


def _plain(q: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Squared distances (Q, T) between flat feature rows."""
    d = (q * q).sum(1)[:, None] + (t * t).sum(1)[None, :] - 2.0 * (q @ t.T)
    return np.maximum(d, 0.0)


def _shifted(q: np.ndarray, t: np.ndarray, tiling: TilingAxes) -> np.ndarray:
    """Squared distances (Q, T), each the least over the circular shifts of the item along the tiled axes:
    ‖q − shift(t)‖² = ‖q‖² + ‖t‖² − 2·corr(q, t)[shift], the correlation taken with FFTs."""
    qs = q.reshape(len(q), THUMB, THUMB, 4)
    ts = t.reshape(len(t), THUMB, THUMB, 4)
    qf = np.fft.rfft2(qs, axes=(1, 2))
    tf = np.conj(np.fft.rfft2(ts, axes=(1, 2)))
    allowed = np.zeros((THUMB, THUMB), dtype=bool)
    allowed[: THUMB if "y" in tiling else 1, : THUMB if "x" in tiling else 1] = True
    best = np.empty((len(q), len(t)), dtype=np.float32)
    tf = tf.transpose(1, 2, 3, 0)  # (h, w, c, T): one small matrix product per frequency
    step = max(1, _CHUNK_BYTES // (len(t) * THUMB * THUMB * 16))
    for start in range(0, len(q), step):
        spectra = np.matmul(qf[start : start + step].transpose(1, 2, 0, 3), tf).transpose(2, 3, 0, 1)
        corr = np.fft.irfft2(spectra, s=(THUMB, THUMB), axes=(2, 3))
        best[start : start + step] = corr[:, :, allowed].max(axis=2)
    d = (q * q).sum(1)[:, None] + (t * t).sum(1)[None, :] - 2.0 * best
    return np.maximum(d, 0.0)


@dataclass(frozen=True)
class Nearest:
    """For each query picture: the index of its nearest training item and the RMS distance to it."""

    index: np.ndarray
    distance: np.ndarray


def nearest(
    queries: np.ndarray, items: np.ndarray, tiling: TilingAxes = "none", skip: np.ndarray | None = None
) -> Nearest:
    """The nearest of ``items`` to each of ``queries`` (both uint8 thumbnails); ``skip`` (an item index per query)
    leaves that item out, so an item measured against its own set does not find itself."""
    q, t = _flat(queries), _flat(items)
    dims = q.shape[1]
    found_i = np.empty(len(q), dtype=np.int64)
    found_d = np.empty(len(q), dtype=np.float64)
    rows = max(1, _CHUNK_BYTES // (8 * len(t)))
    for start in range(0, len(q), rows):
        chunk = q[start : start + rows]
        d = _plain(chunk, t) if tiling == "none" else _shifted(chunk, t, tiling)
        if skip is not None:
            d[np.arange(len(chunk)), skip[start : start + len(chunk)]] = np.inf
        found_i[start : start + len(chunk)] = d.argmin(axis=1)
        found_d[start : start + len(chunk)] = np.sqrt(d.min(axis=1) / dims)
    return Nearest(found_i, found_d)


def auto_limit(items: np.ndarray, tiling: TilingAxes, rng: np.random.Generator, sample: int = 2000) -> float:
    """Half the median distance from a training item to its nearest other item (a sample of ``sample`` items is
    measured against all); 0.05 for a single item."""
    if len(items) < 2:
        return 0.05
    picked = np.sort(rng.choice(len(items), size=min(sample, len(items)), replace=False))
    found = nearest(items[picked], items, tiling, skip=picked)
    return float(max(0.5 * np.median(found.distance), 1e-3))


def mean_pairwise_distance(thumbs: np.ndarray, rng: np.random.Generator, sample: int = 1000) -> float:
    """The mean RMS distance between two different pictures (a sample of at most ``sample``): how varied a set is."""
    if len(thumbs) < 2:
        return 0.0
    if len(thumbs) > sample:
        thumbs = thumbs[np.sort(rng.choice(len(thumbs), size=sample, replace=False))]
    x = _flat(thumbs).astype(np.float64)
    d = np.sqrt(_plain(x, x) / x.shape[1])
    n = len(x)
    return float((d.sum() - np.trace(d)) / (n * (n - 1)))


@dataclass(frozen=True)
class CopyIndex:
    """The training items' ids and thumbnails, the tiling they are compared under, and the near-copy limit."""

    ids: list[str]
    thumbs: np.ndarray
    tiling: TilingAxes
    limit: float

    def check(self, pixels: np.ndarray) -> list[dict[str, object]]:
        """For each picture (uint8 (N, S, S, 4)): its nearest training item, the distance, and whether it is a
        near-copy — the QC block a generated picture's manifest entry carries."""
        found = nearest(thumbnails(pixels), self.thumbs, self.tiling)
        return [
            {
                "nearest_training_item": self.ids[int(i)],
                "nearest_distance": round(float(d), 4),
                "near_copy_limit": round(self.limit, 4),
                "near_copy": bool(d < self.limit),
            }
            for i, d in zip(found.index, found.distance, strict=True)
        ]

    def save(self, folder: Path) -> str:
        """Write the index into ``folder``; returns its file name."""
        import torch
        from safetensors.torch import save_file

        about = {"feature": FEATURE, "ids": self.ids, "limit": self.limit, "tiling": self.tiling}
        meta = {"index": json.dumps(about, sort_keys=True)}  # one key: safetensors orders several by chance
        save_file({"thumbnails": torch.from_numpy(np.ascontiguousarray(self.thumbs))}, str(folder / INDEX_FILE), meta)
        return INDEX_FILE

    @classmethod
    def load(cls, folder: Path) -> CopyIndex:
        """The index a trainer wrote into ``folder``."""
        from safetensors import safe_open

        with safe_open(str(folder / INDEX_FILE), framework="np") as f:
            about = json.loads(f.metadata()["index"])
            thumbs = f.get_tensor("thumbnails")
        return cls(list(about["ids"]), thumbs, cast(TilingAxes, about["tiling"]), float(about["limit"]))
