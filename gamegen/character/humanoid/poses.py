"""Animations from the rig: per-frame 3-D joint positions for each animation, solved with two-bone IK.

Body space is in pixels: X to the character's left, Y down (0 on the ground), Z forward. An animation says where
the hips, feet and hands go and where the held item points; the knees and elbows follow by inverse kinematics, so
one description serves every direction. Views project it: ``down`` looks at the character's front, ``up`` at its
back, ``right`` at its right side (the weapon hand near); ``left`` is drawn as the mirror image of ``right``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

from .body import Body

__all__ = [
    "Animation",
    "ANIMATIONS",
    "Direction",
    "DIRECTIONS",
    "FRAMES",
    "DURATION_MS",
    "LOOPS",
    "LOOP_FROM",
    "Skeleton",
    "skeleton",
    "concat",
    "project",
]

Animation = Literal["idle", "walk", "run", "slash", "thrust", "shoot", "spellcast", "hurt"]
ANIMATIONS: tuple[Animation, ...] = get_args(Animation)
Direction = Literal["up", "left", "down", "right"]
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)  # LPC's row order within an animation block

FRAMES: dict[str, int] = {
    "idle": 4,
    "walk": 9,
    "run": 8,
    "slash": 6,
    "thrust": 8,
    "shoot": 13,
    "spellcast": 7,
    "hurt": 6,
}
DURATION_MS: dict[str, int] = {
    "idle": 250,
    "walk": 90,
    "run": 70,
    "slash": 80,
    "thrust": 80,
    "shoot": 70,
    "spellcast": 100,
    "hurt": 110,
}
LOOPS: dict[str, bool] = {a: a in ("idle", "walk", "run") for a in ANIMATIONS}
LOOP_FROM: dict[str, int] = {"walk": 1}
"""The frame a looping animation returns to (LPC walks start with a standing frame outside the loop)."""


@dataclass(frozen=True)
class Skeleton:
    """Joint positions (F, 3) in body space for F frames, the held item's direction, and per-frame flags.

    Arms and legs are (2, F, 3): index 0 the right (weapon) side, 1 the left. ``fall`` frames are drawn lying
    down (the last hurt frames).
    """

    pelvis: np.ndarray
    neck: np.ndarray
    head: np.ndarray
    hip: np.ndarray
    knee: np.ndarray
    ankle: np.ndarray
    shoulder: np.ndarray
    elbow: np.ndarray
    hand: np.ndarray
    item_dir: np.ndarray
    draw: np.ndarray  # (F,) 0..1: how far a bow is drawn
    wind: np.ndarray  # (F,) how far hair and cape trail behind, in 32 px pixels
    fall: np.ndarray  # (F,) int: 0 upright, 1 lying, 2 lying and settled
    stowed: np.ndarray  # (F,) bool: the item is put away (shooting without a bow)
    aiming: np.ndarray  # (F,) bool: a bow faces forward (else its curve faces out to the side)

    @property
    def frames(self) -> int:
        return len(self.pelvis)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


def _ik(root: np.ndarray, target: np.ndarray, l1: float, l2: float, pole: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two-bone IK for all frames: the middle joint and the (reachable) end, bending towards ``pole``."""
    span = target - root
    d = np.clip(np.linalg.norm(span, axis=-1, keepdims=True), abs(l1 - l2) + 1e-3, l1 + l2 - 1e-3)
    axis = _unit(span)
    side = pole - (pole * axis).sum(-1, keepdims=True) * axis
    side = _unit(np.where(np.linalg.norm(side, axis=-1, keepdims=True) < 1e-6, np.array([0.0, 0.0, 1.0]), side))
    cos_a = np.clip((l1 * l1 + d * d - l2 * l2) / (2 * l1 * d), -1.0, 1.0)
    joint = root + axis * (l1 * cos_a) + side * (l1 * np.sqrt(1 - cos_a * cos_a))
    return joint, root + axis * d


def _keys(values: list[float]) -> np.ndarray:
    """Key poses' values, one per frame."""
    return np.asarray(values, dtype=float)


def _arc(swing: np.ndarray, out: np.ndarray, side: float) -> np.ndarray:
    """Directions from the shoulder: ``swing`` forward from hanging down (radians), ``out`` away from the body."""
    return _unit(
        np.stack(
            [side * np.sin(out), np.cos(out) * np.cos(swing), np.cos(out) * np.sin(swing)],
            axis=-1,
        )
    )


