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
changes nothing else. A recipe expands to at most 100 000 jobs. Parameter values that name files (absolute,
``~``, ``./``/``../`` paths, or a name that exists in the recipe's folder) are read relative to the recipe's
folder and must stay inside it unless the build allows outside inputs; the manifest records them as written.
"""

from __future__ import annotations

import itertools
import math
import os
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

__all__ = ["MAX_JOBS", "BuildJob", "Recipe", "RecipeError", "load_recipe", "parse_recipe"]

MAX_JOBS = 100_000
_MAX_RECIPE_BYTES = 16 << 20
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
    inputs: tuple[tuple[str, str], ...] = ()  # parameter → the file it names, resolved against the recipe's folder
    input_root: str | None = None  # the folder every input must stay in (None: anywhere)

    def run_params(self) -> Params:
        """The parameters the generator runs with: ``params`` with file names resolved against the recipe's folder."""
        return self.params.model_copy(update=dict(self.inputs)) if self.inputs else self.params


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


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _names_a_file(value: str, base: Path) -> Path | None:
    """Where ``value`` points when it names a file or folder (an absolute, ``~``, ``./`` or ``../`` path, or a
    name that exists in ``base``), resolved against ``base`` with links followed; None for other text."""
    if not value or len(value) > 4096 or "\n" in value or "\x00" in value:
        return None
    path = Path(value).expanduser()
    pathlike = path.is_absolute() or value.startswith(("~", "./", "../"))
    candidate = path if path.is_absolute() else base / path
    try:
        if pathlike or os.path.lexists(candidate):
            return Path(os.path.realpath(candidate))
    except (OSError, ValueError):
        pass
    return None


@dataclass(frozen=True)
class _Inputs:
    """How a recipe's parameters may name files: relative to ``base``, and (unless ``outside``) inside it.

    Without a ``base`` (a recipe built in Python, not read from a file) names are taken as given.
    """

    base: Path | None
    outside: bool

    @property
    def root(self) -> str | None:
        """The folder inputs must stay in, for the job's context (None: anywhere)."""
        return None if self.base is None or self.outside else str(self.base)

    def resolve(self, values: Mapping[str, Any]) -> tuple[dict[str, str], list[tuple[str, str]]]:
        """(parameter → resolved path, [(parameter, problem)]) for the string parameters that name files."""
        resolved: dict[str, str] = {}
        problems: list[tuple[str, str]] = []
        if self.base is None:
            return resolved, problems
        for key, value in values.items():
            target = _names_a_file(value, self.base) if isinstance(value, str) else None
            if target is None:
                continue
            if self.outside or _inside(target, self.base):
                resolved[key] = str(target)
            else:
                problems.append((key, self.outside_message(f"{key}={value!r}", target)))
        return resolved, problems

    def outside_message(self, what: str, target: Path) -> str:
        return (
            f"{what}: {target} is outside the recipe's folder {self.base} "
            "(recipe inputs stay inside it; pass --allow-outside-inputs to read it anyway)"
        )

    def stray(self, generator: type[Generator], params: Params) -> list[str]:
        """Files the generator says it will read that lie outside ``base`` (a last check after resolving)."""
        base = self.base
        if base is None or self.outside:
            return []
        try:
            paths = generator().input_files(params)
        except Exception:  # a generator that cannot list its inputs fails when it runs, with its own reason
            return []
        return [
            self.outside_message("input", real)
            for real in (Path(os.path.realpath(p)) for p in paths)
            if not _inside(real, base)
        ]


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


def _parse_asset(
    index: int, raw: Any, master_seed: int, problems: _Problems, inputs: _Inputs, room: int
) -> list[BuildJob]:
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
    if not (_is_int(variations) and 1 <= variations <= MAX_JOBS):
        problems.add(path + ("variations",), f"{where}variations={variations!r}: must be an integer from 1 to {MAX_JOBS}")
    elif variations > room:
        problems.add(path + ("variations",), _too_many(where, f"variations={variations}", room))
    matrix = raw.get("matrix", {})
    if not isinstance(matrix, Mapping) or not all(isinstance(v, list) and v for v in matrix.values()):
        problems.add(path + ("matrix",), f"{where}'matrix' must be a table of non-empty lists of parameter values")
    elif matrix and variations != 1:
        problems.add(path + ("matrix",), f"{where}'matrix' and 'variations' cannot be combined")
    elif (cells := math.prod(len(v) for v in matrix.values())) > room:
        problems.add(path + ("matrix",), _too_many(where, f"'matrix' of {cells} cells", room))
    if len(problems.items) > before or generator is None:
        return []
    base_seed = seed if seed is not None else derive_seed(master_seed, name)
    jobs: list[BuildJob] = []
    reported: set[str] = set()
    for asset_id, values, job_seed in _expand(name, base_seed, dict(params), variations, dict(matrix)):
        try:
            check_name(asset_id, "asset id")
            resolved, outside = inputs.resolve(values)
            for param, message in outside:
                if message not in reported:
                    reported.add(message)
                    key: KeyPath = ("matrix", param) if param in matrix else ("params", param)
                    problems.add(path + key, f"{where}{message}")
            if outside:
                continue
            job = BuildJob(
                asset_id,
                name,
                generator,
                generator.validate(values),
                job_seed,
                tuple(sorted(resolved.items())),
                inputs.root,
            )
            for message in inputs.stray(generator, job.run_params()):
                if message not in reported:
                    reported.add(message)
                    problems.add(path + ("params",), f"{where}{message}")
            jobs.append(job)
        except ParamError as exc:
            for problem in exc.problems:
                if problem not in reported:
                    reported.add(problem)
                    param = _param_of(problem)
                    key = ("matrix", param) if param in matrix else ("params", param or "")
                    problems.add(path + key, f"{where}{gen_name}: {problem}")
        except GamegenError as exc:
            problems.add(path + ("name",), f"{where}{exc}")
    return jobs


def _too_many(where: str, what: str, room: int) -> str:
    return f"{where}{what} would exceed the {MAX_JOBS} jobs a recipe may expand to ({room} left for this asset)"


def parse_recipe(
    data: Mapping[str, Any],
    *,
    source: str = "<recipe>",
    text: str | None = None,
    base: str | Path | None = None,
    allow_outside_inputs: bool = False,
) -> Recipe:
    """Check a recipe given as data (a parsed TOML document or an equivalent dict) and expand its jobs.

    ``text``, the TOML source, lets problems carry line numbers. With ``base`` (the recipe file's folder), file
    names in parameters are read relative to it and must stay inside it unless ``allow_outside_inputs``; without
    it (a recipe built in Python) they are taken as given, like :func:`gamegen.generate`'s. Raises
    :class:`RecipeError` listing all problems.
    """
    problems = _Problems(source, _SourceLines(text) if text is not None else None)
    inputs = _Inputs(Path(os.path.realpath(base)) if base is not None else None, allow_outside_inputs)
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
    seen_names: dict[str, str] = {}  # case-folded → as written: names that differ only by case share a folder on Windows/macOS
    owner: dict[str, tuple[str, str]] = {}
    for index, raw in enumerate(assets):
        asset_name = raw.get("name") if isinstance(raw, Mapping) else None
        if isinstance(asset_name, str) and asset_name.casefold() in seen_names:
            earlier = seen_names[asset_name.casefold()]
            same = "" if earlier == asset_name else f" {earlier!r} (names must differ by more than case)"
            problems.add(("asset", index, "name"), f"asset {asset_name!r}: the name is used by an earlier asset{same}")
            continue
        seen_names[str(asset_name).casefold()] = str(asset_name)
        for job in _parse_asset(index, raw, seed, problems, inputs, MAX_JOBS - len(jobs)):
            folded = job.asset_id.casefold()
            if folded in owner:
                other_id, other = owner[folded]
                clash = f"asset {job.asset!r}: its id {job.asset_id!r} is also an id of asset {other!r}"
                if other_id != job.asset_id:
                    clash = f"asset {job.asset!r}: its id {job.asset_id!r} differs only by case from {other_id!r} of asset {other!r}"
                problems.add(("asset", index, "name"), clash)
                continue
            owner[folded] = (job.asset_id, job.asset)
            jobs.append(job)
    problems.raise_if_any()
    return Recipe(name=str(name), seed=seed, profile=str(profile), jobs=tuple(jobs), source=source)


def load_recipe(path: str | Path, *, allow_outside_inputs: bool = False) -> Recipe:
    """Read and check a ``gamegen.toml``; problems name the file and line. Inputs are relative to its folder."""
    path = Path(path)
    if path.is_dir():
        path = path / "gamegen.toml"
    try:
        if path.stat().st_size > _MAX_RECIPE_BYTES:
            raise RecipeError([f"{path}: the recipe is larger than {_MAX_RECIPE_BYTES >> 20} MiB"])
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RecipeError([f"{path}: cannot read the recipe: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise RecipeError([f"{path}: the recipe is not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise RecipeError([f"{path}: invalid TOML: arrays or tables nested too deeply"]) from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\s*\(at line (\d+), column \d+\)$", str(exc))
        where = f"{path}:{match.group(1)}" if match else str(path)
        message = str(exc)[: match.start()] if match else str(exc)
        raise RecipeError([f"{where}: invalid TOML: {message}"]) from None
    return parse_recipe(
        data, source=str(path), text=text, base=path.absolute().parent, allow_outside_inputs=allow_outside_inputs
    )
