"""``landscape.world``: a grid of heightmap tiles of one continuous, seamlessly eroded world."""

from __future__ import annotations

import sys
from typing import Any

from ..assets import Asset, DataAsset
from ..context import Context
from ..errors import ParamError
from ..generator import Generator
from .engine import check_size
from .params import WorldParams

__all__ = ["LandscapeWorld"]


class LandscapeWorld(Generator[WorldParams]):
    """Tiled terrain world: any tile can be made alone, anywhere, and neighbours share their edge samples exactly.

    Erosion runs on a fixed lattice of blocks in global coordinates (cells, and seams along tile borders) and is
    cross-faded between them, so a pixel's height never depends on which tile computed it: no seams, and one global
    metres → 16-bit mapping. A tile's cost grows with its area plus a fixed halo (:data:`terrain.TILE_HALO`).
    Each tile gets the same outputs as ``landscape.heightmap``; ``world.json`` lays the tiles out.
    """

    name = "landscape.world"
    version = "1.3.0"  # 1.3: erosion lattice of cells and seams on tile borders; 1.2: .glb textures clamp to the edge
    quick_params = {
        "tile_size": 33,
        "grid": 2,
        "octaves": 5,
        "erosion_iterations": 1,
        "thermal_iterations": 2,
        "mesh_resolution": 16,
    }

    def estimated_seconds(self, params: WorldParams) -> float:
        """Per tile about a heightmap of its size plus the tile halo (143 px a side: ``terrain.TILE_HALO``, not
        imported here because it loads numba)."""
        tiles = (1 if params.tile_x is not None else params.grid) * (1 if params.tile_y is not None else params.grid)
        return 0.2 + tiles * 5e-6 * (params.tile_size + 2 * 143) ** 2

    def generate(self, params: WorldParams, ctx: Context) -> list[Asset]:
        """Make the requested tiles row by row, reusing erosion blocks between neighbours and freeing passed ones."""
        check_size(ctx.profile, params.tile_size, "tile_size")
        for axis in ("tile_x", "tile_y"):
            value = getattr(params, axis)
            if value is not None and value >= params.grid:
                raise ParamError(
                    f"{axis}={value}: outside the {params.grid}×{params.grid} grid "
                    f"(allowed: 0 ≤ {axis} ≤ {params.grid - 1})"
                )
        from .outputs import legend_asset, map_assets  # numba-backed modules load only when terrain is made
        from .terrain import Terrain

        terrain = Terrain.from_context(params, ctx)
        size, step = params.tile_size, params.tile_size - 1
        block = Terrain.block_size(size)
        cols = range(params.grid) if params.tile_x is None else [params.tile_x]
        rows = range(params.grid) if params.tile_y is None else [params.tile_y]
        total, assets = len(cols) * len(rows), []
        for done, (j, i) in enumerate((j, i) for j in rows for i in cols):
            ctx.progress(done, total, f"tile {i},{j}")
            fields = terrain.blocks(i * step - 1, j * step - 1, size + 2, size + 2, block)
            origin_m = [i * step * params.metres_per_pixel, j * step * params.metres_per_pixel]
            meta = {"tile": [i, j], "grid": params.grid, "origin_m": origin_m}
            assets += map_assets(terrain, fields, i * step, j * step, suffix=f"_x{i}_y{j}", **meta)
            next_column = (i + 1) * step - 1 if i != cols[-1] else sys.maxsize  # at a row's end: the next row
            terrain.forget_blocks(next_column, (j + 1) * step - 1)
        ctx.progress(total, total, "done")
        return [*assets, legend_asset(params), DataAsset("world", _layout(params, block))]


def _layout(params: WorldParams, block: int) -> dict[str, Any]:
    """The world's description: grid, scale, shared edges, global height mapping and each tile's placement."""
    step_m = (params.tile_size - 1) * params.metres_per_pixel
    return {
        "grid": params.grid,
        "tile_size": params.tile_size,
        "shared_edge_samples": 1,
        "tile_extent_m": step_m,
        "world_extent_m": step_m * params.grid,
        "metres_per_pixel": params.metres_per_pixel,
        "height_range_m": params.height_range_m,
        "height_encoding": "metres = value / 65535 * height_range_m (the same for every tile)",
        "erosion_block_px": block,
        "tiles": [
            {
                "x": i,
                "y": j,
                "suffix": f"_x{i}_y{j}",
                "origin_m": [i * step_m, j * step_m],
                "unity_tile_index": [i, params.grid - 1 - j],
            }
            for j in range(params.grid)
            for i in range(params.grid)
        ],
    }
