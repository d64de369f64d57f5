"""Recipes: a ``gamegen.toml`` describing a whole bundle, checked completely before anything is generated.

A recipe is data, never code. Its shape is :class:`RecipeSpec` (pydantic, unknown keys forbidden, types strict);
every problem (unknown keys, unknown generators, bad parameters, clashing ids) is collected and reported at once
as ``file:line: message`` so a whole recipe can be fixed in one pass::

    name = "my-game"            # the bundle's name
    seed = 1234                 # master seed (default 0)
    profile = "unity"           # export profile (default generic)
    compression = "small"       # PNG compression: fast (default, quick to write) or small (level 6, for shipping)

    [[asset]]
    name = "crate"              # the asset's id and folder in the bundle
    generator = "texture.material"
    params = { family = "wood", size = 256 }
    variations = 3              # optional: crate-1 … crate-3, consecutive seeds
    # seed = 7                  # optional: else derived from the master seed and the name
    # matrix = { tile_x = [0, 1], tile_y = [0, 1] }   # optional: one asset per cell (crate-0-1 …), one seed

    [[model]]                   # optional: a model the build trains (gamegen train) when its data or settings change
    name = "stone-style"
    trainer = "image.lora"
    data = "art/stone"          # a dataset folder inside the recipe's folder
    params = { base = "models/sd-tiny", steps = 300, tiling = "xy" }
    # an asset uses it with params = { lora = "@stone-style" } (or model = "@name" for a full model)

Seeds derive from the master seed and the asset's name, so adding, removing or reordering other assets
changes nothing else. A recipe expands to at most 100 000 jobs. Input parameters (``InputFile``, ``ModelRef``,
``AdapterRef``) are read relative to the recipe's folder and stay inside it (:mod:`gamegen.builds.inputs`); the
manifest records them as written.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..context import derive_seed
from ..errors import GamegenError, ParamError
from ..export import get_profile
from ..export.png import COMPRESSIONS, DEFAULT_COMPRESSION, Compression, check_compression
from ..generator import Generator
from ..names import check_name
from ..params import Params, input_fields
from ..registry import registry, trainers
from ..training.trainer import Trainer
from .inputs import RecipeInputs
from .problems import KeyPath, Problems, RecipeError, SourceLines

__all__ = [
    "MAX_JOBS",
    "AssetSpec",
    "BuildJob",
    "ModelJob",
    "ModelSpec",
    "Recipe",
    "RecipeError",
    "RecipeSpec",
    "load_recipe",
    "parse_recipe",
]

MAX_JOBS = 100_000
_MAX_RECIPE_BYTES = 16 << 20


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class AssetSpec(_Table):
    """One ``[[asset]]`` table: what to generate, with which parameters, how many times."""

    name: str = Field(description="The asset's id and folder in the bundle")
    generator: str = Field(description="A registered generator (gamegen list)")
    params: dict[str, Any] = Field(default_factory=dict, description="Its parameters (gamegen info NAME)")
    seed: int | None = Field(None, ge=0, description="A fixed seed; default: derived from the master seed and name")
    variations: int = Field(1, ge=1, le=MAX_JOBS, description="Copies with consecutive seeds: NAME-1 … NAME-N")
    matrix: dict[str, Annotated[list[Any], Field(min_length=1)]] = Field(
        default_factory=dict, description="One asset per combination of these parameter values, sharing one seed"
    )


class ModelSpec(_Table):
    """One ``[[model]]`` table: a model the build trains, used by assets as ``"@name"``."""

    name: str = Field(description="The model's name: assets use it as lora = \"@name\" or model = \"@name\"")
    trainer: str = Field(description="A registered trainer (gamegen list --trainers)")
    data: str = Field(description="The training data, relative to the recipe's folder")
    params: dict[str, Any] = Field(default_factory=dict, description="Its parameters (gamegen info TRAINER)")
    seed: int | None = Field(None, ge=0, description="A fixed seed; default: derived from the master seed and name")


class RecipeSpec(_Table):
    """A whole recipe: the bundle's name, master seed, export profile and assets (each an :class:`AssetSpec`)."""

    name: str = Field(min_length=1, pattern=r"\S", description="The bundle's name")
    seed: int = Field(0, ge=0, description="The master seed every asset's seed derives from")
    profile: str = Field("generic", description="The export profile: generic, unity, unreal, godot")
    compression: Compression = Field(
        DEFAULT_COMPRESSION, description="PNG compression: fast (quick to write) or small (zlib level 6, for shipping)"
    )
    asset: list[Any] = Field(min_length=1, description="The [[asset]] tables, checked one by one")
    model: list[Any] = Field(default_factory=list, description="The [[model]] tables: models the build trains")


