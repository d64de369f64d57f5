"""Dungeon layout: BSP rooms joined by L-shaped corridors along the split tree, so every room is reachable.

Grids hold tile classes (:data:`VOID`, :data:`FLOOR`, :data:`CORRIDOR`, :data:`DOOR`, :data:`WALL`); doors are
corridor cells in a doorway (passable on two opposite sides only) next to a room, walls surround all that is
passable. Random choices come from the numpy Generators passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["VOID", "FLOOR", "CORRIDOR", "DOOR", "WALL", "Room", "Spawn", "Layout", "build_layout", "walk_distances"]

VOID, FLOOR, CORRIDOR, DOOR, WALL = range(5)


@dataclass(frozen=True)
class Room:
    """A rectangle of floor tiles: top-left corner ``(x, y)`` and size ``w`` x ``h``."""

    x: int
    y: int
    w: int
    h: int

    @property
    def center(self) -> tuple[int, int]:
        return self.x + self.w // 2, self.y + self.h // 2


@dataclass(frozen=True)
class Spawn:
    """A spawn point on a floor tile: ``kind`` is player_start, exit, enemy or treasure."""

    kind: str
    x: int
    y: int
    room: int


@dataclass
class Layout:
    """A generated dungeon: the tile-class grid, its rooms, the corridors between them and the spawn points."""

    grid: np.ndarray
    rooms: list[Room]
    corridors: list[tuple[int, int]]
    spawns: list[Spawn] = field(default_factory=list)


@dataclass
class _Node:
    x: int
    y: int
    w: int
    h: int
    children: tuple[_Node, _Node] | None = None
    room: int = -1


def _partition(rng: np.random.Generator, node: _Node, depth: int, leaf: int) -> _Node:
    """Split ``node`` recursively (the longer side first) until ``depth`` levels or leaves of side ``leaf``."""
    if depth == 0:
        return node
    cut_x = node.w > node.h * 1.25 or (node.h <= node.w * 1.25 and bool(rng.integers(2)))
    for along_x in (cut_x, not cut_x):
        size = node.w if along_x else node.h
        if size >= 2 * leaf:
            cut = int(rng.integers(leaf, size - leaf + 1))
            if along_x:
                a, b = _Node(node.x, node.y, cut, node.h), _Node(node.x + cut, node.y, node.w - cut, node.h)
            else:
                a, b = _Node(node.x, node.y, node.w, cut), _Node(node.x, node.y + cut, node.w, node.h - cut)
            node.children = (_partition(rng, a, depth - 1, leaf), _partition(rng, b, depth - 1, leaf))
            return node
    return node


def _leaves(node: _Node) -> list[_Node]:
    return [node] if node.children is None else _leaves(node.children[0]) + _leaves(node.children[1])


def _room_in(rng: np.random.Generator, leaf: _Node, min_room: int, max_room: int) -> Room:
    """A random room inside ``leaf`` keeping a one-tile margin for its walls."""
    w = int(rng.integers(min_room, min(max_room, leaf.w - 2) + 1))
    h = int(rng.integers(min_room, min(max_room, leaf.h - 2) + 1))
    return Room(leaf.x + 1 + int(rng.integers(leaf.w - 1 - w)), leaf.y + 1 + int(rng.integers(leaf.h - 1 - h)), w, h)


def _closest_pair(rooms: list[Room], left: list[int], right: list[int]) -> tuple[int, int]:
    a = np.array([rooms[i].center for i in left])
    b = np.array([rooms[i].center for i in right])
    i, j = np.unravel_index(np.abs(a[:, None, :] - b[None, :, :]).sum(axis=2).argmin(), (len(left), len(right)))
    return left[int(i)], right[int(j)]


def _tree_corridors(node: _Node, rooms: list[Room], out: list[tuple[int, int]]) -> list[int]:
    """Join the two halves of every split by their closest rooms; return the rooms below ``node``."""
    if node.children is None:
        return [node.room]
    left, right = (_tree_corridors(child, rooms, out) for child in node.children)
    out.append(_closest_pair(rooms, left, right))
    return left + right


def _loop_corridors(
    rng: np.random.Generator, rooms: list[Room], taken: list[tuple[int, int]], loops: float
) -> list[tuple[int, int]]:
    """``loops`` x rooms extra corridors, drawn among the nearest pairs not yet joined."""
    wanted = round(loops * len(rooms))
    joined = {tuple(sorted(p)) for p in taken}
    pairs = [(i, j) for i in range(len(rooms)) for j in range(i + 1, len(rooms)) if (i, j) not in joined]
    if not wanted or not pairs:
        return []
    centers = np.array([r.center for r in rooms])
    first, second = np.array(pairs).T
    dist = np.abs(centers[first] - centers[second]).sum(axis=1)
    nearest = np.argsort(dist, kind="stable")[: 2 * wanted]
    return [pairs[k] for k in sorted(rng.choice(nearest, size=min(wanted, nearest.size), replace=False))]


def _carve(grid: np.ndarray, a: tuple[int, int], b: tuple[int, int], horizontal_first: bool) -> None:
    """An L-shaped one-tile corridor from ``a`` to ``b``; existing floor stays floor."""
    (x0, y0), (x1, y1) = a, b
    corner = (x1, y0) if horizontal_first else (x0, y1)
    for (ax, ay), (bx, by) in ((a, corner), (corner, b)):
        span = grid[min(ay, by) : max(ay, by) + 1, min(ax, bx) : max(ax, bx) + 1]
        span[span == VOID] = CORRIDOR


def _neighbours(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """North, south, west and east neighbour of every cell (False beyond the edge)."""
    p = np.pad(mask, 1)
    return p[:-2, 1:-1], p[2:, 1:-1], p[1:-1, :-2], p[1:-1, 2:]


def _doors_and_walls(grid: np.ndarray) -> None:
    """Turn doorway corridor cells next to rooms into doors, and void around anything passable into wall."""
    passable = grid != VOID
    n, s, w, e = _neighbours(passable)
    touches_room = np.logical_or.reduce(_neighbours(grid == FLOOR))
    doorway = (n & s & ~w & ~e) | (w & e & ~n & ~s)
    grid[(grid == CORRIDOR) & touches_room & doorway] = DOOR
    p = np.pad(passable, 1)
    h, wd = grid.shape
    near = np.logical_or.reduce([p[dy : dy + h, dx : dx + wd] for dy in range(3) for dx in range(3)])
    grid[near & ~passable] = WALL


def walk_distances(passable: np.ndarray, start: tuple[int, int]) -> np.ndarray:
    """Steps from ``start`` (x, y) to every passable cell by 4-neighbour moves; -1 where unreachable."""
    dist = np.full(passable.shape, -1, dtype=np.int32)
    frontier = np.zeros_like(passable)
    frontier[start[1], start[0]] = True
    step = 0
    while frontier.any():
        dist[frontier] = step
        frontier = np.logical_or.reduce(_neighbours(frontier)) & passable & (dist < 0)
        step += 1
    return dist


def _room_ids(shape: tuple[int, int], rooms: list[Room]) -> np.ndarray:
    """Index of the room covering each cell, -1 outside rooms (rooms never overlap: each has its own BSP leaf)."""
    ids = np.full(shape, -1, dtype=np.int32)
    for i, r in enumerate(rooms):
        ids[r.y : r.y + r.h, r.x : r.x + r.w] = i
    return ids


def _spawns(rng: np.random.Generator, layout: Layout, enemies: int, treasure: float) -> list[Spawn]:
    """Player start at a random room's centre, exit on the room tile farthest from it, then enemies and treasure.

    Rooms get ``enemies`` enemy spawns (none in the start room) and a treasure with chance ``treasure``, as many as
    fit on free tiles.
    """
    rooms = layout.rooms
    ids = _room_ids(layout.grid.shape, rooms)
    start_room = int(rng.integers(len(rooms)))
    start = rooms[start_room].center
    dist = walk_distances(layout.grid != VOID, start)
    candidates = (ids >= 0) & (ids != start_room) if len(rooms) > 1 else ids >= 0
    ey, ex = np.unravel_index(np.where(candidates, dist, -1).argmax(), dist.shape)
    spawns = [Spawn("player_start", *start, start_room), Spawn("exit", int(ex), int(ey), int(ids[ey, ex]))]
    free = ids.copy()
    free[start[1], start[0]] = free[ey, ex] = -1
    for i in range(len(rooms)):
        kinds = ["enemy"] * (0 if i == start_room else enemies) + ["treasure"] * int(rng.random() < treasure)
        ys, xs = np.nonzero(free == i)
        picks = rng.choice(xs.size, size=min(len(kinds), xs.size), replace=False)
        spawns += [Spawn(kind, int(xs[k]), int(ys[k]), i) for kind, k in zip(kinds, picks, strict=False)]
    return spawns


def build_layout(
    rng: np.random.Generator,
    width: int,
    height: int,
    *,
    depth: int,
    min_room: int,
    max_room: int,
    loops: float,
    enemies: int,
    treasure: float,
) -> Layout:
    """Partition, place rooms, join them (tree corridors plus ``loops``), add doors, walls and spawn points."""
    root = _partition(rng, _Node(0, 0, width, height), depth, min_room + 2)
    leaves = _leaves(root)
    rooms = [_room_in(rng, leaf, min_room, max_room) for leaf in leaves]
    for i, leaf in enumerate(leaves):
        leaf.room = i
    corridors: list[tuple[int, int]] = []
    _tree_corridors(root, rooms, corridors)
    corridors += _loop_corridors(rng, rooms, corridors, loops)
    grid = np.zeros((height, width), dtype=np.uint8)
    for room in rooms:
        grid[room.y : room.y + room.h, room.x : room.x + room.w] = FLOOR
    for (i, j), bend in zip(corridors, rng.integers(2, size=len(corridors)), strict=True):
        _carve(grid, rooms[i].center, rooms[j].center, bool(bend))
    _doors_and_walls(grid)
    layout = Layout(grid, rooms, corridors)
    layout.spawns = _spawns(rng, layout, enemies, treasure)
    return layout
