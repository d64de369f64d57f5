"""What this process may use of the machine: the cores it may run on, and its share of them in a build's worker."""

from __future__ import annotations

import os

__all__ = ["thread_budget", "usable_cores"]


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def thread_budget() -> int:
    """Threads this process should keep busy: ``NUMBA_NUM_THREADS`` where set (a build gives each worker process its
    share of the cores that way), else every usable core."""
    value = os.environ.get("NUMBA_NUM_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else usable_cores()
