"""Asset bundles: a folder of exported files plus a ``manifest.json`` recording what made each file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._version import __version__
from .assets import Asset
from .atomic import atomic_directory
from .context import ModelUse
from .export import ExportContext, export_asset, get_profile
from .export.generic import dump_json
from .generator import Generator
from .names import check_name, check_relpath
from .output import BUNDLE_FORMAT, claim_output
from .params import Params
from .provenance import provenance_record

__all__ = ["BUNDLE_FORMAT", "Run", "ExportedAsset", "export_run", "write_bundle", "write_bundle_into", "manifest_of"]



@dataclass
class Run:
    """One generator call: what was asked and what came out, before export."""

    generator: type[Generator]
    params: Params
    seed: int
    profile: str
    assets: list[Asset]
    models: list[ModelUse] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)


@dataclass
class ExportedAsset:
    """A manifest entry together with its files' bytes, keyed by bundle-relative path."""

    entry: dict[str, Any]
    files: dict[str, bytes]


def export_run(run: Run, asset_id: str) -> ExportedAsset:
    """Export every asset of ``run`` with its profile; files go under ``<asset_id>/`` in the bundle."""
    check_name(asset_id, "asset id")
    profile = get_profile(run.profile)
    models = [{"model_id": m.model_id, "weights_sha256": m.weights_sha256, **m.extra} for m in run.models]
    files: dict[str, bytes] = {}
    folded: dict[str, str] = {}  # case-folded path → path: names that differ only by case collide on Windows/macOS
    records: list[dict[str, Any]] = []
    run_neural = bool(run.models)
    for asset in run.assets:
        neural = run_neural if asset.neural is None else asset.neural
        prov = provenance_record(run.generator.name, run.generator.version, neural, models if neural else None)
        for f in export_asset(asset, ExportContext(profile=profile, provenance=prov)):
            path = check_relpath(f"{asset_id}/{f.path}")
            if path in files:
                raise ValueError(f"{run.generator.name}: two files would be written to {path!r}")
            if path.casefold() in folded:
                raise ValueError(
                    f"{run.generator.name}: files {folded[path.casefold()]!r} and {path!r} differ only by case "
                    "(one file on Windows and macOS)"
                )
            folded[path.casefold()] = path
            files[path] = f.data
            record: dict[str, Any] = {
                "path": path,
                "sha256": hashlib.sha256(f.data).hexdigest(),
                "bytes": len(f.data),
                "media_type": f.media_type,
                "ai_generated": neural,
            }
            if f.meta:
                record["meta"] = f.meta
            records.append(record)
    entry: dict[str, Any] = {
        "id": asset_id,
        "generator": run.generator.name,
        "generator_version": run.generator.version,
        "kind": run.generator.kind,
        "seed": run.seed,
        "params": run.params.model_dump(mode="json"),
        "files": sorted(records, key=lambda r: r["path"]),
        "provenance": provenance_record(run.generator.name, run.generator.version, run_neural, models or None),
    }
    if run.inputs:
        entry["provenance"]["inputs"] = dict(sorted(run.inputs.items()))
    return ExportedAsset(entry=entry, files=files)


def manifest_of(exported: list[ExportedAsset], profile: str) -> dict[str, Any]:
    """The manifest document for a bundle made of ``exported`` (assets sorted by id)."""
    ids = [e.entry["id"] for e in exported]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"duplicate asset ids in one bundle: {', '.join(dupes)}")
    return {
        "format": BUNDLE_FORMAT,
        "generator_sdk": __version__,
        "profile": profile,
        "assets": sorted((e.entry for e in exported), key=lambda e: e["id"]),
    }


def write_bundle_into(root: Path, exported: list[ExportedAsset], profile: str) -> None:
    """Write the files and manifest into an existing, empty folder (no atomicity of its own)."""
    manifest = manifest_of(exported, profile)
    for item in exported:
        for rel, data in item.files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    (root / "manifest.json").write_bytes(dump_json(manifest))


def write_bundle(out: str | Path, exported: list[ExportedAsset], profile: str) -> Path:
    """Write a complete bundle to ``out`` atomically: the previous bundle stays until the new one is whole.

    ``out`` must be missing, empty or a gamegen bundle (:mod:`gamegen.output`); returns the folder written.
    """
    with claim_output(out) as folder, atomic_directory(folder) as tmp:
        write_bundle_into(tmp, exported, profile)
    return folder
