"""The ``generic`` exporters (PNG, JSON, UTF-8 text, glTF binary): the fallback of every profile.

The base asset types name these functions in their ``exporters`` tables; engine profiles (``unity``, ``unreal``,
``godot``) fall back to them, and the generator families declare their engine-specific exporters the same way
(e.g. heightmaps as ``.raw`` for Unity, texture sets as the maps each engine's materials read:
docs/engine-notes.md).
"""

from __future__ import annotations

import json

from ..assets import BytesAsset, DataAsset, ImageAsset, MeshAsset, NormalMapAsset, TextAsset
from ..provenance import xmp_packet
from .png import compression_scope, encode_png
from .profile import ExportContext, ExportedFile

__all__ = ["dump_json", "TEXT_MEDIA_TYPES"]

TEXT_MEDIA_TYPES = {
    ".json": "application/json",
    ".csv": "text/csv",
    ".md": "text/markdown",
    ".html": "text/html",
    ".xml": "application/xml",
}


def dump_json(obj: object) -> bytes:
    """Canonical JSON bytes: sorted keys, 2-space indent, UTF-8, trailing newline."""
    return (json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode()


def export_image(asset: ImageAsset, ctx: ExportContext) -> list[ExportedFile]:
    """PNG (8-bit, or 16-bit grey) with the provenance XMP packet."""
    data = encode_png(asset.array, xmp=xmp_packet(ctx.provenance), compression=ctx.compression)
    return [ExportedFile(asset.name + ".png", data, "image/png", dict(asset.meta))]


def export_normal_map(asset: NormalMapAsset, ctx: ExportContext) -> list[ExportedFile]:
    """PNG in the profile's normal-map convention: OpenGL (Y+) as stored, DirectX (Y−) with green inverted."""
    arr = asset.array
    if ctx.profile.normal_convention == "directx":
        arr = arr.copy()
        arr[..., 1] = 255 - arr[..., 1]
    data = encode_png(arr, xmp=xmp_packet(ctx.provenance), compression=ctx.compression)
    meta = {**asset.meta, "normal_convention": ctx.profile.normal_convention}
    return [ExportedFile(asset.name + ".png", data, "image/png", meta)]


def export_text(asset: TextAsset, ctx: ExportContext) -> list[ExportedFile]:
    """UTF-8 text with Unix newlines."""
    media = TEXT_MEDIA_TYPES.get(asset.suffix, "text/plain")
    data = asset.text.replace("\r\n", "\n").encode("utf-8")
    return [ExportedFile(asset.name + asset.suffix, data, media, dict(asset.meta))]


def export_data(asset: DataAsset, ctx: ExportContext) -> list[ExportedFile]:
    """Canonical JSON."""
    return [ExportedFile(asset.name + ".json", dump_json(asset.obj), "application/json", dict(asset.meta))]


def export_bytes(asset: BytesAsset, ctx: ExportContext) -> list[ExportedFile]:
    """Pre-encoded bytes, as they are."""
    return [ExportedFile(asset.name + asset.suffix, bytes(asset.data), asset.media_type, dict(asset.meta))]


def export_mesh(asset: MeshAsset, ctx: ExportContext) -> list[ExportedFile]:
    """glTF 2.0 binary with embedded PNG textures (in the context's compression) and the provenance record in
    ``asset.extras``."""
    from .gltf import encode_glb  # pygltflib is imported only when a mesh is exported

    with compression_scope(ctx.compression):  # the textures it embeds
        data = encode_glb(asset, provenance=ctx.provenance)
    return [ExportedFile(asset.name + ".glb", data, "model/gltf-binary", dict(asset.meta))]
