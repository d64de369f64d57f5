"""One writer per output folder at a time: an advisory lock on a file beside the output.

The kernel drops an ``flock`` when its holder dies, even by SIGKILL, so a crashed run never leaves a stale lock.
The lock file is opened without following links and must be a plain file of its own, so a link planted in its
place (``ln -s victim .out.gamegen-lock``) is refused instead of truncating the file it points to.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import GamegenError, OutputFolderError

__all__ = ["BuildLockedError", "lock_path", "output_lock"]


class BuildLockedError(GamegenError):
    """Another gamegen run holds the output folder's lock and did not release it in time."""


def lock_path(out: Path) -> Path:
    """The lock file of output folder ``out``: ``.NAME.gamegen-lock`` beside it."""
    return out.with_name(f".{out.name}.gamegen-lock")


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        pid = int(os.pread(fd, 32, 0).decode().strip())
        return f" (pid {pid})"
    return ""


def _open_lock_file(path: Path) -> int:
    """Open (creating) the lock file; refuse a link, a hard-linked file or anything but a plain file."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputFolderError(
                f"the lock file {path} is a symbolic link; gamegen does not follow it (remove the link)"
            ) from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
        os.close(fd)
        raise OutputFolderError(f"the lock file {path} is not a plain file of its own; remove it and run again")
    return fd


@contextlib.contextmanager
def output_lock(
    out: Path, timeout: float | None = 600.0, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the lock of ``out`` for the block; wait up to ``timeout`` seconds (None: forever) for another run."""
    import fcntl  # POSIX only; imported here so that ``import gamegen`` works everywhere

    out = Path(out).absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = _open_lock_file(lock_path(out))
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
                        f"another gamegen run{holder} is writing {out}; gave up after {timeout:g} s "
                        "(wait for it, or raise the lock timeout)"
                    ) from None
                if not waiting and on_wait is not None:
                    on_wait(f"waiting for another gamegen run{holder} writing {out}")
                waiting = True
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
