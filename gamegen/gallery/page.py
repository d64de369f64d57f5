"""The page itself: the JSON model of every card the script renders, and the HTML shell that carries it.

The model goes inline (``<script type="application/json">``), the code as classic ``<script src>`` files, so the
page works from ``file://`` with no server and nothing fetched.
"""

from __future__ import annotations

import html
import json
from typing import Any

from .._version import __version__
from ..manifest import FileRecord
from .command import recreate_command
from .model import Card, Collection
from .qc import qc_rows

__all__ = ["GALLERY_FORMAT", "CORE_SCRIPTS", "preview_record", "card_model", "page_model", "render_html", "snippet_of"]

GALLERY_FORMAT = "gamegen.gallery/1"
CORE_SCRIPTS = ["static/gallery.js", "static/picks.js", "static/compare.js", "static/view3d.js", "static/viewers.js"]
_IMAGE_TYPES = ("image/png", "image/gif", "image/jpeg", "image/webp")


def preview_record(card: Card) -> FileRecord | None:
    """The file a card shows: an image marked ``preview``, else the first 8-bit image, else a heightmap, else a
    sound (drawn as its waveform); None for text-only assets."""
    images = [f for f in card.entry.files if f.media_type in _IMAGE_TYPES]
    marked = [f for f in images if (f.meta or {}).get("preview")]
    plain = [f for f in images if not (f.meta or {}).get("height_encoding")]
    sounds = [f for f in card.entry.files if f.media_type.startswith("audio/")]
    for choice in (marked, plain, images, sounds):
        if choice:
            return choice[0]
    return None


def _file(card: Card, record: FileRecord) -> dict[str, Any]:
    rel = card.path(record)
    return {
        "path": rel,
        "name": rel.rsplit("/", 1)[-1],
        "media_type": record.media_type,
        "bytes": record.bytes,
        "sha256": record.sha256,
        "ai": record.ai_generated,
        "meta": record.meta or {},
    }


def card_model(card: Card, thumb: tuple[str, int] | None, snippet: str | None, payload: str | None) -> dict[str, Any]:
    """One card's part of the model: the manifest entry plus the gallery's thumbnail, snippet and payload names."""
    entry = card.entry
    preview = preview_record(card)
    pixel_art = any("palette" in (f.meta or {}) or "frame_size" in (f.meta or {}) for f in entry.files)
    return {
        "id": card.pick_id,
        "asset": entry.id,
        "folder": card.folder,
        "generator": entry.generator,
        "version": entry.generator_version,
        "kind": entry.kind,
        "seed": str(entry.seed),  # a string: JavaScript numbers lose 64-bit seeds
        "profile": card.profile,
        "params": entry.params,
        "provenance": entry.provenance,
        "ai": bool(entry.provenance.get("ai_generated")) or any(f.ai_generated for f in entry.files),
        "files": [_file(card, f) for f in entry.files],
        "preview": card.path(preview) if preview is not None else None,
        "thumb": thumb[0] if thumb else None,
        "pixel": bool(thumb and (thumb[1] <= 64 or (pixel_art and thumb[1] <= 128))),
        "snippet": snippet,
        "payload": payload,
        "command": recreate_command(entry, card.profile),
        "qc": [[r["file"], r["check"], r["value"], r["ok"], r["limit"]] for r in qc_rows(entry)],
    }


def page_model(
    collection: Collection, cards: dict[str, dict[str, Any]], picks: dict[str, Any] | None, store_key: str
) -> dict[str, Any]:
    """The whole model: the bundle's facts, its groups (card indices) and cards, and picks found beside it."""
    order = [card.pick_id for card in collection.cards]
    index = {pick_id: i for i, pick_id in enumerate(order)}
    return {
        "format": GALLERY_FORMAT,
        "title": collection.root.name,
        "bundle_format": collection.format,
        "profile": collection.profile,
        "sdk": collection.sdk,
        "gallery_sdk": __version__,
        "store_key": store_key,
        "picks": picks,
        "groups": [
            {"name": g.name, "generator": g.generator, "cards": [index[c.pick_id] for c in g.cards]}
            for g in collection.groups
        ],
        "cards": [cards[pick_id] for pick_id in order],
    }


def _inline_json(doc: Any) -> str:
    """JSON that cannot end the ``<script>`` element it sits in."""
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def render_html(model: dict[str, Any], plugin_scripts: list[str]) -> str:
    """The HTML shell: the stylesheet, the inline model and the scripts (gamegen's, then the plugins')."""
    scripts = "\n".join(f'<script src="{html.escape(src)}"></script>' for src in [*CORE_SCRIPTS, *plugin_scripts])
    title = html.escape(f"{model['title']} — gamegen gallery")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="gamegen {html.escape(__version__)}">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="static/gallery.css">
</head>
<body>
<div id="app" aria-live="polite"><noscript>The gallery needs JavaScript.</noscript></div>
<script id="gg-model" type="application/json">{_inline_json(model)}</script>
{scripts}
</body>
</html>
"""


def snippet_of(texts: dict[str, str]) -> str | None:
    """A few lines that stand for a text-only asset on its card (``texts``: file name → its opening text)."""
    for name, text in texts.items():
        if name.endswith(".json"):
            try:
                doc = json.loads(text)
            except ValueError:
                continue
            if isinstance(doc, dict) and doc.get("format") == "gamegen.character.sheet/1":
                return f"{doc.get('name', '?')}\nlevel {doc.get('level', '?')} {doc.get('role', '')}".strip()
            if isinstance(doc, dict) and isinstance(doc.get("quests"), list) and doc["quests"]:
                return "\n".join(
                    f"• {q.get('title', q.get('id', '?'))}" for q in doc["quests"][:6] if isinstance(q, dict)
                )
    for name, text in texts.items():
        if name.endswith(".ink"):
            spoken = [
                line.split("#", 1)[0].strip()
                for line in text.splitlines()
                if "#line:" in line and not line.lstrip().startswith(("+", "*", "//"))
            ]
            if spoken:
                return "\n".join(spoken[:3])
    for name, text in texts.items():
        if name.endswith((".txt", ".md")):
            return "\n".join(text.splitlines()[:8])
    return None
