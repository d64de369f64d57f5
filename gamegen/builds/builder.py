"""``gamegen.build()``: turn a recipe into a bundle, generating only what the cache does not already hold.

The bundle replaces the previous one atomically and only when every asset succeeded; a lock beside the output
keeps two builds of one folder from running at once. Output bytes depend on the recipe alone, never on the
executor, the number of workers or the order in which jobs finish. A rebuild with nothing to do answers from the
last build's stamp (:mod:`.stamp`) before this module loads any generator, numpy or pydantic.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import atomic_directory
from ..errors import GamegenError
from ..output import claim_output, resolve_output
from . import stamp
from .cachedir import default_cache_dir
from .problems import RecipeError
from .report import AssetResult, BuildError, BuildReport, Status

if TYPE_CHECKING:
    from ..bundle import ExportedAsset
    from ..context import ProgressCallback
    from .executors import JobResult
    from .recipe import BuildJob, Recipe
    from .schedule import Planned

__all__ = ["build"]


def _silent(done: int, total: int, message: str = "") -> None:
    """Progress for nobody (no callback given)."""


def _load(recipe: str | Path | Mapping[str, Any] | Recipe, allow_outside_inputs: bool) -> Recipe:
    from .recipe import Recipe, load_recipe, parse_recipe

    if isinstance(recipe, Recipe):
        return recipe
    if isinstance(recipe, Mapping):
        return parse_recipe(recipe, allow_outside_inputs=allow_outside_inputs)
    return load_recipe(recipe, allow_outside_inputs=allow_outside_inputs)


def _select(recipe: Recipe, only: Iterable[str] | None) -> list[BuildJob]:
    if only is None:
        return list(recipe.jobs)
    wanted = set(only)
    known = {j.asset for j in recipe.jobs} | {j.asset_id for j in recipe.jobs}
    unknown = sorted(wanted - known)
    if unknown:
        names = ", ".join(dict.fromkeys(j.asset for j in recipe.jobs))
        raise RecipeError(
            [f"{recipe.source}: only={name!r}: no asset or asset id of that name (assets: {names})" for name in unknown]
        )
    return [j for j in recipe.jobs if j.asset in wanted or j.asset_id in wanted]


def _request(
    recipe: object,
    out: str | Path,
    cache: str | Path | None,
    only: list[str] | None,
    compression: str | None,
    allow_outside_inputs: bool,
) -> stamp.BuildRequest | None:
    """The build as a stamp knows it, for a recipe file; None for a recipe given as data or an output refused (the
    full build reports that, after the recipe's own problems)."""
    if not isinstance(recipe, str | Path):
        return None
    path = Path(recipe)
    if path.is_dir():
        path = path / "gamegen.toml"
    try:
        folder = resolve_output(out)
    except GamegenError:
        return None
    store = Path(cache or default_cache_dir(path.parent if path.is_file() else ".")).expanduser().absolute()
    names = None if only is None else tuple(only)
    return stamp.BuildRequest(path, folder, store, names, compression, allow_outside_inputs)


def build(
    recipe: str | Path | Mapping[str, Any] | Recipe,
    *,
    out: str | Path,
    executor: Any = None,
    jobs: int = 1,
    force: bool = False,
    only: Iterable[str] | None = None,
    keep_going: bool = False,
    progress: ProgressCallback | None = None,
    cache: str | Path | None = None,
    lock_timeout: float | None = 600.0,
    devices: Sequence[str | None] = (None,),
    allow_outside_inputs: bool = False,
    compression: str | None = None,
) -> BuildReport:
    """Build the bundle a recipe describes into ``out`` and report what was built, cached or failed.

    ``recipe``: a ``gamegen.toml`` path (or its folder), a dict of the same shape, or a :class:`Recipe`.
    ``executor``: ``"local"``, ``"processes"``, ``"dask"``, a Dask scheduler address or Client, or any
    ``concurrent.futures.Executor`` (default: local for ``jobs=1``, else processes). ``only`` limits the build
    (and the bundle written) to these assets or asset ids; ``force`` ignores cache hits. ``cache`` defaults to
    ``.gamegen-cache`` beside the recipe (:func:`default_cache_dir`). Jobs that read a model (a folder among
    ``Generator.input_files``, or a hub id in a ``ModelRef``/``AdapterRef`` parameter) run one at a time per entry of
    ``devices``, and the model's files are part of their cache key. Files that parameters name are read relative
    to the recipe's folder and must stay inside it unless ``allow_outside_inputs``. ``compression`` (``"fast"`` or
    ``"small"``) overrides the recipe's PNG compression (default: the recipe's, else fast); it is part of the cache
    key. ``out`` must be missing, empty or a gamegen bundle (:mod:`gamegen.output`). Raises :class:`BuildError` (bundle unchanged) if any asset failed;
    with ``keep_going`` the other assets are still built and cached first. Rebuilding a recipe file when nothing
    changed (recipe, options, inputs, code, bundle) returns from the last build's stamp (:mod:`.stamp`) at once.
    """
    start, began = time.perf_counter(), time.time()
    say: ProgressCallback = progress or _silent
    only = None if only is None else list(only)
    request = _request(recipe, out, cache, only, compression, allow_outside_inputs)
    fingerprint = request.fingerprint() if request is not None else None
    if request is not None and fingerprint is not None and not force:
        unchanged = stamp.replay(request, fingerprint, lock_timeout, say)
        if unchanged is not None:
            unchanged.seconds = time.perf_counter() - start
            return unchanged
    # Something to do: load the full path (the recipe's generators, numpy, pydantic).
    from ..bundle import write_bundle_into
    from .cache import BuildCache
    from .executors import open_executor
    from .models import attach_models, build_models, model_failures
    from .schedule import plan, run

    spec = _load(recipe, allow_outside_inputs)
    if compression is not None:  # overrides the recipe's ``compression`` (and so its cache keys)
        spec = spec.with_compression(compression)
    selected = _select(spec, only)
    out = resolve_output(out)
    report = BuildReport(spec.name, spec.source, out, spec.profile)
    total = len(selected)
    recipe_file = Path(spec.source)
    store = BuildCache(cache or default_cache_dir(recipe_file.parent if recipe_file.is_file() else "."))
    results: dict[str, AssetResult] = {}
    exported: dict[str, ExportedAsset] = {}

    news: list[str] = []  # what happened since progress last spoke: said together with what starts next

    def starting(batch: list[Planned]) -> None:
        if batch:
            news.append(f"building {', '.join(p.job.asset_id for p in batch)}")
        if news:
            say(len(results), total, "; ".join(news))
            news.clear()

    def record(planned: Planned, result: JobResult) -> None:
        status: Status = "failed" if result.exported is None else "built"
        if result.exported is not None:
            if planned.key is None:  # the job fetched its hub model: the key is knowable now (on this machine)
                planned = plan(planned.job, store, spec.profile)
            if planned.key is not None:
                store.put(planned.key, result.exported)
            store.remember_seconds(planned.job, result.seconds)
            exported[result.asset_id] = result.exported
        started = None if result.started is None else result.started - began
        results[result.asset_id] = planned.result(status, result.seconds, result.error, started)
        news.append(f"{result.asset_id} {status}")

    with claim_output(out, lock_timeout, on_wait=lambda message: say(0, total, message)):
        used = {name for job in selected for name in job.models}
        trained_first = [m for m in spec.models if only is None or m.name in used]
        folders, report.models = build_models(
            trained_first, store, force=force, device=devices[0] if devices else None,
            progress=lambda done, count, message: say(len(results), total, message),
        )
        broken = {m.name: m.error or "failed" for m in report.models if m.status == "failed"}
        runnable: list[BuildJob] = []
        for job in selected:
            reason = model_failures(job, broken)
            if reason is not None:
                results[job.asset_id] = AssetResult(job.asset_id, job.asset, job.generator.name, "failed", 0.0, None, reason)
            elif broken and not keep_going:  # a failure stops the build, as a failed asset does
                results[job.asset_id] = AssetResult(job.asset_id, job.asset, job.generator.name, "cancelled", 0.0, None)
            else:
                runnable.append(attach_models(job, folders))
        planned_jobs = [plan(job, store, spec.profile) for job in runnable]
        stampable = fingerprint is not None and not spec.models and not any(p.neural for p in planned_jobs)
        base = Path(os.path.realpath(recipe_file.absolute().parent))
        observed = stamp.observe(runnable, [f for p in planned_jobs for f in p.reads], base) if stampable else None
        todo: list[Planned] = []
        for planned in planned_jobs:
            hit = None if force or planned.key is None else store.get(planned.key, planned.job)
            if hit is None:
                todo.append(planned)
                continue
            exported[planned.job.asset_id] = hit
            results[planned.job.asset_id] = planned.result("cached")
        news.append(f"{len(results)} cached, {len(todo)} to build")
        if not todo:
            starting([])
        else:
            with open_executor(executor, jobs, devices) as ex:
                report.executor = ex.description
                for planned in run(todo, ex, spec.profile, keep_going, record, starting):
                    results[planned.job.asset_id] = planned.result("cancelled")
        report.assets = [results[job.asset_id] for job in selected]
        if report.ok:
            with atomic_directory(out) as tmp:
                write_bundle_into(tmp, [exported[job.asset_id] for job in selected], spec.profile)
            if request is not None and fingerprint is not None and observed is not None:
                keys = [a.key for a in report.assets if a.key is not None]
                stamp.record(request, fingerprint, observed, report, [store.entry_dir(k) for k in keys])
    report.seconds = time.perf_counter() - start
    if not report.ok:
        raise BuildError(report)
    return report