@dataclass
class _Plan:
    """What an animation asks for, per frame: body motion, foot and hand targets, item direction."""

    frames: int
    root: np.ndarray  # (F, 3) hips and everything above
    lean: np.ndarray  # (F,) radians forward
    nod: np.ndarray  # (F, 3) the head's extra offset
    feet: np.ndarray  # (2, F, 3) ankle targets
    reach: np.ndarray  # (2, F, 3) hand targets relative to the shoulders
    pole: np.ndarray  # (2, F, 3) where the elbows point
    item: np.ndarray  # (F, 3)
    draw: np.ndarray
    wind: np.ndarray
    fall: np.ndarray


def _rest(b: Body, frames: int) -> _Plan:
    arm = b.upper_arm + b.forearm
    feet = np.zeros((2, frames, 3))
    feet[0, :, 0], feet[1, :, 0] = -b.hip_hw, b.hip_hw
    feet[:, :, 1] = -b.foot_h
    reach = np.zeros((2, frames, 3))
    reach[0] = _arc(np.full(frames, 0.08), np.full(frames, 0.1), -1.0) * arm * 0.97
    reach[1] = _arc(np.full(frames, 0.08), np.full(frames, 0.1), 1.0) * arm * 0.97
    pole = np.zeros((2, frames, 3))
    pole[0], pole[1] = [-0.4, 0.3, -1.0], [0.4, 0.3, -1.0]  # back and a little out
    item = np.tile(_unit(np.array([-0.45, 0.75, 0.5])), (frames, 1))  # down, forward and away from the body
    zeros = np.zeros(frames)
    return _Plan(
        frames,
        np.zeros((frames, 3)),
        zeros.copy(),
        np.zeros((frames, 3)),
        feet,
        reach,
        pole,
        item,
        zeros.copy(),
        zeros.copy(),
        zeros.copy(),
    )


def _idle(p: _Plan, b: Body) -> None:
    p.root[:, 1] = [0, 1, 1, 0]
    p.nod[:, 1] = [0, -1, 0, 1]  # the head follows the chest a frame late


def _walk(p: _Plan, b: Body, run: bool) -> None:
    legs = b.thigh + b.shin
    arm = b.upper_arm + b.forearm
    # a walk's frame 0 stands still (LPC) and frames 1–8 loop, starting one step into the cycle
    phase = np.arange(p.frames) / p.frames if run else np.arange(p.frames) / (p.frames - 1)
    s, c = np.sin(2 * np.pi * phase), np.cos(2 * np.pi * phase)
    moving = np.ones(p.frames) if run else (np.arange(p.frames) > 0).astype(float)
    stride = (0.5 if run else 0.36) * legs * moving
    lift = (0.4 if run else 0.2) * legs * moving
    for leg, sign in ((0, 1.0), (1, -1.0)):
        p.feet[leg, :, 2] = sign * stride * s
        p.feet[leg, :, 1] -= lift * np.maximum(0.0, sign * c)
    bob = max(1.0, 0.07 * legs) * moving
    p.wind[:] = moving * ((1.5 if run else 0.5) + 0.5 * np.abs(s))
    if run:  # lowest with a foot planted under the body, highest in the air between strides
        p.root[:, 1] = bob * (np.abs(c) - 0.5) + 0.1 * legs
        p.lean[:] = 0.22
        swing = 0.9 * s
        for hand, sign, side in ((0, -1.0, -1.0), (1, 1.0, 1.0)):
            p.reach[hand] = _arc(0.6 + sign * swing, np.full(p.frames, 0.15), side) * arm * 0.62
    else:  # lowest with the feet apart
        p.root[:, 1] = bob * s * s
        swing = 0.45 * s * moving
        for hand, sign, side in ((0, -1.0, -1.0), (1, 1.0, 1.0)):
            p.reach[hand] = _arc(0.08 + sign * swing, np.full(p.frames, 0.1), side) * arm * 0.96


def _slash(p: _Plan, b: Body) -> None:
    arm = b.upper_arm + b.forearm
    f = p.frames
    swing = _keys([2.2, 2.8, 3.05, 1.7, 0.7, 0.35])
    out = _keys([0.55, 0.6, 0.45, 0.0, -0.35, -0.25])
    p.reach[0] = _arc(swing, out, -1.0) * arm * 0.95
    p.reach[1] = _arc(_keys([0.3, 0.2, 0.2, 0.6, 0.8, 0.5]), np.full(f, 0.25), 1.0) * arm * 0.9
    p.lean[:] = _keys([-0.05, -0.12, -0.14, 0.12, 0.22, 0.1])
    p.root[:, 2] = _keys([0, -0.5, -0.5, 1.0, 1.5, 1.0]) * b.scale  # a step in and back
    p.item[:] = _arc(swing + 0.35, out * 0.8, -1.0)


