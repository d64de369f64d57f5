"""Perlin "improved" noise that reproduces the ``noise`` package's ``pnoise2``, vectorised and JIT-compiled.

``pnoise2`` takes the same arguments as :func:`noise.pnoise2` and returns the same float32 values for arrays of
points; :func:`fractal_grid` evaluates a whole grid at once (lattice terms hoisted per row and column), which is
the fast path, and :func:`warped_fractal_grid` the same grid displaced by two fBm fields (domain warp), which is
what terrain uses. The ``base`` argument is exact for 0 and 1; larger values make the reference read past
its 512-entry permutation table (undefined behaviour in C), where this module wraps around the table instead.
The kernels are compiled by numba and cached on disk; import this module lazily (inside functions) so that
``gamegen list`` does not load numba.
"""

from __future__ import annotations

from typing import Any, Literal

import numba as nb
import numpy as np

__all__ = ["FRACTALS", "Fractal", "pnoise2", "fractal_grid", "fractal_points", "warped_fractal_grid"]

Fractal = Literal["fbm", "billow", "ridged"]
FRACTALS: dict[str, int] = {"fbm": 0, "billow": 1, "ridged": 2}

# Ken Perlin's permutation as in the noise package's _noise.h, repeated so base offsets up to 255 stay in range.
_PERM_256 = [
    151, 160, 137, 91, 90, 15, 131, 13, 201, 95, 96, 53, 194, 233, 7, 225, 140, 36, 103, 30, 69, 142, 8, 99, 37,
    240, 21, 10, 23, 190, 6, 148, 247, 120, 234, 75, 0, 26, 197, 62, 94, 252, 219, 203, 117, 35, 11, 32, 57, 177,
    33, 88, 237, 149, 56, 87, 174, 20, 125, 136, 171, 168, 68, 175, 74, 165, 71, 134, 139, 48, 27, 166, 77, 146,
    158, 231, 83, 111, 229, 122, 60, 211, 133, 230, 220, 105, 92, 41, 55, 46, 245, 40, 244, 102, 143, 54, 65, 25,
    63, 161, 1, 216, 80, 73, 209, 76, 132, 187, 208, 89, 18, 169, 200, 196, 135, 130, 116, 188, 159, 86, 164, 100,
    109, 198, 173, 186, 3, 64, 52, 217, 226, 250, 124, 123, 5, 202, 38, 147, 118, 126, 255, 82, 85, 212, 207, 206,
    59, 227, 47, 16, 58, 17, 182, 189, 28, 42, 223, 183, 170, 213, 119, 248, 152, 2, 44, 154, 163, 70, 221, 153,
    101, 155, 167, 43, 172, 9, 129, 22, 39, 253, 19, 98, 108, 110, 79, 113, 224, 232, 178, 185, 112, 104, 218, 246,
    97, 228, 251, 34, 242, 193, 238, 210, 144, 12, 191, 179, 162, 241, 81, 51, 145, 235, 249, 14, 239, 107, 49,
    192, 214, 31, 181, 199, 106, 157, 184, 84, 204, 176, 115, 121, 50, 45, 127, 4, 150, 254, 138, 236, 205, 93,
    222, 114, 67, 29, 24, 72, 243, 141, 128, 195, 78, 66, 215, 61, 156, 180,
]  # fmt: skip
PERM = np.array(_PERM_256 * 4, dtype=np.int32)
# The x and y components of the first two columns of the reference's GRAD3 table, indexed by ``hash & 15``.
GRAD_X = np.array([1, -1, 1, -1, 1, -1, 1, -1, 0, 0, 0, 0, 1, -1, 0, 0], dtype=np.float32)
GRAD_Y = np.array([1, 1, -1, -1, 0, 0, 0, 0, 1, -1, 1, -1, 0, 0, -1, 1], dtype=np.float32)


_F32 = np.float32
_ZERO, _ONE, _TWO, _SIX, _FIFTEEN, _TEN = (_F32(v) for v in (0, 1, 2, 6, 15, 10))


@nb.njit(cache=True, inline="always")
def _lattice(v: Any, rep: Any, base: int) -> Any:
    """Cell indices (hashed offsets), fractional position and fade weight along one axis, as the C code does.

    ``fmod(v, rep)`` is ``v`` itself when ``|v| < rep`` (fmod is exact), so the library call, the slowest step, is
    made only for points outside the first period: the same numbers, several times faster per point.
    """
    fl = np.floor(v)
    if -rep < v < rep:
        i = int(fl)
    else:
        i = int(np.floor(np.fmod(v, rep)))
    up = _F32(i + 1)
    ii = int(up) if -rep < up < rep else int(np.fmod(up, rep))
    frac = v - fl
    fade = frac * frac * frac * (frac * (frac * _SIX - _FIFTEEN) + _TEN)
    return (i & 255) + base, (ii & 255) + base, frac, fade


