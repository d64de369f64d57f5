"""The terrain of one seed as a pure function of global pixel position: noise, then erosion, then blending.

Noise is sampled in global coordinates and droplets are tied to global pixels, so any window of the world can be
computed on its own. Erosion of a window is exact only away from its border, so a window is eroded with a halo
(:attr:`Terrain.halo`) and cropped. Tiled worlds go one step further: erosion runs on a fixed lattice of blocks
(each with its halo) and every pixel is a smooth partition-of-unity blend of the blocks covering it, summed in a
fixed order. A pixel's value therefore never depends on which tile asked for it: shared tile edges are identical
bytes, and a 2×2-tile world equals the same region computed in one piece.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..context import Context
from .erosion import DropletSettings, hydraulic_erosion, thermal_erosion
from .noise import fractal_grid, warped_fractal_grid
from .params import TerrainParams

__all__ = ["Terrain", "TerrainFields", "BLEND", "MARGIN"]

BLEND = 32
"""Half-width (pixels) of the band in which neighbouring erosion blocks are cross-faded."""
MARGIN = DropletSettings().reach
"""Extra halo (pixels) beyond the blend band: no first-pass droplet missing outside a block reaches the pixels it lends
to the blend (later passes carry a small remainder further in, which the cross-fade evens out)."""

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
        return BLEND + MARGIN

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

    def _block(self, kx: int, ky: int, size: int) -> TerrainFields:
        """Erosion of lattice block ``(kx, ky)`` (centred on pixel ``(kx*size, ky*size)``), computed once."""
        key = (kx, ky, size)
        if key not in self._blocks:
            start, extent = -(size // 2) - BLEND - MARGIN, size + 2 * (BLEND + MARGIN)
            self._blocks[key] = self.erode(kx * size + start, ky * size + start, extent, extent)
        return self._blocks[key]

    def forget_blocks(self, below_row: int) -> None:
        """Drop cached blocks that lie wholly above global pixel row ``below_row`` (memory for long worlds)."""
        for key in [k for k in self._blocks if k[1] * k[2] + k[2] - k[2] // 2 + BLEND < below_row]:
            del self._blocks[key]

    @staticmethod
    def block_size(tile_size: int) -> int:
        """Erosion block size for tiles of ``tile_size``: a divisor of the tile step near 512, so blocks line up."""
        size = tile_size - 1
        while size > 512 and size % 2 == 0:
            size //= 2
        while size < 4 * BLEND:  # smaller blocks would be mostly halo
            size *= 2
        return size

    def blocks(self, x0: int, y0: int, w: int, h: int, size: int) -> TerrainFields:
        """The window as a blend of lattice blocks of ``size`` pixels: the same values whatever window asks."""
        if not self.eroding:
            return self.erode(x0, y0, w, h)
        acc = [np.zeros((h, w), np.float64) for _ in range(4)]
        kx_range = _covering(x0, w, size)
        for ky in _covering(y0, h, size):
            wy = _weights(y0, h, ky, size)
            rows = np.nonzero(wy)[0]
            for kx in kx_range:
                wx = _weights(x0, w, kx, size)
                cols = np.nonzero(wx)[0]
                if not (rows.size and cols.size):
                    continue
                block = self._block(kx, ky, size)
                origin = ky * size - size // 2 - BLEND - MARGIN, kx * size - size // 2 - BLEND - MARGIN  # of block
                r0, c0 = y0 + rows[0] - origin[0], x0 + cols[0] - origin[1]
                sub = (slice(r0, r0 + rows.size), slice(c0, c0 + cols.size))
                weight = wy[rows, None] * wx[None, cols]
                dst = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
                wear, deposit = block.erosion(sub)
                for a, src in zip(acc, (block.height[sub], wear, deposit, block.flow[sub]), strict=True):
                    a[dst] += weight * src
        height, wear, deposit, flow = (a.astype(np.float32) for a in acc)
        return TerrainFields(height, flow, wear=wear, deposit=deposit)


def _covering(start: int, n: int, size: int) -> range:
    """Lattice indices of the blocks whose blend support meets pixels ``[start, start+n)``."""
    first = (start - BLEND + size // 2) // size
    last = (start + n - 1 + BLEND + size // 2) // size
    return range(first - 1, last + 2)


def _weights(start: int, n: int, k: int, size: int) -> np.ndarray:
    """1-D blend weights of block ``k`` at pixels ``[start, start+n)``: smoothstep up, flat, smoothstep down."""
    x = np.arange(start, start + n, dtype=np.float64)
    lo, hi = k * size - size // 2, k * size + size - size // 2
    rise = np.clip((x - lo + BLEND) / (2 * BLEND), 0.0, 1.0)
    fall = np.clip((x - hi + BLEND) / (2 * BLEND), 0.0, 1.0)
    return rise * rise * (3 - 2 * rise) * (1 - fall * fall * (3 - 2 * fall))
