"""Sprite masks: the body templates (humanoid, quadruped, flyer, slime, robot) and users' own masks.

Cells follow the pixel-sprite-generator convention: ``-1`` always outline, ``0`` empty, ``1`` body or empty (by
chance), ``2`` always body (the original's "body or border"; gamegen shades borders itself). Templates
(``data/templates/builtin.json``) also label each cell with a body part, so animations can move limbs; a user mask
gets parts from its layout.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from importlib import resources

import numpy as np

__all__ = [
    "Part",
    "View",
    "Template",
    "TEMPLATES",
    "MIRROR_PART",
    "parse_user_mask",
    "user_template",
]


class Part(IntEnum):
    """Body parts; a ``*_FAR`` part is the right-hand one in front views and the far one in side views."""

    BODY = 0
    HEAD = 1
    EYE = 2
    ARM = 3
    ARM_FAR = 4
    LEG = 5
    LEG_FAR = 6
    HIND = 7
    HIND_FAR = 8
    WING = 9
    WING_FAR = 10
    TAIL = 11


def _mirror_table() -> np.ndarray:
    """Part id → the part it becomes in a mirror image (near and far limbs swap)."""
    table = np.arange(len(Part))
    for near, far in (
        (Part.ARM, Part.ARM_FAR),
        (Part.LEG, Part.LEG_FAR),
        (Part.HIND, Part.HIND_FAR),
        (Part.WING, Part.WING_FAR),
    ):
        table[near], table[far] = far, near
    return table


MIRROR_PART = _mirror_table()

# template character -> (cell value, part); lowercase: body or empty, uppercase: always body
_LEGEND: dict[str, tuple[int, Part]] = {
    ".": (0, Part.BODY),
    "x": (-1, Part.BODY),
    "z": (-1, Part.HEAD),
    "e": (2, Part.EYE),
    **{
        c: (1 if c.islower() else 2, part)
        for letter, part in (
            ("b", Part.BODY),
            ("h", Part.HEAD),
            ("a", Part.ARM),
            ("r", Part.ARM_FAR),
            ("l", Part.LEG),
            ("g", Part.LEG_FAR),
            ("k", Part.HIND),
            ("j", Part.HIND_FAR),
            ("w", Part.WING),
            ("v", Part.WING_FAR),
            ("t", Part.TAIL),
        )
        for c in (letter, letter.upper())
    },
}


@dataclass(frozen=True)
class View:
    """One drawing of a body: cell values and part labels on the template grid (full width)."""

    cells: np.ndarray
    parts: np.ndarray
    mirrored: bool
    depth: bool = False

    def back(self) -> View:
        """The view from behind: the same outline, eyes turned into head."""
        parts = np.where(self.parts == Part.EYE, Part.HEAD, self.parts).astype(np.int8)
        return View(self.cells, parts, self.mirrored, self.depth)


@dataclass(frozen=True)
class Template:
    """A body template: its animation rig, its front and/or side view, and the directions it can face.

    Directions: ``down`` (towards the camera) and ``up`` use the front view (``up`` from behind), ``left`` and
    ``right`` the side view.
    """

    name: str
    rig: str
    front: View | None
    side: View | None
    directions: tuple[str, ...]

    def view(self, direction: str) -> View:
        """The view drawn for ``direction`` (``left`` is the mirror image of ``right``, drawn by the caller)."""
        if direction in ("left", "right") and self.side is not None:
            return self.side
        if direction == "up" and self.front is not None:
            return self.front.back()
        if self.front is None:
            raise ValueError(f"template {self.name!r} has no {direction!r} view")
        return self.front


def _mirror(cells: np.ndarray, parts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Left-half arrays → full width, the right half mirrored with near/far parts swapped."""
    return (
        np.concatenate([cells, cells[:, ::-1]], axis=1),
        np.concatenate([parts, MIRROR_PART[parts[:, ::-1]]], axis=1).astype(np.int8),
    )


