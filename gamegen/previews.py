"""Previews for people: a contact sheet of variations so an artist picks by eye, not by reading JSON."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from .assets import Asset, ImageAsset
from .export.png import encode_png

__all__ = ["preview_image", "preview_text", "contact_sheet", "text_contact_sheet"]

THUMB = 256
TEXT_LINES = 20


def preview_image(assets: list[Asset]) -> np.ndarray | None:
    """The image that best shows a run: one whose meta says ``preview``, else the first 8-bit image."""
    images = [a for a in assets if isinstance(a, ImageAsset)]
    marked = [a for a in images if a.meta.get("preview")]
    for a in marked + images:
        arr = a.array
        if arr.dtype == np.uint16:
            arr = (arr >> 8).astype(np.uint8)
        return arr
    return None


def preview_text(assets: list[Asset]) -> tuple[str, str] | None:
    """``(label, text)`` that best shows a run with no image: an asset marked ``preview``, else plain text, else any."""
    readable = [(a, text) for a in assets if (text := a.preview_text()) is not None]
    plain = (".txt", ".md")
    readable.sort(key=lambda item: (not item[0].meta.get("preview"), getattr(item[0], "suffix", "") not in plain))
    if not readable:
        return None
    asset, text = readable[0]
    return f"{asset.name}{getattr(asset, 'suffix', '')}", text


def text_contact_sheet(items: list[tuple[str, list[Asset]]]) -> str | None:
    """A Markdown page with the opening lines of each item's preview text, to compare text variations at a glance."""
    sections = []
    for label, assets in items:
        found = preview_text(assets)
        if found is None:
            continue
        name, text = found
        lines = text.splitlines()
        more = f"\n… ({len(lines) - TEXT_LINES} more lines)" if len(lines) > TEXT_LINES else ""
        body = "\n".join(lines[:TEXT_LINES]).replace("```", "` ` `")
        sections.append(f"## {label} — {name}\n\n```\n{body}{more}\n```\n")
    return "\n".join(sections) if sections else None


def _thumb(arr: np.ndarray) -> Image.Image:
    img = Image.fromarray(arr).convert("RGBA")
    scale = THUMB / max(img.size)
    resample = Image.Resampling.NEAREST if scale >= 1 else Image.Resampling.LANCZOS
    img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))), resample)
    return img


def contact_sheet(items: list[tuple[str, list[Asset]]], columns: int = 5) -> bytes | None:
    """A labelled grid PNG of each item's preview image; None when no item has an image."""
    previews = [(label, preview_image(assets)) for label, assets in items]
    thumbs = [(label, arr) for label, arr in previews if arr is not None]
    if not thumbs:
        return None
    cols = min(columns, len(thumbs))
    rows = -(-len(thumbs) // cols)
    cell_w, cell_h = THUMB + 8, THUMB + 24
    sheet = Image.new("RGBA", (cols * cell_w, rows * cell_h), (32, 32, 36, 255))
    draw = ImageDraw.Draw(sheet)
    for i, (label, arr) in enumerate(thumbs):
        x, y = (i % cols) * cell_w + 4, (i // cols) * cell_h + 4
        th = _thumb(arr)
        sheet.alpha_composite(th, (x + (THUMB - th.width) // 2, y + (THUMB - th.height) // 2))
        draw.text((x, y + THUMB + 4), label, fill=(230, 230, 230, 255))
    return encode_png(np.asarray(sheet))
