"""gamegen bundles as training data: each asset's primary image, captioned with the generator and parameters that
made it, so a team can train on assets it generated and then kept.

An asset's primary image is the one its generator marks ``preview`` (the picture a contact sheet shows, the one
people pick by): the base colour of a material, a sprite's first frame, a terrain's shaded preview; else its first
8-bit PNG, JPEG or WebP that is not a data map (normal, height, masks...). A folder of variations
(``gamegen generate --variations``) is read through each ``seed-N`` sub-bundle; its asset is picked as ``seed-N``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from ..errors import AssetNameError, DatasetError
from ..manifest import FileRecord, Manifest, ManifestEntry
from ..names import check_name, check_relpath
from ..output import BUNDLE_FORMAT, VARIATIONS_FORMAT
from .duplicates import image_signature
from .items import DataProblem, DatasetItem, Loaded
from .reading import IMAGE_SUFFIXES, MAX_IMAGE_BYTES, MAX_JSON_BYTES, Unreadable, decode_image, read_capped
from .scan import Scan

__all__ = ["BundleAsset", "bundle_assets", "bundle_format", "load_bundle"]

_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})
_DATA_MAPS = frozenset({"normal", "height", "roughness", "ao", "orm", "metallic", "metallic_smoothness",
                        "mask_map", "slope", "flow", "wear", "deposition", "splat", "mask"})  # fmt: skip
# Model and input-file references and the negative prompt say nothing about what a picture shows.
_NOT_DESCRIPTIVE = frozenset({"prompt", "negative_prompt", "model", "init_image", "mask", "lora", "lora_scale"})


@dataclass(frozen=True)
class BundleAsset:
    """One asset of a bundle: the id it is picked by, the bundle folder holding it, and its manifest entry."""

    pick_id: str
    folder: Path
    entry: ManifestEntry

    @property
    def image(self) -> FileRecord | None:
        """The asset's primary image (see the module's description), or None when it has no picture."""
        stills = [f for f in self.entry.files if f.media_type in _IMAGE_TYPES
                  and PurePosixPath(f.path).suffix.lower() in IMAGE_SUFFIXES]  # fmt: skip
        marked = [f for f in stills if (f.meta or {}).get("preview") is True]
        plain = [f for f in stills if not {(f.meta or {}).get("map"), PurePosixPath(f.path).stem} & _DATA_MAPS]
        chosen = marked or plain
        return chosen[0] if chosen else None

    def image_path(self) -> Path:
        """Where the primary image lies; Unreadable when the asset has none or the manifest points outside."""
        record = self.image
        if record is None:
            raise Unreadable(f"asset {self.pick_id} has no image (only {', '.join(self.entry.relative_paths())})")
        try:
            path = self.folder / check_relpath(record.path)
        except AssetNameError as exc:
            raise Unreadable(str(exc)) from None
        if Path(os.path.realpath(self.folder)) not in Path(os.path.realpath(path)).parents:
            raise Unreadable(f"asset {self.pick_id}: {record.path} leads out of the bundle")
        return path

    @property
    def caption(self) -> str:
        """``generator, prompt, name=value, ...``: the generator, its prompt if any, then its descriptive
        parameters (scalars and lists of scalars, sorted by name)."""
        params = self.entry.params
        words = [self.entry.generator]
        if isinstance(params.get("prompt"), str) and params["prompt"].strip():
            words.append(params["prompt"].strip())
        words += [f"{k}={_word(v)}" for k, v in sorted(params.items()) if k not in _NOT_DESCRIPTIVE and _word(v)]
        return ", ".join(words)

    @property
    def source(self) -> str:
        """``gamegen:<generator>@<version> seed=<seed>``."""
        return f"gamegen:{self.entry.generator}@{self.entry.generator_version} seed={self.entry.seed}"

    @property
    def license(self) -> str | None:
        """The licence the manifest records for the asset (its provenance, else the models it used), if any."""
        provenance = self.entry.provenance
        if isinstance(provenance.get("license"), str):
            return str(provenance["license"])
        models: list[Any] = provenance["models"] if isinstance(provenance.get("models"), list) else []
        found = sorted({m["license"] for m in models if isinstance(m, dict) and isinstance(m.get("license"), str)})
        return ", ".join(found) or None


def _word(value: Any) -> str:
    """A parameter value as caption text ('' for values that describe nothing: None, tables, nested lists)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in value):
        return "+".join(map(str, value))
    return ""


