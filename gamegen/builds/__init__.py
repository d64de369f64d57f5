"""Asset builds: a ``gamegen.toml`` recipe turned into a bundle, incrementally and on any executor.

``gamegen.build(recipe, out=...)`` checks the whole recipe, takes unchanged assets from a content-addressed
cache, runs the rest in this process, a process pool or on Dask, and swaps the new bundle in atomically. Names are
imported on first use, so that a build with nothing to do (:mod:`.stamp`) loads no generator.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..lock import BuildLockedError
    from .builder import build
    from .cache import BuildCache
    from .cachedir import default_cache_dir
    from .executors import SequentialExecutor
    from .problems import RecipeError
    from .recipe import BuildJob, Recipe, load_recipe, parse_recipe
    from .report import AssetResult, BuildError, BuildReport

_LAZY = {
    "build": ".builder",
    "AssetResult": ".report",
    "BuildError": ".report",
    "BuildReport": ".report",
    "BuildCache": ".cache",
    "default_cache_dir": ".cachedir",
    "SequentialExecutor": ".executors",
    "BuildLockedError": "..lock",
    "BuildJob": ".recipe",
    "Recipe": ".recipe",
    "RecipeError": ".problems",
    "load_recipe": ".recipe",
    "parse_recipe": ".recipe",
}

__all__ = [
    "build",
    "AssetResult",
    "BuildError",
    "BuildReport",
    "BuildCache",
    "default_cache_dir",
    "SequentialExecutor",
    "BuildLockedError",
    "BuildJob",
    "Recipe",
    "RecipeError",
    "load_recipe",
    "parse_recipe",
]


def __getattr__(name: str) -> Any:
    """Import an exported name's module on first use (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value