_MESSAGES: dict[type[_Table], dict[str, str]] = {
    RecipeSpec: {
        "name": "'name' (the bundle's name) is required and must be a non-empty string",
        "seed": "seed={value!r}: the master seed must be a non-negative integer",
        "profile": "profile={value!r}: must be a string naming an export profile",
        "compression": f"compression={{value!r}}: must be one of {', '.join(COMPRESSIONS)}",
        "asset": "a recipe needs at least one [[asset]] table",
        "model": "'model' must be a list of [[model]] tables",
    },
    ModelSpec: {
        "name": "'name' is required and must be a string",
        "trainer": "'trainer' is required and must be a string",
        "data": "'data' is required and must be a string: the training data's folder",
        "params": "'params' must be a table, got {type}",
        "seed": "seed={value!r}: must be a non-negative integer",
    },
    AssetSpec: {
        "name": "'name' is required and must be a string",
        "generator": "'generator' is required and must be a string",
        "params": "'params' must be a table, got {type}",
        "seed": "seed={value!r}: must be a non-negative integer",
        "variations": f"variations={{value!r}}: must be an integer from 1 to {MAX_JOBS}",
        "matrix": "'matrix' must be a table of non-empty lists of parameter values",
    },
}

T = TypeVar("T", bound=_Table)


def _check_table(model: type[T], raw: Any, path: KeyPath, where: str, problems: Problems) -> T | None:
    """``raw`` as ``model``, each bad key reported once; a table whose only fault is unknown keys is still read."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    allowed = ", ".join(model.model_fields)
    bad: set[str] = set()
    for err in errors:
        key = str(err["loc"][0]) if err["loc"] else ""
        if key in bad:
            continue
        bad.add(key)
        if err["type"] == "extra_forbidden":
            problems.add(path + (key,), f"{where}unknown key {key!r} (allowed: {allowed})")
            continue
        value = raw.get(key) if isinstance(raw, Mapping) else raw
        message = _MESSAGES[model].get(key, "{type}").format(value=value, type=type(value).__name__)
        problems.add(path + (key,), f"{where}{message}")
    try:
        return model.model_validate({k: v for k, v in raw.items() if k in model.model_fields and k not in bad})
    except (ValidationError, AttributeError):
        return None


@dataclass(frozen=True)
class BuildJob:
    """One generator run of a build: the bundle asset id, the recipe asset it expands, validated params, seed."""

    asset_id: str
    asset: str
    generator: type[Generator[Any]]
    params: Params
    seed: int
    inputs: tuple[tuple[str, str], ...] = ()  # parameter → the path it names, resolved against the recipe's folder
    input_root: str | None = None  # the folder every input must stay in (None: anywhere)
    compression: str = DEFAULT_COMPRESSION  # the recipe's PNG compression, carried to the worker that exports
    models: tuple[str, ...] = ()  # the recipe models (``"@name"`` values) its parameters use

    def run_params(self) -> Params:
        """The parameters the generator runs with: ``params`` with inputs resolved against the recipe's folder."""
        return self.params.model_copy(update=dict(self.inputs)) if self.inputs else self.params


@dataclass(frozen=True)
class ModelJob:
    """One model of a build: the trainer, validated params, the data folder (resolved) and the seed."""

    name: str
    trainer: type[Trainer[Any]]
    params: Params
    data: str
    seed: int


@dataclass(frozen=True)
class Recipe:
    """A checked recipe: bundle name, master seed, export profile, the jobs its assets expand to and the PNG
    compression (which every job carries too)."""

    name: str
    seed: int
    profile: str
    jobs: tuple[BuildJob, ...]
    source: str = "<recipe>"
    compression: str = DEFAULT_COMPRESSION
    models: tuple[ModelJob, ...] = ()

    def with_compression(self, compression: str) -> Recipe:
        """This recipe with its PNG compression (and each job's) replaced; a bad name is a ParamError."""
        check_compression(compression)
        jobs = tuple(dataclasses.replace(job, compression=compression) for job in self.jobs)
        return dataclasses.replace(self, jobs=jobs, compression=compression)


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


def _too_many(where: str, what: str, room: int) -> str:
    return f"{where}{what} would exceed the {MAX_JOBS} jobs a recipe may expand to ({room} left for this asset)"