def _read_json(path: Path) -> Any:
    """The JSON document at ``path``; Unreadable when missing, too large or not JSON."""
    try:
        return json.loads(read_capped(path, MAX_JSON_BYTES))
    except (ValueError, RecursionError) as exc:
        raise Unreadable(f"not JSON ({exc})") from None


def bundle_format(folder: Path) -> str | None:
    """The ``format`` of ``folder/manifest.json`` when it is a bundle or variations folder, else None."""
    manifest = folder / "manifest.json"
    if manifest.is_symlink() or not manifest.is_file():
        return None
    try:
        doc = _read_json(manifest)
    except Unreadable:
        return None
    fmt = doc.get("format") if isinstance(doc, dict) else None
    return fmt if fmt in (BUNDLE_FORMAT, VARIATIONS_FORMAT) else None


def _manifest(folder: Path) -> Manifest:
    """The validated manifest of the bundle at ``folder``; Unreadable saying what is wrong."""
    try:
        return Manifest.model_validate(_read_json(folder / "manifest.json"))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"])) or "manifest"
        raise Unreadable(f"not a gamegen bundle manifest ({where}: {first['msg']})") from None


def bundle_assets(folder: Path, problems: list[DataProblem] | None = None) -> list[BundleAsset]:
    """The assets of the bundle or variations folder at ``folder``, by pick id; DatasetError when its manifest
    is unusable. A broken variation is a problem (or, without ``problems``, an error too)."""
    fmt = bundle_format(folder)
    try:
        if fmt == BUNDLE_FORMAT:
            return [BundleAsset(e.id, folder, e) for e in _manifest(folder).assets]
        doc = _read_json(folder / "manifest.json") if fmt == VARIATIONS_FORMAT else None
        variations = doc.get("variations") if isinstance(doc, dict) else None
        if not isinstance(variations, list):
            raise Unreadable("no manifest.json of a gamegen bundle or variations folder")
    except Unreadable as exc:
        raise DatasetError(f"{folder}: {exc}") from None
    assets: list[BundleAsset] = []
    for variation in variations:
        name = variation.get("bundle") if isinstance(variation, dict) else None
        try:
            if not isinstance(name, str):
                raise Unreadable(f"variation {variation!r} names no bundle folder")
            entries = _manifest(folder / check_name(name, "variation bundle")).assets
        except (Unreadable, AssetNameError) as exc:
            if problems is None:
                raise DatasetError(f"{folder}: {exc}") from None
            problems.append(
                DataProblem(f"{name}/manifest.json" if isinstance(name, str) else "manifest.json", str(exc))
            )
            continue
        one = len(entries) == 1
        assets += [BundleAsset(name if one else f"{name}/{e.id}", folder / name, e) for e in entries]
    return assets


def load_bundle(scan: Scan) -> Loaded:
    """One item per asset with a primary image; its id is the image's path in the folder."""
    found = Loaded()
    present = set(scan.files)
    for asset in bundle_assets(scan.root, found.problems):
        if asset.image is None:
            continue
        rel = asset.pick_id  # where a problem is reported until the image's path is known
        try:
            rel = asset.image_path().relative_to(scan.root).as_posix()
            if rel not in present:
                raise Unreadable(f"asset {asset.pick_id}: its image {rel} is missing or was skipped")
            data = read_capped(scan.root / rel, MAX_IMAGE_BYTES)
            signature = image_signature(decode_image(data))
        except Unreadable as exc:
            found.problems.append(DataProblem(rel, str(exc)))
            continue
        digest = hashlib.sha256(data).hexdigest()
        found.items.append(DatasetItem(rel, asset.caption, digest, asset.license, asset.source, path=scan.root / rel))
        found.signatures[rel] = signature
    return found
