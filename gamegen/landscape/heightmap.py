"""``landscape.heightmap``: one square, eroded heightmap with its masks, splat map and glTF terrain."""

from __future__ import annotations

from ..assets import Asset
from ..context import Context
from ..generator import Generator
from .engine import check_size
from .params import HeightmapParams

__all__ = ["Heightmap"]


class Heightmap(Generator[HeightmapParams]):
    """Eroded terrain heightmap (16-bit) with normal, slope, flow, wear, deposition and biome splat maps and a mesh.

    Layered Perlin noise (fBm, ridged or billow, domain-warped) is carved by water droplets that erode valleys and
    lay down fans, then relaxed by thermal erosion. Heights use a fixed metres → 16-bit mapping. The export profile
    picks the engine format (Unity .raw, Unreal PNG16 with Z scale, Godot .r16) and checks the size it accepts.
    """

    name = "landscape.heightmap"
    version = "1.2.0"  # 1.2: terrain.glb texture clamps to the edge, one texel per sample
    quick_params = {"size": 65, "octaves": 5, "erosion_iterations": 1, "thermal_iterations": 2, "mesh_resolution": 32}

    def estimated_seconds(self, params: HeightmapParams) -> float:
        """About 9 µs per pixel on one core (noise, erosion, masks, mesh) at the default settings."""
        return 0.2 + 9e-6 * params.size**2

    def generate(self, params: HeightmapParams, ctx: Context) -> list[Asset]:
        """Erode the map with a halo around it (so its edges erode like its middle), then derive every layer."""
        check_size(ctx.profile, params.size)
        from .outputs import legend_asset, map_assets  # numba-backed modules load only when terrain is made
        from .terrain import Terrain

        terrain = Terrain.from_context(params, ctx)
        ctx.progress(0, 2, "noise and erosion")
        fields = terrain.window(-1, -1, params.size + 2, params.size + 2)
        ctx.progress(1, 2, "masks and mesh")
        assets = [*map_assets(terrain, fields, 0, 0), legend_asset(params)]
        ctx.progress(2, 2, "done")
        return assets
