"""Progress display for long CLI work: a live bar on a terminal, plain lines otherwise, nothing when quiet."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import click

__all__ = ["progress_printer"]


def progress_printer(label: str, quiet: bool = False, line_interval: float = 2.0) -> Callable[[int, int, str], None]:
    """A ``(done, total, message)`` callback that draws to stderr, throttled to a few updates a second.

    Off a terminal it prints plain lines at most every ``line_interval`` seconds. The ETA counts from the
    first report, so work already done when it starts (e.g. cache hits) does not skew it.
    """
    if quiet:
        return lambda done, total, message="": None
    tty = sys.stderr.isatty()
    first: list[tuple[float, int]] = []
    last = [0.0]

    def report(done: int, total: int, message: str = "") -> None:
        now = time.monotonic()
        finished = total > 0 and done >= total
        if not finished and now - last[0] < (0.1 if tty else line_interval):
            return
        last[0] = now
        pct = f"{100 * done / total:5.1f}%" if total else ""
        if not first:
            first.append((now, done))
        start, done0 = first[0]
        eta = ""
        if total and done0 < done < total:
            eta = f" ETA {(now - start) * (total - done) / (done - done0):.0f}s"
        counts = f"{done}/{total} {pct}{eta} " if total else ""  # total 0: a message with no count (a model load)
        line = f"{label}: {counts}{message}".rstrip()
        if tty:
            click.echo("\r\x1b[2K" + line, err=True, nl=finished)
        else:
            click.echo(line, err=True)

    return report