@nb.njit(cache=True, inline="always")
def _cell(a: int, b: int, j: int, jj: int, y: Any) -> Any:
    """A cell's corner gradients: their x components and the finished y terms (``noise2`` with ``a = PERM[i]``)."""
    h00, h10 = PERM[PERM[a + j]] & 15, PERM[PERM[b + j]] & 15
    h01, h11 = PERM[PERM[a + jj]] & 15, PERM[PERM[b + jj]] & 15
    y1 = y - _ONE
    return (
        GRAD_X[h00],
        GRAD_X[h10],
        GRAD_X[h01],
        GRAD_X[h11],
        y * GRAD_Y[h00],
        y * GRAD_Y[h10],
        y1 * GRAD_Y[h01],
        y1 * GRAD_Y[h11],
    )


@nb.njit(cache=True, inline="always")
def _blend(cell: Any, x: Any, fx: Any, fy: Any) -> Any:
    """Dot the corner gradients with the offset ``x`` and blend them with the fade weights, as ``noise2`` does."""
    gx00, gx10, gx01, gx11, y00, y10, y01, y11 = cell
    x1 = x - _ONE
    g00 = x * gx00 + y00
    g10 = x1 * gx10 + y10
    g01 = x * gx01 + y01
    g11 = x1 * gx11 + y11
    lo = g00 + fx * (g10 - g00)
    hi = g01 + fx * (g11 - g01)
    return lo + fy * (hi - lo)


@nb.njit(cache=True, inline="always")
def _shape(n: Any, mode: int) -> Any:
    """One octave's contribution: plain (fBm), folded (billow) or inverted and squared (ridged)."""
    if mode == 1:
        return _TWO * abs(n) - _ONE
    if mode == 2:
        r = _ONE - abs(n)
        return _TWO * r * r - _ONE
    return n


@nb.njit(cache=True, parallel=True)
def _points(x, y, octaves, persistence, lacunarity, repeatx, repeaty, base, mode, out):  # noqa: ANN001
    """Fractal noise at arbitrary points (flat float32 arrays), _ONE independent sum per point."""
    for p in nb.prange(x.size):
        freq, amp, norm, total = _ONE, _ONE, _ZERO, _ZERO
        for _ in range(octaves):
            i, ii, fx, wx = _lattice(x[p] * freq, repeatx * freq, base)
            j, jj, fy, wy = _lattice(y[p] * freq, repeaty * freq, base)
            total += _shape(_blend(_cell(PERM[i], PERM[ii], j, jj, fy), fx, wx, wy), mode) * amp
            norm += amp
            freq *= lacunarity
            amp *= persistence
        out[p] = total / norm


@nb.njit(cache=True)
def _columns(xs, octaves, persistence, lacunarity, repeatx, base):  # noqa: ANN001
    """Per-octave lattice terms of the grid's columns and the runs of columns in one cell (see :func:`_grid`).

    Returns the hashed cell offsets, fractions and fade weights per octave and column, the run starts (then ``w``)
    and run counts per octave, each octave's frequency and amplitude, and the amplitudes' sum.
    """
    w = xs.size
    col_a = np.empty((octaves, w), np.int32)
    col_b = np.empty((octaves, w), np.int32)
    col_f = np.empty((octaves, w), np.float32)
    col_w = np.empty((octaves, w), np.float32)
    runs = np.empty((octaves, w + 1), np.int64)  # starts of runs of columns in the same cell, then w
    n_runs = np.zeros(octaves, np.int64)
    amps = np.empty(octaves, np.float32)
    freqs = np.empty(octaves, np.float32)
    freq, amp, norm = _ONE, _ONE, _ZERO
    for o in range(octaves):
        freqs[o], amps[o] = freq, amp
        norm += amp
        for c in range(w):
            i, ii, col_f[o, c], col_w[o, c] = _lattice(xs[c] * freq, repeatx * freq, base)
            col_a[o, c], col_b[o, c] = PERM[i], PERM[ii]
            if c == 0 or col_a[o, c] != col_a[o, c - 1] or col_b[o, c] != col_b[o, c - 1]:
                runs[o, n_runs[o]] = c
                n_runs[o] += 1
        runs[o, n_runs[o]] = w
        freq *= lacunarity
        amp *= persistence
    return col_a, col_b, col_f, col_w, runs, n_runs, freqs, amps, norm


