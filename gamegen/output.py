"""Where a bundle may go: the rules that keep a user's own folders safe from a bundle swap.

A bundle replaces its folder whole, so gamegen only ever replaces a folder that is missing, empty, or a gamegen
bundle (its ``manifest.json`` has gamegen's ``format``). Everything else — a project folder, the home folder,
``/``, the current folder, an unset ``$OUT`` (``''``) — is refused with :class:`OutputFolderError` (exit 2)
before anything is written. A symbolic link is followed: the folder it points to is checked and replaced, the
link stays. :func:`claim_output` applies the rules under the folder's lock, so they hold at the moment of writing.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import OutputFolderError
from .lock import output_lock

__all__ = [
    "BUNDLE_FORMAT", "DATASET_FORMAT", "DATASET_MARKER", "MODEL_CARD", "MODEL_FORMAT", "VARIATIONS_FORMAT",
    "claim_output", "is_bundle", "resolve_output",
]  # fmt: skip

BUNDLE_FORMAT = "gamegen.bundle/1"
VARIATIONS_FORMAT = "gamegen.variations/1"
MODEL_FORMAT = "gamegen.model/1"
MODEL_CARD = "gamegen-model.json"
DATASET_FORMAT = "gamegen.dataset/1"
DATASET_MARKER = "gamegen-dataset.json"
_FORMATS = {
    "manifest.json": (BUNDLE_FORMAT, VARIATIONS_FORMAT),
    MODEL_CARD: (MODEL_FORMAT,),
    DATASET_MARKER: (DATASET_FORMAT,),
}
_MANIFEST_MAX_BYTES = 256 << 20
_HOW = "choose a new or empty folder, or remove this one yourself"


def _gamegen_manifest(folder: Path) -> bool:
    """True when ``folder`` holds gamegen's description of itself: a ``manifest.json`` (bundle, variations), a
    ``gamegen-model.json`` (trained model) or a ``gamegen-dataset.json`` (dataset written by gamegen), as a plain
    file whose JSON ``format`` is one of gamegen's."""
    return any(_has_format(folder / name, formats) for name, formats in _FORMATS.items())


def _has_format(manifest: Path, formats: tuple[str, ...]) -> bool:
    try:
        if manifest.is_symlink() or not manifest.is_file() or manifest.stat().st_size > _MANIFEST_MAX_BYTES:
            return False
        doc = json.loads(manifest.read_bytes())
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(doc, dict) and doc.get("format") in formats


def _legacy_variations(folder: Path) -> bool:
    """A ``--variations`` folder written by gamegen 0.2 (no top-level manifest): ``seed-N`` bundles and a sheet."""
    children = list(folder.iterdir())
    seeds = [c for c in children if re.fullmatch(r"seed-\d+", c.name) and c.is_dir() and not c.is_symlink()]
    sheets = [c for c in children if c.name in ("contact_sheet.png", "contact_sheet.md") and c.is_file()]
    return bool(seeds) and len(seeds) + len(sheets) == len(children) and all(map(_gamegen_manifest, seeds))


def is_bundle(folder: Path) -> bool:
    """True when ``folder`` is a gamegen bundle (variations, a trained model, a dataset it wrote) gamegen may replace."""
    return folder.is_dir() and (_gamegen_manifest(folder) or _legacy_variations(folder))


def resolve_output(out: str | Path) -> Path:
    """The absolute, link-free path a bundle for ``out`` goes to; raises OutputFolderError where none may go.

    Checks the path alone (root, home, current folder and its parents, dangling links); what the folder holds is
    checked by :func:`claim_output` under the lock.
    """
    if not str(out).strip():
        raise OutputFolderError("the output folder is '' (an unset variable?); name the folder to write, e.g. -o build")
    given = Path(os.path.abspath(Path(out).expanduser()))
    real = Path(os.path.realpath(given))
    if os.path.lexists(given) and not real.exists():
        raise OutputFolderError(f"{given} is a symbolic link to {real}, which does not exist; {_HOW}")
    if real.parent == real:
        raise OutputFolderError(f"refusing to write a bundle over the file-system root {real}; {_HOW}")
    if real == Path(os.path.realpath(Path.home())):
        raise OutputFolderError(f"refusing to write a bundle over the home folder {real}; {_HOW}")
    cwd = Path(os.path.realpath(Path.cwd()))
    if real in cwd.parents:
        raise OutputFolderError(f"refusing to replace {real}: it contains the current folder; {_HOW}")
    if real == cwd and not is_bundle(real):
        raise OutputFolderError(f"refusing to replace the current folder {real}: it is not a gamegen bundle; {_HOW}")
    return real


def _check_replaceable(folder: Path) -> None:
    """Raise OutputFolderError unless ``folder`` is missing, an empty folder or a gamegen bundle."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise OutputFolderError(f"{folder} exists and is not a folder; {_HOW}")
    if any(folder.iterdir()) and not is_bundle(folder):
        raise OutputFolderError(
            f"refusing to replace {folder}: it is not empty and not a gamegen bundle (no manifest.json of "
            f"format {BUNDLE_FORMAT!r}); {_HOW}"
        )


def _remove_dead_temporaries(folder: Path) -> None:
    """Delete half-written bundles that killed runs left beside ``folder`` (no live run owns them: we hold its lock)."""
    for tmp in folder.parent.glob(f".{glob.escape(folder.name)}.gamegen-tmp-*"):
        if tmp.is_symlink():
            tmp.unlink()
        else:
            shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def claim_output(
    out: str | Path, lock_timeout: float | None = 600.0, on_wait: Callable[[str], None] | None = None
) -> Iterator[Path]:
    """Lock the bundle folder for ``out`` and yield its real path, once the rules above allow replacing it.

    Inside the block the caller builds the new bundle (``atomic_directory``); leftovers of killed runs are gone.
    """
    folder = resolve_output(out)
    _check_replaceable(folder)  # refuse before the lock file is made: a refused folder gets nothing beside it
    with output_lock(folder, lock_timeout, on_wait):
        _check_replaceable(folder)  # again, now that no other run can change it
        _remove_dead_temporaries(folder)
        yield folder
