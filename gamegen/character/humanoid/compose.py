"""Compositing: paint the parts of every frame in their view's order, shade them, outline the silhouette.

Frames are palette-free codes, ``part * 4 + tone`` (tone 0 light, 1 base, 2 shadow, 3 outline; 0 is empty), so
colours, layers and quality checks are all table look-ups. Shading is read off the painted frame, lit from the
top-left: a part's pixels next to empty space above or to the left are lit; those next to anything else below or
to the right, or under another part, are in shadow; far limbs are in shadow. The silhouette gets a one-pixel ring
in the outline colour, owned by the part it touches.
"""

from __future__ import annotations

import numpy as np

from .body import Body
from .look import Look
from .parts import PART_LAYER, PART_RAMP, Draw, Part, scene
from .poses import Skeleton
from .ramps import Slot

__all__ = ["TONES", "render", "palette_lut", "layer_lut"]

TONES = 4
_DETAIL = {
    Part.EYE: Part.HEAD,
    Part.MOUTH: Part.HEAD,
    Part.BROW: Part.HEAD,
    Part.BUCKLE: Part.BELT,
    Part.SHINE: Part.HAIR,
}
_GROUP = np.arange(len(Part) + 1, dtype=np.uint8)
for _detail, _host in _DETAIL.items():
    _GROUP[_detail] = _host


def _paint(draws: list[Draw], frames: int, size: int) -> tuple[np.ndarray, ...]:
    """Paint the draws back to front into (F, S, S) arrays: part ids; keys telling apart parts and separate stamps;
    each pixel's stamp number (``order``), that number again where the stamp is inked (``inked``, else 0); and
    whether the stamp is dimmed (a far limb)."""
    n_px = frames * size * size
    labels, keys = np.zeros(n_px, dtype=np.uint8), np.zeros(n_px, dtype=np.uint8)
    order, inked = np.zeros(n_px, dtype=np.uint8), np.zeros(n_px, dtype=np.uint8)
    dim = np.zeros(n_px, dtype=bool)
    next_key = 1
    for n, draw in enumerate(draws, start=1):  # a couple of dozen stamps, each over all frames at once
        ids, origin = draw.stamp.ids, draw.stamp.origin
        if ids.ndim == 2:
            ys, xs = np.nonzero(ids)
            vals = np.broadcast_to(ids[ys, xs], (frames, len(ys)))
            f = np.broadcast_to(np.arange(frames)[:, None], vals.shape)
            ty, tx = origin[:, 0:1] + ys, origin[:, 1:2] + xs
        else:
            f, ys, xs = np.nonzero(ids)
            vals = ids[f, ys, xs]
            ty, tx = origin[f, 0] + ys, origin[f, 1] + xs
        ok = (ty >= 0) & (ty < size) & (tx >= 0) & (tx < size)
        if draw.frames is not None:
            ok &= draw.frames[f]
        flat = (f[ok] * size + ty[ok]) * size + tx[ok]
        groups = _GROUP[vals[ok]]
        key_of = np.zeros(len(_GROUP), dtype=np.uint8)  # a key per (stamp, part group)
        present = np.flatnonzero(np.bincount(groups, minlength=len(_GROUP)))
        key_of[present] = np.arange(next_key, next_key + len(present))
        next_key += len(present)
        labels[flat] = vals[ok]
        keys[flat] = key_of[groups]
        order[flat] = n
        inked[flat] = n if draw.ink else 0
        dim[flat] = draw.dim
    shape = (frames, size, size)
    return tuple(a.reshape(shape) for a in (labels, keys, order, inked, dim))


def _fall(painted: tuple[np.ndarray, ...], fall: np.ndarray, ground: int) -> None:
    """Lay the ``fall`` frames down in place: turned a quarter (head first) onto the ground, the first a pixel up."""
    labels = painted[0]
    for f in np.flatnonzero(fall):  # the two lying frames of a hurt animation
        rows = np.flatnonzero(np.rot90(labels[f]).any(axis=1))
        drop = ground - 1 - rows[-1] - (1 if fall[f] == 1 else 0)
        for a in painted:
            a[f] = np.roll(np.rot90(a[f]), drop, axis=0)


