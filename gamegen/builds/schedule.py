"""How a build's jobs run: each planned against the cache, then fed to an executor longest first.

A job that reads a model is *neural* and runs on a device lane (one job at a time per device); every other job goes
to the executor's pool. Jobs start longest first, by each asset's last recorded duration (else its generator's
estimate), so that no long asset starts last while the other workers sit idle.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import BuildCache, hub_refs, hub_snapshot
from .executors import BuildExecutor, JobResult, run_job
from .recipe import BuildJob
from .report import AssetResult, Status

__all__ = ["Planned", "plan", "run"]

HOLD_SECONDS = 0.1
"""A job expected to take at most this long may always be held ready at a busy pool: the round trip from a finished
worker to this process and back would be a large share of its time. A longer one is held only while the jobs queued
behind it could keep every lane busy for as long as it might wait (:func:`run`)."""


@dataclass(frozen=True)
class Planned:
    """A job with its cache key, whether it reads a model, the seconds it is expected to take and the files it reads."""

    job: BuildJob
    key: str | None  # None: not knowable before the job runs (a hub model not downloaded yet)
    neural: bool
    expected: float = 1.0  # seconds: the asset's last build, else the generator's estimate
    reads: tuple[str, ...] = ()  # the input files and model folders behind the key

    def result(
        self, status: Status, seconds: float = 0.0, error: str | None = None, started: float | None = None
    ) -> AssetResult:
        job = self.job
        return AssetResult(job.asset_id, job.asset, job.generator.name, status, seconds, self.key, error, started)


def plan(job: BuildJob, cache: BuildCache, profile: str) -> Planned:
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
    neural = bool(hubs) or any(p.is_dir() for p in inputs)
    return Planned(job, key, neural, expected, tuple(str(p) for p in inputs))


def _submit(executor: Executor, *args: Any) -> Future[JobResult]:
    """``executor.submit(run_job, *args)``; an executor that refuses (e.g. a broken pool) gives a failed future."""
    try:
        return executor.submit(run_job, *args)
    except Exception as exc:
        future: Future[JobResult] = Future()
        future.set_exception(exc)
        return future


def _outcome(future: Future[JobResult], planned: Planned) -> JobResult:
    try:
        return future.result()
    except Exception as exc:  # the worker itself died or the job could not be sent to it
        return JobResult(planned.job.asset_id, None, f"{type(exc).__name__}: {exc}", 0.0)


def run(
    todo: list[Planned],
    ex: BuildExecutor,
    profile: str,
    keep_going: bool,
    on_result: Callable[[Planned, JobResult], None],
    on_start: Callable[[list[Planned]], None],
) -> list[Planned]:
    """Feed ``todo`` to ``ex`` (ordinary jobs to the first pool with a free slot, one job per device lane) and
    return the jobs that never started.

    ``on_start`` hears of each batch of jobs as they start (an empty batch when none could), before they are submitted
    where that is possible, so progress names the running assets even on an executor that runs a job inside
    ``submit``. A pool that takes ``queued`` jobs beyond its slots holds them ready, so that a worker that finishes
    starts the next job at once instead of waiting for this process to hear of it; they count as started when a slot
    frees. A held job waits behind a running one: it is held only if short (:data:`HOLD_SECONDS`) or if the work
    queued behind it is at least its own expected time for every slot, so that no lane runs dry while it waits.
    After a failure nothing new starts unless ``keep_going``; jobs already running finish and are kept.

    Longest job first (each job's ``expected`` seconds): a long asset that starts last would leave the other
    workers idle at the end. Neural jobs go to the device lane with the least expected work so far.
    """
    longest_first = sorted(todo, key=lambda p: -p.expected)  # stable: equal estimates keep recipe order
    queue = deque(p for p in longest_first if not p.neural)
    queued_work = sum(p.expected for p in queue)  # expected seconds still in ``queue``
    slots = sum(pool.slots or 1 for pool in ex.pools)
    lanes: list[deque[Planned]] = [deque() for _ in ex.lanes]
    load = [0.0] * len(lanes)
    for planned in (p for p in longest_first if p.neural):
        lane = load.index(min(load))
        lanes[lane].append(planned)
        load[lane] += planned.expected
    in_flight: dict[Future[JobResult], tuple[Planned, int | None, int | None]] = {}  # planned, lane, pool
    waiting: list[deque[Future[JobResult]]] = [deque() for _ in ex.pools]  # held at each pool beyond its slots
    stopped = False

    def take() -> Planned:
        nonlocal queued_work
        planned = queue.popleft()
        queued_work -= planned.expected
        return planned

    def may_hold() -> bool:
        head = queue[0].expected
        return head <= HOLD_SECONDS or queued_work - head >= slots * head

    def feed() -> None:
        busy = {lane for _, lane, _ in in_flight.values()}
        batch: list[tuple[Planned, Executor, str | None, int | None, int | None]] = [
            (lanes[lane].popleft(), lane_ex, device, lane, None)
            for lane, (lane_ex, device) in enumerate(ex.lanes)
            if lane not in busy and lanes[lane]
        ]
        held: list[Planned] = []  # queued at a pool earlier, starting now
        for index, pool in enumerate(ex.pools):
            running = sum(p == index for _, _, p in in_flight.values()) - len(waiting[index])
            while waiting[index] and (pool.slots is None or running < pool.slots):
                held.append(in_flight[waiting[index].popleft()][0])
                running += 1
            while queue and (pool.slots is None or running < pool.slots):
                batch.append((take(), pool.executor, None, None, index))
                running += 1
        on_start(held + [planned for planned, *_ in batch])
        for planned, executor, device, lane, where in batch:
            in_flight[_submit(executor, planned.job, profile, device)] = (planned, lane, where)
        for index, pool in enumerate(ex.pools):
            while queue and len(waiting[index]) < pool.queued and may_hold():
                planned = take()
                future = _submit(pool.executor, planned.job, profile, None)
                in_flight[future] = (planned, None, index)
                waiting[index].append(future)

    feed()
    while in_flight:
        done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
        early = [f for held in waiting for f in held if f in done]  # ran before a slot was seen to free: started
        for held in waiting:
            for future in [f for f in held if f in done]:
                held.remove(future)
        if early:
            on_start([in_flight[f][0] for f in early])
        for future in [f for f in in_flight if f in done]:  # in the order they started: messages never shuffle
            planned, _lane, _pool = in_flight.pop(future)
            result = _outcome(future, planned)
            on_result(planned, result)
            stopped = stopped or (result.error is not None and not keep_going)
        if stopped:
            begun = []  # held at a pool: cancelled if it has not begun, else it runs on and is kept
            for future in [f for held in waiting for f in held]:
                if future.cancel():
                    queue.append(in_flight.pop(future)[0])
                else:
                    begun.append(in_flight[future][0])
            for held in waiting:
                held.clear()
            on_start(begun)
        else:
            feed()
    return list(queue) + [p for lane in lanes for p in lane]
