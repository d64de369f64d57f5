"""Where build jobs run: in this process, in a local process pool, on Dask, or on any concurrent.futures Executor.

Every executor gets the same picklable job function, so the bytes produced never depend on where they ran.
Neural jobs go to *device lanes*: one worker per device running one job at a time, so two diffusion jobs never
fight over one GPU and each lane keeps its loaded model between jobs. Pool and LocalCluster workers share the
cores: each gets ``cores // workers`` numba/BLAS/OpenMP threads.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from ..api import run_generator
from ..bundle import ExportedAsset, export_run
from ..errors import GamegenError
from ..machine import usable_cores
from .recipe import BuildJob

__all__ = [
    "THREAD_VARIABLES",
    "BuildExecutor",
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
    """Process-pool initializer: runs in each new worker before any job imports numba or numpy's BLAS."""
    os.environ.update(env)


@dataclass
class JobResult:
    """What a worker sends back: the exported asset, or a one-line reason it failed."""

    asset_id: str
    exported: ExportedAsset | None
    error: str | None
    seconds: float


def run_job(job: BuildJob, profile: str, device: str | None = None) -> JobResult:
    """Run one job and export it (in whichever process the executor chose); never raises.

    A fresh worker imports only the job's generator module and, as its assets are exported, the exporters they name.
    """
    start = time.perf_counter()
    try:
        run = run_generator(
            job.generator,
            job.run_params().model_dump(),
            seed=job.seed,
            profile=profile,
            device=device,
            input_root=job.input_root,
        )
        exported = export_run(  # the manifest keeps names as written
            replace(run, params=job.params), job.asset_id, compression=job.compression
        )
    except Exception as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        if not isinstance(exc, GamegenError):
            reason = f"{type(exc).__name__}: {reason}"
        return JobResult(job.asset_id, None, reason, time.perf_counter() - start)
    return JobResult(job.asset_id, exported, None, time.perf_counter() - start)


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
class BuildExecutor:
    """A pool for ordinary jobs, at most ``slots`` in flight (None: no limit), and one lane per device."""

    pool: Executor
    slots: int | None
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
    return BuildExecutor(
        client.get_executor(pure=False), slots, lanes, f"dask ({address}, {slots} threads)"
    )


@contextlib.contextmanager
def open_executor(spec: Any, jobs: int = 1, devices: Sequence[str | None] = (None,)) -> Iterator[BuildExecutor]:
    """The executor ``spec`` names, shut down afterwards if this function started it.

    ``spec``: None (``local`` for one job, else ``processes``), ``"local"`` (this process), ``"processes"`` (a pool
    of ``jobs`` processes), ``"dask"`` (a LocalCluster of ``jobs`` workers), a Dask scheduler address, a
    ``distributed.Client``, or any ``concurrent.futures.Executor``.
    """
    if jobs < 1:
        raise GamegenError(f"jobs={jobs}: must be at least 1")
    spec = spec if spec is not None else ("local" if jobs == 1 else "processes")
    with contextlib.ExitStack() as stack:
        if isinstance(spec, Executor):
            yield BuildExecutor(spec, None, [(spec, d) for d in devices], type(spec).__name__)
        elif spec == "local":
            if jobs != 1:
                raise GamegenError(
                    f"executor 'local' runs one asset at a time; use 'processes' or 'dask' for jobs={jobs}"
                )
            local = SequentialExecutor()
            yield BuildExecutor(local, 1, [(local, d) for d in devices], "local (this process)")
        elif spec == "processes":
            spawn = multiprocessing.get_context("spawn")
            pool = stack.enter_context(
                ProcessPoolExecutor(
                    jobs, mp_context=spawn, initializer=_set_environment, initargs=(worker_environment(jobs),)
                )
            )
            lanes: list[tuple[Executor, str | None]] = [
                (stack.enter_context(ProcessPoolExecutor(1, mp_context=spawn)), d) for d in devices
            ]
            yield BuildExecutor(pool, jobs, lanes, f"processes ({jobs} workers)")
        elif hasattr(spec, "get_executor") or spec == "dask" or (isinstance(spec, str) and ":" in spec):
            yield _dask_executor(spec, jobs, devices, stack)
        else:
            raise GamegenError(
                f"unknown executor {spec!r} (use local, processes, dask, a Dask scheduler address like "
                "tcp://host:8786, or a concurrent.futures.Executor)"
            )
