"""A WAV file's waveform for the page: the minimum and maximum sample of each column, computed once in Python
(a page opened from ``file://`` cannot read the file's samples itself)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

__all__ = ["waveform"]

_DTYPES = {1: np.uint8, 2: np.int16, 4: np.int32}


def _samples(path: Path) -> np.ndarray | None:
    """Mono samples in [-1, 1] of a PCM WAV (8/16/24/32-bit); None when it is not one."""
    try:
        with wave.open(str(path), "rb") as wav:
            width, channels, frames = wav.getsampwidth(), wav.getnchannels(), wav.getnframes()
            raw = wav.readframes(min(frames, 48_000 * 600))  # ten minutes at most
    except (OSError, EOFError, wave.Error):
        return None
    if width == 3:  # 24-bit: widen each little-endian sample to 32 bits
        b = np.frombuffer(raw[: len(raw) // 3 * 3], np.uint8).reshape(-1, 3)
        data = b[:, 0].astype(np.int32) << 8 | b[:, 1].astype(np.int32) << 16 | b[:, 2].astype(np.int32) << 24
        scaled = data / 2.0**31
    elif width in _DTYPES:
        data = np.frombuffer(raw[: len(raw) // width * width], _DTYPES[width])
        scaled = (data.astype(np.float64) - 128) / 128 if width == 1 else data / float(2 ** (8 * width - 1))
    else:
        return None
    usable = len(scaled) // channels * channels
    return scaled[:usable].reshape(-1, channels).mean(axis=1) if usable else None


def waveform(path: Path, columns: int = 800) -> dict[str, list[int]] | None:
    """``{"min": [...], "max": [...]}``: per column, the extreme samples scaled to −100…100 (None: not a PCM WAV)."""
    mono = _samples(path)
    if mono is None or not len(mono):
        return None
    columns = max(1, min(columns, len(mono)))
    edges = np.linspace(0, len(mono), columns + 1).astype(np.int64)
    lo = np.minimum.reduceat(mono, edges[:-1])
    hi = np.maximum.reduceat(mono, edges[:-1])
    return {"min": np.round(lo * 100).astype(int).tolist(), "max": np.round(hi * 100).astype(int).tolist()}
