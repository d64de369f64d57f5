"""Texture generators (built-ins register through the same entry points as plugins)."""

from __future__ import annotations

from ..registry import Registry


def register(registry: Registry) -> None:
    """Register this family's generators."""
    from .diffusion import TextureDiffusion
    from .material import TextureMaterial

    registry.register(TextureMaterial)
    registry.register(TextureDiffusion)
