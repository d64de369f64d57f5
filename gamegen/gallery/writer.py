"""``write_gallery``: the offline HTML gallery of a bundle, written to ``BUNDLE/gallery/`` and nowhere else.

The bundle's files and manifest are only read: the gallery lives outside the manifest's asset list and never
touches a build's cache key. A rebuilt bundle replaces its folder whole, gallery included, so ``gamegen build
--gallery`` writes it after the new bundle is in place. Thumbnails and payloads are named after the digests of
their sources and reused when the gallery is written again; the ones no card uses any more are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import GamegenError, OutputFolderError
from ..lock import output_lock
from ..machine import thread_budget
from .model import Card, Collection, collect
from .page import card_model, page_model, preview_record, render_html, snippet_of
from .payload import payload_name, plan, write_payload
from .picks import PICKS_FILE, PICKS_MAX_BYTES, check_picks
from .thumbs import make_thumbnail, thumbnail_name
from .viewers import plugin_viewers

__all__ = ["GALLERY_DIR", "write_gallery", "gallery_index"]

GALLERY_DIR = "gallery"
_SNIPPET_BYTES = 64 << 10
_SNIPPET_SUFFIXES = (".json", ".ink", ".txt", ".md")


def gallery_index(bundle: str | Path) -> Path:
    """Where the gallery page of ``bundle`` is (whether or not it was written)."""
    return Path(os.path.abspath(bundle)) / GALLERY_DIR / "index.html"


def _static_files() -> dict[str, bytes]:
    """The page's own files (scripts, styles, vendored libraries and their licences) by path under static/."""
    out: dict[str, bytes] = {}

    def walk(node: Any, prefix: str) -> None:
        for child in node.iterdir():
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            elif not child.name.startswith((".", "__")):
                out[f"{prefix}{child.name}"] = child.read_bytes()

    walk(resources.files(__package__) / "static", "")
    return out


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.is_file() and not path.is_symlink() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _prune(folder: Path, keep: set[str], base: Path) -> None:
    """Delete the files under ``folder`` whose path relative to ``base`` is not in ``keep``."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*"), reverse=True):
        rel = path.relative_to(base).as_posix()
        if path.is_symlink() or (path.is_file() and rel not in keep):
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def _snippet(collection: Collection, card: Card) -> str | None:
    texts: dict[str, str] = {}
    for record in card.entry.files:
        if not record.path.endswith(_SNIPPET_SUFFIXES) or record.media_type.startswith("image/"):
            continue
        src = collection.source(card, record)
        if src is not None:
            with src.open("rb") as fh:
                texts[record.path.rsplit("/", 1)[-1]] = fh.read(_SNIPPET_BYTES).decode("utf-8", errors="replace")
    return snippet_of(texts)


def _picks_beside(root: Path, known: set[str]) -> dict[str, Any] | None:
    """``BUNDLE/picks.json`` when it is there and valid: the page starts from it."""
    path = root / PICKS_FILE
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > PICKS_MAX_BYTES:
            return None
        return check_picks(json.loads(path.read_bytes()), known)
    except (OSError, ValueError, RecursionError, GamegenError):
        return None


def _card(collection: Collection, card: Card, gallery: Path) -> tuple[dict[str, Any], set[str]]:
    """One card's model, making its thumbnail and payload when they are not there yet; also the cache files used."""
    used: set[str] = set()
    thumb = None
    preview = preview_record(card)
    src = collection.source(card, preview) if preview is not None else None
    if preview is not None and src is not None:
        name = thumbnail_name(preview.sha256, preview.media_type.startswith("audio/"))
        size = make_thumbnail(src, gallery / name, preview.media_type.startswith("audio/"))
        if size is not None:
            thumb = (name, size)
            used.add(name)
    roles = plan(card)
    payload = payload_name(card, roles)
    if payload is not None:
        write_payload(collection, card, roles, gallery / payload)
        used.add(payload)
    return card_model(card, thumb, _snippet(collection, card), payload), used


def write_gallery(bundle: str | Path, *, lock_timeout: float | None = 600.0, viewers: Sequence[Path] = ()) -> Path:
    """Write the gallery of the bundle or variations folder ``bundle``; returns the path of its ``index.html``.

    ``viewers``: extra viewer scripts (``.js``) besides the installed plugins' (:mod:`gamegen.gallery.viewers`).
    Raises OutputFolderError (exit 2) when ``bundle`` is not a gamegen bundle.
    """
    root = Path(os.path.realpath(Path(bundle).expanduser()))
    if not str(bundle).strip() or not root.is_dir():
        raise OutputFolderError(f"{root} is not a folder: name a gamegen bundle (gamegen generate/build -o DIR)")
    gallery = root / GALLERY_DIR
    with output_lock(root, lock_timeout):
        collection = collect(root)
        if any(c.entry.id == GALLERY_DIR and not c.folder for c in collection.cards):
            raise OutputFolderError(f"{root}: an asset is named {GALLERY_DIR!r}, the gallery's folder; rename it")
        if gallery.is_symlink() or (gallery.exists() and not gallery.is_dir()):
            raise OutputFolderError(f"{gallery} exists and is not a folder; remove it to write the gallery")
        for sub in ("thumbs", "data"):
            (gallery / sub).mkdir(parents=True, exist_ok=True)
        cards = collection.cards
        with ThreadPoolExecutor(max(1, min(thread_budget(), len(cards))), thread_name_prefix="gamegen-gallery") as pool:
            made = list(pool.map(lambda c: _card(collection, c, gallery), cards))
        models = {card.pick_id: model for card, (model, _) in zip(cards, made, strict=True)}
        keep = {name for _, used in made for name in used}
        static = _static_files()
        scripts = []
        for name, path in {**plugin_viewers(), **{p.stem: Path(p) for p in viewers}}.items():
            static[f"plugins/{name}.js"] = path.read_bytes()
            scripts.append(f"static/plugins/{name}.js")
        for rel, data in static.items():
            _write_if_changed(gallery / "static" / rel, data)
        keep |= {f"static/{rel}" for rel in static}
        for sub in ("thumbs", "data", "static"):
            _prune(gallery / sub, keep, gallery)
        known = set(models)
        store_key = "gamegen-picks:" + hashlib.sha256(str(root).encode()).hexdigest()[:16]
        model = page_model(collection, models, _picks_beside(root, known), store_key)
        index = gallery / "index.html"
        _write_if_changed(index, render_html(model, scripts).encode())
    return index
