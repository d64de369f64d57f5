"""Where a build keeps its cache: ``$GAMEGEN_CACHE``, else ``.gamegen-cache`` beside the recipe (light to import)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_cache_dir"]


def default_cache_dir(project: str | Path = ".") -> Path:
    """``$GAMEGEN_CACHE`` if set, else ``.gamegen-cache`` in ``project`` (the recipe's folder), which CI can keep."""
    if os.environ.get("GAMEGEN_CACHE"):
        return Path(os.environ["GAMEGEN_CACHE"]).expanduser()
    return Path(project) / ".gamegen-cache"
