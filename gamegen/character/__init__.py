"""Character generators (built-ins register through the same entry points as plugins)."""

from __future__ import annotations

from ..registry import Registry
from . import export  # noqa: F401  (registers the sprite-sheet exporters)


def register(registry: Registry) -> None:
    """Register this family's generators."""
    from .diffusion import DiffusionGenerator
    from .sheet import SheetGenerator
    from .sprite import SpriteGenerator

    registry.register(SpriteGenerator)
    registry.register(SheetGenerator)
    registry.register(DiffusionGenerator)
