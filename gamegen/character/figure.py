"""Drawing a character: a mask filled by chance, resampled, coloured part by part, then posed frame by frame.

In the pixel-sprite-generator tradition (maybe/always-body cells, mirrored, outlined, shaded) but seeded and
vectorised: the mask is resampled smoothly to the sprite size, each body part takes a palette colour with a
shadow/base/highlight ramp, and every animation frame moves the parts before the outline is drawn around them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .masks import MIRROR_PART, Part, View
from .palettes import ramps, to_oklab
from .pixelart import outline_ring

__all__ = ["Look", "Figure", "choose_look", "draw_figure", "render_frames"]

# colour slots: 0 skin, 1 main, 2 secondary, 3 accent
_SLOT = np.zeros(len(Part), dtype=int)
_SLOT[[Part.BODY]] = 1
_SLOT[[Part.LEG, Part.LEG_FAR, Part.HIND, Part.HIND_FAR]] = 2
_SLOT[[Part.WING, Part.WING_FAR, Part.TAIL]] = 3
_FAR = np.isin(np.arange(len(Part)), [Part.ARM_FAR, Part.LEG_FAR, Part.HIND_FAR, Part.WING_FAR])
_OVERLAYS = (Part.ARM, Part.ARM_FAR, Part.WING, Part.WING_FAR)
# paint order; None is the body under the arms and wings, moving with the body. Side views put far limbs behind the
# body; front views keep left and right on the same layer so a symmetric pose stays symmetric.
_SIDE_LAYERS = (
    Part.WING_FAR,
    Part.ARM_FAR,
    Part.LEG_FAR,
    Part.HIND_FAR,
    Part.TAIL,
    Part.LEG,
    Part.HIND,
    Part.BODY,
    None,
    Part.HEAD,
    Part.EYE,
    Part.ARM,
    Part.WING,
)
_FRONT_LAYERS = (
    Part.TAIL,
    Part.LEG,
    Part.LEG_FAR,
    Part.HIND,
    Part.HIND_FAR,
    Part.BODY,
    None,
    Part.HEAD,
    Part.EYE,
    Part.ARM,
    Part.ARM_FAR,
    Part.WING,
    Part.WING_FAR,
)


@dataclass(frozen=True)
class Look:
    """How a character is coloured: the palette, each part's base colour, and the special colours' indices."""

    palette: np.ndarray
    part_colour: np.ndarray
    ramps: np.ndarray
    eye: int
    outline: int | None
    flash: int


@dataclass(frozen=True)
class Figure:
    """A character drawn in one view at rest: palette indices and part labels per pixel (-1 where empty).

    ``under`` is the body behind arms and wings that lie across it (-1 elsewhere), revealed when they move;
    ``layers`` is the order parts are painted in.
    """

    colours: np.ndarray
    parts: np.ndarray
    under: np.ndarray
    layers: tuple[Part | None, ...]


def choose_look(palette: np.ndarray, outline: np.ndarray | None, rig: str, rng: np.random.Generator) -> Look:
    """Pick base colours for skin, main, secondary and accent from the palette (the outline colour excluded)."""
    lab = to_oklab(palette)
    colours = palette
    outline_idx = None
    if outline is not None:
        match = np.flatnonzero((palette == outline).all(1))
        if len(match):
            outline_idx = int(match[0])
        else:
            colours = np.vstack([palette, outline[None]])
            outline_idx = len(palette)
    candidates = np.array([i for i in range(len(palette)) if i != outline_idx])
    slots = rng.choice(candidates, 4, replace=len(candidates) < 4)
    part_colour = slots[_SLOT]
    if rig != "biped":  # creatures: head and body share a colour
        part_colour[Part.HEAD] = slots[1]
    head_light = lab[part_colour[Part.HEAD], 0]
    eye = int(np.argmax(lab[:, 0]) if head_light < 0.6 else np.argmin(lab[:, 0]))
    return Look(colours, part_colour, ramps(palette), eye, outline_idx, int(np.argmax(lab[:, 0])))


def _resize_bilinear(a: np.ndarray, oh: int, ow: int) -> np.ndarray:
    """Resample the last two axes with cell-centred bilinear interpolation (edges clamped)."""
    h, w = a.shape[-2:]

    def axis(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        src = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        lo = np.floor(src).astype(int)
        return lo, np.minimum(lo + 1, n_in - 1), src - lo

    y0, y1, fy = axis(h, oh)
    x0, x1, fx = axis(w, ow)
    top = a[..., y0, :][..., x0] * (1 - fx) + a[..., y0, :][..., x1] * fx
    bottom = a[..., y1, :][..., x0] * (1 - fx) + a[..., y1, :][..., x1] * fx
    return top * (1 - fy)[:, None] + bottom * fy[:, None]


def _resize_nearest(a: np.ndarray, oh: int, ow: int) -> np.ndarray:
    h, w = a.shape[-2:]
    return a[..., (np.arange(oh) * h) // oh, :][..., (np.arange(ow) * w) // ow]


def _mirror_left(a: np.ndarray, table: np.ndarray | None = None) -> np.ndarray:
    """Overwrite the right half of the last axis with the mirrored left half (values mapped through ``table``)."""
    out = a.copy()
    half = a.shape[-1] // 2
    left = a[..., :half][..., ::-1]
    out[..., a.shape[-1] - half :] = left if table is None else np.where(left >= 0, table[left], left)
    return out


def _shifted(a: np.ndarray, dy: int, fill: int) -> np.ndarray:
    """``a`` moved down by ``dy`` rows (up when negative), new rows set to ``fill``."""
    out = np.full_like(a, fill)
    if dy > 0:
        out[dy:] = a[:-dy]
    else:
        out[:dy] = a[-dy:]
    return out


def draw_figure(view: View, size: int, look: Look, density: float, rng: np.random.Generator) -> Figure:
    """Fill the view's mask by chance, resample it to ``size``, and colour it part by part with shading.

    Maybe-body cells are decided on the template grid and resampled bilinearly, so a big sprite gets smooth
    rounded shapes rather than square blocks; eyes and outline details stay crisp (nearest). Parts are lit from
    above (a lighter top rim, a darker bottom rim) with a sprinkle of per-cell shade noise for texture.
    """
    cells, parts = view.cells, view.parts
    h, w = cells.shape
    chance, noise = rng.random((2, h, w))
    if view.mirrored:
        chance, noise = _mirror_left(chance), _mirror_left(noise)
    solid = (cells == 2) | (cells == -1) | ((cells == 1) & (chance < density))
    scale = size / max(h, w)
    oh, ow = round(h * scale), round(w * scale)
    if view.mirrored and (size - ow) % 2:
        ow -= 1
    body_parts = np.where(parts == Part.EYE, Part.HEAD, parts)
    onehot = (body_parts[None] == np.arange(len(Part))[:, None, None]) & solid
    fields = _resize_bilinear(onehot.astype(np.float32), oh, ow)
    body = fields.sum(0) >= 0.5
    part_px = np.where(body, fields.argmax(0), -1)
    eye = _resize_nearest(solid & (parts == Part.EYE), oh, ow)
    detail = _resize_nearest(cells == -1, oh, ow)
    part_px = np.where(eye, int(Part.EYE), np.where(detail, _resize_nearest(parts, oh, ow), part_px))

    r = max(1, round(scale / 2))
    same_above = _shifted(part_px, r, -1) == part_px
    same_below = _shifted(part_px, -r, -1) == part_px
    shade = np.where(~same_above, 1, np.where(~same_below, -1, 0))
    cell_noise = _resize_nearest(noise, oh, ow)
    shade = np.where(shade == 0, (cell_noise > 0.92).astype(int) - (cell_noise < 0.08), shade)
    if view.depth:
        shade = np.where(_FAR[np.maximum(part_px, 0)], np.maximum(shade - 1, -1), shade)
    base = look.part_colour[np.maximum(part_px, 0)]
    colours = look.ramps[base, shade + 1]
    colours = np.where(eye, look.eye, colours)
    if look.outline is not None:
        colours = np.where(detail, look.outline, colours)
    colours = np.where(part_px >= 0, colours, -1)
    is_body = part_px == Part.BODY
    first = np.where(is_body.any(1), is_body.argmax(1), ow)
    last = np.where(is_body.any(1), ow - 1 - is_body[:, ::-1].argmax(1), -1)
    columns = np.arange(ow)[None]
    across = np.isin(part_px, _OVERLAYS) & (columns >= first[:, None]) & (columns <= last[:, None])
    under = np.where(across, look.ramps[look.part_colour[Part.BODY], shade + 1], -1)
    if view.mirrored:
        colours, part_px, under = _mirror_left(colours), _mirror_left(part_px, MIRROR_PART), _mirror_left(under)
    pad = ((size - oh, 0), ((size - ow) // 2, size - ow - (size - ow) // 2))
    layers = _FRONT_LAYERS if view.mirrored else _SIDE_LAYERS
    return Figure(
        np.pad(colours, pad, constant_values=-1),
        np.pad(part_px, pad, constant_values=-1),
        np.pad(under, pad, constant_values=-1),
        layers,
    )


def render_frames(figure: Figure, offsets: np.ndarray, squash: np.ndarray, flash: np.ndarray, look: Look) -> np.ndarray:
    """Pose the figure for every frame at once → palette indices (F, H, W), -1 transparent.

    Parts are pasted in depth order at their offsets (pixels, (F, parts, 2)), the frame is squashed about the
    feet, flash frames take the flash colour, and the outline is drawn last so it hugs the moved silhouette.
    """
    frames = len(offsets)
    h, w = figure.colours.shape
    canvas = np.full((frames, h, w), -1, dtype=np.int32)
    f = np.arange(frames)[:, None]
    for part in figure.layers:  # at most a dozen layers, each pasted into all frames at once
        layer = figure.under if part is None else figure.colours
        ys, xs = np.nonzero(figure.under >= 0) if part is None else np.nonzero(figure.parts == part)
        if not len(ys):
            continue
        moved = Part.BODY if part is None else part
        ty, tx = ys[None] + offsets[:, moved, 1:2], xs[None] + offsets[:, moved, 0:1]
        ok = (ty >= 0) & (ty < h) & (tx >= 0) & (tx < w)
        fi = np.broadcast_to(f, ty.shape)
        canvas[fi[ok], ty[ok], tx[ok]] = np.broadcast_to(layer[ys, xs], ty.shape)[ok]
    rows = np.flatnonzero((figure.parts >= 0).any(1))
    feet, centre = (rows[-1] if len(rows) else h - 1), (w - 1) / 2
    src_y = np.floor(feet - (feet - np.arange(h)[None]) / squash[:, 1:2] + 0.5).astype(int)
    src_x = np.floor(centre + (np.arange(w)[None] - centre) / squash[:, 0:1] + 0.5).astype(int)
    half = w // 2
    src_x[:, w - half :] = w - 1 - src_x[:, :half][:, ::-1]  # keep symmetric frames exactly symmetric
    valid = ((src_y >= 0) & (src_y < h))[:, :, None] & ((src_x >= 0) & (src_x < w))[:, None, :]
    out = canvas[f[:, :, None], np.clip(src_y, 0, h - 1)[:, :, None], np.clip(src_x, 0, w - 1)[:, None, :]]
    out = np.where(valid, out, -1)
    solid = out >= 0
    keep = solid & (out != (look.outline if look.outline is not None else -2))
    out = np.where(flash[:, None, None] & keep, look.flash, out)
    if look.outline is not None:
        out = np.where(outline_ring(solid), look.outline, out)
    return out
