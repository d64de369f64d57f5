"""Periodic noise on a square torus: every field here tiles seamlessly by construction, with no pixel loops.

Spectral noise is synthesised in the frequency domain (an inverse FFT is periodic), Worley cells are measured on
the torus (feature points of neighbour cells wrap around), and Gaussian blurs are FFT multiplications.

Memory: a 4096² float32 field is 67 MB, so nothing here holds more full-size temporaries than it must. Spectra are
filled and filtered in bands of rows and transformed in place; Worley cells are measured band by band and keep only
the maps asked for. Each band computes exactly the numbers the whole-array expressions would, so the fields are the
same bits whatever the band size (:data:`BAND_ROWS`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BAND_ROWS",
    "Worley",
    "bands",
    "blur_bands",
    "frequencies",
    "gaussian_blur",
    "normalize",
    "smoothstep",
    "spectral_noise",
    "worley",
    "worley_maps",
]

BAND_ROWS = 64
"""Rows (or columns) computed together by the banded loops: about 1 MB per float32 temporary on 4096² fields."""


def bands(n: int, rows: int | None = None) -> Iterator[slice]:
    """Consecutive slices of ``rows`` (default :data:`BAND_ROWS`) covering ``range(n)``."""
    step = rows or BAND_ROWS
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


def frequencies(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column frequencies (cycles per tile) of an ``n``×``n`` real FFT, broadcastable to its half-spectrum."""
    fy = np.fft.fftfreq(n, 1.0 / n).astype(np.float32)[:, None]
    fx = np.fft.rfftfreq(n, 1.0 / n).astype(np.float32)[None, :]
    return fy, fx


def normalize(a: np.ndarray, *, inplace: bool = False) -> np.ndarray:
    """``a`` rescaled to [0, 1] as float32 (a constant field becomes 0.5); ``inplace`` reuses a float32 ``a``."""
    lo, hi = float(a.min()), float(a.max())
    if hi - lo < 1e-12:
        return np.full(a.shape, 0.5, np.float32)
    if inplace and a.dtype == np.float32:
        np.subtract(a, lo, out=a)
        np.divide(a, hi - lo, out=a)
        return a
    return ((a - lo) / (hi - lo)).astype(np.float32)


def smoothstep(edge0: float, edge1: float, x: np.ndarray) -> np.ndarray:
    """Hermite step from 0 at ``edge0`` to 1 at ``edge1``."""
    t = np.clip((x - edge0) / (edge1 - edge0), 0.0, 1.0)
    return (t * t * (3.0 - 2.0 * t)).astype(np.float32)


