"""Parameter schemas of the landscape generators: the terrain settings they share, then each one's extent."""

from __future__ import annotations

from typing import Literal

from ..params import Field, Params

__all__ = ["TerrainParams", "HeightmapParams", "WorldParams"]


class TerrainParams(Params):
    """What the terrain looks like: world scale, layered noise, erosion and the sea, shared by map and world."""

    metres_per_pixel: float = Field(2.0, ge=0.05, le=100.0, description="Horizontal size of one height sample (m).")
    height_range_m: float = Field(
        500.0, ge=1.0, le=20000.0, description="Metres between the lowest (0) and highest (65535) 16-bit value."
    )
    noise: Literal["fbm", "ridged", "billow"] = Field(
        "fbm", description="Layered Perlin noise: fbm (rolling hills), ridged (sharp crests), billow (rounded lumps)."
    )
    octaves: int = Field(8, ge=1, le=16, description="Noise layers; each adds detail at a finer scale.")
    persistence: float = Field(0.5, ge=0.05, le=0.95, description="Amplitude kept from one octave to the next.")
    lacunarity: float = Field(2.0, ge=1.2, le=4.0, description="Frequency gained from one octave to the next.")
    feature_scale_m: float = Field(
        2500.0, ge=10.0, le=1_000_000.0, description="Wavelength of the largest landforms (m)."
    )
    warp_strength: float = Field(
        0.15, ge=0.0, le=2.0, description="Domain-warp displacement as a fraction of feature_scale_m (0: off)."
    )
    erosion_iterations: int = Field(
        4, ge=0, le=64, description="Rain passes of hydraulic (droplet) erosion; 0 turns hydraulic erosion off."
    )
    erosion_strength: float = Field(
        1.0, ge=0.0, le=4.0, description="How much soil each droplet can carry and how fast it picks it up (0: none)."
    )
    rain: float = Field(0.25, ge=0.01, le=1.0, description="Droplets per pixel in each rain pass.")
    thermal_iterations: int = Field(
        10, ge=0, le=500, description="Thermal erosion steps (material slides down slopes steeper than the talus)."
    )
    talus_angle_deg: float = Field(35.0, ge=5.0, le=85.0, description="Steepest stable slope for thermal erosion.")
    sea_level: float = Field(
        0.2, ge=0.0, le=1.0, description="Sea level as a fraction of height_range_m (droplets deposit there)."
    )
    mesh_resolution: int = Field(
        512, ge=16, le=4096, description="Most quads per side of the glTF terrain mesh (decimated above that)."
    )
    mesh_texture_size: int | None = Field(
        None,
        ge=16,
        le=8193,
        description="Texels per side of the glTF terrain's base-colour texture (omitted: one per height sample, "
        "up to 2049; larger maps one per k-th sample, e.g. 4097 → 2049).",
    )


class HeightmapParams(TerrainParams):
    """A single square heightmap of ``size`` × ``size`` samples."""

    size: int = Field(1025, ge=17, le=8193, description="Samples per side (Unity/Godot: 2^n+1; Unreal: 127…8129).")


class WorldParams(TerrainParams):
    """A grid of ``grid`` × ``grid`` tiles of ``tile_size`` samples; neighbours share their edge samples."""

    tile_size: int = Field(513, ge=17, le=8193, description="Samples per tile side (same engine rules as size).")
    grid: int = Field(2, ge=1, le=64, description="Tiles per side of the world.")
    tile_x: int | None = Field(None, ge=0, description="Only this tile column (omitted: every column).")
    tile_y: int | None = Field(None, ge=0, description="Only this tile row (omitted: every row).")
