"""Periodic noise on a square torus: every field here tiles seamlessly by construction, with no pixel loops.

Spectral noise is synthesised in the frequency domain (an inverse FFT is periodic), Worley cells are measured on
the torus (feature points of neighbour cells wrap around), and Gaussian blurs are FFT multiplications.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Worley", "frequencies", "gaussian_blur", "normalize", "smoothstep", "spectral_noise", "worley"]


def frequencies(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column frequencies (cycles per tile) of an ``n``×``n`` real FFT, broadcastable to its half-spectrum."""
    fy = np.fft.fftfreq(n, 1.0 / n).astype(np.float32)[:, None]
    fx = np.fft.rfftfreq(n, 1.0 / n).astype(np.float32)[None, :]
    return fy, fx


def normalize(a: np.ndarray) -> np.ndarray:
    """``a`` rescaled to [0, 1] as float32 (a constant field becomes 0.5)."""
    lo, hi = float(a.min()), float(a.max())
    if hi - lo < 1e-12:
        return np.full(a.shape, 0.5, np.float32)
    return ((a - lo) / (hi - lo)).astype(np.float32)


def smoothstep(edge0: float, edge1: float, x: np.ndarray) -> np.ndarray:
    """Hermite step from 0 at ``edge0`` to 1 at ``edge1``."""
    t = np.clip((x - edge0) / (edge1 - edge0), 0.0, 1.0)
    return (t * t * (3.0 - 2.0 * t)).astype(np.float32)


def spectral_noise(
    rng: np.random.Generator,
    n: int,
    frequency: float,
    *,
    beta: float = 2.0,
    stretch: tuple[float, float] = (1.0, 1.0),
) -> np.ndarray:
    """Fractal noise in [0, 1] whose features are about ``frequency`` per tile (power spectrum ∝ f^-beta above it).

    ``stretch=(sy, sx)`` scales the frequency axes: (4, 1) makes features four times longer along x than along y
    (wood grain, brushed metal, grass blades).
    """
    fy, fx = frequencies(n)
    f2 = (fy * stretch[0]) ** 2 + (fx * stretch[1]) ** 2
    amplitude = (f2 + frequency * frequency) ** (-beta / 4.0)
    amplitude[0, 0] = 0.0
    spectrum = rng.standard_normal(amplitude.shape, np.float32) + 1j * rng.standard_normal(amplitude.shape, np.float32)
    return normalize(np.fft.irfft2(spectrum * amplitude, s=(n, n)))


def gaussian_blur(a: np.ndarray, sigma: float) -> np.ndarray:
    """``a`` (HxW) blurred with a Gaussian of ``sigma`` pixels, wrapping around its borders."""
    n_y, n_x = a.shape
    fy = np.fft.fftfreq(n_y).astype(np.float32)[:, None]
    fx = np.fft.rfftfreq(n_x).astype(np.float32)[None, :]
    kernel = np.exp(-2.0 * (np.pi * sigma) ** 2 * (fy * fy + fx * fx))
    return np.fft.irfft2(np.fft.rfft2(a.astype(np.float32)) * kernel, s=a.shape).astype(np.float32)


@dataclass(frozen=True)
class Worley:
    """Cellular noise: distances (in cell widths) to the nearest and second-nearest feature point, and the cell id."""

    f1: np.ndarray
    f2: np.ndarray
    cell: np.ndarray

    @property
    def edge(self) -> np.ndarray:
        """Distance-like measure to the cell border (0 on it): ``f2 - f1``."""
        return self.f2 - self.f1


def worley(
    rng: np.random.Generator,
    n: int,
    cells: int,
    *,
    jitter: float = 0.9,
    warp: tuple[np.ndarray, np.ndarray] | None = None,
) -> Worley:
    """Worley noise on an ``n``×``n`` torus of ``cells``×``cells`` cells, one jittered feature point per cell.

    ``warp=(dy, dx)`` displaces the lookup (in cell widths); periodic warps keep the result seamless.
    """
    points = (0.5 + jitter * (rng.random((2, cells, cells), np.float32) - 0.5)).astype(np.float32)
    coord = (np.arange(n, dtype=np.float32) + 0.5) * (cells / n)
    v = np.broadcast_to(coord[:, None], (n, n))
    u = np.broadcast_to(coord[None, :], (n, n))
    if warp is not None:
        v, u = v + warp[0], u + warp[1]
    iv, iu = np.floor(v).astype(np.int32), np.floor(u).astype(np.int32)
    f1 = np.full((n, n), np.inf, np.float32)
    f2 = np.full((n, n), np.inf, np.float32)
    cell = np.zeros((n, n), np.int32)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            cy, cx = iv + dy, iu + dx
            wy, wx = cy % cells, cx % cells
            d = np.hypot(cy + points[0, wy, wx] - v, cx + points[1, wy, wx] - u).astype(np.float32)
            closer = d < f1
            f2 = np.where(closer, f1, np.minimum(f2, d))
            cell = np.where(closer, wy * cells + wx, cell)
            f1 = np.where(closer, d, f1)
    return Worley(f1, f2, cell)
