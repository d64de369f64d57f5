"""Asset builds: a ``gamegen.toml`` recipe turned into a bundle, incrementally and on any executor.

``gamegen.build(recipe, out=...)`` checks the whole recipe, takes unchanged assets from a content-addressed
cache, runs the rest in this process, a process pool or on Dask, and swaps the new bundle in atomically.
"""

from ..lock import BuildLockedError
from .builder import AssetResult, BuildError, BuildReport, build
from .cache import BuildCache, default_cache_dir
from .executors import SequentialExecutor
from .recipe import BuildJob, Recipe, RecipeError, load_recipe, parse_recipe

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
