"""gamegen-sfx: sfxr-style procedural game sound effects (``audio.sfx``) for gamegen, written as 16-bit WAV."""

from gamegen.plugin import Registry

from .generator import Sfx, SfxParams

__all__ = ["Sfx", "SfxParams", "register"]


def register(registry: Registry) -> None:
    """Entry-point hook: add this plugin's generators to gamegen's registry."""
    registry.register(Sfx)
