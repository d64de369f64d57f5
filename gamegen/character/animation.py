"""Animation cycles: idle, walk, attack and hurt for each rig, as per-frame part offsets, squash and a hit flash.

Motions are written in template cells (a 16-cell body) so they scale with the sprite; front views move mirrored
limbs mirror-symmetrically, so a symmetric sprite stays symmetric while idle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

from .masks import Part

__all__ = ["ANIMATIONS", "Animation", "LOOPS", "Motion", "motion"]

Animation = Literal["idle", "walk", "attack", "hurt"]
ANIMATIONS: tuple[Animation, ...] = get_args(Animation)
LOOPS = {"idle": True, "walk": True, "attack": False, "hurt": False}

_UPPER = {
    "biped": (Part.BODY, Part.HEAD, Part.ARM, Part.ARM_FAR),
    "quadruped": (Part.BODY, Part.HEAD, Part.TAIL),
    "flyer": tuple(p for p in Part if p != Part.EYE),
    "blob": tuple(p for p in Part if p != Part.EYE),
}


@dataclass(frozen=True)
class Motion:
    """An animation's frames: ``offsets`` (F, parts, 2) as (dx, dy) in cells, ``squash`` (F, 2) as (sx, sy)
    about the feet, ``flash`` (F,) frames drawn in the hit-flash colour."""

    offsets: np.ndarray
    squash: np.ndarray
    flash: np.ndarray

    def pixel_offsets(self, cell: float) -> np.ndarray:
        """Offsets in whole pixels for cells ``cell`` pixels wide, rounded away from zero from a quarter pixel on:
        small sprites keep their motion instead of rounding it away, and mirrored moves stay mirrored."""
        return (np.sign(self.offsets) * np.floor(np.abs(self.offsets) * cell + 0.75)).astype(int)


class _Pose:
    """Accumulates part moves and squash for every frame at once (arrays over frames, never a frame loop)."""

    def __init__(self, frames: int) -> None:
        self.offsets = np.zeros((frames, len(Part), 2))
        self.squash = np.ones((frames, 2))

    def move(self, parts: Part | tuple[Part, ...], dx: np.ndarray | float = 0.0, dy: np.ndarray | float = 0.0) -> None:
        idx = [int(p) for p in (parts if isinstance(parts, tuple) else (parts,))]
        self.offsets[:, idx, 0] += np.asarray(dx, dtype=float).reshape(-1, 1)
        self.offsets[:, idx, 1] += np.asarray(dy, dtype=float).reshape(-1, 1)

    def mirrored(self, near: Part, far: Part, dx: np.ndarray | float = 0.0, dy: np.ndarray | float = 0.0) -> None:
        """Move a left/right pair mirror-symmetrically (front views)."""
        self.move(near, -np.asarray(dx), dy)
        self.move(far, dx, dy)

    def stretch(self, sx: np.ndarray | float, sy: np.ndarray | float) -> None:
        self.squash[:, 0] *= sx
        self.squash[:, 1] *= sy


def _bump(t: np.ndarray, lag: float = 0.0) -> np.ndarray:
    """0 → 1 → 0 over one cycle, delayed by ``lag`` of a cycle."""
    return 0.5 * (1.0 - np.cos(2.0 * np.pi * (t - lag)))


@dataclass(frozen=True)
class _Clock:
    """The timing curves every rig uses, sampled at each frame's phase ``t`` in [0, 1)."""

    t: np.ndarray

    @property
    def sin(self) -> np.ndarray:
        return np.sin(2 * np.pi * self.t)

    @property
    def cos(self) -> np.ndarray:
        return np.cos(2 * np.pi * self.t)

    @property
    def wind(self) -> np.ndarray:
        """An attack's wind-up: full at a quarter, gone by half-way."""
        return np.interp(self.t, [0, 0.25, 0.5, 1], [0, 1, 0, 0])

    @property
    def strike(self) -> np.ndarray:
        """An attack's blow: full at half-way, a little at three quarters (the follow-through), then rest."""
        return np.interp(self.t, [0, 0.25, 0.5, 0.75, 1], [0, 0, 1, 0.3, 0])

    @property
    def knock(self) -> np.ndarray:
        """A hit's knock-back, fading from full to nothing."""
        return 1.0 - self.t


