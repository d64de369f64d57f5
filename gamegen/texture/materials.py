"""Procedural material families: each builds a seamless surface (albedo, height, roughness, metallic) from torus noise.

A family maps its features onto one colour gradient (its palette, darkest to lightest tone), so a user's palette
override recolours every family the same way. Height, roughness and metallic are float32 in [0, 1]; the albedo is
the shipped sRGB map (uint8), made band by band from the family's shade.

Memory: a 4096² float32 map is 67 MB. The Worley families (stone, dirt, mud, lava, ice) combine their fields in bands
of rows and write each result over an input it no longer needs, so they hold at most about five full-size fields at a
time; the numbers are those of the whole-array expressions (the same bits for any band size).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .noise import bands, gaussian_blur, normalize, smoothstep, spectral_noise, worley_maps

__all__ = ["FAMILIES", "Family", "Surface", "albedo_u8", "gradient", "parse_palette", "build_surface", "to_u8"]


@dataclass(frozen=True)
class Surface:
    """The authored maps of a material; normal, occlusion and ORM are derived from these (see ``pbr``).

    ``albedo`` is sRGB uint8 HxWx3 (the shipped map: no float colour image is ever held); ``height``, ``roughness``
    and ``metallic`` are float32 HxW in [0, 1], the last two possibly read-only broadcasts of one value.
    """

    albedo: np.ndarray
    height: np.ndarray
    roughness: np.ndarray
    metallic: np.ndarray


Builder = Callable[[np.random.Generator, int, float, np.ndarray], Surface]


@dataclass(frozen=True)
class Family:
    """A material family: how to build it and its default palette (hex colours, darkest first)."""

    build: Builder
    palette: tuple[str, ...]


def parse_palette(colours: Sequence[str]) -> np.ndarray:
    """Hex colours (``#rrggbb`` or ``rrggbb``) → float32 (k, 3) sRGB in [0, 1]; ValueError names a bad entry."""
    out = []
    for c in colours:
        h = c.removeprefix("#")
        if len(h) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in h):
            raise ValueError(f"palette colour {c!r} is not a hex colour like '#a0522d'")
        out.append([int(h[i : i + 2], 16) / 255.0 for i in (0, 2, 4)])
    return np.asarray(out, np.float32)


