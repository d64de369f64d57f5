"""Where build jobs run: in this process, in a local process pool, on Dask, or on any concurrent.futures Executor.

Every executor gets the same picklable job function, so the bytes produced never depend on where they ran.
Neural jobs go to *device lanes*: one worker per device running one job at a time, so two diffusion jobs never
fight over one GPU and each lane keeps its loaded model between jobs. Pool and LocalCluster workers share the
cores: each gets ``cores // workers`` numba/BLAS/OpenMP threads. By default ``jobs=N`` runs one lane in this
process (which has loaded the generators already and starts at once) beside N - 1 worker processes, forked from this
one where that is safe (they start with the same modules loaded) and spawned otherwise.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from ..api import run_generator
from ..bundle import ExportedAsset, early_export, export_run
from ..errors import GamegenError
from ..machine import share_of_cores, usable_cores
from .recipe import BuildJob

__all__ = [
    "THREAD_VARIABLES",
    "BuildExecutor",
    "Pool",
    "JobResult",
    "SequentialExecutor",
    "open_executor",
    "run_job",
    "worker_environment",
]

T = TypeVar("T")

THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS")


def worker_environment(workers: int) -> dict[str, str]:
    """Thread limits for ``workers`` worker processes sharing this machine's cores (values already set are kept).

    Without them every worker's numba/BLAS/OpenMP pool would claim every core and N workers would oversubscribe.
    """
    cores = usable_cores()
    return {name: os.environ.get(name) or str(max(1, cores // workers)) for name in THREAD_VARIABLES}


def _set_environment(env: dict[str, str]) -> None:
    """Process-pool initializer: runs in each new worker before its first job.

    A spawned worker has not imported numba or numpy's BLAS yet: the thread limits in ``env`` apply as they load. A
    forked one has numba loaded already, so its kernels are limited here. A worker ends with its pool: it skips the
    garbage collections Python runs on the way out over every object its jobs loaded (numba's JIT caches make them
    take a third of a second), so the build is not kept waiting.
    """
    os.environ.update(env)
    if "numba" in sys.modules:
        _share_cores(int(env["NUMBA_NUM_THREADS"]))
    atexit.register(gc.freeze)


def _fork_is_safe() -> bool:
    """Whether workers may be forked from this process: on Linux, with no other thread running (a thread could hold
    a lock the child would never see released) and numba's threading layer not started (its OpenMP flavour breaks in
    a forked child). Such a worker starts at once with every module this process has loaded."""
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return False
    parallel = sys.modules.get("numba.np.ufunc.parallel")
    return parallel is None or not getattr(parallel, "_is_initialized", True)


def _share_cores(threads: int) -> None:
    """Initializer of the lane in this process: its numba kernels and its file encoding use its share of the cores
    (per-thread settings; this process's other threads keep theirs)."""
    share_of_cores(threads)
    try:
        import numba
    except ImportError:  # no numba kernels to limit
        return
    numba.set_num_threads(min(threads, numba.get_num_threads()))


@dataclass
class JobResult:
    """What a worker sends back: the exported asset, or a one-line reason it failed."""

    asset_id: str
    exported: ExportedAsset | None
    error: str | None
    seconds: float
    started: float | None = None  # time.time() when the job began, in the worker (None: it never began)


def run_job(job: BuildJob, profile: str, device: str | None = None) -> JobResult:
    """Run one job and export it (in whichever process the executor chose); never raises.

    A fresh worker imports only the job's generator module and, as its assets are exported, the exporters they name.
    """
    started, start = time.time(), time.perf_counter()
    try:
        with early_export(job.compression) as early:
            run = run_generator(
                job.generator,
                job.run_params().model_dump(),
                seed=job.seed,
                profile=profile,
                device=device,
                input_root=job.input_root,
                early=early,
            )
            exported = export_run(  # the manifest keeps names as written
                replace(run, params=job.params), job.asset_id, compression=job.compression, early=early
            )
    except Exception as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        if not isinstance(exc, GamegenError):
            reason = f"{type(exc).__name__}: {reason}"
        return JobResult(job.asset_id, None, reason, time.perf_counter() - start, started)
    return JobResult(job.asset_id, exported, None, time.perf_counter() - start, started)


class SequentialExecutor(Executor):
    """Runs each call in this process when it is submitted: the simplest executor, and the easiest to debug."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


@dataclass
class Pool:
    """Where ordinary jobs run: at most ``slots`` at once (None: no limit) and ``queued`` more held ready at the
    executor, so that a worker that finishes starts the next job without waiting for the build to hear of it."""

    executor: Executor
    slots: int | None
    queued: int = 0


@dataclass
class BuildExecutor:
    """The pools ordinary jobs go to (the first with a free slot takes the next job) and one lane per device."""

    pools: list[Pool]
    lanes: list[tuple[Executor, str | None]]
    description: str


def _dask_executor(target: Any, jobs: int, devices: Sequence[str | None], stack: contextlib.ExitStack) -> BuildExecutor:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise GamegenError("the Dask executor needs dask.distributed: pip install 'gamegen[dask]'") from None
    if isinstance(target, Client):
        client = target
    elif target == "dask":
        cluster = stack.enter_context(
            LocalCluster(
                n_workers=jobs,
                threads_per_worker=1,
                processes=True,
                dashboard_address="127.0.0.1:0",
                env=worker_environment(jobs),
            )
        )
        client = stack.enter_context(Client(cluster))
    else:
        try:
            client = stack.enter_context(Client(target, timeout="10s"))
        except OSError as exc:
            raise GamegenError(f"cannot reach the Dask scheduler at {target}: {exc}") from None
    workers = sorted(client.scheduler_info()["workers"])
    address = getattr(client.scheduler, "address", target)
    if not workers:
        raise GamegenError(f"the Dask cluster at {address} has no workers")
    lanes: list[tuple[Executor, str | None]] = [
        (client.get_executor(workers=[workers[i % len(workers)]], allow_other_workers=False, pure=False), device)
        for i, device in enumerate(devices)
    ]
    slots = sum(client.nthreads().values())
    pool = Pool(client.get_executor(pure=False), slots, queued=slots)
    return BuildExecutor([pool], lanes, f"dask ({address}, {slots} threads)")


def _process_pool(workers: int, env: dict[str, str]) -> ProcessPoolExecutor:
    """``workers`` worker processes sharing the cores, started now.

    Forked where that is safe (:func:`_fork_is_safe`): they begin with the generators, numpy and numba this process
    has imported already, instead of spending the first job's time importing them again; else spawned (nothing
    inherited but what a job names).
    """
    fork = _fork_is_safe()
    context = multiprocessing.get_context("fork" if fork else "spawn")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_set_environment, initargs=(env,))
    if fork:
        pool.submit(int)  # forks every worker now, before this process starts another thread
    return pool


@contextlib.contextmanager
def open_executor(spec: Any, jobs: int = 1, devices: Sequence[str | None] = (None,)) -> Iterator[BuildExecutor]:
    """The executor ``spec`` names, shut down afterwards if this function started it.

    ``spec``: None (``local`` for one job; for more, a lane in this process beside ``jobs - 1`` worker processes),
    ``"local"`` (this process), ``"processes"`` (a pool of ``jobs`` processes), ``"dask"`` (a LocalCluster of ``jobs``
    workers), a Dask scheduler address, a ``distributed.Client``, or any ``concurrent.futures.Executor``.
    """
    if jobs < 1:
        raise GamegenError(f"jobs={jobs}: must be at least 1")
    with contextlib.ExitStack() as stack:
        if isinstance(spec, Executor):
            yield BuildExecutor([Pool(spec, None)], [(spec, d) for d in devices], type(spec).__name__)
        elif spec == "local" or (spec is None and jobs == 1):
            if jobs != 1:
                raise GamegenError(
                    f"executor 'local' runs one asset at a time; use 'processes' or 'dask' for jobs={jobs}"
                )
            local = SequentialExecutor()
            yield BuildExecutor([Pool(local, 1)], [(local, d) for d in devices], "local (this process)")
        elif spec is None or spec == "processes":
            here = 0 if spec == "processes" else 1  # the default keeps one lane in this process
            pools: list[Pool] = []
            if here:
                threads = max(1, usable_cores() // jobs)
                thread = ThreadPoolExecutor(1, "gamegen-build", initializer=_share_cores, initargs=(threads,))
                pools.append(Pool(stack.enter_context(thread), 1))
            workers = jobs - here
            pool = stack.enter_context(_process_pool(workers, worker_environment(jobs)))
            pools.append(Pool(pool, workers, queued=workers))
            lanes: list[tuple[Executor, str | None]] = [
                (stack.enter_context(ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))), d)
                for d in devices
            ]
            plural = "es" if workers > 1 else ""
            where = f"this process and {workers} worker process{plural}" if here else f"processes ({jobs} workers)"
            yield BuildExecutor(pools, lanes, where)
        elif hasattr(spec, "get_executor") or spec == "dask" or (isinstance(spec, str) and ":" in spec):
            yield _dask_executor(spec, jobs, devices, stack)
        else:
            raise GamegenError(
                f"unknown executor {spec!r} (use local, processes, dask, a Dask scheduler address like "
                "tcp://host:8786, or a concurrent.futures.Executor)"
            )
