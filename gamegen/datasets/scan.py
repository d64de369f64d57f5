"""Which files of a dataset folder are looked at: hidden names never, symbolic links only when they stay inside.

Hidden names (``.git``, ``.DS_Store``, gamegen's lock and temporary files) are passed over. A link is read only
when it points at a regular file inside the dataset; links that leave it, links to folders and anything that is
not a regular file (a FIFO would block a read) are skipped with a problem. More than :data:`MAX_FILES` files is
refused before any is read.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import DatasetError
from .items import DataProblem

__all__ = ["MAX_FILES", "Scan", "scan_folder"]

MAX_FILES = 100_000


@dataclass
class Scan:
    """The regular files of a dataset: POSIX paths relative to ``root``, sorted, and what was skipped on the way."""

    root: Path
    files: list[str]
    problems: list[DataProblem] = field(default_factory=list)

    def suffixed(self, suffixes: frozenset[str]) -> list[str]:
        """The files whose suffix (case-insensitive) is one of ``suffixes``."""
        return [f for f in self.files if PurePosixPath(f).suffix.lower() in suffixes]


def scan_folder(root: Path) -> Scan:
    """The files under ``root`` a loader may read; DatasetError past :data:`MAX_FILES`."""
    real_root = Path(os.path.realpath(root))
    found = Scan(root, [])
    for path in _walk(root, found):
        rel = path.relative_to(root).as_posix()
        reason = _why_skipped(path, real_root)
        if reason:
            found.problems.append(DataProblem(rel, reason))
        else:
            found.files.append(rel)
    found.files.sort()
    return found


def _walk(root: Path, found: Scan) -> list[Path]:
    """Every non-hidden file under ``root``; links to folders are recorded as skipped, not followed."""
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        folder = Path(dirpath)
        visible = [d for d in dirnames if not d.startswith(".")]
        for name in visible:
            if (folder / name).is_symlink():
                rel = (folder / name).relative_to(root).as_posix()
                found.problems.append(DataProblem(rel, "symbolic link to a folder: not followed"))
        dirnames[:] = sorted(d for d in visible if not (folder / d).is_symlink())
        out.extend(folder / name for name in sorted(filenames) if not name.startswith("."))
        if len(out) > MAX_FILES:
            raise DatasetError(f"{root}: more than {MAX_FILES} files; split the data into smaller folders")
    return out


def _why_skipped(path: Path, real_root: Path) -> str | None:
    """Why ``path`` may not be read (a link out of the dataset, not a regular file), or None when it may."""
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        if real_root not in target.parents:
            return "symbolic link to a place outside the dataset: skipped"
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    return None if stat.S_ISREG(mode) else "not a regular file: skipped"
