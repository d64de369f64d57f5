"""Recipes: a ``gamegen.toml`` describing a whole bundle, checked completely before anything is generated.

A recipe is data, never code. Every problem (unknown keys, unknown generators, bad parameters, clashing ids)
is collected and reported at once as ``file:line: message`` so a whole recipe can be fixed in one pass::

    name = "my-game"            # the bundle's name
    seed = 1234                 # master seed (default 0)
    profile = "unity"           # export profile (default generic)

    [[asset]]
    name = "crate"              # the asset's id and folder in the bundle
    generator = "texture.material"
    params = { family = "wood", size = 256 }
    variations = 3              # optional: crate-1 … crate-3, consecutive seeds
    # seed = 7                  # optional: else derived from the master seed and the name
    # matrix = { tile_x = [0, 1], tile_y = [0, 1] }   # optional: one asset per cell (crate-0-1 …), one seed

Seeds derive from the master seed and the asset's name, so adding, removing or reordering other assets
changes nothing else.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..context import derive_seed
from ..errors import GamegenError, ParamError
from ..export import get_profile
from ..generator import Generator
from ..names import check_name
from ..params import Params
from ..registry import registry

__all__ = ["BuildJob", "Recipe", "RecipeError", "load_recipe", "parse_recipe"]

_TOP_KEYS = ("name", "seed", "profile", "asset")
_ASSET_KEYS = ("name", "generator", "params", "seed", "variations", "matrix")

KeyPath = tuple[str | int, ...]


class RecipeError(GamegenError, ValueError):
    """A recipe has problems; ``problems`` holds one ``file:line: message`` line each, in file order."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class BuildJob:
    """One generator run of a build: the bundle asset id, the recipe asset it expands, validated params, seed."""

    asset_id: str
    asset: str
    generator: type[Generator]
    params: Params
    seed: int


@dataclass(frozen=True)
class Recipe:
    """A checked recipe: bundle name, master seed, export profile and the jobs its assets expand to."""

    name: str
    seed: int
    profile: str
    jobs: tuple[BuildJob, ...]
    source: str = "<recipe>"


class _SourceLines:
    """Line numbers of keys in TOML text, found by a light scan (tomllib reports none)."""

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*=\s*(.*)$")
    _INLINE_KEY = re.compile(r"([A-Za-z0-9_\-]+)\s*=")

    def __init__(self, text: str) -> None:
        self._lines: dict[KeyPath, int] = {}
        counts: dict[str, int] = {}
        table: KeyPath = ()
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(line)
            if header:
                parts: list[str | int] = list(header.group(2).split("."))
                if header.group(1) == "[[":
                    counts[header.group(2)] = counts.get(header.group(2), -1) + 1
                    parts.append(counts[header.group(2)])
                elif str(parts[0]) in counts:  # a sub-table of the latest array element: [asset.params]
                    parts.insert(1, counts[str(parts[0])])
                table = tuple(parts)
                self._lines.setdefault(table, number)
                continue
            key = self._KEY.match(line)
            if key:
                path = table + tuple(key.group(1).split("."))
                self._lines.setdefault(path, number)
                if key.group(2).startswith("{"):
                    for inner in self._INLINE_KEY.findall(key.group(2)):
                        self._lines.setdefault(path + (inner,), number)

    def line(self, path: KeyPath) -> int | None:
        """The line of ``path``, else of its closest enclosing key that was found."""
        for end in range(len(path), 0, -1):
            if path[:end] in self._lines:
                return self._lines[path[:end]]
        return None


class _Problems:
    """Collects problems with the key path they concern, then formats them as ``file:line: message``."""

    def __init__(self, source: str, lines: _SourceLines | None) -> None:
        self.source = source
        self.lines = lines
        self.items: list[tuple[int, int, str]] = []

    def add(self, path: KeyPath, message: str) -> None:
        line = self.lines.line(path) if self.lines else None
        self.items.append((line or 0, len(self.items), message))

    def raise_if_any(self) -> None:
        if self.items:
            raise RecipeError(
                [
                    f"{self.source}:{line}: {msg}" if line else f"{self.source}: {msg}"
                    for line, _, msg in sorted(self.items)
                ]
            )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_unknown(
    data: Mapping[str, Any], allowed: tuple[str, ...], path: KeyPath, where: str, problems: _Problems
) -> None:
    for key in data:
        if key not in allowed:
            problems.add(path + (key,), f"{where}unknown key {key!r} (allowed: {', '.join(allowed)})")


def _param_of(problem: str) -> str | None:
    """The parameter a ParamError line is about (the lines start with ``name=``, ``name:`` or name it quoted)."""
    match = re.match(r"^(?:unknown parameter ')?([A-Za-z_][A-Za-z0-9_]*)", problem)
    return match.group(1) if match else None


def _expand(
    name: str, base_seed: int, params: dict[str, Any], variations: int, matrix: dict[str, list[Any]]
) -> list[tuple[str, dict[str, Any], int]]:
    """(asset id, params, seed) for each copy: variations get consecutive seeds, matrix cells share the seed."""
    if matrix:
        cells = itertools.product(*matrix.values())
        return [
            (f"{name}-{'-'.join(map(str, cell))}", {**params, **dict(zip(matrix, cell, strict=True))}, base_seed)
            for cell in cells
        ]
    if variations == 1:
        return [(name, params, base_seed)]
    return [(f"{name}-{i + 1}", params, base_seed + i) for i in range(variations)]


