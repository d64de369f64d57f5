"""sfxr's resonant low-pass and one-pole high-pass filters: a recursive per-sample kernel compiled by numba.

Import lazily (inside functions) so that ``gamegen list`` does not load numba.
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["lowpass_highpass"]


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