def _asset_spec(index: int, raw: Any, problems: Problems, room: int) -> tuple[AssetSpec, type[Generator[Any]]] | None:
    """The asset table checked as data and against the registry; None when it has problems."""
    path: KeyPath = ("asset", index)
    if not isinstance(raw, Mapping):
        problems.add(path, f"asset #{index + 1}: must be a table ([[asset]]), got {type(raw).__name__}")
        return None
    where = f"asset {raw['name']!r}: " if isinstance(raw.get("name"), str) else f"asset #{index + 1}: "
    before = len(problems.items)
    spec = _check_table(AssetSpec, raw, path, where, problems)
    if spec is None:
        return None
    try:
        check_name(spec.name)
    except GamegenError as exc:
        problems.add(path + ("name",), f"{where}{exc}")
    generator: type[Generator[Any]] | None = None
    try:
        generator = registry.get(spec.generator)
    except GamegenError as exc:
        problems.add(path + ("generator",), f"{where}{exc}")
    if spec.matrix and spec.variations != 1:
        problems.add(path + ("matrix",), f"{where}'matrix' and 'variations' cannot be combined")
    elif spec.variations > room:
        problems.add(path + ("variations",), _too_many(where, f"variations={spec.variations}", room))
    elif (cells := math.prod(len(v) for v in spec.matrix.values())) > room:
        problems.add(path + ("matrix",), _too_many(where, f"'matrix' of {cells} cells", room))
    if generator is None or len(problems.items) > before and not _only_unknown_keys(problems, before):
        return None
    return spec, generator


def _only_unknown_keys(problems: Problems, before: int) -> bool:
    return all("unknown key" in message for *_, message in problems.items[before:])


_MODEL_REF = re.compile(r"@([A-Za-z0-9][A-Za-z0-9_.\-]*)")


def model_refs(generator: type[Generator[Any]], values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Parameter → the recipe models it names (``"@name"``, or ``"@a,@b"`` for several adapters), for the
    generator's model and adapter parameters."""
    found: dict[str, list[str]] = {}
    for key, kind in input_fields(generator.params).items():
        value = values.get(key)
        if kind == "file" or not isinstance(value, str) or not value.startswith("@"):
            continue
        found[key] = [part.strip()[1:] if _MODEL_REF.fullmatch(part.strip()) else part.strip() for part in value.split(",")]
    return found


def _model_jobs(raw_models: list[Any], master_seed: int, problems: Problems, inputs: RecipeInputs) -> list[ModelJob]:
    """The checked ``[[model]]`` tables: trainer registered, parameters valid, data inside the recipe's folder."""
    models: list[ModelJob] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_models):
        path: KeyPath = ("model", index)
        if not isinstance(raw, Mapping):
            problems.add(path, f"model #{index + 1}: must be a table ([[model]]), got {type(raw).__name__}")
            continue
        where = f"model {raw['name']!r}: " if isinstance(raw.get("name"), str) else f"model #{index + 1}: "
        spec = _check_table(ModelSpec, raw, path, where, problems)
        if spec is None:
            continue
        if not _MODEL_REF.fullmatch("@" + spec.name):
            problems.add(path + ("name",), f"{where}a model name takes letters, digits, '_', '.' and '-'")
            continue
        if spec.name.casefold() in seen:
            problems.add(path + ("name",), f"{where}the name is used by an earlier model")
            continue
        seen.add(spec.name.casefold())
        try:
            trainer = trainers.get(spec.trainer)
        except GamegenError as exc:
            problems.add(path + ("trainer",), f"{where}{exc}")
            continue
        resolved, outside = inputs.resolve(trainer, {**spec.params, "data": spec.data})
        for param, message in outside:
            problems.add(path + ((param,) if param == "data" else ("params", param)), f"{where}{message}")
        data = resolved.pop("data", None) or str(inputs.base / spec.data if inputs.base else spec.data)
        if not os.path.isdir(data) and not os.path.isfile(data):
            problems.add(path + ("data",), f"{where}data={spec.data!r}: no such folder or file")
        try:
            params = trainer.validate({**spec.params, **resolved})
        except ParamError as exc:
            for problem in exc.problems:
                problems.add(path + ("params", (problem.param or "").split(".")[0]), f"{where}{spec.trainer}: {problem}")
            continue
        if outside:
            continue
        seed = spec.seed if spec.seed is not None else derive_seed(master_seed, "model", spec.name)
        models.append(ModelJob(spec.name, trainer, params, data, seed))
    return models


