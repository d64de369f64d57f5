"""The heightmap asset: 16-bit heights plus the world scale that turns them into metres."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..assets import Asset

__all__ = ["HeightmapAsset"]


@dataclass
class HeightmapAsset(Asset):
    """Square uint16 heights, row 0 = north edge; metres = ``value / 65535 * height_range_m``.

    Exporters turn it into each engine's terrain format (PNG16, ``.raw``, ``.r16``) and record the scale.
    """

    exporters = {
        "generic": "gamegen.landscape.export:export_heightmap",
        "unity": "gamegen.landscape.export:export_unity",
        "unreal": "gamegen.landscape.export:export_unreal",
        "godot": "gamegen.landscape.export:export_godot",
    }

    heights: np.ndarray
    metres_per_pixel: float
    height_range_m: float

    def __post_init__(self) -> None:
        super().__post_init__()
        a = np.asarray(self.heights)
        if a.dtype != np.uint16 or a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 2:
            raise TypeError(f"HeightmapAsset {self.name!r}: need a square uint16 array, got {a.dtype} {a.shape}")
        if not (self.metres_per_pixel > 0 and self.height_range_m > 0):
            raise ValueError(f"HeightmapAsset {self.name!r}: metres_per_pixel and height_range_m must be positive")
        self.heights = np.ascontiguousarray(a)

    @property
    def size(self) -> int:
        """Samples per side."""
        return int(self.heights.shape[0])

    @property
    def extent_m(self) -> float:
        """Width (= depth) of the terrain in metres: samples − 1 intervals."""
        return (self.size - 1) * self.metres_per_pixel

    @staticmethod
    def encode(height_m: np.ndarray, height_range_m: float) -> np.ndarray:
        """Metres → uint16 with the fixed mapping ``0 … height_range_m → 0 … 65535`` (never per map)."""
        scaled = np.divide(height_m, height_range_m, dtype=np.float64)
        np.clip(scaled, 0.0, 1.0, out=scaled)
        scaled *= 65535.0
        return np.rint(scaled, out=scaled).astype(np.uint16)
