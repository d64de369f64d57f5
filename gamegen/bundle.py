"""Asset bundles: a folder of exported files plus a ``manifest.json`` recording what made each file."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
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

__all__ = [
    "BUNDLE_FORMAT",
    "EarlyExport",
    "Run",
    "ExportedAsset",
    "early_export",
    "export_context",
    "export_run",
    "write_bundle",
    "write_bundle_into",
    "manifest_of",
]


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


def _model_records(models: Sequence[ModelUse]) -> list[dict[str, Any]]:
    return [{"model_id": m.model_id, "weights_sha256": m.weights_sha256, **m.extra} for m in models]


def export_context(
    generator: type[Generator[Any]], profile: ExportProfile, models: Sequence[ModelUse], asset: Asset, compression: str
) -> ExportContext:
    """What ``asset``'s exporter is told: the profile, its provenance (AI-made if the asset says so, else if the run
    used a model) and the compression."""
    neural = bool(models) if asset.neural is None else asset.neural
    prov = provenance_record(generator.name, generator.version, neural, _model_records(models) if neural else None)
    return ExportContext(profile=profile, provenance=prov, compression=compression)


class EarlyExport:
    """Encodes the assets a generator marks final (:meth:`gamegen.Context.ready`) on spare threads while the
    generator goes on, so that file work overlaps generation; :func:`export_run` takes those results instead of
    encoding the assets again (only for the same asset object under the same export context: same bytes either way).
    """

    def __init__(self, compression: str, threads: int) -> None:
        self.compression = check_compression(compression)
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="gamegen-early-export")
        self._started: dict[int, tuple[Asset, ExportContext, Future[list[tuple[ExportedFile, str]]]]] = {}

    def submit(self, asset: Asset, ctx: ExportContext) -> None:
        """Start encoding ``asset`` under ``ctx``."""
        self._started[id(asset)] = (asset, ctx, self._pool.submit(_export_files, asset, ctx))

    def claim(self, asset: Asset, ctx: ExportContext) -> Future[list[tuple[ExportedFile, str]]] | None:
        """The encoding started for this very asset under this very context, or None (encode it now)."""
        started = self._started.pop(id(asset), None)  # holding the asset keeps its id from being reused meanwhile
        return None if started is None or started[1] != ctx else started[2]

    def close(self) -> None:
        """Stop: encodings not begun are dropped, those running finish."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._started.clear()


@contextlib.contextmanager
def early_export(compression: str) -> Iterator[EarlyExport | None]:
    """An :class:`EarlyExport` for one generator call (a thread per core beside the generator's), or None where this
    process has no spare core for it."""
    spare = thread_budget() - 1
    if spare < 1:
        yield None
        return
    early = EarlyExport(compression, spare)
    try:
        yield early
    finally:
        early.close()


def export_run(
    run: Run,
    asset_id: str,
    *,
    compression: str = DEFAULT_COMPRESSION,
    threads: int | None = None,
    early: EarlyExport | None = None,
) -> ExportedAsset:
    """Export every asset of ``run`` with its profile; files go under ``<asset_id>/`` in the bundle.

    ``compression``: how PNGs are compressed, ``"fast"`` or ``"small"`` (:mod:`gamegen.export.png`). The assets are
    encoded and hashed on ``threads`` threads at once (default: :func:`gamegen.machine.thread_budget`, so a build
    worker keeps to its share of the cores; 1: one after
    another, in this thread); the result (files, their order, the manifest entry) is the same either way. Assets
    ``early`` began encoding while the generator ran are taken from it.
    """
    check_name(asset_id, "asset id")
    check_compression(compression)
    profile = run.profile
    files: dict[str, bytes] = {}
    folded: dict[str, str] = {}  # case-folded path → path: names that differ only by case collide on Windows/macOS
    records: list[FileRecord] = []
    contexts = [export_context(run.generator, profile, run.models, asset, compression) for asset in run.assets]
    claimed = [None if early is None else early.claim(a, c) for a, c in zip(run.assets, contexts, strict=True)]
    workers = min(claimed.count(None), threads if threads is not None else thread_budget())
    if workers <= 1:
        jobs = zip(run.assets, contexts, claimed, strict=True)
        exported = [_export_files(a, c) if f is None else f.result() for a, c, f in jobs]
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="gamegen-export") as pool:
            jobs = zip(run.assets, contexts, claimed, strict=True)
            futures = [f or pool.submit(_export_files, a, c) for a, c, f in jobs]
            try:
                exported = [future.result() for future in futures]  # in asset order, whatever order they finish in
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    for ctx, asset_files in zip(contexts, exported, strict=True):
        neural = bool(ctx.provenance["ai_generated"])
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
    models = _model_records(run.models)
    provenance = provenance_record(run.generator.name, run.generator.version, bool(models), models or None)
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
