"""Hydraulic (water droplet) and thermal (talus) erosion of a window of a global heightfield.

Droplets follow Hans Beyer's particle model (inertia, carry capacity, erosion brush, deposition where the
flow slows down, so valleys are carved and fans are laid down). Every droplet is tied to a global pixel: whether it
spawns, where inside the pixel, and its place in the processing order all come from a hash of (key, pixel, pass).
Two windows that overlap therefore rain the same droplets in the same order on their common area, which is what lets
:mod:`gamegen.landscape.terrain` compute tiles independently. No window-sized work arrays besides the eroded height
and the flux: a cell's droplets are spawned when the cell runs, and a thermal step works in place, keeping a few rows
per band. The kernels called from Python release the GIL (a build runs one lane of jobs in a thread of its own
process, which must keep serving its worker processes meanwhile). Import this module lazily: it loads numba.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

__all__ = ["DropletSettings", "Droplets", "hydraulic_erosion", "thermal_erosion", "spawn_droplets"]

_U64 = np.uint64
_MIX1, _MIX2 = _U64(0xBF58476D1CE4E5B9), _U64(0x94D049BB133111EB)
_PRIME_X, _PRIME_Y, _PRIME_P = _U64(0x9E3779B97F4A7C15), _U64(0xC2B2AE3D27D4EB4F), _U64(0x165667B19E3779F9)
_ORIGIN = 1 << 40  # keeps negative global coordinates positive before they are hashed
_CELL_BITS = 5  # droplets are ordered by 32×32 cells
PARALLEL_DROPLETS = 100_000
"""Passes expecting at least this many droplets run cells in parallel; smaller ones do not repay the thread start-up."""


@dataclass(frozen=True)
class DropletSettings:
    """Droplet physics in height units of ``metres / (metres_per_pixel * 100)``; defaults follow Beyer's thesis.

    ``strength`` scales both the sediment capacity and the erosion speed: either alone saturates (a droplet never
    digs deeper than the height it descends), together they set how much soil the rain moves (0: none).
    """

    passes: int = 4
    rain: float = 0.25
    strength: float = 1.0
    inertia: float = 0.1
    capacity: float = 4.0
    min_capacity: float = 0.01
    deposit_speed: float = 0.3
    erode_speed: float = 0.3
    evaporation: float = 0.02
    gravity: float = 4.0
    lifetime: int = 32
    radius: int = 3

    @property
    def reach(self) -> int:
        """How far (pixels) a droplet can read or change the map from its spawn pixel."""
        return self.lifetime + self.radius + 2


@nb.njit(cache=True, inline="always")
def _mix(z: np.uint64) -> np.uint64:
    """SplitMix64's finaliser: a well-distributed 64-bit hash of ``z``."""
    z = (z ^ (z >> _U64(30))) * _MIX1
    z = (z ^ (z >> _U64(27))) * _MIX2
    return z ^ (z >> _U64(31))


@nb.njit(cache=True, inline="always")
def _pixel_hash(key, gx, gy, pass_index):  # noqa: ANN001
    """The hash that decides whether global pixel ``(gx, gy)`` rains a droplet in a pass, and where."""
    z = key ^ (_U64(gx + _ORIGIN) * _PRIME_X) ^ (_U64(gy + _ORIGIN) * _PRIME_Y)
    return _mix(z ^ (_U64(pass_index) * _PRIME_P))


