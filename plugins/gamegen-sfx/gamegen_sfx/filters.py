"""Recursive per-sample kernels compiled by numba: sfxr's resonant low-pass and one-pole high-pass filters, and the
DC blocker that :mod:`gamegen_sfx.master` applies to every sound.

Import lazily (inside functions) so that ``gamegen list`` does not load numba.
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["dc_block", "lowpass_highpass"]


@nb.njit(cache=True)
def lowpass_highpass(x: np.ndarray, lp_w: np.ndarray, lp_on: bool, lp_damp: float, hp_k: np.ndarray) -> np.ndarray:
    """Filter ``x`` with sfxr's low-pass (per-sample cutoff ``lp_w``, damping ``lp_damp``) then high-pass (``hp_k``)."""
    out = np.empty_like(x)
    lp = 0.0
    lp_vel = 0.0
    hp = 0.0
    for j in range(x.size):
        previous = lp
        if lp_on:
            lp_vel += (x[j] - lp) * lp_w[j]
            lp_vel -= lp_vel * lp_damp
        else:
            lp = x[j]
            lp_vel = 0.0
        lp += lp_vel
        hp += lp - previous
        hp -= hp * hp_k[j]
        out[j] = hp
    return out


@nb.njit(cache=True)
def dc_block(x: np.ndarray, r: float) -> np.ndarray:
    """One-pole DC blocker ``y[n] = x[n] - x[n-1] + r * y[n-1]`` (a first-order high-pass; zero initial state)."""
    out = np.empty_like(x)
    previous = 0.0
    y = 0.0
    for j in range(x.size):
        y = x[j] - previous + r * y
        previous = x[j]
        out[j] = y
    return out