def gradient(t: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Map ``t`` in [0, 1] (HxW) onto the palette's evenly spaced colour stops → HxWx3 float32."""
    stops = np.linspace(0.0, 1.0, len(palette), dtype=np.float32)
    return np.stack([np.interp(t, stops, palette[:, c]) for c in range(3)], axis=-1).astype(np.float32)


def _grid(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column coordinates in [0, 1) as (n, 1) and (1, n) arrays.

    Grid-like families offset their layout by half a cell so that no joint lies on the tile's edge: the seam
    check compares the step across the edge with interior steps, and a joint there would look like a seam.
    """
    c = np.arange(n, dtype=np.float32) / n
    return c[:, None], c[None, :]


def _per_cell(rng: np.random.Generator, ids: np.ndarray, count: int) -> np.ndarray:
    """One uniform random value per cell/brick/plank id."""
    return rng.random(count, np.float32)[ids]


def _counts(base: float, scale: float, minimum: int = 1) -> int:
    """Number of features per tile for a family's base count at ``scale`` (an integer, so the tile stays periodic)."""
    return max(minimum, round(base * scale))


def to_u8(a: np.ndarray) -> np.ndarray:
    """[0, 1] float → uint8 (clipped, rounded to nearest)."""
    return np.round(np.clip(a, 0.0, 1.0) * 255.0).astype(np.uint8)


def albedo_u8(shade: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """The 8-bit sRGB albedo of ``shade`` (clipped to [0, 1]) on ``palette``, made band by band: HxWx3 uint8."""
    out = np.empty((*shade.shape, 3), np.uint8)
    for rows in bands(shade.shape[0]):
        colour = np.clip(gradient(np.clip(shade[rows], 0, 1), palette), 0.0, 1.0).astype(np.float32)
        out[rows] = to_u8(colour)
    return out


def _unit_map(value: np.ndarray | float, shape: tuple[int, ...]) -> np.ndarray:
    """``value`` clipped to [0, 1] as float32 of ``shape``: a broadcast view for one value, else in place if it can."""
    if np.ndim(value) == 0:
        return np.broadcast_to(np.float32(np.clip(float(value), 0.0, 1.0)), shape)
    a = np.asarray(value)
    if a.dtype == np.float32 and a.shape == shape and a.flags.writeable:
        return np.clip(a, 0.0, 1.0, out=a)
    return np.clip(np.broadcast_to(a, shape), 0.0, 1.0).astype(np.float32)


def _surface(
    shade: np.ndarray,
    palette: np.ndarray,
    height: np.ndarray,
    roughness: np.ndarray | float,
    metallic: np.ndarray | float,
) -> Surface:
    """The surface of a family's shade (on ``palette``), height, roughness and metallic.

    Takes its arrays over: ``height`` is normalised and ``roughness``/``metallic`` clipped in place where they are
    float32 temporaries of the family's.
    """
    shape = height.shape
    return Surface(
        albedo=albedo_u8(shade, palette),
        height=normalize(height, inplace=True),
        roughness=_unit_map(roughness, shape),
        metallic=_unit_map(metallic, shape),
    )


def _warp(rng: np.random.Generator, n: int, frequency: float, amount: float) -> np.ndarray:
    """A periodic displacement field: spectral noise centred on 0 and scaled to ``±amount / 2`` (in place)."""
    field = spectral_noise(rng, n, frequency)
    field -= 0.5
    field *= amount
    return field


def stone(rng: np.random.Generator, n: int, scale: float, palette: np.ndarray) -> Surface:
    """Cobblestones: warped Worley cells with bevelled edges set in dark mortar."""
    cells = _counts(6, scale, 2)
    warp = (_warp(rng, n, 3, 0.6), _warp(rng, n, 3, 0.6))
    w = worley_maps(rng, n, cells, warp=warp, maps=("edge", "cell"))
    del warp
    detail = spectral_noise(rng, n, 24 * scale, beta=1.6)
    tones = rng.random(cells * cells, np.float32)  # one per cell
    edge, cell = w.pop("edge"), w.pop("cell")
    shade, height, roughness = edge, detail, np.empty((n, n), np.float32)  # shade and height overwrite their inputs
    for rows in bands(n):
        e, d, tone = edge[rows], detail[rows], tones[cell[rows]]
        mask = smoothstep(0.04, 0.12, e)
        bevel = smoothstep(0.0, 0.5, e)
        roughness[rows] = 0.92 - 0.25 * mask * d
        s = np.where(mask > 0.5, 0.3 + 0.45 * tone + 0.3 * (d - 0.5), 0.08)
        height[rows] = mask * (0.45 + 0.2 * tone) + 0.25 * bevel + 0.12 * d
        shade[rows] = s
    del cell
    return _surface(shade, palette, height, roughness, 0.0)


def brick(rng: np.random.Generator, n: int, scale: float, palette: np.ndarray) -> Surface:
    """Running-bond bricks (every other row offset by half a brick) with mortar joints and chipped faces."""
    rows = 2 * _counts(4, scale)  # even, so the half-brick offset repeats across the tile
    cols = _counts(4, scale)
    y, x = _grid(n)
    v = y * rows + 0.5  # joints stay off the tile's edges (see _grid)
    row = np.floor(v).astype(np.int64) % rows
    u = x * cols + 0.25 + 0.5 * (row % 2)
    col = np.floor(u).astype(np.int64) % cols
    fu, fv = u - np.floor(u), v - np.floor(v)
    chip = spectral_noise(rng, n, 32 * scale, beta=1.5)
    edge = np.minimum(np.minimum(fu, 1 - fu) * (rows / cols), np.minimum(fv, 1 - fv)) + 0.04 * (chip - 0.5)
    mask = smoothstep(0.05, 0.09, edge)
    tone = _per_cell(rng, row * cols + col, rows * cols)
    height = mask * (0.75 + 0.25 * chip) + 0.1 * chip
    shade = np.where(mask > 0.5, 0.15 + 0.4 * tone + 0.25 * (chip - 0.5), 0.92 + 0.08 * chip)
    return _surface(shade, palette, height, 0.8 + 0.15 * (1 - mask), 0.0)


def wood(rng: np.random.Generator, n: int, scale: float, palette: np.ndarray) -> Surface:
    """Wooden floor planks laid along x, each with its own ring pattern, offset butt joints and dark gaps."""
    rows, per_row = _counts(5, scale), _counts(2, scale)
    y, x = _grid(n)
    v = np.broadcast_to(y * rows + 0.5, (n, n))
    row = np.floor(v).astype(np.int64) % rows
    u = x * per_row + rng.random(rows, np.float32)[row]
    plank = row * per_row + np.floor(u).astype(np.int64) % per_row
    fu, fv = u - np.floor(u), v - np.floor(v)
    grain = spectral_noise(rng, n, 4 * scale, beta=2.5, stretch=(1.0, 12.0))
    phase = _per_cell(rng, plank, rows * per_row)
    rings = 0.5 + 0.5 * np.sin(2 * np.pi * (3 * fv + 6 * grain + 5 * phase))
    gap = smoothstep(0.0, 0.025, np.minimum(np.minimum(fv, 1 - fv), np.minimum(fu, 1 - fu) * (per_row / rows)))
    height = gap * (0.8 + 0.1 * rings + 0.1 * grain)
    shade = gap * (0.35 + 0.35 * rings * (0.6 + 0.4 * grain) + 0.3 * (phase - 0.5)) + 0.02
    return _surface(shade, palette, height, 0.55 + 0.25 * rings * gap + 0.2 * (1 - gap), 0.0)


def grass(rng: np.random.Generator, n: int, scale: float, palette: np.ndarray) -> Surface:
    """Grass: dense blades (noise stretched along y) over clumps, with drier patches toward the palette's light end."""
    blades = spectral_noise(rng, n, 48 * scale, beta=1.2, stretch=(0.12, 1.0))
    clumps = spectral_noise(rng, n, 6 * scale, beta=2.0)
    dry = smoothstep(0.55, 0.8, spectral_noise(rng, n, 3 * scale, beta=2.5))
    height = 0.65 * blades + 0.35 * clumps
    shade = 0.15 + 0.55 * height + 0.3 * dry
    return _surface(shade, palette, height, 0.8 + 0.15 * (1 - blades), 0.0)


def sand(rng: np.random.Generator, n: int, scale: float, palette: np.ndarray) -> Surface:
    """Wind-blown sand: asymmetric ripples bent by low-frequency noise, over fine grain."""
    y, _ = _grid(n)
    bend = spectral_noise(rng, n, 2, beta=3.0)
    phase = (_counts(14, scale) * y + 2.0 * bend) % 1.0
    ripple = np.where(phase < 0.7, phase / 0.7, (1 - phase) / 0.3)
    fine = spectral_noise(rng, n, n / 4, beta=0.5)
    height = 0.8 * smoothstep(0, 1, ripple) + 0.2 * fine
    shade = 0.3 + 0.4 * height + 0.3 * (fine - 0.5)
    return _surface(shade, palette, height, 0.9 + 0.1 * fine, 0.0)


def dirt(rng: np.random.Generator, n: int, scale: float, palette: np.ndarray, wetness: float = 0.15) -> Surface:
    """Soil with scattered pebbles; hollows below the ``wetness`` level hold dark, glossy mud."""
    ground = spectral_noise(rng, n, 5 * scale, beta=2.2)
    cells = _counts(18, scale, 2)
    w = worley_maps(rng, n, cells, jitter=0.8, maps=("f1", "cell"))
    stones = rng.random(cells * cells, np.float32) > 0.6  # which cells hold a pebble
    pebble, cell = w.pop("f1"), w.pop("cell")
    for rows in bands(n):
        pebble[rows] = smoothstep(0.28, 0.18, pebble[rows]) * stones[cell[rows]]
    del cell
    crumbs = spectral_noise(rng, n, 40 * scale, beta=1.2)
    height = np.empty((n, n), np.float32)
    shade = ground  # the dry shade overwrites the ground it is made of; wetness darkens it below
    for rows in bands(n):
        g, p, c = ground[rows], pebble[rows], crumbs[rows]
        height[rows] = 0.6 * g + 0.25 * p + 0.15 * c
        shade[rows] = 0.25 + 0.5 * g + 0.3 * p + 0.2 * (c - 0.5)
    del crumbs
    if wetness > 0:
        wet = gaussian_blur(height, 2.0)
        for rows in bands(n):
            wet[rows] = smoothstep(wetness, wetness - 0.08, wet[rows])
    else:
        wet = np.zeros_like(height)
    roughness = pebble  # overwrites the pebbles, band by band
    for rows in bands(n):
        h, p, wt = height[rows], pebble[rows], wet[rows]
        height[rows] = np.where(wt > 0, np.maximum(h, wetness - 0.02), h)
        shade[rows] = shade[rows] * (1 - 0.5 * wt)
        roughness[rows] = 0.9 - 0.1 * p - 0.75 * wt
    del wet
    return _surface(shade, palette, height, roughness, 0.0)


def _plates(rng: np.random.Generator, n: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Square panels with recessed seams and corner rivets: (relief in [0, 1], brushed streaks)."""
    panels = _counts(2, scale)
    y, x = _grid(n)
    fv, fu = (y * panels + 0.5) % 1.0, (x * panels + 0.5) % 1.0
    dy, dx = np.minimum(fv, 1 - fv), np.minimum(fu, 1 - fu)
    seam = smoothstep(0.0, 0.012, np.minimum(dy, dx))
    along_x, along_y = ((fu * 8) % 1.0 - 0.5) / 8, ((fv * 8) % 1.0 - 0.5) / 8  # eight rivets per panel edge
    rivet = smoothstep(0.018, 0.008, np.minimum(np.hypot(dy - 0.04, along_x), np.hypot(dx - 0.04, along_y)))
    streaks = spectral_noise(rng, n, 64 * scale, beta=1.0, stretch=(1.0, 40.0))
    return 0.6 * seam + 0.4 * np.sqrt(rivet), streaks


def metal(rng: np.random.Generator, n: int, scale: float, palette: np.ndarray) -> Surface:
    """Brushed metal plates with seams and rivets: metallic, fairly smooth."""
    relief, streaks = _plates(rng, n, scale)
    height = relief + 0.03 * streaks
    shade = 0.35 + 0.4 * relief + 0.25 * (streaks - 0.5)
    return _surface(shade, palette, height, 0.25 + 0.25 * streaks, 1.0)


def rust(rng: np.random.Generator, n: int, scale: float, palette: np.ndarray) -> Surface:
    """Metal plates eaten by rust: crusty, rough, non-metallic patches grow from a warped noise threshold."""
    relief, streaks = _plates(rng, n, scale)
    patches = spectral_noise(rng, n, 4 * scale, beta=2.2)
    pits = spectral_noise(rng, n, 40 * scale, beta=1.3)
    corroded = smoothstep(0.45, 0.6, patches + 0.25 * (pits - 0.5))
    height = relief + 0.15 * corroded * pits
    metal_shade = 0.75 + 0.2 * relief + 0.05 * streaks
    rust_shade = 0.1 + 0.45 * pits * patches
    shade = corroded * rust_shade + (1 - corroded) * metal_shade
    roughness = corroded * (0.85 + 0.15 * pits) + (1 - corroded) * (0.3 + 0.2 * streaks)
    return _surface(shade, palette, height, roughness, 1 - corroded)


def lava(rng: np.random.Generator, n: int, scale: float, palette: np.ndarray) -> Surface:
    """Cooling lava: dark crust plates split by glowing cracks (the palette's light end is the glow)."""
    cells = _counts(5, scale, 2)
    warp = (_warp(rng, n, 4, 0.5), _warp(rng, n, 4, 0.5))
    edge = worley_maps(rng, n, cells, jitter=1.0, warp=warp, maps=("edge",))["edge"]
    del warp
    crust_detail = spectral_noise(rng, n, 30 * scale, beta=1.5)
    shade, height, roughness = edge, crust_detail, np.empty((n, n), np.float32)  # overwriting their inputs
    for rows in bands(n):
        e, c = edge[rows], crust_detail[rows]
        molten = smoothstep(0.12, 0.0, e + 0.06 * (c - 0.5))
        roughness[rows] = 0.95 - 0.55 * molten
        s = molten * (0.65 + 0.35 * smoothstep(0.06, 0.0, e)) + (1 - molten) * 0.3 * c
        height[rows] = (1 - molten) * (0.7 + 0.3 * c)
        shade[rows] = s
    return _surface(shade, palette, height, roughness, 0.0)


def water(rng: np.random.Generator, n: int, scale: float, palette: np.ndarray) -> Surface:
    """Calm water: a few crossing wave trains plus fine ripples; very smooth."""
    y, x = _grid(n)
    k = rng.integers(1, _counts(6, scale) + 2, size=(4, 2))
    phases = rng.random(4) * 2 * np.pi
    waves = sum(np.sin(2 * np.pi * (ky * y + kx * x) + p) for (ky, kx), p in zip(k, phases, strict=True))
    ripples = spectral_noise(rng, n, 20 * scale, beta=2.0)
    height = normalize(waves) * 0.6 + 0.4 * ripples
    shade = 0.2 + 0.5 * height
    return _surface(shade, palette, height, 0.04 + 0.06 * ripples, 0.0)


def ice(rng: np.random.Generator, n: int, scale: float, palette: np.ndarray) -> Surface:
    """Ice: clear, glossy sheets with a web of white cracks and patches of rough frost."""
    cells = _counts(7, scale, 2)
    warp = (_warp(rng, n, 6, 0.3), _warp(rng, n, 6, 0.3))
    crack = worley_maps(rng, n, cells, jitter=1.0, warp=warp, maps=("edge",))["edge"]
    del warp
    for rows in bands(n):  # the edge becomes the crack map
        crack[rows] = smoothstep(0.05, 0.0, crack[rows])
    frost = spectral_noise(rng, n, 5 * scale, beta=2.0)
    for rows in bands(n):
        frost[rows] = smoothstep(0.5, 0.8, frost[rows])
    depth = spectral_noise(rng, n, 3 * scale, beta=2.5)
    shade, height, roughness = crack, depth, frost  # each overwrites an input once its band is read
    for rows in bands(n):
        c, f, d = crack[rows], frost[rows], depth[rows]
        h = 0.8 - 0.3 * c + 0.1 * f + 0.1 * d
        s = 0.3 + 0.3 * d + 0.4 * np.maximum(c, f)
        roughness[rows] = 0.08 + 0.6 * f + 0.3 * c
        height[rows], shade[rows] = h, s
    return _surface(shade, palette, height, roughness, 0.0)


def generic_noise(rng: np.random.Generator, n: int, scale: float, palette: np.ndarray) -> Surface:
    """Plain fractal noise mapped onto the palette: a neutral base to recolour."""
    height = spectral_noise(rng, n, 4 * scale, beta=2.0)
    detail = spectral_noise(rng, n, 32 * scale, beta=1.5)
    return _surface(height, palette, 0.85 * height + 0.15 * detail, 0.45 + 0.4 * detail, 0.0)


FAMILIES: dict[str, Family] = {
    "stone": Family(stone, ("#2b2824", "#5d5850", "#857d72", "#a59c8e", "#c9c1b3")),
    "brick": Family(brick, ("#5a2418", "#8e3b26", "#b05a3c", "#c98a6a", "#bdb6aa")),
    "wood": Family(wood, ("#2e1a0e", "#5c3a1e", "#8a5a32", "#b58450", "#d9b07a")),
    "grass": Family(grass, ("#1d3310", "#2f5a18", "#4f8a2a", "#86a83e", "#c2b86a")),
    "sand": Family(sand, ("#8a6d44", "#b8965e", "#d4b57d", "#e6cfa0")),
    "dirt": Family(dirt, ("#2a1d13", "#4a3524", "#6b5038", "#8c7156", "#a89178")),
    "mud": Family(functools.partial(dirt, wetness=0.5), ("#1f160e", "#3b2a1b", "#59412b", "#75593f")),
    "metal": Family(metal, ("#3a3c40", "#6e7278", "#9a9fa6", "#c4c9cf")),
    "rust": Family(rust, ("#3b1a0c", "#7a3212", "#a8541e", "#c77a3a", "#8a8d92", "#b5b9be")),
    "lava": Family(lava, ("#0d0a0a", "#2a1a16", "#7a1206", "#d8400a", "#ff9a1f", "#ffe680")),
    "water": Family(water, ("#06202e", "#0d3d55", "#1c6680", "#4a9ab0")),
    "ice": Family(ice, ("#6f9fc0", "#a8cde3", "#d7ecf7", "#f4fbff")),
    "noise": Family(generic_noise, ("#202020", "#606060", "#a0a0a0", "#e0e0e0")),
}


def build_surface(
    family: str, rng: np.random.Generator, size: int, scale: float, palette: Sequence[str] | None = None
) -> Surface:
    """Build ``family`` at ``size``² with feature ``scale``, coloured by ``palette`` (or the family's own)."""
    fam = FAMILIES[family]
    return fam.build(rng, size, scale, parse_palette(palette or fam.palette))
