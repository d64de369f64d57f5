"""Readability checks: numbers for the manifest, and a QualityError when a promise of the sheet is broken.

Checked on the frames' codes (part and tone per pixel), so each check reads parts directly: the silhouette stacks
head over torso over legs, eyes show in the down and side views and never from behind, every colour is one of the
character's, the outline ring is closed, the character's key colours appear in every frame, every animation moves
from frame to frame, and the left view is the right view mirrored.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import QualityError
from .compose import TONES
from .parts import Part
from .poses import LOOP_FROM, LOOPS

__all__ = ["MAX_COLOURS", "quality", "failures", "check"]

MAX_COLOURS = 12
_HEAD = (Part.HEAD, Part.EYE, Part.MOUTH, Part.BROW, Part.HAIR, Part.SHINE, Part.STRAND)
_TORSO = (Part.TORSO, Part.BELT, Part.BUCKLE)
_LEGS = (Part.LEGS, Part.SKIRT, Part.FEET)
_ITEMS = (Part.BLADE, Part.GRIP, Part.GEM, Part.SHIELD, Part.STRING)
_UNSHAPED = (*_ITEMS, Part.HAIR, Part.SHINE, Part.STRAND, Part.HAIR_BACK)  # not part of the body's symmetry


def _codes_of(parts: tuple[Part, ...]) -> np.ndarray:
    """A code → bool table: codes of ``parts`` (any tone)."""
    table = np.zeros(256, dtype=bool)
    for part in parts:
        table[part * TONES : part * TONES + TONES] = True
    return table


_RING = np.zeros(256, dtype=bool)
_RING[3::TONES] = True
_RING[3] = False
_EYE = _codes_of((Part.EYE,))


def _rows(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pixels per row (F, S), pixel count and mean row of ``mask`` (F, S, S) per frame."""
    per_row = np.count_nonzero(mask, axis=2)
    count = per_row.sum(axis=1)
    return per_row, count, (per_row * np.arange(mask.shape[1])).sum(axis=1) / np.maximum(count, 1)