@nb.njit(cache=True, nogil=True)
def _spawn(key, x0, y0, w, h, pass_index, threshold, period, phase_rank):  # noqa: ANN001
    """Droplets of one pass for the window: positions (window pixels) and sort keys giving their order.

    Key = phase rank (16 bits) | window cell index (24 bits) | droplet hash (24 bits). Cells of one phase lie
    ``period`` cells apart, further than two droplet reaches, so they commute; droplets of a cell run in hash order.
    """
    count = 0
    for i in range(w * h):
        if _pixel_hash(key, x0 + i % w, y0 + i // w, pass_index) < threshold:
            count += 1
    px = np.empty(count, np.float64)
    py = np.empty(count, np.float64)
    sort_key = np.empty(count, np.uint64)
    first_cx, first_cy = (x0 + _ORIGIN) >> _CELL_BITS, (y0 + _ORIGIN) >> _CELL_BITS
    cells_per_row = ((x0 + w - 1 + _ORIGIN) >> _CELL_BITS) - first_cx + 1
    n = 0
    for i in range(w * h):
        z = _pixel_hash(key, x0 + i % w, y0 + i // w, pass_index)
        if z < threshold:
            jitter = _mix(z)
            px[n] = i % w + (jitter & _U64(0xFFFF)) / 65536.0
            py[n] = i // w + ((jitter >> _U64(16)) & _U64(0xFFFF)) / 65536.0
            cx, cy = (x0 + i % w + _ORIGIN) >> _CELL_BITS, (y0 + i // w + _ORIGIN) >> _CELL_BITS
            phase = phase_rank[(cy % period) * period + cx % period]
            cell = (cy - first_cy) * cells_per_row + (cx - first_cx)
            sort_key[n] = (_U64(phase) << _U64(48)) | (_U64(cell) << _U64(24)) | (_mix(jitter) >> _U64(40))
            n += 1
    return px, py, sort_key


@dataclass
class Droplets:
    """One pass of droplets in processing order, split into cells (``cell_starts``) and phases (``phase_starts``).

    Cells of one phase are independent, so they run in parallel; the result equals running them one by one.
    """

    x: np.ndarray
    y: np.ndarray
    cell_starts: np.ndarray
    phase_starts: np.ndarray


def spawn_droplets(key: int, x0: int, y0: int, w: int, h: int, pass_index: int, rain: float, reach: int) -> Droplets:
    """Droplets of one pass over the window whose top-left pixel is global ``(x0, y0)``.

    Each global pixel spawns with probability ``rain``; spawn point, order within a cell and the pass's phase
    order are hashes of the seed key and global positions, so every window that contains a cell rains it alike.
    This lists a whole pass (window-sized arrays); :func:`hydraulic_erosion` rains the same droplets in the same
    order but spawns each cell's droplets only when the cell runs, so a pass needs no memory beyond one cell's.
    """
    period, phases = _pass_order(key, pass_index, reach)
    phase_rank = np.argsort(phases, kind="stable")
    threshold = np.uint64(min(int(rain * 2**64), 2**64 - 1))
    px, py, sort_key = _spawn(np.uint64(key), x0, y0, w, h, pass_index, threshold, period, phase_rank)
    order = np.argsort(sort_key, kind="stable")
    sort_key = sort_key[order]
    cell = sort_key >> np.uint64(24)
    cell_starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1], True])
    phase = sort_key[cell_starts[:-1]] >> np.uint64(48)
    phase_starts = np.flatnonzero(np.r_[True, phase[1:] != phase[:-1], True])
    return Droplets(px[order], py[order], cell_starts, phase_starts)


