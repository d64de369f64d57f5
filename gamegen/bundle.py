"""Asset bundles: a folder of exported files plus a ``manifest.json`` recording what made each file."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._version import __version__
from .assets import Asset
from .atomic import atomic_directory
from .context import ModelUse
from .export import ExportContext, ExportedFile, ExportProfile, export_asset
from .export.generic import dump_json
from .export.png import DEFAULT_COMPRESSION, check_compression, compression_scope
from .generator import Generator
from .machine import thread_budget
from .manifest import FileRecord, Manifest, ManifestEntry
from .names import check_name, check_relpath
from .output import BUNDLE_FORMAT, claim_output
from .params import Params
from .provenance import provenance_record

__all__ = ["BUNDLE_FORMAT", "Run", "ExportedAsset", "export_run", "write_bundle", "write_bundle_into", "manifest_of"]


@dataclass
class Run:
    """One generator call: what was asked and what came out, before export."""

    generator: type[Generator[Any]]
    params: Params
    seed: int
    profile: ExportProfile
    assets: list[Asset]
    models: list[ModelUse] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)


@dataclass
class ExportedAsset:
    """A manifest entry together with its files' bytes, keyed by bundle-relative path."""

    entry: ManifestEntry
    files: dict[str, bytes]


def _export_files(asset: Asset, ctx: ExportContext) -> list[tuple[ExportedFile, str]]:
    """One asset's files, each with its sha256 (on a worker thread: encoders and hashing release the GIL).

    Encoders the exporter calls without the context (glTF textures, a plugin's own images) use its compression too.
    """
    with compression_scope(ctx.compression):
        return [(f, hashlib.sha256(f.data).hexdigest()) for f in export_asset(asset, ctx)]


def export_run(
    run: Run, asset_id: str, *, compression: str = DEFAULT_COMPRESSION, threads: int | None = None
) -> ExportedAsset:
    """Export every asset of ``run`` with its profile; files go under ``<asset_id>/`` in the bundle.

    ``compression``: how PNGs are compressed, ``"fast"`` or ``"small"`` (:mod:`gamegen.export.png`). The assets are
    encoded and hashed on ``threads`` threads at once (default: :func:`gamegen.machine.thread_budget`, so a build
    worker keeps to its share of the cores; 1: one after
    another, in this thread); the result (files, their order, the manifest entry) is the same either way.
    """
    check_name(asset_id, "asset id")
    check_compression(compression)
    profile = run.profile
    models = [{"model_id": m.model_id, "weights_sha256": m.weights_sha256, **m.extra} for m in run.models]
    files: dict[str, bytes] = {}
    folded: dict[str, str] = {}  # case-folded path → path: names that differ only by case collide on Windows/macOS
    records: list[FileRecord] = []
    run_neural = bool(run.models)
    tasks: list[tuple[bool, ExportContext]] = []
    for asset in run.assets:
        neural = run_neural if asset.neural is None else asset.neural
        prov = provenance_record(run.generator.name, run.generator.version, neural, models if neural else None)
        tasks.append((neural, ExportContext(profile=profile, provenance=prov, compression=compression)))
    workers = min(len(tasks), threads if threads is not None else thread_budget())
    contexts = [ctx for _, ctx in tasks]
    if workers <= 1:
        exported = [_export_files(asset, ctx) for asset, ctx in zip(run.assets, contexts, strict=True)]
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="gamegen-export") as pool:
            futures = [pool.submit(_export_files, asset, ctx) for asset, ctx in zip(run.assets, contexts, strict=True)]
            try:
                exported = [future.result() for future in futures]  # in asset order, whatever order they finish in
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    for (neural, _), asset_files in zip(tasks, exported, strict=True):
        for f, digest in asset_files:
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
            records.append(FileRecord(path=path, sha256=digest, bytes=len(f.data), media_type=f.media_type,
                                      ai_generated=neural, meta=f.meta or None))  # fmt: skip
    provenance = provenance_record(run.generator.name, run.generator.version, run_neural, models or None)
    if run.inputs:
        provenance["inputs"] = dict(sorted(run.inputs.items()))
    entry = ManifestEntry(
        id=asset_id,
        generator=run.generator.name,
        generator_version=run.generator.version,
        kind=run.generator.kind,
        seed=run.seed,
        params=run.params.model_dump(mode="json"),
        files=sorted(records, key=lambda r: r.path),
        provenance=provenance,
    )
    return ExportedAsset(entry=entry, files=files)


def manifest_of(exported: list[ExportedAsset], profile: str | ExportProfile) -> dict[str, Any]:
    """The manifest document for a bundle made of ``exported`` (assets sorted by id)."""
    ids = [e.entry.id for e in exported]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"duplicate asset ids in one bundle: {', '.join(dupes)}")
    name = profile if isinstance(profile, str) else profile.name
    assets = sorted((e.entry for e in exported), key=lambda e: e.id)
    return Manifest(generator_sdk=__version__, profile=name, assets=assets).document()


def write_bundle_into(root: Path, exported: list[ExportedAsset], profile: str | ExportProfile) -> None:
    """Write the files and manifest into an existing, empty folder (no atomicity of its own)."""
    manifest = manifest_of(exported, profile)
    for item in exported:
        for rel, data in item.files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    (root / "manifest.json").write_bytes(dump_json(manifest))


def write_bundle(out: str | Path, exported: list[ExportedAsset], profile: str | ExportProfile) -> Path:
    """Write a complete bundle to ``out`` atomically: the previous bundle stays until the new one is whole.

    ``out`` must be missing, empty or a gamegen bundle (:mod:`gamegen.output`); returns the folder written.
    """
    with claim_output(out) as folder, atomic_directory(folder) as tmp:
        write_bundle_into(tmp, exported, profile)
    return folder
