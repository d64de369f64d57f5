"""Landscape generators (built-ins register through the same entry points as plugins)."""

from __future__ import annotations

from ..registry import Registry


def register(registry: Registry) -> None:
    """Register this family's generators (numba loads only when terrain is made)."""
    from .heightmap import Heightmap
    from .world import LandscapeWorld

    registry.register(Heightmap)
    registry.register(LandscapeWorld)
