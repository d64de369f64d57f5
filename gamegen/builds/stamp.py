"""Builds with nothing to do: recognised from a stamp of the last build, without loading any generator.

After a build of a recipe file writes its bundle, a *stamp* in the cache folder (``stamps/``) records what the bundle
was made from and what it holds: the recipe's bytes and the build's options; gamegen's and every plugin's code
(:func:`gamegen.catalog.code_fingerprint`: versions, and the size and time of each source file) and the version of
each generator used; the size, times and inode of every file the generators read, and where every parameter value
that could name a file pointed; the same of every file and folder of the bundle and of the cache entries it was made
from. The next build of the same recipe into the same folder compares all of that (file metadata only: no hashing,
no generator, numpy or pydantic) and, when nothing differs, reports every asset cached in a fraction of a second.
Anything that differs (a byte of the recipe, an input, a generator's source or version, a file of the bundle or of a
cache entry touched, added or removed) falls back to the full build, which checks each asset against the cache; so
does ``force``. Recipes given as data, builds that train or read models or use generators registered in code, and
builds where a plugin failed to load are never stamped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import write_file_atomic
from ..catalog import code_fingerprint
from ..output import claim_output
from .report import AssetResult, BuildReport

if TYPE_CHECKING:
    from ..context import ProgressCallback
    from .recipe import BuildJob

__all__ = ["FORMAT", "BuildRequest", "observe", "record", "replay"]

FORMAT = "gamegen.build-stamp/1"
_MAX_RECIPE_BYTES = 16 << 20  # as load_recipe: a larger one is refused by the full build, with its reason

Row = list[Any]


def _row(path: str) -> Row:
    """What ``path`` is now (links followed): mode, size, modification and change times, inode, device; or nothing."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return [path]
    return [path, st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def _tree(root: str) -> list[Row]:
    """Rows of ``root`` and of everything under it (linked folders not entered), in a fixed order."""
    rows = [_row(root)]
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        rows += [_row(os.path.join(folder, name)) for name in sorted(dirs + files)]
    return rows


def _target(path: str) -> str | None:
    """Where ``path`` leads (links resolved), or None when nothing is there."""
    return os.path.realpath(path) if os.path.lexists(path) else None


def _named_path(value: str, base: Path) -> str | None:
    """The path a parameter value would name, relative to the recipe's folder (as recipe inputs are resolved)."""
    if not value or len(value) > 4096 or "\n" in value or "\x00" in value:
        return None
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else base / path)


@dataclass(frozen=True)
class BuildRequest:
    """A build of a recipe file into a bundle folder, with the options that shape the bundle."""

    recipe: Path  # the recipe file as given (a folder's gamegen.toml)
    out: Path  # the bundle folder, resolved
    cache: Path  # the build cache folder
    only: tuple[str, ...] | None
    compression: str | None
    allow_outside_inputs: bool

    @property
    def stamp_file(self) -> Path:
        return self.cache / "stamps" / f"{hashlib.sha256(str(self.out).encode()).hexdigest()[:32]}.json"

    def fingerprint(self) -> dict[str, Any] | None:
        """Everything besides files that the bundle depends on; None when the recipe is not a readable plain file
        (the full build says why)."""
        try:
            st = os.stat(self.recipe)
            if not stat.S_ISREG(st.st_mode) or st.st_size > _MAX_RECIPE_BYTES:
                return None
            text = self.recipe.read_bytes()
        except OSError:
            return None
        return {
            "format": FORMAT,
            "recipe": os.path.realpath(self.recipe),
            "recipe_sha256": hashlib.sha256(text).hexdigest(),
            "out": str(self.out),
            "only": sorted(set(self.only)) if self.only is not None else None,
            "compression": self.compression,
            "allow_outside_inputs": self.allow_outside_inputs,
            "home": os.path.expanduser("~"),
            "code": code_fingerprint(),
        }


