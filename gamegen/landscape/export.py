"""Heightmap exporters per engine profile: PNG16, Unity ``.raw``, Godot ``.r16`` and EXR, with import settings.

Each export writes a ``<name>.json`` beside the height file that says how to read it back into metres, and puts
the same facts in the manifest (``meta``), so a build script or an engine importer never has to guess.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from ..export import ExportContext, ExportedFile
from ..export.generic import dump_json
from ..export.png import encode_png
from ..provenance import xmp_packet
from .assets import HeightmapAsset
from .engine import check_size, unreal_import_settings

__all__ = ["export_heightmap", "export_unity", "export_unreal", "export_godot"]


def _facts(asset: HeightmapAsset) -> dict[str, Any]:
    """Scale facts every profile records: size, metres per sample, and the fixed 16-bit → metres mapping."""
    return {
        **asset.meta,
        "size": asset.size,
        "metres_per_pixel": asset.metres_per_pixel,
        "terrain_extent_m": asset.extent_m,
        "height_range_m": asset.height_range_m,
        "height_encoding": "metres = value / 65535 * height_range_m",
    }


def _png16(asset: HeightmapAsset, ctx: ExportContext, meta: dict[str, Any]) -> ExportedFile:
    data = encode_png(asset.heights, xmp=xmp_packet(ctx.provenance), compression=ctx.compression)
    return ExportedFile(asset.name + ".png", data, "image/png", meta)


def _raw(asset: HeightmapAsset, suffix: str, meta: dict[str, Any], bottom_up: bool = False) -> ExportedFile:
    rows = asset.heights[::-1] if bottom_up else asset.heights
    return ExportedFile(asset.name + suffix, rows.astype("<u2").tobytes(), "application/octet-stream", meta)


def _sidecar(asset: HeightmapAsset, meta: dict[str, Any]) -> ExportedFile:
    return ExportedFile(asset.name + ".json", dump_json(meta), "application/json", {})


def export_heightmap(asset: HeightmapAsset, ctx: ExportContext) -> list[ExportedFile]:
    """16-bit grayscale PNG (row 0 = north) plus a JSON sidecar with the scale."""
    meta = _facts(asset)
    return [_png16(asset, ctx, meta), _sidecar(asset, meta)]


def export_unity(asset: HeightmapAsset, ctx: ExportContext) -> list[ExportedFile]:
    """Unity: headerless 16-bit little-endian ``.raw`` (first row = terrain z = 0, the south edge) and PNG16."""
    check_size(ctx.profile, asset.size)
    meta = {
        **_facts(asset),
        "unity": {
            "heightmap_resolution": asset.size,
            "terrain_size_m": [asset.extent_m, asset.height_range_m, asset.extent_m],
            "raw_depth": 16,
            "raw_byte_order": "Windows (little-endian)",
            "raw_row_order": "south to north (no Flip Vertically needed)",
        },
    }
    return [_raw(asset, ".raw", meta, bottom_up=True), _png16(asset, ctx, meta), _sidecar(asset, meta)]


def export_unreal(asset: HeightmapAsset, ctx: ExportContext) -> list[ExportedFile]:
    """Unreal: 16-bit grayscale PNG with the Z scale, actor location and section/component layout to import it."""
    check_size(ctx.profile, asset.size)
    meta = {**_facts(asset), "unreal": unreal_import_settings(asset.size, asset.metres_per_pixel, asset.height_range_m)}
    return [_png16(asset, ctx, meta), _sidecar(asset, meta)]


def _exr(asset: HeightmapAsset, meta: dict[str, Any]) -> ExportedFile:
    """Heights in metres as a 32-bit float, ZIP-compressed OpenEXR with one channel ``R`` (Terrain3D reads red)."""
    import OpenEXR

    metres = (asset.heights.astype(np.float64) * (asset.height_range_m / 65535.0)).astype(np.float32)
    buf = io.BytesIO()
    header = {"compression": OpenEXR.ZIP_COMPRESSION, "type": OpenEXR.scanlineimage}
    OpenEXR.File(header, {"R": metres}).write(buf)
    return ExportedFile(asset.name + ".exr", buf.getvalue(), "image/x-exr", meta)


def export_godot(asset: HeightmapAsset, ctx: ExportContext) -> list[ExportedFile]:
    """Godot (Terrain3D, HTerrain): ``.r16`` (16-bit little-endian, row 0 = north) and a float EXR in metres."""
    check_size(ctx.profile, asset.size)
    meta = {
        **_facts(asset),
        "godot": {
            "r16_byte_order": "little-endian",
            "height_min_m": 0.0,
            "height_max_m": asset.height_range_m,
            "exr_channel": "R, metres (float32)",
        },
    }
    return [_raw(asset, ".r16", meta), _exr(asset, meta), _sidecar(asset, meta)]
