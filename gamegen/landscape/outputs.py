"""The assets of one map or world tile, made from its terrain fields: height, normals, masks, splat, mesh."""

from __future__ import annotations

import mmap
from typing import Any

import numpy as np
from PIL import Image

from ..assets import Asset, DataAsset, ImageAsset, NormalMapAsset
from . import masks
from .assets import HeightmapAsset
from .mesh import MeshHeights, extend_edges, resample_canvas, terrain_mesh, texture_canvas, texture_side
from .params import TerrainParams
from .terrain import Terrain, TerrainFields

__all__ = ["map_assets", "legend_asset"]

FLOW_HALF = 100.0
"""Water flux (droplet visits per droplet rained per pixel) that maps to the middle of the flow mask."""
EROSION_HALF = 0.005
"""Wear or deposition, as a fraction of the height range, that maps to the middle of those masks."""
BAND_ROWS = 64
"""Rows of the map whose layers are computed together (float temporaries of a few MB on 4097² maps)."""
_LAYERS = {"normal": 3, "slope": 1, "flow": 1, "wear": 1, "deposition": 1, "splat": 4, "preview": 3}


def map_assets(terrain: Terrain, fields: TerrainFields, x0: int, y0: int, suffix: str = "", **meta: Any) -> list[Asset]:
    """Assets of the square map whose fields were computed with a 1-pixel margin around global pixel ``(x0, y0)``.

    ``suffix`` is appended to every asset name (``height_x0_y1``); ``meta`` goes into each asset's manifest entry.
    The fields are consumed (:meth:`TerrainFields.release`): every layer is made in bands of rows, and each float
    array is let go as soon as its last band is made — first the water and soil masks (then the flux and erosion
    arrays go), then slope, splat and the ground colour (straight into the terrain texture's canvas), then normals,
    preview and 16-bit heights, band by band, from per-band copies of the height that go one by one. So the peak
    stays near the size of the outputs.
    """
    p: TerrainParams = terrain.params
    size = fields.height.shape[0] - 2
    bands = [slice(r0, min(size, r0 + BAND_ROWS)) for r0 in range(0, size, BAND_ROWS)]
    layers = {name: np.empty((size, size, depth), np.uint8) for name, depth in _LAYERS.items()}
    rained = np.float32(max(p.erosion_iterations * p.rain, 1e-9))
    erosion_half = EROSION_HALF * p.height_range_m
    for rows in bands:
        layers["flow"][rows, :, 0] = masks.ratio_mask(fields.flow[_inner(rows)] / rained, FLOW_HALF)
        wear, deposit = fields.erosion(_inner(rows))
        layers["wear"][rows, :, 0] = masks.ratio_mask(wear, erosion_half)
        layers["deposition"][rows, :, 0] = masks.ratio_mask(deposit, erosion_half)
    height = fields.height
    fields.release()  # the flux and erosion arrays go (the masks hold what the maps need of them)
    # each band's rows with the margin rows around them: heights[k] holds margin rows rows.start … rows.stop + 1
    heights: list[np.ndarray | None] = [_own_pages(height[rows.start : rows.stop + 2]) for rows in bands]
    del height
    texture = _ground(terrain, heights, x0, y0, bands, layers, texture_side(size, p.mesh_texture_size))
    mesh_heights = _mesh_heights(heights, size, p.mesh_resolution)
    encoded = np.empty((size, size), np.uint16)
    for k, rows in enumerate(bands):
        band = heights[k]
        assert band is not None
        _surface_band(terrain, band, rows, layers)
        encoded[rows] = HeightmapAsset.encode(band[1:-1, 1:-1], p.height_range_m)  # float64 temporaries: band-sized
        heights[k] = None
    layers = {name: layer[..., 0] if layer.shape[-1] == 1 else layer for name, layer in layers.items()}
    scale = {"metres_per_pixel": p.metres_per_pixel, "height_range_m": p.height_range_m, **meta}
    return [
        HeightmapAsset(
            f"height{suffix}",
            encoded,
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
            mesh_heights,
            p.metres_per_pixel,
            p.mesh_resolution,
            texture,
            scale,
            texture_size=p.mesh_texture_size,
        ),
    ]