def observe(jobs: Sequence[BuildJob], reads: Iterable[str], base: Path) -> dict[str, Any] | None:
    """What a build reads, taken before its jobs run: the files ``reads`` (every job's input files), where each
    string parameter value could point from the recipe's folder ``base``, and the generators' versions; None when a
    generator was registered in code (its source is not among the files the code fingerprint covers) or a plugin
    failed to load (its warning must show each time, as ``gamegen list`` shows it)."""
    from ..registry import registry

    if registry.broken:
        return None
    generators: dict[str, list[str]] = {}
    names: dict[str, str | None] = {}
    for job in jobs:
        gen = job.generator
        if registry.origin(gen.name) == "code":
            return None
        generators[gen.name] = [gen.version, gen.__module__, gen.__qualname__]
        for name in job.params.model_fields_set:
            value = getattr(job.params, name)
            path = _named_path(value, base) if isinstance(value, str) else None
            if path is not None:
                names[path] = _target(path)
    return {
        "files": [row for path in sorted(set(reads)) for row in _tree(path)],
        "names": sorted([path, target] for path, target in names.items()),
        "generators": sorted([name, *about] for name, about in generators.items()),
    }


def record(
    request: BuildRequest,
    fingerprint: dict[str, Any],
    observed: dict[str, Any],
    report: BuildReport,
    entries: Iterable[Path],
) -> None:
    """Stamp the bundle a build has just written (under the output's lock) from the cache ``entries``; a stamp that
    cannot be written is none."""
    roots = [str(request.out), *sorted({str(e) for e in entries})]
    stamp = {
        "request": fingerprint,
        **observed,
        "bundle": report.bundle,
        "profile": report.profile,
        "assets": [[a.id, a.asset, a.generator, a.key] for a in report.assets],
        "trees": [[root, _tree(root)] for root in roots],
    }
    with contextlib.suppress(OSError):
        write_file_atomic(request.stamp_file, json.dumps(stamp).encode())


def _same_generator(name: str, version: str, module: str, qualname: str) -> bool:
    """The generator is unchanged in this process: not imported yet (its files are in the code fingerprint), or its
    class still has the name and version stamped (a class patched or replaced in memory differs)."""
    loaded: Any = sys.modules.get(module)
    if loaded is None:
        return True
    for part in qualname.split("."):
        loaded = getattr(loaded, part, None)
    return getattr(loaded, "name", None) == name and getattr(loaded, "version", None) == version


def _unchanged(stamp: dict[str, Any], out: Path) -> bool:
    """Every input, name, generator, bundle file and cache entry is as the stamp recorded (the bundle first)."""
    trees: list[list[Any]] = stamp["trees"]
    return (
        trees[0][0] == str(out)
        and all(_tree(root) == rows for root, rows in trees)
        and all(_row(row[0]) == row for row in stamp["files"])
        and all(_target(path) == target for path, target in stamp["names"])
        and all(_same_generator(*about) for about in stamp["generators"])
    )


def _read(path: Path) -> dict[str, Any] | None:
    """The stamp in ``path`` if there is a well-formed one (it lives in a cache, which may come from elsewhere)."""
    try:
        stamp = json.loads(path.read_bytes())
        assets = [
            AssetResult(str(i), str(a), str(g), "cached", 0.0, k if isinstance(k, str) else None)
            for i, a, g, k in stamp["assets"]
        ]
        if not all(isinstance(stamp[key], list) for key in ("files", "names", "generators", "trees")):
            return None
        return {**stamp, "assets": assets}
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        return None


def replay(
    request: BuildRequest, fingerprint: dict[str, Any], lock_timeout: float | None, say: ProgressCallback
) -> BuildReport | None:
    """The report of a build with nothing to do (every asset cached, the bundle as stamped), or None: build in full.

    The check runs under the output's lock, so a build writing the same folder at the same time is waited for.
    """
    stamp = _read(request.stamp_file)
    if stamp is None or stamp.get("request") != fingerprint:
        return None
    total = len(stamp["assets"])
    with claim_output(request.out, lock_timeout, on_wait=lambda message: say(0, total, message)):
        try:
            if not _unchanged(stamp, request.out):
                return None
        except (TypeError, ValueError, IndexError):  # a damaged stamp is no stamp
            return None
        say(total, total, f"{total} cached, 0 to build")
    report = BuildReport(str(stamp["bundle"]), str(request.recipe), request.out, str(stamp["profile"]))
    report.assets = stamp["assets"]
    return report