def _inverse_real(spectrum: np.ndarray, n_x: int) -> np.ndarray:
    """``np.fft.irfft2(spectrum, s=(rows, n_x))`` with the column transform in place (``spectrum`` is consumed)."""
    np.fft.ifft(spectrum, axis=0, out=spectrum)
    out = np.empty((spectrum.shape[0], n_x), np.float32)
    for rows in bands(spectrum.shape[0]):  # row by row: the same transforms as one call
        out[rows] = np.fft.irfft(spectrum[rows], n=n_x, axis=1)
    return out


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
    (wood grain, brushed metal, grass blades). Two full-size arrays at most: the spectrum and the field.
    """
    fy, fx = frequencies(n)
    spectrum = np.empty((n, fx.shape[1]), np.complex64)
    # the random parts as two whole-array draws would give them: every real part first, then every imaginary part
    real = spectrum.real
    for rows in bands(n):
        real[rows] = rng.standard_normal(real[rows].shape, np.float32)
    for rows in bands(n):
        part = spectrum[rows]
        amplitude = ((fy[rows] * stretch[0]) ** 2 + (fx * stretch[1]) ** 2 + frequency * frequency) ** (-beta / 4.0)
        if rows.start == 0:
            amplitude[0, 0] = 0.0
        noise = part.real + 1j * rng.standard_normal(amplitude.shape, np.float32)
        np.multiply(noise, amplitude, out=part)
    return normalize(_inverse_real(spectrum, n), inplace=True)


def blur_bands(a: np.ndarray, sigma: float, spectrum: np.ndarray | None = None) -> Iterator[tuple[slice, np.ndarray]]:
    """``a`` (float32 HxW) blurred with a wrapping Gaussian of ``sigma`` pixels, as ``(rows, blurred rows)`` bands.

    ``spectrum`` is a complex64 work array of the half-spectrum's shape (reused across calls); nothing else
    full-size is allocated. The bands are those of ``gaussian_blur(a, sigma)``, bit for bit.
    """
    n_y, n_x = a.shape
    fy = np.fft.fftfreq(n_y).astype(np.float32)[:, None]
    fx = np.fft.rfftfreq(n_x).astype(np.float32)[None, :]
    if spectrum is None:
        spectrum = np.empty((n_y, fx.shape[1]), np.complex64)
    for rows in bands(n_y):  # np.fft.rfft2: along rows, then along columns (in place)
        np.fft.rfft(a[rows], axis=1, out=spectrum[rows])
    for cols in bands(spectrum.shape[1]):  # in blocks: the forward transform computes in complex128 buffers
        np.fft.fft(spectrum[:, cols], axis=0, out=spectrum[:, cols])
    for rows in bands(n_y):
        kernel = np.exp(-2.0 * (np.pi * sigma) ** 2 * (fy[rows] * fy[rows] + fx * fx))
        np.multiply(spectrum[rows], kernel, out=spectrum[rows])
    np.fft.ifft(spectrum, axis=0, out=spectrum)
    for rows in bands(n_y):
        yield rows, np.fft.irfft(spectrum[rows], n=n_x, axis=1)


def gaussian_blur(a: np.ndarray, sigma: float) -> np.ndarray:
    """``a`` (HxW) blurred with a Gaussian of ``sigma`` pixels, wrapping around its borders (float32)."""
    out = np.empty(a.shape, np.float32)
    for rows, blurred in blur_bands(np.asarray(a, np.float32), sigma):
        out[rows] = blurred
    return out


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


WORLEY_MAPS = ("f1", "f2", "edge", "cell")


def worley_maps(
    rng: np.random.Generator,
    n: int,
    cells: int,
    *,
    jitter: float = 0.9,
    warp: tuple[np.ndarray, np.ndarray] | None = None,
    maps: Sequence[str] = ("f1", "f2", "cell"),
) -> dict[str, np.ndarray]:
    """Worley noise on an ``n``×``n`` torus of ``cells``×``cells`` cells, one jittered feature point per cell.

    ``warp=(dy, dx)`` displaces the lookup (in cell widths); periodic warps keep the result seamless. Returns only
    the ``maps`` asked for, of ``f1``, ``f2``, ``edge`` (``f2 - f1``) and ``cell``, measured band by band.
    """
    unknown = set(maps) - set(WORLEY_MAPS)
    if unknown:
        raise ValueError(f"unknown Worley maps {sorted(unknown)}: expected some of {', '.join(WORLEY_MAPS)}")
    points = (0.5 + jitter * (rng.random((2, cells, cells), np.float32) - 0.5)).astype(np.float32)
    coord = (np.arange(n, dtype=np.float32) + 0.5) * (cells / n)
    out = {name: np.empty((n, n), np.int32 if name == "cell" else np.float32) for name in maps}
    for rows in bands(n):
        v = np.broadcast_to(coord[rows, None], (rows.stop - rows.start, n))
        u = np.broadcast_to(coord[None, :], v.shape)
        if warp is not None:
            v, u = v + warp[0][rows], u + warp[1][rows]
        iv, iu = np.floor(v).astype(np.int32), np.floor(u).astype(np.int32)
        f1 = np.full(v.shape, np.inf, np.float32)
        f2 = np.full(v.shape, np.inf, np.float32)
        cell = np.zeros(v.shape, np.int32)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                cy, cx = iv + dy, iu + dx
                wy, wx = cy % cells, cx % cells
                d = np.hypot(cy + points[0, wy, wx] - v, cx + points[1, wy, wx] - u).astype(np.float32)
                closer = d < f1
                f2 = np.where(closer, f1, np.minimum(f2, d))
                cell = np.where(closer, wy * cells + wx, cell)
                f1 = np.where(closer, d, f1)
        band = {"f1": f1, "f2": f2, "cell": cell}
        for name, target in out.items():
            target[rows] = f2 - f1 if name == "edge" else band[name]
    return out


def worley(
    rng: np.random.Generator,
    n: int,
    cells: int,
    *,
    jitter: float = 0.9,
    warp: tuple[np.ndarray, np.ndarray] | None = None,
) -> Worley:
    """Worley noise on an ``n``×``n`` torus of ``cells``×``cells`` cells, one jittered feature point per cell.

    ``warp=(dy, dx)`` displaces the lookup (in cell widths); periodic warps keep the result seamless. (The material
    families use :func:`worley_maps`, which keeps only the maps they read.)
    """
    m = worley_maps(rng, n, cells, jitter=jitter, warp=warp)
    return Worley(m["f1"], m["f2"], m["cell"])
