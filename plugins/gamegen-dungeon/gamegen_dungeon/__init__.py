"""gamegen-dungeon: BSP dungeon layouts (``dungeon.layout``) for gamegen, exported as Tiled maps."""

from gamegen.plugin import Registry

from .generator import DungeonLayout, DungeonParams
from .tiled import MapObject, TiledMapAsset, Tileset

__all__ = ["DungeonLayout", "DungeonParams", "MapObject", "TiledMapAsset", "Tileset", "register"]


def register(registry: Registry) -> None:
    """Entry-point hook: add this plugin's generators to gamegen's registry."""
    registry.register(DungeonLayout)
