"""The plugin hook for richer viewers: a plugin names a JavaScript file under the ``gamegen.gallery_viewers``
entry point, and every gallery loads it after gamegen's own viewers.

The entry point's object is the path of the ``.js`` file (a ``str`` or ``os.PathLike``), usually next to the
plugin's module: ``VIEWER = Path(__file__).with_name("viewer.js")``. The script calls
``GG.registerViewer({name, label, match(asset), render(element, asset, api)})`` (docs/writing-a-plugin.md).
A broken entry point warns, naming it, and the gallery is written without it.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

from ..registry import PluginWarning

__all__ = ["VIEWER_ENTRY_POINT_GROUP", "plugin_viewers"]

VIEWER_ENTRY_POINT_GROUP = "gamegen.gallery_viewers"
_MAX_SCRIPT_BYTES = 4 << 20


def plugin_viewers() -> dict[str, Path]:
    """Installed plugins' viewer scripts by entry-point name (a safe file name), in name order."""
    import importlib.metadata as md

    found: dict[str, Path] = {}
    for ep in sorted(md.entry_points(group=VIEWER_ENTRY_POINT_GROUP), key=lambda e: e.name):
        origin = f"gallery viewer {ep.name!r} ({ep.value})"
        try:
            obj = ep.load()
            path = Path(os.fspath(obj))
            if not re.fullmatch(r"[A-Za-z0-9_.-]+", ep.name):
                raise ValueError("the entry point's name must be letters, digits, '.', '_' or '-'")
            if path.suffix != ".js" or not path.is_file() or path.stat().st_size > _MAX_SCRIPT_BYTES:
                raise ValueError(f"{path} is not a .js file of at most {_MAX_SCRIPT_BYTES >> 20} MiB")
        except Exception as exc:  # a broken plugin must not break the gallery
            warnings.warn(f"gamegen: skipping {origin}: {type(exc).__name__}: {exc}", PluginWarning, stacklevel=2)
            continue
        found[ep.name] = path
    return found