@nb.njit(cache=True, inline="always")
def _grid_row(row, y, cols, repeaty, base, mode):  # noqa: ANN001
    """The un-normalised fractal sum along one grid row at row coordinate ``y`` into ``row`` (columns ``cols``)."""
    col_a, col_b, col_f, col_w, runs, n_runs, freqs, amps, _ = cols
    row[:] = _ZERO
    for o in range(freqs.size):
        j, jj, fy, wy = _lattice(y * freqs[o], repeaty * freqs[o], base)
        amp = amps[o]
        for k in range(n_runs[o]):
            start, stop = runs[o, k], runs[o, k + 1]
            cell = _cell(col_a[o, start], col_b[o, start], j, jj, fy)
            # 1-D views: LLVM vectorises this loop over them (not over 2-D indexing), about 6× faster
            frac, fade, acc = col_f[o, start:stop], col_w[o, start:stop], row[start:stop]
            for c in range(stop - start):
                acc[c] += _shape(_blend(cell, frac[c], fade[c], wy), mode) * amp


@nb.njit(cache=True, parallel=True)
def _grid(xs, ys, octaves, persistence, lacunarity, repeatx, repeaty, base, mode, out):  # noqa: ANN001
    """Fractal noise on the grid ``xs × ys``.

    Lattice terms are computed once per column and per row, and a cell's gradients once per run of columns in
    that cell, so the inner loop is plain arithmetic over contiguous arrays (which LLVM vectorises).
    """
    cols = _columns(xs, octaves, persistence, lacunarity, repeatx, base)
    norm = cols[-1]
    for r in nb.prange(ys.size):
        row = np.empty(xs.size, np.float32)
        _grid_row(row, ys[r], cols, repeaty, base, mode)
        for c in range(xs.size):
            out[r, c] = row[c] / norm


_SAFE = _F32(2**23)  # below this every integer i + 1 is exact in float32, so the lattice shortcut is exact


@nb.njit(cache=True, inline="always")
def _axis(v, f, rep, base, lo, hi, keys, frac, fade, shift):  # noqa: ANN001
    """Lattice terms of the points ``v * f`` along one axis: fractions, fade weights and hashed cell offsets.

    The hashed offsets ``i`` and ``ii`` (9 bits each) go into ``keys`` at bit ``shift`` and ``shift + 9``.
    ``lo`` and ``hi`` bound ``v``: when every point lies inside the first period (the usual case) the loop is
    branch-free arithmetic that LLVM vectorises; otherwise each point takes :func:`_lattice`. Same numbers both ways.
    """
    vlo, vhi = lo * f, hi * f  # rounding is monotonic: these bound every v[c] * f
    if -rep < vlo and np.floor(vhi) + _ONE < rep and -_SAFE < vlo and vhi < _SAFE:
        for c in range(v.size):
            x = v[c] * f
            fl = np.floor(x)
            t = x - fl
            frac[c] = t
            fade[c] = t * t * t * (t * (t * _SIX - _FIFTEEN) + _TEN)
            i = np.int64(fl)
            keys[c] |= (((i & 255) + base) | ((((i + 1) & 255) + base) << 9)) << shift
    else:
        for c in range(v.size):
            i, ii, frac[c], fade[c] = _lattice(v[c] * f, rep, base)
            keys[c] |= (i | (ii << 9)) << shift


@nb.njit(cache=True, inline="always")
def _grad(h):  # noqa: ANN001
    """``GRAD_X[h]`` and ``GRAD_Y[h]`` for ``0 ≤ h < 16`` by integer arithmetic (vectorisable, unlike a lookup)."""
    odd = h & 1
    gx = (1 - 2 * odd) * ((h < 8) | ((h >> 1) == 6))
    gy = (h < 4) * (1 - 2 * ((h >> 1) & 1)) + ((h >> 2) == 2) * (1 - 2 * odd) + ((h >> 1) == 7) * (2 * odd - 1)
    return _F32(gx), _F32(gy)


