"""``gamegen.build()``: turn a recipe into a bundle, generating only what the cache does not already hold.

The bundle replaces the previous one atomically and only when every asset succeeded; a lock beside the output
keeps two builds of one folder from running at once. Output bytes depend on the recipe alone, never on the
executor, the number of workers or the order in which jobs finish.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from ..atomic import atomic_directory
from ..bundle import ExportedAsset, write_bundle_into
from ..context import ProgressCallback
from ..errors import GamegenError
from ..output import claim_output, resolve_output
from .cache import BuildCache, default_cache_dir, hub_refs, hub_snapshot
from .executors import BuildExecutor, JobResult, open_executor, run_job
from .models import ModelResult, attach_models, build_models, model_failures
from .models import to_json as models_to_json
from .recipe import BuildJob, Recipe, RecipeError, load_recipe, parse_recipe

__all__ = ["AssetResult", "BuildError", "BuildReport", "build"]

Status = Literal["built", "cached", "failed", "cancelled"]
STATUSES: tuple[Status, ...] = get_args(Status)


@dataclass
class AssetResult:
    """How one asset of a build went: built, taken from the cache, failed (with a reason) or never started."""

    id: str
    asset: str
    generator: str
    status: Status
    seconds: float
    key: str | None
    error: str | None = None


@dataclass
class BuildReport:
    """The outcome of :func:`build`, asset by asset in recipe order."""

    bundle: str
    recipe: str
    out: Path
    profile: str
    assets: list[AssetResult] = field(default_factory=list)
    seconds: float = 0.0
    executor: str = "none (everything was cached)"
    models: list[ModelResult] = field(default_factory=list)

    def ids(self, status: Status) -> list[str]:
        """Ids of the assets that ended with ``status``."""
        return [a.id for a in self.assets if a.status == status]

    @property
    def built(self) -> list[str]:
        return self.ids("built")

    @property
    def cached(self) -> list[str]:
        return self.ids("cached")

    @property
    def failed(self) -> list[str]:
        return self.ids("failed")

    @property
    def ok(self) -> bool:
        """True when every model was trained or cached and every asset built or cached (so the bundle was written)."""
        models_ok = all(m.status != "failed" for m in self.models)
        return models_ok and all(a.status in ("built", "cached") for a in self.assets)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what ``gamegen build --json`` prints)."""
        counts = {s: len(self.ids(s)) for s in STATUSES}
        return {
            "bundle": self.bundle,
            "recipe": self.recipe,
            "out": str(self.out),
            "profile": self.profile,
            "executor": self.executor,
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "counts": counts,
            "assets": [{**asdict(a), "seconds": round(a.seconds, 3)} for a in self.assets],
            "models": models_to_json(self.models),
        }


class BuildError(GamegenError):
    """Some assets failed, so the bundle was not replaced; ``report`` says which and why."""

    def __init__(self, report: BuildReport):
        self.report = report
        failed = [a for a in report.assets if a.status == "failed"]
        models = [m for m in report.models if m.status == "failed"]
        reasons = "; ".join([f"model {m.name}: {m.error}" for m in models] + [f"{a.id}: {a.error}" for a in failed])
        what = f"{len(failed)} of {len(report.assets)} assets"
        if models:
            what = f"{len(models)} of {len(report.models)} models and {what}"
        super().__init__(f"{what} failed ({reasons}); the previous bundle at {report.out} is unchanged")


@dataclass(frozen=True)
class _Planned:
    job: BuildJob
    key: str | None  # None: not knowable before the job runs (a hub model not downloaded yet)
    neural: bool
    expected: float = 1.0  # seconds: the asset's last build, else the generator's estimate

    def result(self, status: Status, seconds: float = 0.0, error: str | None = None) -> AssetResult:
        job = self.job
        return AssetResult(job.asset_id, job.asset, job.generator.name, status, seconds, self.key, error)


def _silent(done: int, total: int, message: str = "") -> None:
    """Progress for nobody (no callback given)."""


def _load(recipe: str | Path | Mapping[str, Any] | Recipe, allow_outside_inputs: bool) -> Recipe:
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


def _plan(job: BuildJob, cache: BuildCache, profile: str) -> _Planned:
    """The job with its cache key; a job that reads a model is neural and goes to a device lane.

    The key covers the generator's ``input_files`` (its ``InputFile``/``ModelRef``/``AdapterRef`` parameters that
    name local files and folders) and, for each hub id among its model and adapter parameters, the snapshot in the
    local Hugging Face cache. A hub model not downloaded yet leaves the key unknown (None): the job must run, and
    fetches it.
    """
    params = job.run_params()
    inputs = [Path(p) for p in job.generator().input_files(params)]
    hubs = hub_refs(params)
    snapshots = [hub_snapshot(hub) for hub in hubs]
    inputs += [s for s in snapshots if s is not None]
    key = None if None in snapshots else cache.key(job, profile, inputs)
    expected = cache.last_seconds(job)
    if expected is None:
        expected = job.generator().estimated_seconds(job.params)
    return _Planned(job, key, bool(hubs) or any(p.is_dir() for p in inputs), expected)


