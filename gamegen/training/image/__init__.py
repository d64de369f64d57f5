"""Built-in image trainers (need the ``ml`` extra only when they run)."""

from __future__ import annotations

from typing import Any

__all__ = ["register"]


def register(registry: Any) -> None:
    """Add this family's trainers to the trainer registry (the ``gamegen.trainers`` entry point calls this)."""
    from .lora import ImageLora

    registry.register(ImageLora)