def _breathe(p: _Pose, upper: tuple[Part, ...], t: np.ndarray) -> None:
    """Idle breathing: the upper body bobs once a cycle and the head follows a quarter cycle late."""
    p.move(upper, dy=0.5 * _bump(t))
    p.move(Part.HEAD, dy=0.5 * _bump(t, 0.25) - 0.5 * _bump(t))


def _stride(
    p: _Pose, upper: tuple[Part, ...], near: Part | tuple[Part, ...], far: Part | tuple[Part, ...], clock: _Clock
) -> None:
    """A side-view gait: the body bobs twice a cycle while two leg groups swing in opposition, each lifted as it
    swings forward."""
    s, c = clock.sin, clock.cos
    p.move(upper, dy=-0.5 * np.abs(s))
    p.move(near, dx=s, dy=-np.maximum(0, c))
    p.move(far, dx=-s, dy=-np.maximum(0, -c))


def _lunge(p: _Pose, upper: tuple[Part, ...], clock: _Clock) -> None:
    """A side-view strike: the body leans back on the wind-up and into the blow, crouching, the front leg steps in."""
    p.move(upper, dx=-0.5 * clock.wind + 0.5 * clock.strike)
    p.move(Part.LEG, dx=0.5 * clock.strike)
    p.stretch(1.0, 1.0 - 0.06 * clock.wind)


def _biped(p: _Pose, anim: str, side: bool, clock: _Clock) -> None:
    upper = _UPPER["biped"]
    t, wind, strike, knock = clock.t, clock.wind, clock.strike, clock.knock
    if anim == "idle":
        _breathe(p, upper, t)
        p.move((Part.ARM, Part.ARM_FAR), dy=0.5 * _bump(t, 0.5) - 0.5 * _bump(t))
    elif anim == "walk" and side:
        _stride(p, upper, Part.LEG, Part.LEG_FAR, clock)
        p.move(Part.ARM, dx=-0.75 * clock.sin)
        p.move(Part.ARM_FAR, dx=0.75 * clock.sin)
    elif anim == "walk":
        p.move(upper, dy=-0.5 * np.abs(clock.sin))
        p.move(Part.LEG, dy=-np.maximum(0, clock.sin))
        p.move(Part.LEG_FAR, dy=-np.maximum(0, -clock.sin))
        p.move(Part.ARM, dy=0.75 * clock.cos)
        p.move(Part.ARM_FAR, dy=-0.75 * clock.cos)
    elif anim == "attack" and side:
        _lunge(p, upper, clock)
        p.move(Part.ARM, dx=-wind + 2.5 * strike, dy=-0.5 * wind)
        p.move(Part.ARM_FAR, dx=-0.5 * wind + strike)
    elif anim == "attack":
        p.move(upper, dy=0.5 * strike)
        p.mirrored(Part.ARM, Part.ARM_FAR, dx=0.5 * wind, dy=-1.5 * wind + strike)
        p.stretch(1.0, 1.0 - 0.06 * wind)
    elif anim == "hurt" and side:
        p.move(upper, dx=-knock)
        p.move(Part.HEAD, dx=-0.5 * knock)
        p.stretch(1.0, 1.0 - 0.08 * knock)
    else:  # hurt, front
        p.move(upper, dy=-0.5 * knock)
        p.mirrored(Part.ARM, Part.ARM_FAR, dx=0.5 * knock, dy=-knock)
        p.stretch(1.0, 1.0 - 0.08 * knock)


