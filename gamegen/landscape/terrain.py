"""The terrain of one seed as a pure function of global pixel position: noise, then erosion, then blending.

Noise is sampled in global coordinates and droplets are tied to global pixels, so any window of the world can be
computed on its own. Erosion of a window is exact only away from its border, so a window is eroded with a halo
(:attr:`Terrain.halo`) and cropped. Tiled worlds go one step further: erosion runs on a fixed lattice and every pixel
is a smooth partition-of-unity blend of the lattice's blocks covering it, summed in a fixed order. A pixel's value
therefore never depends on which tile asked for it: shared tile edges are identical bytes, and a 2×2-tile world
equals the same region computed in one piece.

The lattice's lines fall on tile borders. Along each axis it has two kinds of pieces: a *seam* on each line (weight 1
on the line and the pixel either side, fading out ``BLEND`` pixels away) and a *cell* between two lines (the rest).
A block is a pair of pieces (cell × cell, seam × cell, cell × seam or seam × seam), eroded over its support plus
``MARGIN``. A tile whose side is one period needs its own cell, its two seams per axis and the four corners: about
``step + 4·BLEND + 6·MARGIN`` pixels of erosion per axis, so its cost grows with (step + 2·:data:`TILE_HALO`)², its
area plus a fixed halo. (Blocks centred on tile corners, as ``landscape.world`` had before 1.3.0, need 2×2 blocks of a
period plus 2·(BLEND + MARGIN) each: four times the area.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..context import Context
from .erosion import DropletSettings, hydraulic_erosion, thermal_erosion
from .noise import fractal_grid, warped_fractal_grid
from .params import TerrainParams

__all__ = ["Terrain", "TerrainFields", "BLEND", "MARGIN", "HALO", "TILE_HALO"]

BLEND = 16
"""Pixels from a lattice line at which its seam's weight has faded to 0 (the cells' weight has risen to 1)."""
MARGIN = DropletSettings().reach
"""Pixels eroded around the pixels a block lends to the blend: no first-pass droplet missing outside the block
reaches them (later passes carry a small remainder further in, which the cross-fade evens out)."""
HALO = 32 + MARGIN
"""Pixels eroded around a window made in one piece (:meth:`Terrain.window`, ``landscape.heightmap``)."""
TILE_HALO = 2 * BLEND + 3 * MARGIN
"""Per side, the pixels of erosion a world tile needs beyond its own: see the module's docstring."""

# Noise value range (≈ 0.1 and 99.9 percentiles) mapped onto [0, 1] of the height range, per fractal kind.
_NOISE_RANGE = {"fbm": (-0.45, 0.45), "billow": (-1.0, 0.0), "ridged": (-0.45, 1.0)}
_WARP_OCTAVES = 4
_WARP_GAIN = 1.0 / 0.45  # makes warp_strength the typical displacement in feature scales


@dataclass
class TerrainFields:
    """A window's eroded height (metres), the soil erosion removed and laid down (metres), and the water flux.

    Removal and laying down are stored either as ``change``, the eroded minus the un-eroded height (a window eroded
    in one piece: a pixel only loses or gains, so one signed array holds both), or as separate ``wear`` and
    ``deposit`` arrays (blends of blocks, where a pixel can have both). :meth:`erosion` reads either.
    """

    height: np.ndarray
    flow: np.ndarray
    change: np.ndarray | None = None
    wear: np.ndarray | None = None
    deposit: np.ndarray | None = None

    def erosion(self, index: tuple[slice, slice]) -> tuple[np.ndarray, np.ndarray]:
        """Metres removed and laid down at ``index`` (non-negative float32 arrays)."""
        if self.change is not None:
            change = self.change[index]
            return np.maximum(-change, 0), np.maximum(change, 0)
        if self.wear is None or self.deposit is None:
            raise ValueError("these fields hold no erosion (released?)")
        return self.wear[index], self.deposit[index]

    def release(self) -> None:
        """Let go of every array (``height`` and ``flow`` become empty): for a consumer that has copied what it needs."""
        self.height = self.flow = np.empty((0, 0), np.float32)
        self.change = self.wear = self.deposit = None

    def crop(self, index: tuple[slice, slice]) -> TerrainFields:
        """The fields of a sub-window (views, no copies)."""
        return TerrainFields(
            self.height[index],
            self.flow[index],
            *(None if a is None else a[index] for a in (self.change, self.wear, self.deposit)),
        )