def _submit(executor: Executor, *args: Any) -> Future[JobResult]:
    """``executor.submit(run_job, *args)``; an executor that refuses (e.g. a broken pool) gives a failed future."""
    try:
        return executor.submit(run_job, *args)
    except Exception as exc:
        future: Future[JobResult] = Future()
        future.set_exception(exc)
        return future


def _outcome(future: Future[JobResult], planned: _Planned) -> JobResult:
    try:
        return future.result()
    except Exception as exc:  # the worker itself died or the job could not be sent to it
        return JobResult(planned.job.asset_id, None, f"{type(exc).__name__}: {exc}", 0.0)


def _run(
    todo: list[_Planned],
    ex: BuildExecutor,
    profile: str,
    keep_going: bool,
    on_result: Callable[[_Planned, JobResult], None],
    on_start: Callable[[list[_Planned]], None],
) -> list[_Planned]:
    """Feed ``todo`` to ``ex`` (at most ``slots`` ordinary jobs and one job per device lane in flight).

    ``on_start`` hears of each batch of jobs before it is submitted (an empty batch when none could start), so
    progress names the running assets even on an executor that runs a job inside ``submit``. After a failure
    nothing new starts unless ``keep_going``; jobs already running finish and are kept. Returns the jobs that
    never started.

    Longest job first (each job's ``expected`` seconds): a long asset that starts last would leave the other
    workers idle at the end. Neural jobs go to the device lane with the least expected work so far.
    """
    longest_first = sorted(todo, key=lambda p: -p.expected)  # stable: equal estimates keep recipe order
    queue = deque(p for p in longest_first if not p.neural)
    lanes: list[deque[_Planned]] = [deque() for _ in ex.lanes]
    load = [0.0] * len(lanes)
    for planned in (p for p in longest_first if p.neural):
        lane = load.index(min(load))
        lanes[lane].append(planned)
        load[lane] += planned.expected
    in_flight: dict[Future[JobResult], tuple[_Planned, int | None]] = {}
    stopped = False

    def feed() -> None:
        busy = {lane for _, lane in in_flight.values()}
        batch: list[tuple[_Planned, Executor, str | None, int | None]] = [
            (lanes[lane].popleft(), lane_ex, device, lane)
            for lane, (lane_ex, device) in enumerate(ex.lanes)
            if lane not in busy and lanes[lane]
        ]
        running = sum(lane is None for _, lane in in_flight.values())
        while queue and (ex.slots is None or running < ex.slots):
            batch.append((queue.popleft(), ex.pool, None, None))
            running += 1
        on_start([planned for planned, *_ in batch])
        for planned, executor, device, lane in batch:
            in_flight[_submit(executor, planned.job, profile, device)] = (planned, lane)

    feed()
    while in_flight:
        done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
        for future in [f for f in in_flight if f in done]:  # in the order they started: messages never shuffle
            planned, _lane = in_flight.pop(future)
            result = _outcome(future, planned)
            on_result(planned, result)
            stopped = stopped or (result.error is not None and not keep_going)
        if stopped:
            on_start([])
        else:
            feed()
    return list(queue) + [p for lane in lanes for p in lane]


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
    with ``keep_going`` the other assets are still built and cached first.
    """
    start = time.perf_counter()
    spec = _load(recipe, allow_outside_inputs)
    if compression is not None:  # overrides the recipe's ``compression`` (and so its cache keys)
        spec = spec.with_compression(compression)
    selected = _select(spec, only)
    out = resolve_output(out)
    report = BuildReport(spec.name, spec.source, out, spec.profile)
    total = len(selected)
    say: ProgressCallback = progress or _silent
    recipe_file = Path(spec.source)
    store = BuildCache(cache or default_cache_dir(recipe_file.parent if recipe_file.is_file() else "."))
    results: dict[str, AssetResult] = {}
    exported: dict[str, ExportedAsset] = {}

    news: list[str] = []  # what happened since progress last spoke: said together with what starts next

    def starting(batch: list[_Planned]) -> None:
        if batch:
            news.append(f"building {', '.join(p.job.asset_id for p in batch)}")
        if news:
            say(len(results), total, "; ".join(news))
            news.clear()

    def record(planned: _Planned, result: JobResult) -> None:
        status: Status = "failed" if result.exported is None else "built"
        if result.exported is not None:
            if planned.key is None:  # the job fetched its hub model: the key is knowable now (on this machine)
                planned = _plan(planned.job, store, spec.profile)
            if planned.key is not None:
                store.put(planned.key, result.exported)
            store.remember_seconds(planned.job, result.seconds)
            exported[result.asset_id] = result.exported
        results[result.asset_id] = planned.result(status, result.seconds, result.error)
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
        todo: list[_Planned] = []
        for planned in (_plan(job, store, spec.profile) for job in runnable):
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
                for planned in _run(todo, ex, spec.profile, keep_going, record, starting):
                    results[planned.job.asset_id] = planned.result("cancelled")
        report.assets = [results[job.asset_id] for job in selected]
        if report.ok:
            with atomic_directory(out) as tmp:
                write_bundle_into(tmp, [exported[job.asset_id] for job in selected], spec.profile)
    report.seconds = time.perf_counter() - start
    if not report.ok:
        raise BuildError(report)
    return report
