"""The maps of a PBR texture set as assets that know their role, so engine profiles can repack, rename or skip them.

They are ordinary :class:`~gamegen.ImageAsset` / :class:`~gamegen.NormalMapAsset` objects (the generic profile writes
them as before); :mod:`gamegen.texture.export` registers what the ``unity``, ``unreal`` and ``godot`` profiles make of
each role.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..assets import ImageAsset, NormalMapAsset

__all__ = ["ROLES", "TextureMapAsset", "TextureNormalMapAsset"]

ROLES = ("albedo", "normal", "roughness", "height", "ao", "orm")
"""The maps of a set, in the order the texture generators return them."""


@dataclass
class TextureMapAsset(ImageAsset):
    """One map of a texture set. ``role``: albedo, roughness, height, ao or orm; ``prefix``: the variation prefix
    (``v0_``) its name starts with, which engine-specific files derived from it keep."""

    exporters = {p: "gamegen.texture.export:export_map" for p in ("unity", "unreal", "godot")}

    role: str = field(kw_only=True)
    prefix: str = field(default="", kw_only=True)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.role not in ROLES or self.role == "normal":
            raise ValueError(f"TextureMapAsset {self.name!r}: unknown role {self.role!r}")


@dataclass
class TextureNormalMapAsset(NormalMapAsset):
    """The normal map of a texture set (stored OpenGL, Y+, like every NormalMapAsset)."""

    exporters = {p: "gamegen.texture.export:export_normal" for p in ("unity", "unreal", "godot")}

    prefix: str = field(default="", kw_only=True)

    @property
    def role(self) -> str:
        return "normal"
