"""The assets of one map or world tile, made from its terrain fields: height, normals, masks, splat, mesh."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..assets import Asset, DataAsset, ImageAsset, NormalMapAsset
from . import masks
from .assets import HeightmapAsset
from .mesh import terrain_mesh
from .params import TerrainParams
from .terrain import Terrain, TerrainFields

__all__ = ["map_assets", "legend_asset"]

FLOW_HALF = 100.0
"""Water flux (droplet visits per droplet rained per pixel) that maps to the middle of the flow mask."""
EROSION_HALF = 0.005
"""Wear or deposition, as a fraction of the height range, that maps to the middle of those masks."""


def map_assets(terrain: Terrain, fields: TerrainFields, x0: int, y0: int, suffix: str = "",
               **meta: Any) -> list[Asset]:
    """Assets of the square map whose fields were computed with a 1-pixel margin around global pixel ``(x0, y0)``.

    ``suffix`` is appended to every asset name (``height_x0_y1``); ``meta`` goes into each asset's manifest entry.
    """
    p: TerrainParams = terrain.params
    size = fields.height.shape[0] - 2
    inner = (slice(1, -1), slice(1, -1))
    height = fields.height[inner]
    gx, gy = masks.gradients(fields.height, p.metres_per_pixel)
    slope = masks.slope_degrees(gx, gy)
    rained = max(p.erosion_iterations * p.rain, 1e-9)
    flow = masks.ratio_mask(fields.flow[inner] / np.float32(rained), FLOW_HALF)
    moisture = np.clip(terrain.moisture(x0, y0, size, size) + flow / np.float32(510), 0, 1)
    splat = masks.splat_weights(height / np.float32(p.height_range_m), slope, moisture, p.sea_level)
    albedo = masks.albedo(splat)
    shade = masks.hillshade(gx, gy)[..., None] * np.float32(0.75) + np.float32(0.25)
    erosion_half = EROSION_HALF * p.height_range_m
    scale = {"metres_per_pixel": p.metres_per_pixel, "height_range_m": p.height_range_m, **meta}
    return [
        HeightmapAsset(f"height{suffix}", HeightmapAsset.encode(height, p.height_range_m), p.metres_per_pixel,
                       p.height_range_m, meta={**meta, "sea_level_m": p.sea_level * p.height_range_m}),
        NormalMapAsset(f"normal{suffix}", masks.normal_map(gx, gy), meta=dict(meta)),
        ImageAsset(f"slope{suffix}", masks.to_u8(slope, 90.0), meta={**meta, "encoding": "degrees = value / 255 * 90"}),
        ImageAsset(f"flow{suffix}", flow, meta={**meta, "encoding": f"flux / (flux + {FLOW_HALF}) * 255"}),
        ImageAsset(f"wear{suffix}", masks.ratio_mask(fields.wear[inner], erosion_half),
                   meta={**meta, "encoding": f"metres removed m: m / (m + {erosion_half:g}) * 255"}),
        ImageAsset(f"deposition{suffix}", masks.ratio_mask(fields.deposit[inner], erosion_half),
                   meta={**meta, "encoding": f"metres laid down m: m / (m + {erosion_half:g}) * 255"}),
        ImageAsset(f"splat{suffix}", splat, meta={**meta, "legend": "splat_legend.json"}),
        ImageAsset(f"preview{suffix}", np.round(albedo * shade).astype(np.uint8), meta={**meta, "preview": True}),
        terrain_mesh(f"terrain{suffix}", height, gx, gy, p.metres_per_pixel, p.mesh_resolution, albedo, scale),
    ]


def legend_asset(params: TerrainParams) -> DataAsset:
    """``splat_legend.json``: what each splat channel holds (one per map or world)."""
    return DataAsset("splat_legend", masks.splat_legend(params.sea_level, params.height_range_m))