def _thrust(p: _Plan, b: Body) -> None:
    arm = b.upper_arm + b.forearm
    forward = _keys([0.45, 0.3, 0.15, 0.1, 0.7, 0.95, 0.8, 0.55]) * arm
    height = _keys([0.6, 0.5, 0.4, 0.3, 0.45, 0.55, 0.65, 0.75]) * arm
    for hand, lead, side in ((0, 0.0, -1.0), (1, 0.3, 1.0)):
        p.reach[hand, :, 0] = -side * b.arm_x * 0.55
        p.reach[hand, :, 1] = height
        p.reach[hand, :, 2] = np.minimum(forward + lead * arm, 0.95 * arm)
    p.lean[:] = _keys([0, -0.08, -0.12, -0.12, 0.15, 0.25, 0.15, 0.05])
    p.root[:, 2] = _keys([0, -0.5, -1, -1, 1, 2, 1.5, 0.5]) * b.scale
    p.root[:, 0] = _keys([0, 1, 1, 2, 1, 0, -1, 0])  # the weight shifts sideways, a pixel a frame
    p.root[:, 1] = _keys([0, 0, 1, 1, 1, 2, 1, 0])
    p.item[:] = _unit(np.array([0.0, 0.22, 1.0]))


def _shoot(p: _Plan, b: Body) -> None:
    """Raise the bow in the left hand (frames 0–3), draw the string to the cheek (4–8), loose (9), lower (10–12)."""
    arm = b.upper_arm + b.forearm
    f = p.frames
    raise_ = _keys([0.35, 0.8, 1.25, 1.5, 1.55, 1.55, 1.55, 1.55, 1.55, 1.55, 1.5, 1.2, 0.7])
    p.reach[1] = _arc(raise_, np.full(f, 0.12), 1.0) * arm * 0.98
    draw = _keys([0, 0, 0, 0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 0.4, 0.2, 0.1])
    grip = p.reach[1] + np.array([2 * b.arm_x, 0.0, 0.0])  # at the bow hand (seen from the right shoulder)
    cheek = np.array([b.arm_x - 0.3 * b.head_rx, -0.2 * arm, 0.1 * arm])
    rest = _arc(np.full(f, 0.4), np.full(f, 0.1), -1.0) * arm * 0.9
    toward = _keys([0, 0.4, 0.8, 1, 1, 1, 1, 1, 1, 1, 0.7, 0.4, 0.1])[:, None]
    hand = grip + np.minimum(draw, 1.0)[:, None] * (cheek - grip)
    hand = hand + np.maximum(draw - 1.0, 0.0)[:, None] * np.array([-b.arm_x, 0.0, -arm])
    p.reach[0] = rest + toward * (hand - rest)
    p.pole[0] = [-1.0, -0.6, -0.4]  # the drawing elbow rises out to the side
    p.draw[:] = np.minimum(draw, 1.0) * (np.arange(f) < 9)
    p.item[:] = _unit(np.array([0.0, 1.0, 0.08]))
    p.lean[:] = _keys([0, 0, -0.03, -0.05, -0.05, -0.06, -0.07, -0.08, -0.08, -0.1, -0.02, 0, 0])
    p.root[:, 1] = _keys([0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0])  # the pull's strain, a pixel each frame


def _spellcast(p: _Plan, b: Body) -> None:
    arm = b.upper_arm + b.forearm
    f = p.frames
    swing = _keys([0.6, 1.2, 1.6, 1.9, 2.05, 1.9, 1.0])
    out = _keys([0.25, 0.35, 0.5, 0.65, 0.8, 0.7, 0.3])
    p.reach[0] = _arc(swing, out, -1.0) * arm * 0.95
    p.reach[1] = _arc(swing, out, 1.0) * arm * 0.95
    p.lean[:] = _keys([0, -0.04, -0.08, -0.12, -0.14, -0.1, 0])
    p.root[:, 1] = _keys([0, 0, -1, -1, -1, 0, 1])
    p.item[:] = _unit(np.stack([np.zeros(f), -np.cos(0.4 * (swing - 1.2)), 0.3 * np.ones(f)], axis=-1))


