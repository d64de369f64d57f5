"""What the gallery shows: a bundle's (or a variations folder's) manifests read into cards and groups.

A card is one manifest entry; its pick id is the asset id, or inside a variations folder ``seed-N`` (``seed-N/<asset
id>`` when a variation holds several assets): the ids ``picks.json`` and ``gamegen dataset from-bundle`` use. Groups put side by side what an artist compares:
the variations of one recipe asset (``villager-1`` … ``villager-3``, the tiles ``world-0-0`` …) or of one
``--variations`` run. Everything the page needs about an asset comes from its manifest entry, so a plugin's assets
show with no extra work.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import AssetNameError, OutputFolderError
from ..manifest import FileRecord, Manifest, ManifestEntry
from ..names import check_name, check_relpath
from ..output import BUNDLE_FORMAT, VARIATIONS_FORMAT

__all__ = ["Card", "Collection", "Group", "collect", "read_manifest"]

MANIFEST_MAX_BYTES = 256 << 20
_KIND_ORDER = ["landscape", "texture", "character", "narrative", "dungeon", "audio"]
_SEED_FOLDER = re.compile(r"seed-\d+")


@dataclass(frozen=True)
class Card:
    """One asset on the page: its pick id, the sub-bundle it lies in ('' for a plain bundle) and its entry."""

    pick_id: str
    folder: str
    entry: ManifestEntry
    profile: str

    def path(self, record: FileRecord) -> str:
        """The file's POSIX path relative to the bundle (``seed-N/`` prefixed inside a variations folder)."""
        return f"{self.folder}/{record.path}" if self.folder else record.path


@dataclass(frozen=True)
class Group:
    """Cards to compare side by side: one recipe asset's variations or matrix cells, or one variations run."""

    name: str
    generator: str
    cards: list[Card]


@dataclass(frozen=True)
class Collection:
    """A bundle or variations folder, read: its format, profile, SDK version and the groups of cards."""

    root: Path
    format: str
    profile: str
    sdk: str
    groups: list[Group]

    @property
    def cards(self) -> list[Card]:
        """Every card, in page order."""
        return [card for group in self.groups for card in group.cards]

    def source(self, card: Card, record: FileRecord) -> Path | None:
        """The file on disk, or None when it is missing, not a plain file or (through a link) outside the bundle."""
        path = self.root / card.path(record)
        real = Path(os.path.realpath(path))
        if Path(os.path.realpath(self.root)) not in real.parents or not real.is_file():
            return None
        return real


def read_manifest(path: Path) -> dict[str, Any]:
    """A manifest file as JSON; OutputFolderError (naming the file) when it is missing, too big or not JSON."""
    try:
        if path.is_symlink() or not path.is_file():
            raise OutputFolderError(f"{path} is missing: not a gamegen bundle (run gamegen generate or build first)")
        if path.stat().st_size > MANIFEST_MAX_BYTES:
            raise OutputFolderError(f"{path}: larger than {MANIFEST_MAX_BYTES >> 20} MiB")
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError) as exc:
        raise OutputFolderError(f"{path}: not readable as JSON ({type(exc).__name__})") from None
    if not isinstance(doc, dict):
        raise OutputFolderError(f"{path}: not a gamegen manifest (a JSON object is expected)")
    return doc


def _bundle(path: Path) -> Manifest:
    doc = read_manifest(path)
    if doc.get("format") != BUNDLE_FORMAT:
        raise OutputFolderError(f"{path}: format {doc.get('format')!r} is not {BUNDLE_FORMAT!r}")
    try:
        manifest = Manifest.model_validate(doc)
        for entry in manifest.assets:
            check_name(entry.id, "asset id")
            for record in entry.files:
                check_relpath(record.path)
    except (ValidationError, AssetNameError) as exc:
        first = str(exc).splitlines()[0] if isinstance(exc, AssetNameError) else _first_error(exc)
        raise OutputFolderError(f"{path}: not a valid gamegen manifest: {first}") from None
    return manifest


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}"


def _variations(root: Path, doc: dict[str, Any]) -> list[tuple[str, Manifest]]:
    items = doc.get("variations")
    if not isinstance(items, list):
        raise OutputFolderError(f"{root / 'manifest.json'}: 'variations' must be a list")
    out = []
    for item in items:
        folder = item.get("bundle") if isinstance(item, dict) else None
        if not isinstance(folder, str) or not _SEED_FOLDER.fullmatch(folder):
            raise OutputFolderError(f"{root / 'manifest.json'}: variation bundle {folder!r} is not a seed-N folder")
        out.append((folder, _bundle(root / folder / "manifest.json")))
    return out


def _natural(text: str) -> list[Any]:
    """Sort key that puts ``seed-2`` before ``seed-10`` and ``villager-2`` before ``villager-10``."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _base_name(asset_id: str) -> str:
    """The recipe asset an id comes from: ``villager-2`` → ``villager``, ``world-0-1`` → ``world``."""
    return re.sub(r"(-\d+)+$", "", asset_id) or asset_id


def _kind_rank(generator: str) -> int:
    kind = generator.split(".")[0]
    return _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER)


def collect(root: Path) -> Collection:
    """Read the bundle or variations folder at ``root`` into groups of cards (OutputFolderError when it is neither)."""
    top = root / "manifest.json"
    doc = read_manifest(top)
    if doc.get("format") == BUNDLE_FORMAT:
        manifest = _bundle(top)
        grouped: dict[tuple[str, str], list[Card]] = {}
        for entry in manifest.assets:
            card = Card(entry.id, "", entry, manifest.profile)
            grouped.setdefault((_base_name(entry.id), entry.generator), []).append(card)
        groups = [
            Group(name, gen, sorted(cards, key=lambda c: _natural(c.pick_id))) for (name, gen), cards in grouped.items()
        ]
        groups.sort(key=lambda g: (_kind_rank(g.generator), _natural(g.name)))
        return Collection(root, BUNDLE_FORMAT, manifest.profile, manifest.generator_sdk, groups)
    if doc.get("format") == VARIATIONS_FORMAT:
        subs = sorted(_variations(root, doc), key=lambda item: _natural(item[0]))
        by_id: dict[tuple[str, str], list[Card]] = {}
        for folder, manifest in subs:
            one = len(manifest.assets) == 1
            for entry in manifest.assets:
                pick_id = folder if one else f"{folder}/{entry.id}"
                by_id.setdefault((entry.id, entry.generator), []).append(Card(pick_id, folder, entry, manifest.profile))
        groups = [Group(asset_id, gen, cards) for (asset_id, gen), cards in by_id.items()]
        profile = subs[0][1].profile if subs else str(doc.get("profile", ""))
        sdk = subs[0][1].generator_sdk if subs else str(doc.get("generator_sdk", ""))
        return Collection(root, VARIATIONS_FORMAT, profile, sdk, groups)
    raise OutputFolderError(
        f"{top}: format {doc.get('format')!r} is neither {BUNDLE_FORMAT!r} nor {VARIATIONS_FORMAT!r}"
    )
