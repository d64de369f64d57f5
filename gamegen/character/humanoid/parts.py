"""The parts of a humanoid and how each is drawn in each view: head and face, hair, garments, limbs, held items.

Rigid parts (head, hair, torso, skirt, belt) are drawn once per view on a small grid and moved by their joint;
limbs, cape, ponytail and held items are drawn per frame from the skeleton. :func:`scene` lists every part's
stamp in the view's painting order (back to front), with the frames in which it is painted there.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from math import ceil

import numpy as np

from .body import Body
from .look import Look
from .poses import Skeleton, project
from .ramps import Slot
from .shapes import Grid, Stamp, capsules, polygon, superellipse, trapezoid

__all__ = ["Part", "LAYERS", "PART_LAYER", "PART_RAMP", "Draw", "scene"]


class Part(IntEnum):
    """Part ids painted into frames (0 is empty)."""

    CAPE = 1
    HAIR_BACK = 2
    SKIN = 3
    FEET = 4
    LEGS = 5
    SKIRT = 6
    TORSO = 7
    BELT = 8
    BUCKLE = 9
    HEAD = 10
    EYE = 11
    MOUTH = 12
    BROW = 13
    HAIR = 14
    BLADE = 15
    GRIP = 16
    GEM = 17
    SHIELD = 18
    STRING = 19
    SLEEVE = 20
    SHINE = 21
    STRAND = 22


LAYERS: tuple[str, ...] = ("behind", "body", "feet", "legs", "torso", "belt", "head", "hair", "weapon")
"""Layer sheets, back to front (the reverse of LPC's front-to-back list)."""

PART_LAYER = np.zeros(len(Part) + 1, dtype=np.uint8)
for _part, _layer in {
    Part.CAPE: "behind",
    Part.HAIR_BACK: "behind",
    Part.SKIN: "body",
    Part.FEET: "feet",
    Part.LEGS: "legs",
    Part.SKIRT: "legs",
    Part.TORSO: "torso",
    Part.SLEEVE: "torso",
    Part.BELT: "belt",
    Part.BUCKLE: "belt",
    Part.HEAD: "head",
    Part.EYE: "head",
    Part.MOUTH: "head",
    Part.BROW: "head",
    Part.HAIR: "hair",
    Part.SHINE: "hair",
    Part.STRAND: "hair",
    Part.BLADE: "weapon",
    Part.GRIP: "weapon",
    Part.GEM: "weapon",
    Part.SHIELD: "weapon",
    Part.STRING: "weapon",
}.items():
    PART_LAYER[_part] = LAYERS.index(_layer)

_SKIN, _HAIR = (Slot.SKIN, Slot.SKIN, Slot.SKIN_D), (Slot.HAIR, Slot.HAIR, Slot.HAIR_D)
_MAIN, _SECOND = (Slot.MAIN_L, Slot.MAIN, Slot.MAIN_D), (Slot.SECOND, Slot.SECOND, Slot.SECOND_D)
_DARK = (Slot.SECOND_D, Slot.SECOND_D, Slot.OUTLINE)
PART_RAMP = np.zeros((len(Part) + 1, 3), dtype=np.uint8)
for _part, _ramp in {
    Part.CAPE: _SECOND,
    Part.HAIR_BACK: _HAIR,
    Part.SKIN: _SKIN,
    Part.FEET: _DARK,
    Part.LEGS: _SECOND,
    Part.SKIRT: _MAIN,
    Part.TORSO: _MAIN,
    Part.SLEEVE: _MAIN,
    Part.BELT: _DARK,
    Part.BUCKLE: (Slot.ITEM,) * 3,
    Part.HEAD: _SKIN,
    Part.EYE: (Slot.OUTLINE,) * 3,
    Part.MOUTH: (Slot.SKIN_D,) * 3,
    Part.BROW: (Slot.HAIR_D,) * 3,
    Part.HAIR: _HAIR,
    Part.BLADE: (Slot.ITEM, Slot.ITEM, Slot.ITEM),
    Part.GRIP: (Slot.SECOND_D,) * 3,
    Part.GEM: (Slot.MAIN_L,) * 3,
    Part.SHIELD: _SECOND,
    Part.STRING: (Slot.MAIN_L,) * 3,
    Part.SHINE: (Slot.HAIR_L,) * 3,
    Part.STRAND: _HAIR,
}.items():
    PART_RAMP[_part] = _ramp

# painting order per view, back to front; "_back" slots hold limbs and items while they are behind the body
_SLOTS = {
    "down": (
        "item_back",
        "cape",
        "hair_back",
        "arm_back",
        "legs",
        "feet",
        "skirt",
        "torso",
        "belt",
        "arm",
        "head",
        "hair",
        "item",
    ),
    "up": (
        "item_back",
        "arm_back",
        "legs",
        "feet",
        "skirt",
        "torso",
        "belt",
        "arm",
        "cape",
        "hair_back",
        "head",
        "hair",
        "item",
    ),
    "right": (
        "cape",
        "arm_back",
        "legs_far",
        "feet_far",
        "legs",
        "feet",
        "skirt",
        "torso",
        "belt",
        "hair_back",
        "head",
        "hair",
        "item_back",
        "arm",
        "item",
    ),
}


_DIM = ("arm_back", "legs_far", "feet_far")
_INK = ("arm", "item", "item_back")


@dataclass(frozen=True)
class Draw:
    """A stamp painted at ``slot`` (its index in the view's order) in the frames where ``frames`` is True."""

    slot: int
    stamp: Stamp
    frames: np.ndarray | None = None
    dim: bool = False  # a far limb: drawn in its shadow tones
    ink: bool = False  # outlined where it lies over other parts


class _Scene:
    """Collects draws for one view."""

    def __init__(self, view: str) -> None:
        self.order = _SLOTS[view]
        self.draws: list[Draw] = []

    def add(self, slot: str, stamp: Stamp | None, frames: np.ndarray | None = None) -> None:
        if stamp is not None and stamp.ids.any():
            self.draws.append(Draw(self.order.index(slot), stamp, frames, slot in _DIM, slot in _INK))

    def by_depth(self, front: str, back: str, stamp: Stamp, depth: np.ndarray, limit: float) -> None:
        """Paint ``stamp`` at ``back`` in frames where ``depth`` < -``limit``, else at ``front``."""
        behind = depth < -limit
        self.add(back, stamp, behind)
        self.add(front, stamp, ~behind)


def _pixels(grid: Grid, ids: np.ndarray, part: Part, xs: list[float], ys: list[float]) -> None:
    """Set the pixels whose centres are at relative (x, y) in ``xs`` × ``ys``."""
    cols = np.round(np.asarray(xs) + grid.ax - 0.5).astype(int)
    rows = np.round(np.asarray(ys) + grid.ay - 0.5).astype(int)
    ids[np.ix_(rows, cols)] = part


def _head_grid(b: Body) -> Grid:
    top = ceil(b.head_ry) + 6
    w = 2 * (ceil(b.head_rx) + 6)
    return Grid(top + ceil(b.head_ry) + ceil(b.torso_h) + 8, w, top, w // 2)


def _head(b: Body, view: str) -> np.ndarray:
    """Head, neck and face on the head grid."""
    g = _head_grid(b)
    ids = g.blank()
    x, y = g.x, g.y
    side = view == "right"
    cx = 0.5 if side and b.chibi else 0.0
    neck_w = 1.0 if b.chibi else 3.0
    neck = (np.abs(x - (cx if side else 0.0)) < neck_w) & (y > 0) & (y < b.head_ry + b.neck + 1.0)
    ids[neck] = Part.SKIN
    ids[superellipse(x, y, cx, 0.0, b.head_rx, b.head_ry, 2.3)] = Part.HEAD
    if view == "up":
        return ids
    big = not b.chibi
    if side:
        if big:
            _pixels(g, ids, Part.HEAD, [b.head_rx + 0.5], [2.5])  # nose
            _pixels(g, ids, Part.BROW, [3.5, 4.5, 5.5], [-1.5])
            _pixels(g, ids, Part.MOUTH, [5.5], [4.5])
            _pixels(g, ids, Part.MOUTH, [-0.5], [1.5, 2.5])  # ear
        _pixels(g, ids, Part.EYE, [4.5] if big else [3.5], [0.5, 1.5])
        return ids
    eyes = [-4.5, -3.5, 3.5, 4.5] if big else [-2.5, 2.5]
    _pixels(g, ids, Part.EYE, eyes, [0.5, 1.5])
    if big:
        _pixels(g, ids, Part.BROW, [-5.5, -4.5, -3.5, 3.5, 4.5, 5.5], [-1.5])
        _pixels(g, ids, Part.MOUTH, [-0.5, 0.5], [4.5])
    return ids


def _hair(b: Body, look: Look, view: str) -> tuple[np.ndarray, np.ndarray]:
    """Hair in front of the head (with its lit sheen) and hair behind it (long hair, a bun seen from the front), as
    part ids on the head grid."""
    front, back = _hair_masks(b, look, view)
    g = _head_grid(b)
    x, y = g.x, g.y
    rx, ry = b.head_rx, b.head_ry
    dist = np.sqrt((x / (rx + 1.0)) ** 2 + ((y + 0.6) / (ry + 1.0)) ** 2)
    band = np.abs(dist - 0.72) < (0.09 if b.chibi else 0.06)
    if view == "right":
        band &= (y < -0.35 * ry) & (x < 0.3 * rx) & (x > -0.8 * rx)
    else:
        band &= (x < -0.1 * rx) & (y < -0.25 * ry)
    band &= look.hair != "mohawk"
    ids = np.where(front, np.where(band, Part.SHINE, Part.HAIR), 0).astype(np.uint8)
    if view == "up":  # locks of hair: alternate stripes, which shading outlines as strands
        period = 3 if b.chibi else 4
        stripe = (np.floor(x) % period == period - 1) & (y > -0.2 * ry) & (ids == Part.HAIR)
        ids[np.broadcast_to(stripe, ids.shape)] = Part.STRAND
    return ids, np.where(back, Part.HAIR_BACK, 0).astype(np.uint8)


def _hair_masks(b: Body, look: Look, view: str) -> tuple[np.ndarray, np.ndarray]:
    """Where hair is in front of the head and behind it, on the head grid."""
    g = _head_grid(b)
    x, y = g.x, g.y
    rx, ry = b.head_rx, b.head_ry
    style = look.hair
    front = np.zeros((g.h, g.w), dtype=bool)
    back = np.zeros((g.h, g.w), dtype=bool)
    if style == "bald":
        return front, back
    cap = superellipse(x, y, 0.0, -0.6, rx + 1.0, ry + 1.0, 2.3)
    length = {"bob": 0.85 * ry, "long": ry + 0.5 * b.torso_h + b.neck}.get(style, 0.45 * ry)
    side = view == "right"
    if style == "mohawk":
        if side:
            front = superellipse(x, y, -1.0, -0.5, rx, ry + 2.5) & ~superellipse(x, y, 0.0, 0.0, rx, ry, 2.3)
            front &= (y < -0.2 * ry) & (x < 0.6 * rx)
        else:
            front = (np.abs(x) < 0.22 * rx + 0.5) & (y < (-0.1 if view == "down" else 0.5) * ry) & (y > -ry - 3.0)
        return front, back
    if view == "up":
        front = cap & (y < min(length, 0.85 * ry))
    elif side:
        front = cap & ((y < -0.3 * ry) | (x < -0.15 * rx)) & (y < min(length, 0.9 * ry))
    else:
        fringe = {
            "straight": np.full_like(x, -0.3 * ry),
            "swept": -0.3 * ry + 0.4 * ry * x / rx,
            "parted": -0.5 * ry + 0.35 * ry * np.abs(x) / rx,
        }[look.fringe]
        sides = 0.1 * ry if style not in ("bob", "long") else min(length, 0.85 * ry)
        front = cap & ((y < fringe) | ((np.abs(x) > 0.72 * rx) & (y < sides)))
    if style == "spiky":
        period = 3.0 if b.chibi else 4.0
        tooth = 1.0 - 2.0 * np.abs((x / period) % 1.0 - 0.5)
        spikes = (y < -ry - 0.6 + 0.2) & (y > -ry - 0.6 - (2.0 if b.chibi else 3.5) * tooth)
        front |= spikes & (np.abs(x) < rx + (0.0 if side else 0.5))
    if style == "long":
        taper = rx + 1.5 - 0.3 * np.maximum(y - 0.3 * ry, 0.0)
        drape = (np.abs(x + (1.0 if side else 0.0)) < taper) & (y > -ry) & (y < length)
        drape &= superellipse(x, y, 0.0, length * 0.35, rx + 1.5, length * 0.65 + ry, 3.0)
        if side:
            drape &= x < 0.1 * rx
        if view == "up":
            front |= drape
        else:
            back |= drape
    if style == "bun":
        if view == "down":
            back |= superellipse(x, y, 0.0, -ry - 0.6, 0.4 * rx + 0.5, 0.4 * rx + 0.5)
        else:
            at = (-0.7 * rx, -0.6 * ry) if side else (0.0, -0.25 * ry)
            front |= superellipse(x, y, at[0], at[1], 0.4 * rx + 0.5, 0.4 * rx + 0.5)
    if style == "ponytail" and view == "up":
        front |= (np.abs(x) < (1.5 if b.chibi else 2.5)) & (y > 0) & (y < ry + 0.35 * b.torso_h + b.neck)
    return front, back


def _ponytail(b: Body, head: np.ndarray, wind: np.ndarray) -> Stamp:
    """A side view's ponytail: from the back of the head, trailing with the wind and the head's motion."""
    rx, ry = b.head_rx, b.head_ry
    lag = np.roll(head, 1, axis=0) - head
    root = head + np.array([-rx + 0.5, -0.3 * ry])
    tip = head + np.array([-rx - 1.5, 0.6 * ry + 0.3 * b.torso_h])
    tip = tip + np.stack([-wind * b.scale * 1.5, -wind * b.scale * 0.5], axis=-1) + np.clip(lag, -1, 1)
    mid = (root + tip) / 2 + np.array([-b.scale, 0.0])
    r = 1.2 if b.chibi else 2.2
    a = np.stack([root, mid], axis=1)
    z = np.stack([mid, tip], axis=1)
    return capsules(a, z, np.array([r, r * 0.8]), np.array([Part.HAIR, Part.HAIR]))


def _torso(b: Body, look: Look, view: str) -> tuple[Grid, np.ndarray]:
    """Shirt, robe top or armour from the neck down, on a grid anchored at the neck."""
    w = 2 * ceil(b.shoulder_hw + b.arm_w + 4)
    g = Grid(ceil(b.torso_h) + 8, w, 3, w // 2)
    x, y = g.x, g.y
    ids = g.blank()
    hem = {"tunic": 1.0, "armour": 1.0}.get(look.outfit, 0.0) * (1 if b.chibi else 2)
    cut = 1.0 if b.chibi else 2.0
    side = view == "right"
    if side:
        shape = trapezoid(x, y, 0.0, b.torso_h + hem, b.torso_hd, b.torso_hd * 0.9, 0.5, cut)
    else:
        flare = 0.5 if look.outfit == "tunic" else 0.0
        shape = trapezoid(x, y, 0.0, b.torso_h + hem, b.shoulder_hw, b.waist_hw + flare, 0.0, cut)
    ids[shape] = Part.TORSO
    if look.outfit == "armour":
        pad_y, pad_r = (1.0, 2.0) if b.chibi else (2.0, 3.5)
        pads = [0.0] if side else [-b.shoulder_hw, b.shoulder_hw]
        for px in pads:
            ids[superellipse(x, y, px, pad_y, b.arm_w / 2 + 1.5, pad_r, 2.5)] = Part.TORSO
    elif view == "down":
        deep = 2.0 if look.outfit == "vest" else 1.0
        neck_w = (1.5 if b.chibi else 3.0) * deep
        ids[shape & (np.abs(x) < neck_w - 0.7 * y) & (y < (1.5 if b.chibi else 3.0) * deep)] = Part.SKIN
    return g, ids


def _hips(b: Body, look: Look, view: str) -> tuple[Grid, np.ndarray, np.ndarray, np.ndarray]:
    """Around the pelvis: the top of the trousers, the skirt of a robe or dress, and the belt."""
    legs = b.thigh + b.shin
    w = 2 * ceil(b.shoulder_hw + 6)
    g = Grid(ceil(legs) + 8, w, 5, w // 2)
    x, y = g.x, g.y
    side = view == "right"
    half = b.torso_hd * 0.9 if side else b.waist_hw
    pants, skirt, belt = g.blank(), g.blank(), g.blank()
    if look.legwear == "skirt":
        flare = 1.5 if look.outfit == "dress" else 2.5
        bottom = b.thigh + 0.3 * b.shin if look.outfit == "dress" else legs - (0.5 if b.chibi else 1.0)
        outer = (b.torso_hd if side else b.hip_hw + b.leg_w / 2) + flare * (1 if b.chibi else 1.6)
        skirt[trapezoid(x, y, -2.0, bottom, half, outer, 0.0, 0.0)] = Part.SKIRT
    else:
        pants[(np.abs(x - (0.25 if side else 0.0)) < half - 0.25) & (y > -2.0) & (y < 1.5)] = Part.LEGS
    if look.belt:
        rows = (y > -2.0) & (y < (-1.0 if b.chibi else 0.0))
        belt[rows & (np.abs(x - (0.5 if side else 0.0)) < half + 0.5)] = Part.BELT
        buckle = (x > half - 1.0) & (x < half + 1.0) if side else np.abs(x) < 1.0
        if view != "up":
            belt[rows & buckle & (belt > 0)] = Part.BUCKLE
    return g, pants, skirt, belt


def _limb(
    joints: list[np.ndarray], width: float, parts: list[Part], extra: tuple[tuple[np.ndarray, float, Part], ...] = ()
) -> Stamp:
    """Capsules joint to joint (each (F, 2)) of ``width``, part per segment, then extra discs (centre, r, part)."""
    a = [joints[i] for i in range(len(parts))] + [c for c, _, _ in extra]
    z = [joints[i + 1] for i in range(len(parts))] + [c for c, _, _ in extra]
    r = [width / 2] * len(parts) + [rr for _, rr, _ in extra]
    ids = list(parts) + [p for _, _, p in extra]
    return capsules(np.stack(a, axis=1), np.stack(z, axis=1), np.array(r), np.array(ids))


def _merge(under: Stamp, over: Stamp) -> Stamp:
    """Two per-frame stamps as one (``over`` painted on ``under``), on a grid covering both."""
    top = np.minimum(under.origin, over.origin)
    bottom = np.maximum(under.origin + under.ids.shape[1:], over.origin + over.ids.shape[1:])
    h, w = (bottom - top).max(axis=0)
    ids = np.zeros((len(top), h, w), dtype=np.uint8)
    for s in (under, over):  # two stamps, each placed in all frames at once
        f, ys, xs = np.nonzero(s.ids)
        oy, ox = s.origin[f, 0] - top[f, 0] + ys, s.origin[f, 1] - top[f, 1] + xs
        ids[f, oy, ox] = s.ids[f, ys, xs]
    return Stamp(ids, top)


def _foot(b: Body, ankle: np.ndarray, view: str) -> Stamp:
    r = b.foot_h / 2
    centre = ankle + np.array([0.0, r])
    if view == "right":
        return capsules(
            (centre - [0.5, 0.0])[:, None],
            (centre + [b.foot_len - r, 0.0])[:, None],
            np.array([r]),
            np.array([Part.FEET]),
        )
    half = (b.leg_w + 1) / 2 - r
    return capsules(
        (centre - [half, 0.0])[:, None], (centre + [half, 0.0])[:, None], np.array([r]), np.array([Part.FEET])
    )


def _flat(d3: np.ndarray, view: str) -> np.ndarray:
    """A body-space direction (F, 3) on screen (F, 2), foreshortened."""
    x, y, z = d3[:, 0], d3[:, 1], d3[:, 2]
    sx = {"down": x, "up": -x, "right": z}[view]
    return np.stack([sx, y], axis=-1)


def _held(weapon: str, hand: np.ndarray, d: np.ndarray, u: float, thin: float) -> Stamp | None:
    """The item in the right ``hand`` (F, 2) pointing along ``d`` (F, 2, foreshortened); sizes in ``u`` pixels."""
    n = np.stack([-d[:, 1], d[:, 0]], axis=-1)
    n = n / np.maximum(np.linalg.norm(n, axis=-1, keepdims=True), 1e-6)
    if weapon in ("sword", "shield"):  # grip, cross-guard, blade
        g, length = 1.2 * u, 7.5 * u
        guard = hand + d * (g + 0.3)
        return capsules(
            np.stack([hand - d * g, guard - n * 1.2 * u, hand + d * (g + 0.6)], axis=1),
            np.stack([hand + d * g, guard + n * 1.2 * u, hand + d * length], axis=1),
            np.array([thin, thin * 0.9, thin]),
            np.array([Part.GRIP, Part.GRIP, Part.BLADE]),
        )
    if weapon == "axe":  # a haft, and a flared wedge on one side of it near the end
        end = hand + d * 7.0 * u
        haft = capsules((hand - d * 1.5 * u)[:, None], end[:, None], np.array([thin]), np.array([Part.GRIP]))
        wedge = np.stack(
            [end - d * 0.5 * u, end - d * 2.5 * u + n * 3.0 * u, end + d * u + n * 3.0 * u, end + d * 0.5 * u], axis=1
        )
        return _merge(haft, polygon(wedge, Part.BLADE))
    if weapon == "spear":  # a shaft held a third of the way up, and a head
        length = 12.0 * u
        return capsules(
            np.stack([hand - d * 5.0 * u, hand + d * length], axis=1),
            np.stack([hand + d * length, hand + d * (length + 2.5 * u)], axis=1),
            np.array([thin, thin + 0.35 * u]),
            np.array([Part.GRIP, Part.BLADE]),
        )
    if weapon == "staff":  # a shaft held below the middle, a gem on top
        length = 13.0 * u
        top = hand + d * 0.6 * length
        return capsules(
            np.stack([hand - d * 0.4 * length, top], axis=1),
            np.stack([top, top], axis=1),
            np.array([thin, 1.4 * u]),
            np.array([Part.BLADE, Part.GEM]),
        )
    return None


def _shield(b: Body, sk: Skeleton, view: str, left: np.ndarray) -> Stamp:
    """A round shield on the left forearm: its face seen from the front, its edge from the back and side."""
    u = b.scale
    centre = left + _flat(sk.elbow[1] - sk.hand[1], view) * 0.3
    if view == "down":
        at = np.stack([centre, centre], axis=1)
        return capsules(at, at, np.array([3.2 * u, 0.6 * u]), np.array([Part.SHIELD, Part.BLADE]))
    half = np.array([0.0, 2.2 * u])
    return capsules((centre - half)[:, None], (centre + half)[:, None], np.array([u]), np.array([Part.SHIELD]))


def _items(b: Body, look: Look, sk: Skeleton, view: str, scene: _Scene) -> None:
    """The held item (and a bow or shield in the left hand), each in front of or behind the body by its depth."""
    hands, depth = project(sk.hand, view, b)
    limit = b.torso_hd * 0.5
    held = _held(look.weapon, hands[0], _flat(sk.item_dir, view), b.scale, 0.55 if b.chibi else 1.0)
    if held is not None:
        held = Stamp(np.where(sk.stowed[:, None, None], 0, held.ids).astype(np.uint8), held.origin)
        if view == "right":
            scene.add("item", held)
        else:
            _, item_depth = project(sk.hand[0] + sk.item_dir * 4.0 * b.scale, view, b)
            scene.by_depth("item", "item_back", held, item_depth, limit)
    left: list[Stamp] = []
    if look.weapon == "bow":
        left = _bow(b, sk, view, hands[1], hands[0])
    elif look.weapon == "shield":
        left = [_shield(b, sk, view, hands[1])]
    for stamp in left:
        if view == "right":  # held out in front of the body, behind the near arm
            scene.add("item_back", stamp)
        else:
            scene.by_depth("item", "item_back", stamp, depth[1], limit)


def _bow_side(points3: np.ndarray, sk: Skeleton, view: str, b: Body) -> np.ndarray:
    """A bow carried at the side: its curve turned outwards (so the front view shows it), on screen."""
    hand = sk.hand[1][:, None, :]
    rel = points3 - hand
    turned = np.stack([rel[..., 2], rel[..., 1], -rel[..., 0]], axis=-1)  # forward → the left side
    pts, _ = project(hand + turned, view, b)
    return pts


def _bow(b: Body, sk: Skeleton, view: str, left: np.ndarray, right: np.ndarray) -> list[Stamp]:
    """A bow in the left hand — limbs bowed forward, aimed while shooting, else carried with the curve outwards —
    and its string, straight or pulled to the right hand: the string's stamp first."""
    u = b.scale
    t = np.linspace(-1.0, 1.0, 7)
    bend = 1.6 * u * (1.0 + 0.5 * sk.draw)
    points3 = (
        sk.hand[1][:, None, :]
        + sk.item_dir[:, None, :] * (t[None, :, None] * 5.5 * u)
        + np.array([0.0, 0.0, 1.0]) * (bend[:, None, None] * (1.0 - t[None, :, None] ** 2) - bend[:, None, None])
    )
    pts, _ = project(points3, view, b)
    pts = np.where(sk.aiming[:, None, None], pts, _bow_side(points3, sk, view, b))
    pts = pts - (pts[:, 3:4] - left[:, None])  # the grip sits in the hand
    limbs = capsules(pts[:, :-1], pts[:, 1:], np.full(6, 0.55 if b.chibi else 0.9), np.full(6, Part.BLADE))
    pulled = np.where(sk.draw[:, None] > 0.05, right, (pts[:, 0] + pts[:, -1]) / 2)
    string = capsules(
        np.stack([pts[:, 0], pulled], axis=1),
        np.stack([pulled, pts[:, -1]], axis=1),
        np.array([0.5, 0.5]),
        np.array([Part.STRING, Part.STRING]),
    )
    return [string, limbs]


def _cape(b: Body, sk: Skeleton, view: str) -> Stamp:
    """A cape from the shoulders to the knees: behind the body, trailing in the wind seen from the side; over the
    back seen from behind, its hem swaying."""
    neck, _ = project(sk.neck, view, b)
    pelvis, _ = project(sk.pelvis, view, b)
    wind = sk.wind * b.scale
    hem = pelvis[:, 1] + b.thigh + 0.6 * b.shin
    if view == "right":
        back = neck[:, 0] - b.torso_hd
        corners = np.stack(
            [
                np.stack([neck[:, 0] - 0.5, neck[:, 1]], -1),
                np.stack([pelvis[:, 0] - b.torso_hd + 1.0 - wind, hem - 0.5 * wind], -1),
                np.stack([pelvis[:, 0] - b.torso_hd - 2.0 * b.scale - 2.0 * wind, hem - wind], -1),
                np.stack([back - 0.5, neck[:, 1] + 1.0], -1),
            ],
            axis=1,
        )
    else:
        top, bottom = b.shoulder_hw + 0.5, b.shoulder_hw + 2.0 * b.scale
        sway = np.round(np.sin(np.cumsum(wind)) * 0.5 * wind)
        corners = np.stack(
            [
                np.stack([neck[:, 0] - top, neck[:, 1] - 0.5], -1),
                np.stack([neck[:, 0] + top, neck[:, 1] - 0.5], -1),
                np.stack([pelvis[:, 0] + bottom + sway, hem], -1),
                np.stack([pelvis[:, 0] - bottom + sway, hem], -1),
            ],
            axis=1,
        )
    return polygon(corners, Part.CAPE)


def scene(b: Body, look: Look, sk: Skeleton, view: str) -> list[Draw]:
    """Every part's stamp for ``view`` (down, up or right) over the skeleton's frames, back to front."""
    s = _Scene(view)
    head, _ = project(sk.head, view, b)
    neck, _ = project(sk.neck, view, b)
    pelvis, _ = project(sk.pelvis, view, b)
    hg = _head_grid(b)
    s.add("head", hg.stamp(_head(b, view), head))
    front, back = _hair(b, look, view)
    s.add("hair", hg.stamp(front, head))
    s.add("hair_back", hg.stamp(back, head))
    if look.hair == "ponytail" and view == "right":
        s.add("hair_back", _ponytail(b, head, sk.wind))
    tg, torso = _torso(b, look, view)
    s.add("torso", tg.stamp(torso, neck))
    pg, pants, skirt, belt = _hips(b, look, view)
    s.add("legs", pg.stamp(pants, pelvis))
    s.add("skirt", pg.stamp(skirt, pelvis))
    s.add("belt", pg.stamp(belt, pelvis))
    if look.cape:
        s.add("cape", _cape(b, sk, view))
    hip, _ = project(sk.hip, view, b)
    knee, _ = project(sk.knee, view, b)
    ankle, _ = project(sk.ankle, view, b)
    upper = Part.LEGS if look.legwear != "skirt" or look.outfit == "robe" else Part.SKIN
    lower = Part.LEGS if look.legwear == "pants" or look.outfit == "robe" else Part.SKIN
    for leg in (0, 1):
        far = view == "right" and leg == 1
        s.add("legs_far" if far else "legs", _limb([hip[leg], knee[leg], ankle[leg]], b.leg_w, [upper, lower]))
        s.add("feet_far" if far else "feet", _foot(b, ankle[leg], view))
    shoulder, _ = project(sk.shoulder, view, b)
    elbow, _ = project(sk.elbow, view, b)
    hand, hand_depth = project(sk.hand, view, b)
    sleeve_upper = Part.SLEEVE if look.sleeves != "none" else Part.SKIN
    sleeve_lower = Part.SLEEVE if look.sleeves == "long" else Part.SKIN
    hand_part = Part.GRIP if look.outfit == "armour" else Part.SKIN
    for arm in (0, 1):
        stamp = _limb(
            [shoulder[arm], elbow[arm], hand[arm]],
            b.arm_w,
            [sleeve_upper, sleeve_lower],
            ((hand[arm], b.hand_r, hand_part),),
        )
        if view == "right":
            s.add("arm_back" if arm == 1 else "arm", stamp)
        else:
            s.by_depth("arm", "arm_back", stamp, hand_depth[arm], b.arm_w)
    _items(b, look, sk, view, s)
    return sorted(s.draws, key=lambda d: d.slot)