def _own_pages(a: np.ndarray) -> np.ndarray:
    """A copy of ``a`` in memory mapped for it alone, given back to the system the moment the copy is dropped.

    (malloc keeps freed blocks of this size for reuse, so dropping band copies one by one would not lower the
    resident memory while the outputs grow.)
    """
    buffer = mmap.mmap(-1, max(a.nbytes, 1))
    out = np.frombuffer(buffer, a.dtype, a.size).reshape(a.shape)
    out[...] = a
    return out


def _inner(rows: slice) -> tuple[slice, slice]:
    """Index of the map rows ``rows`` in an array with a 1-pixel margin."""
    return slice(rows.start + 1, rows.stop + 1), slice(1, -1)


def _mesh_heights(heights: list[np.ndarray | None], size: int, max_quads: int) -> MeshHeights:
    """The heights the terrain mesh reads, gathered from the bands (band k holds margin rows k·BAND_ROWS …)."""
    index = MeshHeights.rows(size, max_quads)
    values = np.empty((index.size, index.size), np.float32)
    for i, q in enumerate(index):
        k = min(q // BAND_ROWS, len(heights) - 1)
        band = heights[k]
        assert band is not None
        values[i] = band[q - k * BAND_ROWS, index]
    return MeshHeights(size, index, values)


def _ground(
    terrain: Terrain,
    heights: list[np.ndarray | None],
    x0: int,
    y0: int,
    bands: list[slice],
    layers: dict[str, np.ndarray],
    side: int,
) -> np.ndarray:
    """Slope and splat layers (rows of global row ``y0`` on), and the terrain texture: the ground colour at ``side``².

    The colour of each band goes straight into the resample's canvas, which is handed to PIL and dropped before
    the resample runs.
    """
    p = terrain.params
    size = layers["splat"].shape[0]
    canvas, pad = texture_canvas(size, side)
    for band, rows in zip(heights, bands, strict=True):
        assert band is not None
        n = rows.stop - rows.start
        gx, gy = masks.gradients(band, p.metres_per_pixel)
        slope = masks.slope_degrees(gx, gy)
        moisture = np.clip(
            terrain.moisture(x0, y0 + rows.start, gx.shape[1], n) + layers["flow"][rows, :, 0] / np.float32(510), 0, 1
        )
        height01 = band[1:-1, 1:-1] / np.float32(p.height_range_m)
        splat = masks.splat_weights(height01, slope, moisture, p.sea_level)
        layers["slope"][rows, :, 0] = masks.to_u8(slope, 90.0)
        layers["splat"][rows] = splat
        canvas[pad + rows.start : pad + rows.stop, pad : pad + size] = masks.albedo(splat)
    if side == size:
        return canvas
    extend_edges(canvas, pad)
    image = Image.fromarray(canvas)  # a copy in PIL's layout
    del canvas
    return resample_canvas(image, size, side, pad)


def _surface_band(terrain: Terrain, band: np.ndarray, rows: slice, layers: dict[str, np.ndarray]) -> None:
    """Normal and preview layers of the map rows ``rows`` from ``band``, their heights with the margin around them."""
    p = terrain.params
    gx, gy = masks.gradients(band, p.metres_per_pixel)
    height01 = band[1:-1, 1:-1] / np.float32(p.height_range_m)
    albedo = masks.albedo(layers["splat"][rows])
    shade = masks.hillshade(gx, gy)[..., None] * np.float32(0.75) + np.float32(0.25)
    layers["normal"][rows] = masks.normal_map(gx, gy)
    layers["preview"][rows] = masks.preview_colours(albedo, shade, height01, p.sea_level)


def legend_asset(params: TerrainParams) -> DataAsset:
    """``splat_legend.json``: what each splat channel holds (one per map or world)."""
    return DataAsset("splat_legend", masks.splat_legend(params.sea_level, params.height_range_m))
