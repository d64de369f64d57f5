"""Test helper: every numpy array an asset holds (maps, mesh buffers, material textures), for memory checks."""

from __future__ import annotations

import dataclasses

import numpy as np


def arrays(obj: object) -> list[np.ndarray]:
    """Every array ``obj`` holds: itself, its items, or its dataclass fields, recursively."""
    if isinstance(obj, np.ndarray):
        return [obj]
    if isinstance(obj, list | tuple):
        return [a for item in obj for a in arrays(item)]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [a for f in dataclasses.fields(obj) for a in arrays(getattr(obj, f.name))]
    return []
