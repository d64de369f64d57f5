"""One build per output folder at a time: an advisory lock on a file beside the output.

The kernel drops an ``flock`` when its holder dies, even by SIGKILL, so a crashed build never leaves a stale lock.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import GamegenError

__all__ = ["BuildLockedError", "output_lock"]


class BuildLockedError(GamegenError):
    """Another build holds the output folder's lock and did not release it in time."""


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        pid = int(os.pread(fd, 32, 0).decode().strip())
        return f" (pid {pid})"
    return ""


@contextlib.contextmanager
def output_lock(
    out: Path, timeout: float | None = 600.0, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the lock of ``out`` for the block; wait up to ``timeout`` seconds (None: forever) for another build."""
    import fcntl  # POSIX only; imported here so that ``import gamegen`` works everywhere

    out = Path(out).absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out.with_name(f".{out.name}.gamegen-lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        waiting = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(fd)
                if deadline is not None and time.monotonic() >= deadline:
                    raise BuildLockedError(
                        f"another gamegen build{holder} is writing {out}; gave up after {timeout:g} s "
                        "(wait for it, or raise the lock timeout)"
                    ) from None
                if not waiting and on_wait is not None:
                    on_wait(f"waiting for another gamegen build{holder} writing {out}")
                waiting = True
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
