"""Character generators (built-ins register through the same entry points as plugins)."""

from __future__ import annotations

from ..registry import Registry


def register(registry: Registry) -> None:
    """Register this family's generators."""
    from .diffusion import CharacterDiffusion
    from .humanoid import HumanoidGenerator
    from .sheet import SheetGenerator
    from .sprite import SpriteGenerator

    registry.register(SpriteGenerator)
    registry.register(HumanoidGenerator)
    registry.register(SheetGenerator)
    registry.register(CharacterDiffusion)
