"""Engine terrain conventions: the heightmap sizes each profile accepts and Unreal's scale and layout rules."""

from __future__ import annotations

from typing import Any

from ..errors import ParamError
from ..export import ExportProfile, profile_chain

__all__ = ["VALID_SIZES", "check_size", "unreal_import_settings"]

_POW2_PLUS_1 = tuple(2**n + 1 for n in range(4, 14))
VALID_SIZES: dict[str, tuple[int, ...]] = {
    "unity": tuple(s for s in _POW2_PLUS_1 if 33 <= s <= 4097),
    "unreal": (127, 253, 505, 1009, 2017, 4033, 8129),
    "godot": _POW2_PLUS_1,
}
"""Heightmap sizes per profile: Unity's heightmap resolutions, Unreal's recommended landscape sizes, and the
2^n+1 grids of Godot's terrain plugins. Profiles not listed take any size."""

# Unreal's recommended layouts: size -> (quads per section, sections per component side, components per side).
_UNREAL_LAYOUT = {
    127: (63, 2, 1), 253: (63, 2, 2), 505: (63, 2, 4), 1009: (63, 2, 8),
    2017: (63, 2, 16), 4033: (63, 2, 32), 8129: (127, 2, 32),
}  # fmt: skip


def check_size(profile: ExportProfile, size: int, param: str = "size") -> None:
    """Raise ParamError naming the valid sizes when ``size`` is not an accepted heightmap size for ``profile``
    (or the nearest profile it inherits from that has rules: a ``unity`` child follows Unity's)."""
    engine = next((p.name for p in profile_chain(profile) if p.name in VALID_SIZES), None)
    valid = VALID_SIZES[engine] if engine is not None else None
    if valid is not None and size not in valid:
        raise ParamError(f"{param}={size}: not a valid {engine} terrain size (allowed: {', '.join(map(str, valid))})")


def unreal_import_settings(size: int, metres_per_pixel: float, height_range_m: float) -> dict[str, Any]:
    """Scale, location and section/component layout that make Unreal show the map at its true size.

    Unreal reads a 16-bit value ``v`` as ``(v - 32768) / 128 * z_scale`` centimetres, so the full range spans
    ``512 * z_scale`` cm; placing the actor half the range up puts value 0 at Z = 0.
    """
    quads, sections, components = _UNREAL_LAYOUT[size]
    z_scale = height_range_m * 100.0 / 512.0
    return {
        "scale_cm": [metres_per_pixel * 100.0, metres_per_pixel * 100.0, z_scale],
        "location_z_cm": height_range_m * 50.0,
        "section_size_quads": quads,
        "sections_per_component": f"{sections}x{sections}",
        "components": f"{components}x{components}",
        "component_count": components * components,
    }
