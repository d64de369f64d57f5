"""Progress display for long CLI work: a live bar on a terminal, plain lines otherwise, nothing when quiet."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable

import click

__all__ = ["progress_printer", "silent"]

_MERGED = 6  # how many held-back messages one line shows


def silent(done: int, total: int, message: str = "") -> None:
    """A progress callback that says nothing."""


def progress_printer(label: str, quiet: bool = False, line_interval: float = 2.0) -> Callable[[int, int, str], None]:
    """A ``(done, total, message)`` callback that draws to stderr, throttled to a few updates a second.

    Off a terminal it prints plain lines at most every ``line_interval`` seconds. Messages that arrive between two
    prints are merged into the next line (the latest few, in order), never dropped. The ETA counts from the first
    report, so work already done when it starts (e.g. cache hits) does not skew it.
    """
    if quiet:
        return silent
    tty = sys.stderr.isatty()
    first: list[tuple[float, int]] = []
    last = [-math.inf]  # the first report always prints
    held: list[str] = []  # messages not printed yet, oldest first

    def report(done: int, total: int, message: str = "") -> None:
        now = time.monotonic()
        finished = total > 0 and done >= total
        if message and (not held or held[-1] != message):
            held.append(message)
        if not finished and now - last[0] < (0.1 if tty else line_interval):
            return
        last[0] = now
        message = "; ".join(held[-_MERGED:])
        if len(held) > _MERGED:
            message = f"… {message}"
        held.clear()
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