@dataclass(frozen=True)
class Terrain:
    """Terrain settings plus the seed-derived constants (noise base and offset, droplet key)."""

    params: TerrainParams
    base: int
    offset: tuple[float, float]
    droplet_key: int
    _blocks: dict[tuple[int, int, int], TerrainFields] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_context(cls, params: TerrainParams, ctx: Context) -> Terrain:
        """Derive the terrain's random constants from named child streams of the run's seed."""
        rng = ctx.child("landscape", "noise")
        base = int(rng.integers(0, 256))
        offset = (float(rng.uniform(0, 64)), float(rng.uniform(0, 64)))
        key = int(ctx.child("landscape", "droplets").integers(0, 2**63))
        return cls(params, base, offset, key)

    @property
    def halo(self) -> int:
        """Pixels eroded around a window beyond the pixels it returns."""
        return HALO

    def _coords(self, start: int, n: int, axis: int) -> np.ndarray:
        """Noise-space coordinates of ``n`` global pixels from ``start`` (float64 maths, then float32)."""
        p = self.params
        return ((np.arange(start, start + n) * p.metres_per_pixel) / p.feature_scale_m + self.offset[axis]).astype(
            np.float32
        )

    def base_height(self, x0: int, y0: int, w: int, h: int) -> np.ndarray:
        """Un-eroded height (metres) of the window: warped fractal noise under a fixed, global range mapping."""
        p = self.params
        xs, ys = self._coords(x0, w, 0), self._coords(y0, h, 1)
        if p.warp_strength > 0:  # the points move by two fBm fields: the grid path plus per-pixel offsets
            n = warped_fractal_grid(
                xs,
                ys,
                warp_x=(xs + np.float32(17.3), ys + np.float32(31.7)),
                warp_y=(xs + np.float32(53.1), ys + np.float32(11.9)),
                gain=p.warp_strength * _WARP_GAIN,
                warp_octaves=_WARP_OCTAVES,
                warp_base=(self.base + 101) % 256,
                octaves=p.octaves,
                persistence=p.persistence,
                lacunarity=p.lacunarity,
                base=self.base,
                kind=p.noise,
            )
        else:
            n = fractal_grid(xs, ys, p.octaves, p.persistence, p.lacunarity, base=self.base, kind=p.noise)
        lo, hi = _NOISE_RANGE[p.noise]
        n -= np.float32(lo)
        n *= np.float32(p.height_range_m / (hi - lo))
        return np.clip(n, 0, np.float32(p.height_range_m), out=n)

    def moisture(self, x0: int, y0: int, w: int, h: int) -> np.ndarray:
        """Broad wet/dry pattern in 0…1 (low-frequency noise in global coordinates), for the biome splat."""
        xs = self._coords(x0, w, 0) * np.float32(0.5) + np.float32(91.7)
        ys = self._coords(y0, h, 1) * np.float32(0.5) + np.float32(47.3)
        n = fractal_grid(xs, ys, octaves=3, base=(self.base + 53) % 256)
        return np.clip(n / np.float32(0.9) + np.float32(0.5), 0, 1)

    def erode(self, x0: int, y0: int, w: int, h: int) -> TerrainFields:
        """Base height of the window eroded by droplets then talus; reliable only ``halo`` pixels inside its edge.

        Three window-sized float32 arrays at most: the base height (which becomes ``change``), the eroded height
        and the flux; the erosion steps work in place.
        """
        p = self.params
        height = self.base_height(x0, y0, w, h)
        droplets = DropletSettings(passes=p.erosion_iterations, rain=p.rain, strength=p.erosion_strength)
        sea = p.sea_level * p.height_range_m
        eroded, flow = hydraulic_erosion(height, x0, y0, self.droplet_key, droplets, sea, p.metres_per_pixel * 100.0)
        eroded = thermal_erosion(eroded, p.thermal_iterations, p.talus_angle_deg, p.metres_per_pixel)
        np.clip(eroded, 0, np.float32(p.height_range_m), out=eroded)
        change = np.subtract(eroded, height, out=height)
        return TerrainFields(eroded, flow, change=change)

    @property
    def eroding(self) -> bool:
        """Whether any erosion runs (without it every pixel is plain noise: no halo, no blocks needed)."""
        return bool(self.params.erosion_iterations or self.params.thermal_iterations)

    def window(self, x0: int, y0: int, w: int, h: int) -> TerrainFields:
        """The window ``[x0, x0+w) × [y0, y0+h)`` eroded in one piece with a halo around it."""
        m = self.halo if self.eroding else 0
        f = self.erode(x0 - m, y0 - m, w + 2 * m, h + 2 * m)
        return f.crop((slice(m, m + h), slice(m, m + w)))

    def _block(self, qx: int, qy: int, period: int) -> TerrainFields:
        """Erosion of lattice block ``(qx, qy)`` (a piece per axis, see :func:`_support`), computed once."""
        key = (qx, qy, period)
        if key not in self._blocks:
            (x0, x1), (y0, y1) = _support(qx, period), _support(qy, period)
            self._blocks[key] = self.erode(x0 - MARGIN, y0 - MARGIN, x1 - x0 + 1 + 2 * MARGIN, y1 - y0 + 1 + 2 * MARGIN)
        return self._blocks[key]

    def forget_blocks(self, before_column: int, below_row: int) -> None:
        """Drop cached blocks that no later window needs: those wholly above global pixel row ``below_row`` and
        wholly left of column ``before_column`` (the next tile of the row; pass a huge column at a row's end)."""
        for key in list(self._blocks):
            qx, qy, period = key
            if _support(qy, period)[1] < below_row and _support(qx, period)[1] < before_column:
                del self._blocks[key]

    @staticmethod
    def block_size(tile_size: int) -> int:
        """Lattice period for tiles of ``tile_size``: the tile step, doubled while smaller than two block halos (a
        small tile's cell would be mostly halo: sharing one cell between two tiles costs less than two seams)."""
        size = tile_size - 1
        while size < 2 * (BLEND + MARGIN):
            size *= 2
        return size

    def blocks(self, x0: int, y0: int, w: int, h: int, size: int) -> TerrainFields:
        """The window as a blend of the blocks of the lattice of period ``size``: the same values whatever window
        asks."""
        if not self.eroding:
            return self.erode(x0, y0, w, h)
        acc = [np.zeros((h, w), np.float64) for _ in range(4)]
        qx_range = _pieces(x0, w, size)
        for qy in _pieces(y0, h, size):
            wy = _weights(y0, h, qy, size)
            rows = np.nonzero(wy)[0]
            for qx in qx_range:
                wx = _weights(x0, w, qx, size)
                cols = np.nonzero(wx)[0]
                block = self._block(qx, qy, size)
                origin = _support(qy, size)[0] - MARGIN, _support(qx, size)[0] - MARGIN  # of the block's window
                r0, c0 = y0 + rows[0] - origin[0], x0 + cols[0] - origin[1]
                sub = (slice(r0, r0 + rows.size), slice(c0, c0 + cols.size))
                weight = wy[rows, None] * wx[None, cols]
                dst = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
                wear, deposit = block.erosion(sub)
                for a, src in zip(acc, (block.height[sub], wear, deposit, block.flow[sub]), strict=True):
                    a[dst] += weight * src
        height, wear, deposit, flow = (a.astype(np.float32) for a in acc)
        return TerrainFields(height, flow, wear=wear, deposit=deposit)