def _parse(rows: Sequence[str], mirrored: bool) -> View:
    """Template rows → a view; a mirrored one (a front view, drawn as its left half) has no depth, a side view has."""
    if len({len(r) for r in rows}) != 1:
        raise ValueError("template rows differ in length")
    pairs = [[_LEGEND[c] for c in row] for row in rows]
    cells = np.array([[v for v, _ in row] for row in pairs], dtype=np.int8)
    parts = np.array([[int(p) for _, p in row] for row in pairs], dtype=np.int8)
    if mirrored:
        cells, parts = _mirror(cells, parts)
    return View(cells, parts, mirrored, depth=not mirrored)


TEMPLATES_FORMAT = "gamegen.character.templates/1"


def _load_templates() -> dict[str, Template]:
    """The built-in templates (``data/templates/builtin.json``): per template its rig, a front view (the left half,
    mirrored) and/or a side view (facing right), drawn in the letters of ``_LEGEND``; the views give the directions.
    """
    path = resources.files("gamegen.character") / "data" / "templates" / "builtin.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    if doc.get("format") != TEMPLATES_FORMAT:
        raise ValueError(f"{path} is not a {TEMPLATES_FORMAT} file")
    out = {}
    for name, spec in doc["templates"].items():
        front = _parse(spec["front"], mirrored=True) if "front" in spec else None
        side = _parse(spec["side"], mirrored=False) if "side" in spec else None
        directions = (("down", "up") if front else ()) + (("left", "right") if side else ())
        out[name] = Template(name, spec["rig"], front, side, directions)
    return out


TEMPLATES = _load_templates()
"""The built-in body templates by name: humanoid, robot, quadruped, flyer and slime."""

MASK_LIMITS = (3, 64)


def parse_user_mask(mask: Sequence[Sequence[int]]) -> np.ndarray:
    """Check a user mask (rows of -1/0/1/2) and return it as int8; ValueError says what is wrong and where."""
    rows = [list(r) for r in mask]
    lo, hi = MASK_LIMITS
    if not lo <= len(rows) <= hi:
        raise ValueError(f"needs {lo}–{hi} rows, got {len(rows)}")
    widths = sorted({len(r) for r in rows})
    if len(widths) != 1:
        raise ValueError(f"rows must all have the same length (got lengths {widths})")
    if not lo <= widths[0] <= hi:
        raise ValueError(f"needs {lo}–{hi} cells per row, got {widths[0]}")
    cells = np.array(rows)
    bad = np.argwhere(~np.isin(cells, (-1, 0, 1, 2)))
    if len(bad):
        r, c = bad[0]
        raise ValueError(f"cell values must be -1, 0, 1 or 2 (found {rows[r][c]!r} at row {r}, column {c})")
    if not np.isin(cells, (1, 2)).any():
        raise ValueError("has no body cells (1 or 2)")
    return cells.astype(np.int8)


def user_template(mask: Sequence[Sequence[int]], mirror: bool) -> Template:
    """A one-direction template from a user mask (its left half when ``mirror``), with parts from its layout.

    The top 40 % of the body rows become the head, the bottom 25 % the legs (left/right halves), the rest body;
    a one-cell margin is added around the sides and top so the animation has room to move.
    """
    cells = parse_user_mask(mask)
    parts = np.full(cells.shape, int(Part.BODY), dtype=np.int8)
    if mirror:
        cells, parts = _mirror(cells, parts)
    rows = np.flatnonzero((cells != 0).any(axis=1))
    top, height = rows[0], rows[-1] - rows[0] + 1
    y = np.arange(cells.shape[0])[:, None] - top
    x = np.arange(cells.shape[1])[None, :]
    parts[np.broadcast_to(y < round(0.4 * height), cells.shape)] = Part.HEAD
    legs = np.broadcast_to(y >= height - max(1, round(0.25 * height)), cells.shape)
    parts[legs] = np.where(np.broadcast_to(x < cells.shape[1] / 2, cells.shape), Part.LEG, Part.LEG_FAR)[legs]
    cells = np.pad(cells, ((1, 0), (1, 1)))
    parts = np.pad(parts, ((1, 0), (1, 1)))
    return Template("mask", "biped", front=View(cells, parts, mirror), side=None, directions=("down",))