def _tone(
    labels: np.ndarray, keys: np.ndarray, order: np.ndarray, inked: np.ndarray, dim: np.ndarray, wide: bool
) -> np.ndarray:
    """Codes ``part * 4 + tone`` for painted frames (their border pixels empty), with inner lines round inked
    stamps and the outline ring. Neighbours are compared on slices: ``[:, :-1]`` against ``[:, 1:]`` is each pixel
    against the one below it."""
    solid = labels > 0
    shadow = dim.copy()
    vertical = keys[:, :-1, :] != keys[:, 1:, :]
    shadow[:, :-1, :] |= vertical  # something else below
    shadow[:, 1:, :] |= vertical & (keys[:, :-1, :] > 0)  # another part above casts a shadow
    shadow[:, :, :-1] |= keys[:, :, :-1] != keys[:, :, 1:]  # something else to the right
    if wide:
        shadow[:, :, :-2] |= keys[:, :, :-2] != keys[:, :, 2:]
    lit = np.zeros_like(solid)
    lit[:, 1:, :] = keys[:, :-1, :] == 0  # empty above
    lit[:, :, 1:] |= keys[:, :, :-1] == 0  # empty to the left
    line = np.zeros_like(solid)  # next to an inked stamp painted later
    line[:, :-1, :] |= inked[:, 1:, :] > order[:, :-1, :]
    line[:, 1:, :] |= inked[:, :-1, :] > order[:, 1:, :]
    line[:, :, :-1] |= inked[:, :, 1:] > order[:, :, :-1]
    line[:, :, 1:] |= inked[:, :, :-1] > order[:, :, 1:]
    tone = np.where(line, 3, np.where(shadow, 2, np.where(lit, 0, 1))).astype(np.uint8)
    owner = np.zeros_like(labels)  # the part an outline pixel belongs to: below, else above, left, right
    owner[:, :-1, :] = labels[:, 1:, :]
    owner[:, 1:, :] = np.where(owner[:, 1:, :] > 0, owner[:, 1:, :], labels[:, :-1, :])
    owner[:, :, 1:] = np.where(owner[:, :, 1:] > 0, owner[:, :, 1:], labels[:, :, :-1])
    owner[:, :, :-1] = np.where(owner[:, :, :-1] > 0, owner[:, :, :-1], labels[:, :, 1:])
    codes = labels * np.uint8(TONES) + tone
    return np.where(solid, codes, np.where(owner > 0, owner * np.uint8(TONES) + 3, 0)).astype(np.uint8)


def render(b: Body, look: Look, sk: Skeleton, directions: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Codes (F, S, S) of every frame of ``sk`` for each direction (up, left, down, right).

    ``left`` is ``right`` painted, mirrored, then shaded and outlined, so it is lit from the top-left too.
    """
    painted: dict[str, tuple[np.ndarray, ...]] = {}
    for view in sorted({"right" if d == "left" else d for d in directions}):
        painted[view] = _paint(scene(b, look, sk, view), sk.frames, b.size)
        _fall(painted[view], sk.fall, int(b.ground))
        for a in painted[view]:  # an empty border, so the outline ring closes inside the frame
            a[:, [0, -1], :] = 0
            a[:, :, [0, -1]] = 0
    out: dict[str, np.ndarray] = {}
    for d in directions:
        labels, keys, order, inked, dim = painted["right" if d == "left" else d]
        if d == "left":
            labels, keys, order, inked, dim = (a[..., ::-1] for a in (labels, keys, order, inked, dim))
        out[d] = _tone(labels, keys, order, inked, dim, wide=not b.chibi)
    return out


def palette_lut(rgb: np.ndarray) -> np.ndarray:
    """Code → RGBA uint8 (256, 4) for a character's slot colours ``rgb`` (12, 3); code 0 is transparent."""
    lut = np.zeros((256, 4), dtype=np.uint8)
    parts = np.arange(1, len(Part) + 1)
    for tone in range(TONES):
        slots = PART_RAMP[parts, tone] if tone < 3 else np.full(len(parts), Slot.OUTLINE)
        lut[parts * TONES + tone, :3] = rgb[slots]
        lut[parts * TONES + tone, 3] = 255
    return lut


def layer_lut() -> np.ndarray:
    """Code → layer index (uint8 (256,)); empty pixels get 255."""
    lut = np.full(256, 255, dtype=np.uint8)
    parts = np.arange(1, len(Part) + 1)
    for tone in range(TONES):
        lut[parts * TONES + tone] = PART_LAYER[parts]
    return lut
