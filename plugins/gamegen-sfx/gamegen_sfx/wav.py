"""16-bit PCM mono WAV encoding with the standard library's ``wave`` module (deterministic: no timestamps)."""

from __future__ import annotations

import io
import wave

import numpy as np

__all__ = ["encode_wav"]


def encode_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    """Quantise float samples in [-1, 1] to 16-bit little-endian PCM and wrap them in a mono WAV file."""
    pcm = np.round(np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()
