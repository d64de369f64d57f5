"""Landscape generators (built-ins register through the same entry points as plugins)."""

from __future__ import annotations

from ..registry import Registry


def register(registry: Registry) -> None:
    """Register this family's generators and its heightmap exporters (numba loads only when terrain is made)."""
    from . import export  # noqa: F401  (registers the engine heightmap exporters)
    from .heightmap import Heightmap
    from .world import World

    registry.register(Heightmap)
    registry.register(World)