def _parse_asset(index: int, raw: Any, master_seed: int, problems: _Problems) -> list[BuildJob]:
    path: KeyPath = ("asset", index)
    if not isinstance(raw, Mapping):
        problems.add(path, f"asset #{index + 1}: must be a table ([[asset]]), got {type(raw).__name__}")
        return []
    name = raw.get("name")
    where = f"asset {name!r}: " if isinstance(name, str) else f"asset #{index + 1}: "
    _check_unknown(raw, _ASSET_KEYS, path, where, problems)
    before = len(problems.items)  # problems below leave nothing to expand; unknown keys do not stop the checks
    if not isinstance(name, str):
        problems.add(path + ("name",), f"{where}'name' is required and must be a string")
    else:
        try:
            check_name(name)
        except GamegenError as exc:
            problems.add(path + ("name",), f"{where}{exc}")
    generator: type[Generator] | None = None
    gen_name = raw.get("generator")
    if not isinstance(gen_name, str):
        problems.add(path + ("generator",), f"{where}'generator' is required and must be a string")
    else:
        try:
            generator = registry.get(gen_name)
        except GamegenError as exc:
            problems.add(path + ("generator",), f"{where}{exc}")
    params = raw.get("params", {})
    if not isinstance(params, Mapping):
        problems.add(path + ("params",), f"{where}'params' must be a table, got {type(params).__name__}")
        params = {}
    seed = raw.get("seed")
    if seed is not None and not (_is_int(seed) and seed >= 0):
        problems.add(path + ("seed",), f"{where}seed={seed!r}: must be a non-negative integer")
    variations = raw.get("variations", 1)
    if not (_is_int(variations) and variations >= 1):
        problems.add(path + ("variations",), f"{where}variations={variations!r}: must be an integer ≥ 1")
    matrix = raw.get("matrix", {})
    if not isinstance(matrix, Mapping) or not all(isinstance(v, list) and v for v in matrix.values()):
        problems.add(path + ("matrix",), f"{where}'matrix' must be a table of non-empty lists of parameter values")
    elif matrix and variations != 1:
        problems.add(path + ("matrix",), f"{where}'matrix' and 'variations' cannot be combined")
    if len(problems.items) > before or generator is None:
        return []
    base_seed = seed if seed is not None else derive_seed(master_seed, name)
    jobs: list[BuildJob] = []
    reported: set[str] = set()
    for asset_id, values, job_seed in _expand(name, base_seed, dict(params), variations, dict(matrix)):
        try:
            check_name(asset_id, "asset id")
            jobs.append(BuildJob(asset_id, name, generator, generator.validate(values), job_seed))
        except ParamError as exc:
            for problem in exc.problems:
                if problem not in reported:
                    reported.add(problem)
                    param = _param_of(problem)
                    key: KeyPath = ("matrix", param) if param in matrix else ("params", param or "")
                    problems.add(path + key, f"{where}{gen_name}: {problem}")
        except GamegenError as exc:
            problems.add(path + ("name",), f"{where}{exc}")
    return jobs


def parse_recipe(data: Mapping[str, Any], *, source: str = "<recipe>", text: str | None = None) -> Recipe:
    """Check a recipe given as data (a parsed TOML document or an equivalent dict) and expand its jobs.

    ``text``, the TOML source, lets problems carry line numbers. Raises :class:`RecipeError` listing all problems.
    """
    problems = _Problems(source, _SourceLines(text) if text is not None else None)
    _check_unknown(data, _TOP_KEYS, (), "", problems)
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.add(("name",), "'name' (the bundle's name) is required and must be a non-empty string")
    seed = data.get("seed", 0)
    if not (_is_int(seed) and seed >= 0):
        problems.add(("seed",), f"seed={seed!r}: the master seed must be a non-negative integer")
        seed = 0
    profile = data.get("profile", "generic")
    try:
        get_profile(str(profile))
    except GamegenError as exc:
        problems.add(("profile",), str(exc))
    assets = data.get("asset", [])
    if not isinstance(assets, list) or not assets:
        problems.add(("asset",), "a recipe needs at least one [[asset]] table")
        assets = []
    jobs: list[BuildJob] = []
    seen_names: set[str] = set()
    owner: dict[str, str] = {}
    for index, raw in enumerate(assets):
        asset_name = raw.get("name") if isinstance(raw, Mapping) else None
        if isinstance(asset_name, str) and asset_name in seen_names:
            problems.add(("asset", index, "name"), f"asset {asset_name!r}: the name is used by an earlier asset")
            continue
        seen_names.add(str(asset_name))
        for job in _parse_asset(index, raw, seed, problems):
            if job.asset_id in owner:
                clash = f"asset {job.asset!r}: its id {job.asset_id!r} is also an id of asset {owner[job.asset_id]!r}"
                problems.add(("asset", index, "name"), clash)
                continue
            owner[job.asset_id] = job.asset
            jobs.append(job)
    problems.raise_if_any()
    return Recipe(name=str(name), seed=seed, profile=str(profile), jobs=tuple(jobs), source=source)


def load_recipe(path: str | Path) -> Recipe:
    """Read and check a ``gamegen.toml``; problems name the file and line."""
    path = Path(path)
    if path.is_dir():
        path = path / "gamegen.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RecipeError([f"{path}: cannot read the recipe: {exc.strerror or exc}"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\s*\(at line (\d+), column \d+\)$", str(exc))
        where = f"{path}:{match.group(1)}" if match else str(path)
        message = str(exc)[: match.start()] if match else str(exc)
        raise RecipeError([f"{where}: invalid TOML: {message}"]) from None
    return parse_recipe(data, source=str(path), text=text)