def _brush(radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Offsets and normalised weights (linear fall-off) of the erosion brush."""
    d = np.arange(-radius, radius + 1)
    dy, dx = np.meshgrid(d, d, indexing="ij")
    w = np.maximum(0.0, radius - np.sqrt(dx * dx + dy * dy))
    keep = w > 0
    return dx[keep].astype(np.int64), dy[keep].astype(np.int64), w[keep] / w[keep].sum()


@nb.njit(cache=True, inline="always")
def _sample(h, x, y):  # noqa: ANN001
    """Bilinear height and gradient at a point inside the map."""
    ix, iy = int(x), int(y)
    u, v = x - ix, y - iy
    a, b, c, d = h[iy, ix], h[iy, ix + 1], h[iy + 1, ix], h[iy + 1, ix + 1]
    gx = (b - a) * (1 - v) + (d - c) * v
    gy = (c - a) * (1 - u) + (d - b) * u
    return a * (1 - u) * (1 - v) + b * u * (1 - v) + c * (1 - u) * v + d * u * v, gx, gy


@nb.njit(cache=True, inline="always")
def _lay(h, ix, iy, u, v, amount):  # noqa: ANN001
    """Lay ``amount`` of sediment on the four corners of a cell, bilinearly weighted."""
    h[iy, ix] += amount * (1 - u) * (1 - v)
    h[iy, ix + 1] += amount * u * (1 - v)
    h[iy + 1, ix] += amount * (1 - u) * v
    h[iy + 1, ix + 1] += amount * u * v


@nb.njit(cache=True)
def _droplet(h, x, y, s, sea, bdx, bdy, bw, flow):  # noqa: ANN001
    """Run one droplet over ``h`` from ``(x, y)``, eroding and depositing in place and adding to the water flux."""
    rows, cols = h.shape
    inertia, capacity, min_capacity, deposit_speed, erode_speed, evaporation, gravity, lifetime = s
    if x >= cols - 1 or y >= rows - 1:
        return
    dx = dy = 0.0
    speed, water, sediment = 1.0, 1.0, 0.0
    for _ in range(int(lifetime)):
        ix, iy = int(x), int(y)
        u, v = x - ix, y - iy
        height, gx, gy = _sample(h, x, y)
        flow[iy, ix] += water
        if height < sea:  # reached the sea: drop the load (deltas) and stop
            _lay(h, ix, iy, u, v, sediment)
            break
        dx = dx * inertia - gx * (1 - inertia)
        dy = dy * inertia - gy * (1 - inertia)
        length = np.sqrt(dx * dx + dy * dy)
        if length < 1e-12:
            break
        dx, dy = dx / length, dy / length
        nx, ny = x + dx, y + dy
        if nx < 0 or ny < 0 or nx >= cols - 1 or ny >= rows - 1:
            break
        dh = _sample(h, nx, ny)[0] - height
        cap = max(-dh * speed * water * capacity, min_capacity)
        if sediment > cap or dh > 0:
            amount = min(dh, sediment) if dh > 0 else (sediment - cap) * deposit_speed
            sediment -= amount
            _lay(h, ix, iy, u, v, amount)
        else:
            amount = min((cap - sediment) * erode_speed, -dh)
            for b in range(bw.size):
                cy, cx = iy + bdy[b], ix + bdx[b]
                if 0 <= cy < rows and 0 <= cx < cols:
                    h[cy, cx] -= amount * bw[b]
                    sediment += amount * bw[b]
        speed = np.sqrt(max(speed * speed - dh * gravity, 0.0))
        water *= 1 - evaporation
        x, y = nx, ny


@nb.njit(cache=True)
def _rain_cell(h, key, x0, y0, pass_index, threshold, gcx, gcy, s, sea, bdx, bdy, bw, flow):  # noqa: ANN001
    """Spawn and run the droplets of global cell ``(gcx, gcy)`` (offset by ``_ORIGIN``) inside the window.

    The droplets are those :func:`spawn_droplets` makes for the cell, in the same order: by their 24-bit order hash,
    ties in row-major pixel order (a stable sort of the cell's pixels in window order). Nothing window-sized is
    allocated: a pass needs no memory beyond one cell's droplets.
    """
    rows, cols = h.shape
    size = 1 << _CELL_BITS
    gx0 = max((gcx << _CELL_BITS) - _ORIGIN, x0)
    gx1 = min(((gcx + 1) << _CELL_BITS) - _ORIGIN, x0 + cols)
    gy0 = max((gcy << _CELL_BITS) - _ORIGIN, y0)
    gy1 = min(((gcy + 1) << _CELL_BITS) - _ORIGIN, y0 + rows)
    px = np.empty(size * size, np.float64)
    py = np.empty(size * size, np.float64)
    order = np.empty(size * size, np.uint64)
    n = 0
    for gy in range(gy0, gy1):
        for gx in range(gx0, gx1):
            z = _pixel_hash(key, gx, gy, pass_index)
            if z < threshold:
                jitter = _mix(z)
                px[n] = (gx - x0) + (jitter & _U64(0xFFFF)) / 65536.0
                py[n] = (gy - y0) + ((jitter >> _U64(16)) & _U64(0xFFFF)) / 65536.0
                order[n] = _mix(jitter) >> _U64(40)
                n += 1
    if n == 0:
        return
    for k in np.argsort(order[:n], kind="mergesort"):  # stable, as the window-wide sort
        _droplet(h, px[k], py[k], s, sea, bdx, bdy, bw, flow)


@nb.njit(cache=True)
def _phase_cells(x0, y0, cols, rows, period, phase):  # noqa: ANN001
    """Global indices (x, y; offset by ``_ORIGIN``) of the window's cells in ``phase``, in row-major order."""
    first_cx, first_cy = (x0 + _ORIGIN) >> _CELL_BITS, (y0 + _ORIGIN) >> _CELL_BITS
    last_cx, last_cy = (x0 + cols - 1 + _ORIGIN) >> _CELL_BITS, (y0 + rows - 1 + _ORIGIN) >> _CELL_BITS
    px, py = phase % period, phase // period
    start_x = first_cx + (px - first_cx % period) % period
    start_y = first_cy + (py - first_cy % period) % period
    nx = max(0, (last_cx - start_x) // period + 1)
    ny = max(0, (last_cy - start_y) // period + 1)
    cells = np.empty((nx * ny, 2), np.int64)
    for j in range(ny):
        for i in range(nx):
            cells[j * nx + i, 0] = start_x + i * period
            cells[j * nx + i, 1] = start_y + j * period
    return cells


@nb.njit(cache=True, nogil=True, parallel=True)
def _rain_parallel(h, key, x0, y0, pass_index, threshold, period, phases, s, sea, bdx, bdy, bw, flow):  # noqa: ANN001
    """Run a pass phase by phase (``phases``: in run order); the cells of a phase touch disjoint pixels, so they
    run in parallel, each spawning its own droplets."""
    rows, cols = h.shape
    for phase in phases:
        cells = _phase_cells(x0, y0, cols, rows, period, phase)
        for c in nb.prange(cells.shape[0]):
            _rain_cell(h, key, x0, y0, pass_index, threshold, cells[c, 0], cells[c, 1], s, sea, bdx, bdy, bw, flow)


@nb.njit(cache=True, nogil=True)
def _rain_serial(h, key, x0, y0, pass_index, threshold, period, phases, s, sea, bdx, bdy, bw, flow):  # noqa: ANN001
    """Run a pass cell by cell: the same result as :func:`_rain_parallel`, without thread start-up costs."""
    rows, cols = h.shape
    for phase in phases:
        cells = _phase_cells(x0, y0, cols, rows, period, phase)
        for c in range(cells.shape[0]):
            _rain_cell(h, key, x0, y0, pass_index, threshold, cells[c, 0], cells[c, 1], s, sea, bdx, bdy, bw, flow)


def _pass_order(key: int, pass_index: int, reach: int) -> tuple[int, np.ndarray]:
    """The phase period (cells) of a pass and its phases in run order (as :func:`spawn_droplets` ranks them)."""
    period = -(-2 * reach // (1 << _CELL_BITS)) + 1
    phase_hash = [int(_mix(np.uint64(key ^ (pass_index * 0x9E3779B1 + ph)))) for ph in range(period * period)]
    rank = np.argsort(np.argsort(np.array(phase_hash, np.uint64), kind="stable"), kind="stable")
    return period, np.argsort(rank, kind="stable").astype(np.int64)


def hydraulic_erosion(
    height: np.ndarray, x0: int, y0: int, key: int, settings: DropletSettings, sea_level: float, unit: float
) -> tuple[np.ndarray, np.ndarray]:
    """Rain ``settings.passes`` passes of droplets on a window whose top-left pixel is global ``(x0, y0)``.

    ``height`` is in metres; ``unit`` (metres per height unit, i.e. ``metres_per_pixel * 100``) makes the droplet
    physics independent of the map's resolution. Returns the new height and the water flux through each pixel.
    """
    rows, cols = height.shape
    h = (height / np.float32(unit)).astype(np.float32, copy=False)
    flow = np.zeros((rows, cols), np.float32)
    s = settings
    physics = np.array(
        [
            s.inertia,
            s.capacity * s.strength,
            s.min_capacity,
            s.deposit_speed,
            s.erode_speed * s.strength,
            s.evaporation,
            s.gravity,
            s.lifetime,
        ],
        np.float64,
    )
    bdx, bdy, bw = _brush(s.radius)
    threshold = np.uint64(min(int(s.rain * 2**64), 2**64 - 1))
    rain = _rain_parallel if rows * cols * s.rain >= PARALLEL_DROPLETS else _rain_serial
    for p in range(s.passes):  # the droplets of spawn_droplets(key, x0, y0, cols, rows, p, ...), in its order
        period, phases = _pass_order(key, p, s.reach)
        rain(h, np.uint64(key), x0, y0, p, threshold, period, phases, physics, sea_level / unit, bdx, bdy, bw, flow)
    h *= np.float32(unit)
    return h, flow


@nb.njit(cache=True, inline="always")
def _talus_out(src, lo, r, c, rows, cols, limit, rate):  # noqa: ANN001
    """Cell ``(r, c)``: material that slides off and the summed excess over its lower neighbours.

    ``src`` holds the heights of rows ``lo, lo + 1, …`` as they were before this step.
    """
    t, m = 0.0, 0.0
    for dy in range(-1, 2):
        for dx in range(-1, 2):
            rr, cc = r + dy, c + dx
            if (dx or dy) and 0 <= rr < rows and 0 <= cc < cols:
                d = src[r - lo, c] - src[rr - lo, cc] - limit * (1.4142135623730951 if dx and dy else 1.0)
                if d > 0:
                    t += d
                    m = max(m, d)
    return rate * m * 0.5, t


@nb.njit(cache=True, nogil=True, parallel=True)
def _talus_step(h, limit, rate, band):  # noqa: ANN001
    """One thermal step in place, in parallel bands of ``band`` rows (at least 2).

    Each cell first loses what slides off it (a share of its steepest excess over the talus) and then receives its
    share of every higher neighbour's slide, all from the heights before the step. A band copies the rows it reads
    (its own and two on each side; the neighbours' rows are saved before any band writes), so only a few rows per
    band are held besides the map: no full-size work arrays.
    """
    rows, cols = h.shape
    n_bands = (rows + band - 1) // band
    edges = np.empty((n_bands, 4, cols), np.float32)  # rows r0 - 2 … r0 + 1 of each band, before the step
    for k in range(n_bands):
        for e in range(4):
            q = k * band - 2 + e
            if 0 <= q < rows:
                edges[k, e] = h[q]
    for k in nb.prange(n_bands):
        r0, r1 = k * band, min(rows, (k + 1) * band)
        lo = r0 - 2
        src = np.empty((r1 - r0 + 4, cols), np.float32)
        for q in range(max(lo, 0), min(r1 + 2, rows)):
            if q < r0:
                src[q - lo] = edges[k, q - lo]
            elif q < r1:
                src[q - lo] = h[q]
            else:
                src[q - lo] = edges[k + 1, q - r1 + 2]
        amount = np.zeros((r1 - r0 + 2, cols), np.float32)  # rows r0 - 1 … r1
        total = np.zeros((r1 - r0 + 2, cols), np.float32)
        for q in range(max(r0 - 1, 0), min(r1 + 1, rows)):
            for c in range(cols):
                amount[q - r0 + 1, c], total[q - r0 + 1, c] = _talus_out(src, lo, q, c, rows, cols, limit, rate)
        for r in range(r0, r1):
            for c in range(cols):
                v = src[r - lo, c] - amount[r - r0 + 1, c]
                for dy in range(-1, 2):
                    for dx in range(-1, 2):
                        rr, cc = r + dy, c + dx
                        if (dx or dy) and 0 <= rr < rows and 0 <= cc < cols and total[rr - r0 + 1, cc] > 0:
                            d = src[rr - lo, cc] - src[r - lo, c] - limit * (1.4142135623730951 if dx and dy else 1.0)
                            if d > 0:
                                v += amount[rr - r0 + 1, cc] * d / total[rr - r0 + 1, cc]
                h[r, c] = v


TALUS_BAND = 64
"""Rows per parallel band of a thermal step."""


def thermal_erosion(
    height: np.ndarray, iterations: int, talus_deg: float, metres_per_pixel: float, rate: float = 0.5
) -> np.ndarray:
    """Let material slide down slopes steeper than the talus angle; each iteration only looks at 3×3 neighbours.

    A float32 ``height`` is eroded in place and returned (other dtypes are converted first).
    """
    h = height.astype(np.float32, copy=False)
    if iterations <= 0:
        return h
    limit = np.float32(np.tan(np.radians(talus_deg)) * metres_per_pixel)
    for _ in range(iterations):
        _talus_step(h, limit, np.float32(rate), TALUS_BAND)
    return h