def _hurt(p: _Plan, b: Body) -> None:
    legs = b.thigh + b.shin
    arm = b.upper_arm + b.forearm
    p.root[:, 1] = _keys([0, 0.15, 0.35, 0.5, 0, 0]) * legs
    p.root[:, 2] = _keys([-1, -0.5, 0, 0.5, 0, 0]) * b.scale
    p.lean[:] = _keys([-0.3, 0.15, 0.4, 0.65, 0, 0])
    p.nod[:, 1] = _keys([-1, 0, 1, 1, 0, 0])
    for hand, side in ((0, -1.0), (1, 1.0)):
        p.reach[hand] = _arc(_keys([0.6, 0.3, 0.2, 0.5, 0, 0]), _keys([0.5, 0.4, 0.3, 0.3, 0.1, 0.1]), side)
        p.reach[hand] *= arm * 0.95
    p.fall[:] = [0, 0, 0, 0, 1, 2]
    p.wind[:] = _keys([1, 0.5, 0, 0, 0, 0])


_PLANS = {
    "idle": _idle,
    "walk": lambda p, b: _walk(p, b, run=False),
    "run": lambda p, b: _walk(p, b, run=True),
    "slash": _slash,
    "thrust": _thrust,
    "shoot": _shoot,
    "spellcast": _spellcast,
    "hurt": _hurt,
}


def skeleton(b: Body, animation: str, weapon: str) -> Skeleton:
    """Every frame's joints for ``animation``, for a body ``b`` holding ``weapon``."""
    frames = FRAMES[animation]
    p = _rest(b, frames)
    _PLANS[animation](p, b)
    pelvis = p.root + np.array([0.0, b.hip_y, 0.0])
    up = np.stack([np.zeros(frames), -np.cos(p.lean), np.sin(p.lean)], axis=-1)
    neck = pelvis + up * b.torso_h
    head = neck + up * (b.neck + b.head_ry) + p.nod
    sides = np.array([-1.0, 1.0])[:, None, None]
    hip = pelvis[None] + sides * np.array([b.hip_hw, 0.0, 0.0])
    knee, ankle = _ik(hip, p.feet, b.thigh, b.shin, np.array([0.0, 0.0, 1.0]))
    shoulder = neck[None] + sides * np.array([b.arm_x, 0.0, 0.0]) + np.array([0.0, b.arm_w / 2, 0.0])
    elbow, hand = _ik(shoulder, shoulder + p.reach, b.upper_arm, b.forearm, p.pole)
    item = p.item
    if weapon in ("staff", "spear") and animation not in ("slash", "thrust"):
        item = item * np.array([0.2, 0.1, 0.2]) + np.array([0.0, -1.0, 0.9])  # held up and forward, clear of the face
    if weapon == "bow" and animation != "shoot":
        item = np.tile(np.array([0.0, 1.0, 0.1]), (frames, 1))
    return Skeleton(
        pelvis,
        neck,
        head,
        hip,
        knee,
        ankle,
        shoulder,
        elbow,
        hand,
        _unit(item),
        p.draw,
        p.wind,
        p.fall.astype(int),
        np.full(frames, animation == "shoot" and weapon != "bow"),
        np.full(frames, animation == "shoot"),
    )


def concat(skeletons: list[Skeleton]) -> Skeleton:
    """One skeleton whose frames are those of ``skeletons`` in turn (frame axes joined)."""
    fields = Skeleton.__dataclass_fields__
    joined = {}
    for name in fields:
        parts = [getattr(s, name) for s in skeletons]
        joined[name] = np.concatenate(parts, axis=1 if parts[0].ndim == 3 else 0)
    return Skeleton(**joined)


def project(points: np.ndarray, view: str, b: Body) -> tuple[np.ndarray, np.ndarray]:
    """Body-space points (..., 3) → screen (x, y) (..., 2) in pixels and depth towards the viewer (...,)."""
    x, y, z = points[..., 0], points[..., 1], points[..., 2]
    cx = b.size / 2
    if view == "down":
        sx, depth = cx + x, z
    elif view == "up":
        sx, depth = cx - x, -z
    elif view == "right":
        sx, depth = cx + z, -x
    else:
        raise ValueError(f"no projection for view {view!r} (left is drawn as right, mirrored)")
    return np.stack([sx, b.ground + y], axis=-1), depth