def _support(q: int, period: int) -> tuple[int, int]:
    """First and last global pixel where lattice piece ``q`` has weight: ``2k`` is the seam on line ``k·period``,
    ``2k + 1`` the cell between lines ``k`` and ``k + 1``."""
    line, cell = divmod(q, 2)
    if cell:
        return line * period + 2, (line + 1) * period - 2
    return line * period - BLEND + 1, line * period + BLEND - 1


def _pieces(start: int, n: int, period: int) -> list[int]:
    """The lattice pieces with weight somewhere in pixels ``[start, start+n)``, in increasing order."""
    first, last = 2 * ((start - BLEND) // period), 2 * ((start + n + BLEND) // period) + 1
    return [q for q in range(first, last + 1) if _support(q, period)[0] < start + n and _support(q, period)[1] >= start]


def _seam(x: np.ndarray, line: int) -> np.ndarray:
    """Weight of the seam on global pixel column/row ``line``: 1 within a pixel of it, smoothstep down to 0 at BLEND."""
    t = np.clip((np.abs(x - line) - 1.0) / (BLEND - 1), 0.0, 1.0)
    return 1.0 - t * t * (3 - 2 * t)


def _weights(start: int, n: int, q: int, period: int) -> np.ndarray:
    """1-D blend weights of lattice piece ``q`` at pixels ``[start, start+n)``; the pieces' weights sum to 1."""
    x = np.arange(start, start + n, dtype=np.float64)
    line, cell = divmod(q, 2)
    if not cell:
        return _seam(x, line * period)
    inside = (x > line * period) & (x < (line + 1) * period)
    return np.where(inside, 1.0 - _seam(x, line * period) - _seam(x, (line + 1) * period), 0.0)
