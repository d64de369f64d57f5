"""``texture.material``: seamless procedural PBR materials, the offline default texture generator."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import field_validator

from ..assets import Asset
from ..context import Context
from ..generator import Generator
from ..params import Field
from .materials import build_surface, parse_palette
from .pbr import PbrParams, SetAssets, from_surface

__all__ = ["MaterialParams", "TextureMaterial"]

FamilyName = Literal[
    "stone", "brick", "wood", "grass", "sand", "dirt", "mud", "metal", "rust", "lava", "water", "ice", "noise"
]


class MaterialParams(PbrParams):
    """Parameters of ``texture.material``."""

    family: FamilyName = Field("stone", description="Material family")
    size: int = Field(1024, ge=32, le=4096, description="Texture width and height in pixels (a power of two)")
    scale: float = Field(
        1.0, ge=0.25, le=8.0, description="Feature density: 2 gives twice as many stones, bricks, planks"
    )
    palette: tuple[str, ...] | None = Field(
        None, min_length=2, max_length=8, description="2-8 hex colours, darkest first, replacing the family's palette"
    )

    @field_validator("size")
    @classmethod
    def _power_of_two(cls, v: int) -> int:
        if v & (v - 1):
            raise ValueError("must be a power of two (32, 64, … 4096)")
        return v

    @field_validator("palette")
    @classmethod
    def _hex_colours(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if v is not None:
            parse_palette(v)
        return v


class TextureMaterial(Generator[MaterialParams]):
    """Seamless procedural PBR material (stone, brick, wood, grass, sand, dirt, metal, rust, lava, water, ice ...).

    Every family is periodic by construction; the set (albedo, normal, roughness, height, AO, ORM) and a glTF
    preview are checked for seams before they are returned.
    """

    name = "texture.material"
    version = "1.1.0"  # 1.1: engine profiles write the maps their materials read (Unity: metallic-smoothness, mask map)
    quick_params: ClassVar[dict[str, Any]] = {"size": 64}

    def estimated_seconds(self, params: MaterialParams) -> float:
        """About 5 µs per pixel for the whole PBR set and its preview."""
        return 0.1 + 5e-6 * params.size**2

    def generate(self, params: MaterialParams, ctx: Context) -> list[Asset]:
        ctx.progress(0, 2, f"{params.family} surface")
        surface = build_surface(params.family, ctx.rng, params.size, params.scale, params.palette)
        ctx.progress(1, 2, "PBR maps")
        maps = SetAssets(params, tiling="xy", meta={"family": params.family}, ready=ctx.ready)
        assets = maps.assets(from_surface(surface, params, done=maps.done))
        ctx.progress(2, 2, "done")
        return assets
