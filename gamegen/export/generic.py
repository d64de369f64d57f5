"""The ``generic`` profile and its exporters (PNG, JSON, UTF-8 text, glTF binary) — the fallback of all others.

The engine profiles (``unity``, ``unreal``, ``godot``) are declared here too; the generator families register
their engine-specific exporters for them (e.g. heightmaps as ``.raw`` for Unity, texture sets as the maps each
engine's materials read: docs/engine-notes.md).
"""

from __future__ import annotations

import json

from ..assets import BytesAsset, DataAsset, ImageAsset, MeshAsset, NormalMapAsset, TextAsset
from ..provenance import xmp_packet
from .png import encode_png
from .profile import ExportContext, ExportedFile, ExportProfile, register_exporter, register_profile

__all__ = ["dump_json", "TEXT_MEDIA_TYPES"]

register_profile(ExportProfile("generic", "PNG images, JSON data, UTF-8 text, glTF 2.0 meshes", parent=None))
register_profile(
    ExportProfile("unity", "Unity: RAW 16-bit terrain (2^n+1), OpenGL normal maps, metallic-smoothness and mask maps")
)
register_profile(
    ExportProfile(
        "unreal", "Unreal Engine: PNG16 landscapes, DirectX normal maps, ORM masks", normal_convention="directx"
    )
)
register_profile(ExportProfile("godot", "Godot 4: .r16 terrain, SpriteFrames .tres, OpenGL normal maps, ORM maps"))

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


@register_exporter(ImageAsset)
def export_image(asset: ImageAsset, ctx: ExportContext) -> list[ExportedFile]:
    """PNG (8-bit, or 16-bit grey) with the provenance XMP packet."""
    data = encode_png(asset.array, xmp=xmp_packet(ctx.provenance))
    return [ExportedFile(asset.name + ".png", data, "image/png", dict(asset.meta))]


@register_exporter(NormalMapAsset)
def export_normal_map(asset: NormalMapAsset, ctx: ExportContext) -> list[ExportedFile]:
    """PNG in the profile's normal-map convention: OpenGL (Y+) as stored, DirectX (Y−) with green inverted."""
    arr = asset.array
    if ctx.profile.normal_convention == "directx":
        arr = arr.copy()
        arr[..., 1] = 255 - arr[..., 1]
    data = encode_png(arr, xmp=xmp_packet(ctx.provenance))
    meta = {**asset.meta, "normal_convention": ctx.profile.normal_convention}
    return [ExportedFile(asset.name + ".png", data, "image/png", meta)]


@register_exporter(TextAsset)
def export_text(asset: TextAsset, ctx: ExportContext) -> list[ExportedFile]:
    """UTF-8 text with Unix newlines."""
    media = TEXT_MEDIA_TYPES.get(asset.suffix, "text/plain")
    data = asset.text.replace("\r\n", "\n").encode("utf-8")
    return [ExportedFile(asset.name + asset.suffix, data, media, dict(asset.meta))]


@register_exporter(DataAsset)
def export_data(asset: DataAsset, ctx: ExportContext) -> list[ExportedFile]:
    """Canonical JSON."""
    return [ExportedFile(asset.name + ".json", dump_json(asset.obj), "application/json", dict(asset.meta))]


@register_exporter(BytesAsset)
def export_bytes(asset: BytesAsset, ctx: ExportContext) -> list[ExportedFile]:
    """Pre-encoded bytes, as they are."""
    return [ExportedFile(asset.name + asset.suffix, bytes(asset.data), asset.media_type, dict(asset.meta))]


@register_exporter(MeshAsset)
def export_mesh(asset: MeshAsset, ctx: ExportContext) -> list[ExportedFile]:
    """glTF 2.0 binary with embedded PNG textures and the provenance record in ``asset.extras``."""
    from .gltf import encode_glb  # pygltflib is imported only when a mesh is exported

    data = encode_glb(asset, provenance=ctx.provenance)
    return [ExportedFile(asset.name + ".glb", data, "model/gltf-binary", dict(asset.meta))]