@nb.njit(cache=True, parallel=True)
def _warped(xs, ys, warp, gain, warp_octaves, warp_base, octaves, persistence, lacunarity, rx, ry, base, mode, out):  # noqa: ANN001
    """Fractal noise at the grid points ``(xs[c], ys[r])`` displaced by ``gain`` times two fBm fields (domain warp).

    ``warp`` holds the column and row coordinates of the x-offset field, then those of the y-offset field. The
    offset fields take the grid path one row at a time. The displaced points then go through the octaves one
    octave at a time along the row, in three passes: lattice terms (vectorised), the cell's gradient hashes
    (looked up only when a point leaves the previous point's cell, which at all but the finest octaves is rare),
    and the blend (vectorised). Each value is the same float32 arithmetic as :func:`_points` at the displaced
    points, in the same order: the same bits.
    """
    w = xs.size
    rep = _F32(1024.0)
    ucols = _columns(warp[0], warp_octaves, _F32(0.5), _TWO, rep, warp_base)
    vcols = _columns(warp[2], warp_octaves, _F32(0.5), _TWO, rep, warp_base)
    unorm, vnorm = ucols[-1], vcols[-1]
    freqs = np.empty(octaves, np.float32)
    amps = np.empty(octaves, np.float32)
    freq, amp, norm = _ONE, _ONE, _ZERO
    for o in range(octaves):
        freqs[o], amps[o] = freq, amp
        norm += amp
        freq *= lacunarity
        amp *= persistence
    for r in nb.prange(ys.size):
        px = np.empty(w, np.float32)
        py = np.empty(w, np.float32)
        fx = np.empty(w, np.float32)
        wx = np.empty(w, np.float32)
        fy = np.empty(w, np.float32)
        wy = np.empty(w, np.float32)
        keys = np.empty(w, np.int64)
        codes = np.empty(w, np.int32)
        total = np.zeros(w, np.float32)
        _grid_row(px, warp[1][r], ucols, rep, warp_base, 0)
        _grid_row(py, warp[3][r], vcols, rep, warp_base, 0)
        y0 = ys[r]
        for c in range(w):
            px[c] = px[c] / unorm * gain + xs[c]
            py[c] = py[c] / vnorm * gain + y0
        xlo, xhi, ylo, yhi = px.min(), px.max(), py.min(), py.max()
        for o in range(octaves):
            freq, amp = freqs[o], amps[o]
            keys[:] = 0
            _axis(px, freq, rx * freq, base, xlo, xhi, keys, fx, wx, 0)
            _axis(py, freq, ry * freq, base, ylo, yhi, keys, fy, wy, 18)
            last, code = np.int64(-1), np.int32(0)
            for c in range(w):
                k = keys[c]
                if k != last:
                    last = k
                    i, ii, j, jj = k & 511, (k >> 9) & 511, (k >> 18) & 511, (k >> 27) & 511
                    a, b = PERM[i], PERM[ii]
                    code = np.int32(
                        (PERM[PERM[a + j]] & 15)
                        | ((PERM[PERM[b + j]] & 15) << 4)
                        | ((PERM[PERM[a + jj]] & 15) << 8)
                        | ((PERM[PERM[b + jj]] & 15) << 12)
                    )
                codes[c] = code
            for c in range(w):
                h = codes[c]
                gx00, gy00 = _grad(h & 15)
                gx10, gy10 = _grad((h >> 4) & 15)
                gx01, gy01 = _grad((h >> 8) & 15)
                gx11, gy11 = _grad((h >> 12) & 15)
                t = fy[c]
                t1 = t - _ONE
                cell = (gx00, gx10, gx01, gx11, t * gy00, t * gy10, t1 * gy01, t1 * gy11)
                total[c] += _shape(_blend(cell, fx[c], wx[c], wy[c]), mode) * amp
        for c in range(w):
            out[r, c] = total[c] / norm


# The kernels' settings arguments: octaves, persistence, lacunarity, repeatx, repeaty, base and the fractal mode.
_Settings = tuple[int, np.float32, np.float32, np.float32, np.float32, int, int]


def _settings(
    octaves: int, persistence: float, lacunarity: float, repeatx: float, repeaty: float, base: int, kind: Fractal
) -> _Settings:
    """Check the fractal settings and convert them to the kernels' argument types (float32 as in the C code)."""
    if octaves < 1:
        raise ValueError(f"octaves={octaves}: expected octaves > 0")
    if not 0 <= base <= 255:
        raise ValueError(f"base={base}: expected 0 ≤ base ≤ 255")
    if kind not in FRACTALS:
        raise ValueError(f"kind={kind!r}: expected one of {', '.join(FRACTALS)}")
    f32 = np.float32
    return int(octaves), f32(persistence), f32(lacunarity), f32(repeatx), f32(repeaty), int(base), FRACTALS[kind]