def _asset_jobs(
    index: int,
    spec: AssetSpec,
    generator: type[Generator[Any]],
    master_seed: int,
    problems: Problems,
    inputs: RecipeInputs,
    compression: str = DEFAULT_COMPRESSION,
    model_names: frozenset[str] = frozenset(),
) -> list[BuildJob]:
    """The jobs one checked asset expands to, each with validated parameters and resolved inputs."""
    path: KeyPath = ("asset", index)
    where = f"asset {spec.name!r}: "
    base_seed = spec.seed if spec.seed is not None else derive_seed(master_seed, spec.name)
    jobs: list[BuildJob] = []
    reported: set[str] = set()

    def report(param: str, message: str) -> None:
        if message not in reported:
            reported.add(message)
            problems.add(path + (("matrix", param) if param in spec.matrix else ("params", param)), f"{where}{message}")

    for asset_id, values, job_seed in _expand(spec.name, base_seed, dict(spec.params), spec.variations, dict(spec.matrix)):
        try:
            check_name(asset_id, "asset id")
            refs = model_refs(generator, values)
            for param, names in refs.items():
                for name in names:
                    if name not in model_names:
                        known = f" (models: {', '.join(sorted(model_names))})" if model_names else " (the recipe has no [[model]])"
                        report(param, f"{param}={values[param]!r}: {name!r} is not a model of this recipe{known}")
            if any(n not in model_names for names in refs.values() for n in names):
                continue
            resolved, outside = inputs.resolve(generator, {k: v for k, v in values.items() if k not in refs})
            for param, message in outside:
                report(param, message)
            if outside:
                continue
            params = generator.validate(values)
            used = tuple(sorted({n for names in refs.values() for n in names}))
            job = BuildJob(
                asset_id,
                spec.name,
                generator,
                params,
                job_seed,
                tuple(sorted(resolved.items())),
                inputs.root,
                compression,
                used,
            )
            for message in inputs.stray(generator, job.run_params()):
                report("", message)
            jobs.append(job)
        except ParamError as exc:
            for problem in exc.problems:
                report((problem.param or "").split(".")[0], f"{spec.generator}: {problem}")
        except GamegenError as exc:
            problems.add(path + ("name",), f"{where}{exc}")
    return jobs


def parse_recipe(
    data: Mapping[str, Any],
    *,
    source: str = "<recipe>",
    text: str | None = None,
    base: str | Path | None = None,
    allow_outside_inputs: bool = False,
) -> Recipe:
    """Check a recipe given as data (a parsed TOML document or an equivalent dict) and expand its jobs.

    ``text``, the TOML source, lets problems carry line numbers. With ``base`` (the recipe file's folder), input
    parameters are read relative to it and must stay inside it unless ``allow_outside_inputs``; without it (a
    recipe built in Python) they are taken as given, like :func:`gamegen.generate`'s. Raises
    :class:`RecipeError` listing all problems.
    """
    problems = Problems(source, SourceLines(text) if text is not None else None)
    inputs = RecipeInputs(Path(os.path.realpath(base)) if base is not None else None, allow_outside_inputs)
    spec = _check_table(RecipeSpec, data, (), "", problems)
    seed = spec.seed if spec else 0
    profile = spec.profile if spec else "generic"
    compression = spec.compression if spec else DEFAULT_COMPRESSION
    raw_assets = data.get("asset")
    assets: list[Any] = spec.asset if spec else raw_assets if isinstance(raw_assets, list) else []
    try:
        get_profile(profile)
    except GamegenError as exc:
        problems.add(("profile",), str(exc))
    raw_models = data.get("model")
    models = _model_jobs(raw_models if isinstance(raw_models, list) else [], seed, problems, inputs)
    model_names = frozenset(m.name for m in models)
    jobs: list[BuildJob] = []
    seen: dict[str, str] = {}  # case-folded name → as written: names differing only by case share a folder on Windows/macOS
    owner: dict[str, tuple[str, str]] = {}
    for index, raw in enumerate(assets):
        name = raw.get("name") if isinstance(raw, Mapping) else None
        if isinstance(name, str) and name.casefold() in seen:
            earlier = seen[name.casefold()]
            same = "" if earlier == name else f" {earlier!r} (names must differ by more than case)"
            problems.add(("asset", index, "name"), f"asset {name!r}: the name is used by an earlier asset{same}")
            continue
        seen[str(name).casefold()] = str(name)
        checked = _asset_spec(index, raw, problems, MAX_JOBS - len(jobs))
        if checked is None:
            continue
        for job in _asset_jobs(index, *checked, seed, problems, inputs, compression, model_names):
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
    assert spec is not None  # no problems: the recipe's own table was valid
    return Recipe(
        name=spec.name,
        seed=seed,
        profile=profile,
        jobs=tuple(jobs),
        source=source,
        compression=spec.compression,
        models=tuple(models),
    )


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