def _quadruped(p: _Pose, anim: str, side: bool, clock: _Clock) -> None:
    upper = _UPPER["quadruped"]
    t, strike, knock = clock.t, clock.strike, clock.knock
    if anim == "idle":
        _breathe(p, upper, t)
        p.move(Part.TAIL, dx=-0.5 * _bump(t, 0.5), dy=-0.5 * _bump(t, 0.5))
    elif anim == "walk":  # a trot: diagonal leg pairs move together
        _stride(p, upper, (Part.LEG, Part.HIND_FAR), (Part.LEG_FAR, Part.HIND), clock)
        p.move(Part.TAIL, dy=0.5 * clock.sin)
    elif anim == "attack":  # a bite
        _lunge(p, upper, clock)
        p.move(Part.HEAD, dx=0.5 * strike, dy=0.5 * strike - 0.5 * clock.wind)
    else:
        p.move(upper, dx=-0.75 * knock)
        p.move(Part.HEAD, dx=-0.5 * knock, dy=-0.5 * knock)
        p.stretch(1.0, 1.0 - 0.08 * knock)


def _flyer(p: _Pose, anim: str, side: bool, clock: _Clock) -> None:
    everything = _UPPER["flyer"]
    wings = (Part.WING, Part.WING_FAR)
    c = clock.cos
    t, wind, strike, knock = clock.t, clock.wind, clock.strike, clock.knock
    if anim in ("idle", "walk"):  # hover, or fly with deeper, faster-looking beats
        depth = 1.0 if anim == "idle" else 2.0
        p.move(everything, dy=depth * 0.5 * _bump(t, 0.25))
        p.move(wings, dy=-depth * c)
        if anim == "walk" and side:
            p.move(everything, dx=0.5 * _bump(t))
    elif anim == "attack":  # a dive
        p.move(everything, dx=strike if side else 0.0, dy=strike)
        p.move(wings, dy=-1.5 * wind + 0.5 * strike)
    else:
        p.move(everything, dx=-0.5 * knock if side else 0.0, dy=-0.5 * knock)
        p.move(wings, dy=knock)


def _blob(p: _Pose, anim: str, side: bool, clock: _Clock) -> None:
    everything = _UPPER["blob"]
    t, wind, strike, knock = clock.t, clock.wind, clock.strike, clock.knock
    if anim == "idle":
        p.stretch(1.0 + 0.2 * _bump(t, 0.25), 1.0 - 0.2 * _bump(t))  # a wobble: width lags height
        p.move(Part.EYE, dy=_bump(t, 0.25))
    elif anim == "walk":  # hop: crouch, spring up stretched, fall, land squashed
        keys = np.linspace(0, 1, 7)
        p.move(everything, dy=np.interp(t, keys, [0, -1, -2.5, -2, -0.5, 0, 0]))
        p.stretch(
            np.interp(t, keys, [1.1, 0.9, 0.95, 1, 1, 1.15, 1.1]),
            np.interp(t, keys, [0.85, 1.15, 1.05, 1, 1, 0.8, 0.85]),
        )
    elif anim == "attack":  # pounce
        p.move(everything, dy=-1.5 * strike)
        p.stretch(1.0 + 0.15 * wind - 0.1 * strike, 1.0 - 0.2 * wind + 0.15 * strike)
    else:
        p.stretch(1.0 + 0.15 * knock, 1.0 - 0.15 * knock)
        p.move(Part.EYE, dy=0.5 * knock)


_RIGS = {"biped": _biped, "quadruped": _quadruped, "flyer": _flyer, "blob": _blob}


def motion(rig: str, animation: str, side: bool, frames: int) -> Motion:
    """The poses of ``animation`` for ``rig`` over ``frames`` frames (a side view when ``side``).

    Looping cycles sample one period evenly; attack and hurt start at their first key pose and end near rest.
    """
    t = np.arange(frames) / frames
    pose = _Pose(frames)
    _RIGS[rig](pose, animation, side, _Clock(t))
    flash = np.zeros(frames, dtype=bool)
    if animation == "hurt":  # the hit flashes, then every other frame recoils a little further
        flash[0] = True
        recoil = -0.5 * (np.arange(frames) % 2)
        pose.move(_UPPER[rig], dx=recoil if side else 0.0, dy=0.0 if side else recoil)
    pose.offsets[:, Part.EYE] += pose.offsets[:, Part.HEAD]
    return Motion(pose.offsets, pose.squash, flash)
