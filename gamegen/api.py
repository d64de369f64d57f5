"""The Python API build scripts call: run a generator, get its assets, optionally write a bundle."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._version import __version__
from .assets import Asset
from .atomic import atomic_directory
from .bundle import (
    EarlyExport,
    ExportedAsset,
    Run,
    early_export,
    export_context,
    export_run,
    write_bundle,
    write_bundle_into,
)
from .context import Context, ProgressCallback
from .errors import GamegenError, GenerationError, ParamError
from .export import ExportProfile, get_profile
from .export.generic import dump_json
from .export.png import DEFAULT_COMPRESSION, check_compression, compression_scope
from .generator import Generator
from .output import VARIATIONS_FORMAT, claim_output, resolve_output
from .registry import registry

__all__ = ["MAX_VARIATIONS", "run_generator", "generate", "generate_variations"]


def _resolve(generator: str | type[Generator]) -> type[Generator]:
    return registry.get(generator) if isinstance(generator, str) else generator


def run_generator(
    generator: str | type[Generator],
    params: dict[str, Any] | None = None,
    *,
    seed: int = 0,
    profile: str | ExportProfile = "generic",
    progress: ProgressCallback | None = None,
    device: str | None = None,
    input_root: str | Path | None = None,
    early: EarlyExport | None = None,
) -> Run:
    """Validate ``params``, run the generator with a context seeded by ``seed`` and return the :class:`Run`.

    ``input_root``: input files the generator reads must lie inside this folder (a recipe's folder in builds).
    ``early``: where the run will be exported, assets the generator marks ready (:meth:`Context.ready`) start
    encoding there while it goes on (pass the same to :func:`~gamegen.bundle.export_run`).
    Raises ParamError for bad parameters; any other failure inside the generator becomes a GenerationError
    with a one-line reason (the original exception is chained).
    """
    cls = _resolve(generator)
    target = get_profile(profile) if isinstance(profile, str) else profile  # resolved once, before any work
    values = cls.validate(params)

    def start_export(asset: Asset) -> None:  # only given to the context when there is an early export
        assert early is not None
        early.submit(asset, export_context(cls, target, ctx.models, asset, early.compression))

    on_ready = None if early is None else start_export
    ctx = Context(seed, profile=target, progress=progress, device=device, input_root=input_root, on_ready=on_ready)
    try:
        assets = cls().generate(values, ctx)
    except GamegenError:
        raise
    except Exception as exc:
        raise GenerationError(f"{cls.name} failed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(assets, list) or not all(isinstance(a, Asset) for a in assets):
        raise GenerationError(f"{cls.name}.generate() must return a list of gamegen assets")
    return Run(cls, values, ctx.seed, target, assets, list(ctx.models), dict(ctx.inputs))


MAX_VARIATIONS = 1000


def _merged(params: Mapping[str, Any] | None, keywords: dict[str, Any]) -> dict[str, Any]:
    """Generator parameters from ``params=`` and from keywords; a name given both ways is an error.

    ``params=`` is how a parameter named like one of the API's own arguments (``seed``, ``count``, ``out``…)
    is passed: it never collides with them. The CLI passes every ``--set`` this way.
    """
    both = sorted(set(params or {}) & set(keywords))
    if both:
        raise ParamError([f"{name}: given both in params= and as a keyword" for name in both])
    return {**(params or {}), **keywords}


def generate(
    name: str | type[Generator],
    *,
    seed: int = 0,
    out: str | Path | None = None,
    profile: str | ExportProfile = "generic",
    asset_id: str | None = None,
    progress: ProgressCallback | None = None,
    params: Mapping[str, Any] | None = None,
    compression: str = DEFAULT_COMPRESSION,
    **keywords: Any,
) -> list[Asset]:
    """Run generator ``name`` with its parameters (``params=`` and/or keywords) and ``seed``; with ``out``, write a bundle.

    The bundle's files go under ``<asset_id>/`` (default: the generator's name) beside ``manifest.json``. ``out`` must
    be missing, empty or a gamegen bundle (:mod:`gamegen.output`); it is replaced only once the new bundle is whole.
    ``compression``: how the bundle's PNGs are compressed, ``"fast"`` (default: quick to write, for iterating) or
    ``"small"`` (zlib level 6, smaller files, for shipping); see :mod:`gamegen.export.png`.
    """
    check_compression(compression)
    values = _merged(params, keywords)
    if out is not None:
        resolve_output(out)  # refuse a bad folder before the work, not after
    if out is None:
        return run_generator(name, values, seed=seed, profile=profile, progress=progress).assets
    with early_export(compression) as early:
        run = run_generator(name, values, seed=seed, profile=profile, progress=progress, early=early)
        exported = export_run(run, asset_id or run.generator.name, compression=compression, early=early)
    write_bundle(out, [exported], run.profile)
    return run.assets


def generate_variations(
    name: str | type[Generator],
    count: int,
    *,
    seed: int = 0,
    out: str | Path | None = None,
    profile: str | ExportProfile = "generic",
    progress: ProgressCallback | None = None,
    params: Mapping[str, Any] | None = None,
    compression: str = DEFAULT_COMPRESSION,
    **keywords: Any,
) -> list[list[Asset]]:
    """Run the generator for ``count`` consecutive seeds (``seed`` … ``seed+count-1``, at most 1000).

    With ``out``, each variation becomes a sub-bundle ``seed-<n>/`` and a ``contact_sheet.png`` shows the
    first image of each side by side, so an artist can pick by eye (``contact_sheet.md`` with the opening lines of
    each text, for generators that make no image); ``manifest.json`` (format ``gamegen.variations/1``) lists them.
    The folder is replaced atomically, under the same rules as :func:`generate` (``compression`` too).
    """
    check_compression(compression)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_VARIATIONS:
        raise ParamError(f"variations={count!r}: must be an integer from 1 to {MAX_VARIATIONS}")
    values = _merged(params, keywords)
    target = get_profile(profile) if isinstance(profile, str) else profile
    folder = resolve_output(out) if out is not None else None  # refuse a bad folder before the work, not after
    runs: list[Run] = []
    for i in range(count):
        if progress is not None:
            progress(i, count, f"seed {seed + i}")
        runs.append(run_generator(name, values, seed=seed + i, profile=target))
    if progress is not None:
        progress(count, count, "done")
    if folder is not None:
        _write_variations(folder, runs, target, compression)
    return [r.assets for r in runs]


def _write_variations(out: Path, runs: list[Run], profile: ExportProfile, compression: str) -> None:
    """Write ``runs`` as ``seed-<n>/`` sub-bundles with a contact sheet and a manifest listing them."""
    from .previews import contact_sheet, text_contact_sheet

    exported: list[tuple[int, ExportedAsset]] = [
        (r.seed, export_run(r, r.generator.name, compression=compression)) for r in runs
    ]
    with claim_output(out) as folder, atomic_directory(folder) as tmp:
        for s, item in exported:
            sub = tmp / f"seed-{s}"
            sub.mkdir()
            write_bundle_into(sub, [item], profile)
        labelled = [(f"seed {r.seed}", r.assets) for r in runs]
        with compression_scope(compression):
            sheet = contact_sheet(labelled)
        sheet_name = None
        if sheet is not None:
            sheet_name = "contact_sheet.png"
            (tmp / sheet_name).write_bytes(sheet)
        elif (page := text_contact_sheet(labelled)) is not None:  # text-only generators: a page to read
            sheet_name = "contact_sheet.md"
            (tmp / sheet_name).write_text(page, encoding="utf-8")
        manifest = {
            "format": VARIATIONS_FORMAT,
            "generator_sdk": __version__,
            "generator": runs[0].generator.name,
            "profile": profile.name,
            "contact_sheet": sheet_name,
            "variations": [{"seed": s, "bundle": f"seed-{s}"} for s, _ in exported],
        }
        (tmp / "manifest.json").write_bytes(dump_json(manifest))