def _separation(codes: np.ndarray, back: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: whether head, torso and legs are stacked top to bottom (each group's pixels at most 10 % on the
    wrong side of the torso's middle row), and the head's share of the height. Seen from the ``back``, a cape is
    the torso."""
    (hr, nh, yh), (_, nt, yt), (lr, nl, yl) = (
        _rows(_codes_of(g)[codes]) for g in (_HEAD, _TORSO + ((Part.CAPE,) if back else ()), _LEGS)
    )
    rows = np.arange(codes.shape[1])[None, :]
    head_low = (hr * (rows > yt[:, None])).sum(axis=1)
    legs_high = (lr * (rows < yt[:, None])).sum(axis=1)
    ok = (nh > 0) & (nt > 0) & (nl > 0) & (yh < yt) & (yt < yl) & (head_low <= 0.1 * nh) & (legs_high <= 0.1 * nl)
    solid: np.ndarray = np.asarray((codes > 0).any(axis=2))
    height = solid.shape[1] - solid.argmax(axis=1) - solid[:, ::-1].argmax(axis=1)
    return ok, np.count_nonzero(hr, axis=1) / np.maximum(height, 1)


def _exposed(solid: np.ndarray) -> np.ndarray:
    """Solid pixels with an empty 4-neighbour or on the frame's edge."""
    inner = np.zeros_like(solid)
    inner[..., 1:-1, 1:-1] = solid[..., :-2, 1:-1] & solid[..., 2:, 1:-1] & solid[..., 1:-1, :-2] & solid[..., 1:-1, 2:]
    return solid & ~inner


def _mirrored(codes: np.ndarray, other: np.ndarray) -> tuple[int, int]:
    """Pixels where ``codes`` and the mirror image of ``other`` agree (outline with outline, else the same part),
    and pixels drawn in either."""
    other = other[..., ::-1]
    ring, other_ring = _RING[codes], _RING[other]
    same = np.where(ring | other_ring, ring == other_ring, codes // TONES == other // TONES)
    either = (codes > 0) | (other > 0)
    return int(np.count_nonzero(same & either)), int(np.count_nonzero(either))


def _mean(parts: list[np.ndarray]) -> float | None:
    return round(float(np.concatenate(parts).mean()), 4) if parts else None


def quality(
    frames: dict[str, dict[str, np.ndarray]],
    lut: np.ndarray,
    palette: np.ndarray,
    identity: tuple[tuple[int, ...], ...],
) -> dict[str, Any]:
    """The readability report of ``frames[anim][direction]`` (codes (F, S, S)) coloured by ``lut`` (256, 4).

    ``palette`` is the character's colours (n, 3); ``identity`` groups codes whose colours identify the character
    (its hair; its clothes): a colour of every group should show in every upright frame seen from the front or side.
    """
    used = np.zeros(256, dtype=bool)
    drawn = lut[:, 3] > 0
    keys = [(lut[:, None, :3] == lut[list(group), :3][None]).all(axis=-1).any(axis=1) & drawn for group in identity]
    separated, head_share, identified = [], [], []
    eyes: dict[str, list[np.ndarray]] = {"down": [], "side": [], "up": []}
    gaps, motion, still = 0, [], []
    mirror_equal = mirror_total = 0
    symmetry = None
    for anim, by_direction in frames.items():
        for direction, codes in by_direction.items():
            frame = np.arange(len(codes), dtype=np.int32)[:, None, None] * 256
            counts = np.bincount((frame + codes).ravel(), minlength=len(codes) * 256).reshape(len(codes), 256)
            used |= counts.any(axis=0)
            gaps += int(np.count_nonzero(_exposed(codes > 0) & ~_RING[codes]))
            eyes["side" if direction in ("left", "right") else direction].append(counts[:, _EYE].sum(axis=1))
            if anim != "hurt":
                ok, share = _separation(codes, direction == "up")
                separated.append(ok)
                head_share.append(share)
                if direction != "up":
                    identified.append(np.logical_and.reduce([(counts[:, table] > 0).any(axis=1) for table in keys]))
            change = np.count_nonzero(codes[1:] != codes[:-1], axis=(1, 2))
            if LOOPS[anim]:
                change = np.append(change, np.count_nonzero(codes[-1] != codes[LOOP_FROM.get(anim, 0)]))
            if len(change):
                motion.append(int(change.min()))
                if motion[-1] == 0:
                    still.append(f"{anim}_{direction}")
            if direction == "left" and "right" in by_direction:
                equal, total = _mirrored(codes, by_direction["right"])
                mirror_equal, mirror_total = mirror_equal + equal, mirror_total + total
            if direction == "down" and symmetry is None:  # the body at rest, ignoring held items and hair
                rest = codes[0]
                ignored = _codes_of(_UNSHAPED)[rest]
                ignored |= ignored[:, ::-1]
                equal, total = _mirrored(np.where(ignored, 0, rest)[None], np.where(ignored, 0, rest)[None])
                symmetry = equal / max(total, 1)
    distinct = np.unique(lut[np.flatnonzero(used & drawn), :3], axis=0)
    off = int((~(distinct[:, None, :] == palette[None, :, :]).all(-1).any(-1)).sum())
    return {
        "separation": _mean(separated),
        "head_height_share": round(float(np.median(np.concatenate(head_share))), 3) if head_share else None,
        "eyes_down": _mean([e > 0 for e in eyes["down"]]),
        "eyes_side": _mean([e > 0 for e in eyes["side"]]),
        "eye_pixels_up": int(sum(int(e.sum()) for e in eyes["up"])),
        "colours": len(distinct),
        "off_palette_colours": off,
        "outline_gaps": gaps,
        "identity": _mean(identified),
        "motion_min_pixels": min(motion) if motion else None,
        "mirror_left_right": round(mirror_equal / mirror_total, 4) if mirror_total else None,
        "front_symmetry": None if symmetry is None else round(symmetry, 4),
        "still": still,
    }


def failures(report: dict[str, Any]) -> list[str]:
    """What a report says is broken: off-palette or too many colours, an open outline, eyes from behind, repeated
    frames, a left view that is not the right one mirrored."""
    off, gaps, still = report["off_palette_colours"], report["outline_gaps"], report["still"]
    problems = []
    if off:
        problems.append(f"{off} colours are not the character's")
    if report["colours"] > MAX_COLOURS:
        problems.append(f"{report['colours']} colours (at most {MAX_COLOURS})")
    if gaps:
        problems.append(f"the outline is open at {gaps} pixels")
    if report["eye_pixels_up"]:
        problems.append("eyes show from behind")
    if still:
        problems.append(f"frames repeat in {', '.join(still)}")
    if report["mirror_left_right"] not in (None, 1.0):
        problems.append("the left view is not the right view mirrored")
    return problems


def check(report: dict[str, Any]) -> None:
    """Raise QualityError naming every failure in ``report``."""
    problems = failures(report)
    if problems:
        raise QualityError("character.humanoid: " + "; ".join(problems))
