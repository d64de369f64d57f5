"""Exporters for dialogue assets: Ink source, Yarn Spinner source with its string table, and the JSON graph.

Every engine profile gets all four files: Ink runs in Unity (ink-unity-integration), Unreal (Inkpot) and
Godot (GodotInk); Yarn Spinner in Unity and Godot; the JSON graph is for engines that want plain data.
"""

from __future__ import annotations

from ...export import ExportContext, ExportedFile
from ...export.generic import dump_json
from .assets import DialogueAsset
from .ink import to_ink
from .yarn import string_table, to_yarn

__all__ = ["export_dialogue"]


def export_dialogue(asset: DialogueAsset, ctx: ExportContext) -> list[ExportedFile]:
    """``<name>.ink`` (in the asset's ink dialect), ``<name>.yarn``, ``<name>.strings.csv`` (Yarn localisation)
    and ``<name>.json`` (the graph)."""
    d = asset.dialogue
    yarn, entries = to_yarn(d)
    yarn_name = f"{asset.name}.yarn"
    start = {"start": d.start}
    ink_meta = {**asset.meta, "format": "ink", "ink_version": asset.ink_version, **start}
    return [
        ExportedFile(f"{asset.name}.ink", to_ink(d, asset.ink_version).encode(), "text/x-ink", ink_meta),
        ExportedFile(
            yarn_name,
            yarn.encode(),
            "text/x-yarn",
            {**asset.meta, "format": "yarn-spinner-2", "string_table": f"{asset.name}.strings.csv", **start},
        ),
        ExportedFile(
            f"{asset.name}.strings.csv",
            string_table(entries, yarn_name).encode(),
            "text/csv",
            {"format": "yarn-string-table", "language": "en", "lines": len(entries), "yarn": yarn_name},
        ),
        ExportedFile(
            f"{asset.name}.json",
            dump_json(d.model_dump(mode="json")),
            "application/json",
            {**asset.meta, "format": d.format, **start},
        ),
    ]
