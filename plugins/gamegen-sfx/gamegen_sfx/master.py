"""Mastering after the synth: DC removal, a click-free ending, and peak normalisation.

sfxr's raw output can sit off centre (an asymmetric square wave or slow noise: up to 7% of full scale) and can stop
mid-wave when a frequency limit or a zero-length decay cuts it off (a click). Every sound therefore gets:

1. a gentle high-pass, a one-pole DC blocker at :data:`HIGHPASS_HZ`, which removes the offset and sub-audio drift;
2. a release: a raised-cosine fade-out over :data:`FADE_S` followed by :data:`SILENCE_S` of silence, so the file
   always ends at zero (the length stays the envelope's: the release replaces the last samples);
3. whatever mean the high-pass leaves (a short sound's lowest frequency bin is wider than 20 Hz, and a high-pass
   cut off at the end of the file leaves its settling tail out) is taken out by subtracting a tiny copy of the
   sound's own amplitude envelope, so the file's mean is zero and the correction stays under the loud part.

Then :func:`normalize_peak` scales the result so that its highest sample is exactly at the target (−1 dBFS by
default), which leaves headroom for 16-bit rounding and resampling and never clips.

Everything here is deterministic: no randomness, and the same input gives the same samples.
"""

from __future__ import annotations

import numpy as np

__all__ = ["HIGHPASS_HZ", "FADE_S", "SILENCE_S", "PEAK_DBFS", "master", "normalize_peak", "release_gain"]

HIGHPASS_HZ = 20.0
FADE_S = 0.010
SILENCE_S = 0.005
PEAK_DBFS = -1.0


def release_gain(n: int, sample_rate: int) -> np.ndarray:
    """Per-sample gain for ``n`` samples: 1, then a raised-cosine fade to 0 over :data:`FADE_S`, then
    :data:`SILENCE_S` of 0. Each part is cut to a quarter of a sound shorter than 40 ms (no preset is: they stay
    24 ms or longer, so their last 5 ms are always silent)."""
    fade = min(round(FADE_S * sample_rate), n // 4)
    silence = min(round(SILENCE_S * sample_rate), n // 4)
    gain = np.ones(n)
    gain[n - silence :] = 0.0
    gain[n - silence - fade : n - silence] = 0.5 * (1.0 + np.cos(np.pi * np.arange(1, fade + 1) / (fade + 1)))
    return gain


def master(samples: np.ndarray, envelope: np.ndarray, sample_rate: int) -> np.ndarray:
    """High-pass ``samples`` (DC blocker), apply the release, and remove the remaining mean along ``envelope``."""
    from .filters import dc_block

    if samples.size == 0:
        return samples.astype(float)
    r = float(np.exp(-2.0 * np.pi * HIGHPASS_HZ / sample_rate))
    gain = release_gain(samples.size, sample_rate)
    out = dc_block(np.ascontiguousarray(samples, dtype=float), r) * gain
    weight = np.abs(envelope) * gain
    if weight.sum() > 0:
        out -= weight * (out.sum() / weight.sum())
    return out


def normalize_peak(samples: np.ndarray, dbfs: float = PEAK_DBFS) -> np.ndarray:
    """Scale ``samples`` so that the largest magnitude is ``dbfs`` decibels relative to full scale (silence stays)."""
    peak = float(np.abs(samples).max()) if samples.size else 0.0
    if peak == 0.0:
        return samples
    return samples * (10.0 ** (dbfs / 20.0) / peak)
