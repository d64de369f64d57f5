"""Character generators (built-ins register through the same entry points as plugins)."""

from __future__ import annotations

from ..registry import Registry
from . import export  # noqa: F401  (registers the sprite-sheet exporters)


def register(registry: Registry) -> None:
    """Register this family's generators."""
    from .sprite import SpriteGenerator

    registry.register(SpriteGenerator)
