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
BAND_ROWS = 256
"""Rows of the map whose layers are computed together."""
_LAYERS = {"normal": 3, "slope": 1, "flow": 1, "wear": 1, "deposition": 1, "splat": 4, "albedo": 3, "preview": 3}


def map_assets(terrain: Terrain, fields: TerrainFields, x0: int, y0: int, suffix: str = "", **meta: Any) -> list[Asset]:
    """Assets of the square map whose fields were computed with a 1-pixel margin around global pixel ``(x0, y0)``.

    ``suffix`` is appended to every asset name (``height_x0_y1``); ``meta`` goes into each asset's manifest entry.
    """
    p: TerrainParams = terrain.params
    size = fields.height.shape[0] - 2
    layers = {name: np.empty((size, size, depth), np.uint8) for name, depth in _LAYERS.items()}
    for r0 in range(0, size, BAND_ROWS):  # bands of rows keep the float temporaries small on 4097² maps
        rows = slice(r0, min(size, r0 + BAND_ROWS))
        band = {name: layer[rows] for name, layer in layers.items()}
        _fill_band(terrain, fields, x0, y0 + r0, rows, band)
    layers = {name: layer[..., 0] if layer.shape[-1] == 1 else layer for name, layer in layers.items()}
    height = fields.height[1:-1, 1:-1]
    erosion_half = EROSION_HALF * p.height_range_m
    scale = {"metres_per_pixel": p.metres_per_pixel, "height_range_m": p.height_range_m, **meta}
    return [
        HeightmapAsset(
            f"height{suffix}",
            HeightmapAsset.encode(height, p.height_range_m),
            p.metres_per_pixel,
            p.height_range_m,
            meta={**meta, "sea_level_m": p.sea_level * p.height_range_m},
        ),
        NormalMapAsset(f"normal{suffix}", layers["normal"], meta=dict(meta)),
        ImageAsset(f"slope{suffix}", layers["slope"], meta={**meta, "encoding": "degrees = value / 255 * 90"}),
        ImageAsset(f"flow{suffix}", layers["flow"], meta={**meta, "encoding": f"flux / (flux + {FLOW_HALF}) * 255"}),
        ImageAsset(
            f"wear{suffix}",
            layers["wear"],
            meta={**meta, "encoding": f"metres removed m: m / (m + {erosion_half:g}) * 255"},
        ),
        ImageAsset(
            f"deposition{suffix}",
            layers["deposition"],
            meta={**meta, "encoding": f"metres laid down m: m / (m + {erosion_half:g}) * 255"},
        ),
        ImageAsset(f"splat{suffix}", layers["splat"], meta={**meta, "legend": "splat_legend.json"}),
        ImageAsset(f"preview{suffix}", layers["preview"], meta={**meta, "preview": True}),
        terrain_mesh(
            f"terrain{suffix}",
            fields.height,
            p.metres_per_pixel,
            p.mesh_resolution,
            layers["albedo"],
            scale,
            texture_size=p.mesh_texture_size,
        ),
    ]


def _fill_band(
    terrain: Terrain, fields: TerrainFields, x0: int, y0: int, rows: slice, out: dict[str, np.ndarray]
) -> None:
    """Compute every 8-bit layer for the map rows ``rows`` (global row ``y0`` is the first) into ``out``."""
    p = terrain.params
    n = rows.stop - rows.start
    inner = (slice(rows.start + 1, rows.stop + 1), slice(1, -1))
    gx, gy = masks.gradients(fields.height[rows.start : rows.stop + 2], p.metres_per_pixel)
    slope = masks.slope_degrees(gx, gy)
    rained = max(p.erosion_iterations * p.rain, 1e-9)
    flow = masks.ratio_mask(fields.flow[inner] / np.float32(rained), FLOW_HALF)
    moisture = np.clip(terrain.moisture(x0, y0, gx.shape[1], n) + flow / np.float32(510), 0, 1)
    height01 = fields.height[inner] / np.float32(p.height_range_m)
    splat = masks.splat_weights(height01, slope, moisture, p.sea_level)
    albedo = masks.albedo(splat)
    shade = masks.hillshade(gx, gy)[..., None] * np.float32(0.75) + np.float32(0.25)
    erosion_half = EROSION_HALF * p.height_range_m
    out["normal"][:] = masks.normal_map(gx, gy)
    out["slope"][..., 0] = masks.to_u8(slope, 90.0)
    out["flow"][..., 0] = flow
    out["wear"][..., 0] = masks.ratio_mask(fields.wear[inner], erosion_half)
    out["deposition"][..., 0] = masks.ratio_mask(fields.deposit[inner], erosion_half)
    out["splat"][:] = splat
    out["albedo"][:] = albedo
    out["preview"][:] = masks.preview_colours(albedo, shade, height01, p.sea_level)


def legend_asset(params: TerrainParams) -> DataAsset:
    """``splat_legend.json``: what each splat channel holds (one per map or world)."""
    return DataAsset("splat_legend", masks.splat_legend(params.sea_level, params.height_range_m))
