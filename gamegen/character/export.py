"""Sprite-sheet exporters: the sheet PNG with TexturePacker JSON-hash and Aseprite JSON, plus Godot SpriteFrames.

- ``<name>.json``: TexturePacker JSON-hash, as Phaser (``load.atlas``) and PixiJS (``Assets.load``) read it,
  with an ``animations`` map PixiJS turns into AnimatedSprite frame lists.
- ``<name>.aseprite.json``: Aseprite's JSON export (frames keyed by index with ``duration`` in ms, and
  ``meta.frameTags``), the layout Phaser's ``createFromAseprite`` and Aseprite-based pipelines expect.
- ``<name>.tres`` (godot profile): a Godot 4 ``SpriteFrames`` resource, one animation per tag, whose texture path
  is relative to the ``.tres`` file, so the bundle folder can be dropped anywhere in a project.
"""

from __future__ import annotations

import json
from typing import Any

from .._version import __version__
from ..export import ExportContext, ExportedFile
from ..export.generic import export_image
from .atlas import Atlas, FrameRect, SpriteSheetAsset

__all__ = ["texturepacker_json", "aseprite_json", "godot_sprite_frames"]


def _rect(f: FrameRect) -> dict[str, Any]:
    return {
        "frame": {"x": f.x, "y": f.y, "w": f.w, "h": f.h},
        "rotated": False,
        "trimmed": False,
        "spriteSourceSize": {"x": 0, "y": 0, "w": f.w, "h": f.h},
        "sourceSize": {"w": f.w, "h": f.h},
    }


def _meta(atlas: Atlas, image: str) -> dict[str, Any]:
    return {
        "app": "gamegen",
        "version": __version__,
        "image": image,
        "format": "RGBA8888",
        "size": {"w": atlas.width, "h": atlas.height},
        "scale": str(atlas.scale),
    }


def texturepacker_json(atlas: Atlas, image: str) -> dict[str, Any]:
    """The TexturePacker JSON-hash document for ``atlas``, whose sheet file is called ``image``."""
    return {
        "frames": {f.name: _rect(f) for f in atlas.frames},
        "animations": {t.name: [f.name for f in atlas.frames[t.start : t.end + 1]] for t in atlas.tags},
        "meta": _meta(atlas, image),
    }


def aseprite_json(atlas: Atlas, image: str) -> dict[str, Any]:
    """The Aseprite JSON (hash, frames named by index) document for ``atlas``."""
    tags = []
    for t in atlas.tags:
        tag = {"name": t.name, "from": t.start, "to": t.end, "direction": "forward", "color": "#000000ff"}
        if not t.loop:
            tag["repeat"] = "1"
        tags.append(tag)
    return {
        "frames": {str(i): {**_rect(f), "duration": f.duration_ms} for i, f in enumerate(atlas.frames)},
        "meta": {
            **_meta(atlas, image),
            "frameTags": tags,
            "layers": [{"name": "sprite", "opacity": 255, "blendMode": "normal"}],
            "slices": [],
        },
    }


def _godot_float(x: float) -> str:
    return repr(float(round(x, 6)))


def godot_sprite_frames(atlas: Atlas, image: str) -> str:
    """A Godot 4 ``SpriteFrames`` text resource (``format=3``): an AtlasTexture per frame, an animation per tag."""
    lines = [
        f'[gd_resource type="SpriteFrames" load_steps={len(atlas.frames) + 2} format=3]',
        "",
        f'[ext_resource type="Texture2D" path="{image}" id="1_sheet"]',
        "",
    ]
    for i, f in enumerate(atlas.frames):
        lines += [
            f'[sub_resource type="AtlasTexture" id="AtlasTexture_{i}"]',
            'atlas = ExtResource("1_sheet")',
            f"region = Rect2({f.x}, {f.y}, {f.w}, {f.h})",
            "",
        ]
    animations = []
    for t in atlas.tags:
        frames = ", ".join(
            f'{{\n"duration": 1.0,\n"texture": SubResource("AtlasTexture_{i}")\n}}' for i in range(t.start, t.end + 1)
        )
        fps = 1000.0 / atlas.frames[t.start].duration_ms
        animations.append(
            f'{{\n"frames": [{frames}],\n"loop": {str(t.loop).lower()},\n"name": &"{t.name}",\n'
            f'"speed": {_godot_float(fps)}\n}}'
        )
    lines += ["[resource]", f"animations = [{', '.join(animations)}]", ""]
    return "\n".join(lines)


def _json(obj: dict[str, Any]) -> bytes:
    """JSON in the documents' own key order (frame order matters to some readers), UTF-8, newline-terminated."""
    return (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode()


def export_sprite_sheet(asset: SpriteSheetAsset, ctx: ExportContext) -> list[ExportedFile]:
    """The sheet PNG (with provenance), its TexturePacker JSON-hash and its Aseprite JSON."""
    png = export_image(asset, ctx)[0]
    return [
        png,
        ExportedFile(
            asset.name + ".json",
            _json(texturepacker_json(asset.atlas, png.path)),
            "application/json",
            {"format": "texturepacker-json-hash"},
        ),
        ExportedFile(
            asset.name + ".aseprite.json",
            _json(aseprite_json(asset.atlas, png.path)),
            "application/json",
            {"format": "aseprite-json"},
        ),
    ]


def export_sprite_sheet_godot(asset: SpriteSheetAsset, ctx: ExportContext) -> list[ExportedFile]:
    """Everything the generic profile writes, plus a Godot 4 SpriteFrames ``.tres`` using the sheet PNG."""
    files = export_sprite_sheet(asset, ctx)
    tres = godot_sprite_frames(asset.atlas, files[0].path).encode()
    return files + [ExportedFile(asset.name + ".tres", tres, "text/plain", {"format": "godot-spriteframes"})]