def fractal_points(
    x: np.ndarray,
    y: np.ndarray,
    octaves: int = 1,
    persistence: float = 0.5,
    lacunarity: float = 2.0,
    repeatx: float = 1024.0,
    repeaty: float = 1024.0,
    base: int = 0,
    kind: Fractal = "fbm",
) -> np.ndarray:
    """Fractal Perlin noise at the points ``(x, y)`` (broadcast together); float32, same shape."""
    xb, yb = np.broadcast_arrays(np.asarray(x, np.float32), np.asarray(y, np.float32))
    out = np.empty(xb.shape, np.float32)
    flat = (np.ascontiguousarray(xb).reshape(-1), np.ascontiguousarray(yb).reshape(-1))
    _points(*flat, *_settings(octaves, persistence, lacunarity, repeatx, repeaty, base, kind), out.reshape(-1))
    return out


def pnoise2(
    x: np.ndarray | float,
    y: np.ndarray | float,
    octaves: int = 1,
    persistence: float = 0.5,
    lacunarity: float = 2.0,
    repeatx: float = 1024.0,
    repeaty: float = 1024.0,
    base: int = 0,
) -> np.ndarray:
    """Drop-in, vectorised :func:`noise.pnoise2`: same arguments, same values (float32 arithmetic, as in C)."""
    return fractal_points(np.asarray(x), np.asarray(y), octaves, persistence, lacunarity, repeatx, repeaty, base)


def fractal_grid(
    xs: np.ndarray,
    ys: np.ndarray,
    octaves: int = 1,
    persistence: float = 0.5,
    lacunarity: float = 2.0,
    repeatx: float = 1024.0,
    repeaty: float = 1024.0,
    base: int = 0,
    kind: Fractal = "fbm",
) -> np.ndarray:
    """Fractal Perlin noise on the grid of column coordinates ``xs`` and row coordinates ``ys``: (len(ys), len(xs)).

    With ``kind="fbm"`` each value equals ``noise.pnoise2(xs[c], ys[r], ...)``; this is the fast path.
    """
    xs = np.ascontiguousarray(xs, np.float32).reshape(-1)
    ys = np.ascontiguousarray(ys, np.float32).reshape(-1)
    out = np.empty((ys.size, xs.size), np.float32)
    _grid(xs, ys, *_settings(octaves, persistence, lacunarity, repeatx, repeaty, base, kind), out)
    return out


def warped_fractal_grid(
    xs: np.ndarray,
    ys: np.ndarray,
    warp_x: tuple[np.ndarray, np.ndarray],
    warp_y: tuple[np.ndarray, np.ndarray],
    gain: float,
    warp_octaves: int = 4,
    warp_base: int = 0,
    octaves: int = 1,
    persistence: float = 0.5,
    lacunarity: float = 2.0,
    repeatx: float = 1024.0,
    repeaty: float = 1024.0,
    base: int = 0,
    kind: Fractal = "fbm",
) -> np.ndarray:
    """Domain-warped fractal noise on the grid ``xs × ys``: (len(ys), len(xs)) float32.

    The point of pixel ``(r, c)`` is moved by ``gain`` times two fBm fields on the same grid,
    ``U = fractal_grid(*warp_x, warp_octaves, base=warp_base)`` along x and ``V`` (from ``warp_y``) along y; each of
    ``warp_x`` and ``warp_y`` holds column and row coordinates of the grid's size. The result equals, bit for bit::

        fractal_points(U * gain + xs[None, :], V * gain + ys[:, None], octaves, ..., base=base, kind=kind)

    without the full-size offset and coordinate arrays (only the result is allocated) and several times faster:
    rows run in parallel, and a cell's gradients are looked up once per run of pixels inside it.
    """
    f32 = np.float32
    xs = np.ascontiguousarray(xs, f32).reshape(-1)
    ys = np.ascontiguousarray(ys, f32).reshape(-1)
    coords = tuple(np.ascontiguousarray(a, f32).reshape(-1) for a in (*warp_x, *warp_y))
    if coords[0].size != xs.size or coords[2].size != xs.size or coords[1].size != ys.size or coords[3].size != ys.size:
        raise ValueError("warp_x and warp_y need one column coordinate per xs and one row coordinate per ys")
    _settings(warp_octaves, 0.5, 2.0, 1024.0, 1024.0, warp_base, "fbm")  # checks the warp's settings
    out = np.empty((ys.size, xs.size), f32)
    settings = _settings(octaves, persistence, lacunarity, repeatx, repeaty, base, kind)
    if out.size:
        _warped(xs, ys, coords, f32(gain), int(warp_octaves), int(warp_base), *settings, out)
    return out
