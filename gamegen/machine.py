"""What this process may use of the machine: the cores it may run on, and its share of them in a build's worker."""

from __future__ import annotations

import os
import threading

__all__ = ["share_of_cores", "thread_budget", "usable_cores"]

_this_thread = threading.local()


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def share_of_cores(threads: int) -> None:
    """Give the calling thread a budget of its own: a build's lane in its own process keeps to its share of the
    cores beside the worker processes, while the process's other threads keep theirs."""
    _this_thread.budget = max(1, threads)


def thread_budget() -> int:
    """Threads the caller should keep busy: its thread's own share (:func:`share_of_cores`), else
    ``NUMBA_NUM_THREADS`` where set (a build gives each worker process its share of the cores that way), else every
    usable core."""
    own: int | None = getattr(_this_thread, "budget", None)
    if own is not None:
        return own
    value = os.environ.get("NUMBA_NUM_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else usable_cores()
