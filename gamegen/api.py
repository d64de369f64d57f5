"""The Python API build scripts call: run a generator, get its assets, optionally write a bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .assets import Asset
from .atomic import atomic_directory
from .bundle import ExportedAsset, Run, export_run, write_bundle, write_bundle_into
from .context import Context, ProgressCallback
from .errors import GamegenError, GenerationError
from .export import get_profile
from .generator import Generator
from .registry import registry

__all__ = ["run_generator", "generate", "generate_variations"]


def _resolve(generator: str | type[Generator]) -> type[Generator]:
    return registry.get(generator) if isinstance(generator, str) else generator


def run_generator(
    generator: str | type[Generator],
    params: dict[str, Any] | None = None,
    *,
    seed: int = 0,
    profile: str = "generic",
    progress: ProgressCallback | None = None,
    device: str | None = None,
) -> Run:
    """Validate ``params``, run the generator with a context seeded by ``seed`` and return the :class:`Run`.

    Raises ParamError for bad parameters; any other failure inside the generator becomes a GenerationError
    with a one-line reason (the original exception is chained).
    """
    cls = _resolve(generator)
    get_profile(profile)  # fail early on an unknown profile
    values = cls.validate(params)
    ctx = Context(seed, profile=profile, progress=progress, device=device)
    try:
        assets = cls().generate(values, ctx)
    except GamegenError:
        raise
    except Exception as exc:
        raise GenerationError(f"{cls.name} failed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(assets, list) or not all(isinstance(a, Asset) for a in assets):
        raise GenerationError(f"{cls.name}.generate() must return a list of gamegen assets")
    return Run(cls, values, ctx.seed, profile, assets, list(ctx.models), dict(ctx.inputs))


def generate(
    name: str | type[Generator],
    *,
    seed: int = 0,
    out: str | Path | None = None,
    profile: str = "generic",
    asset_id: str | None = None,
    progress: ProgressCallback | None = None,
    **params: Any,
) -> list[Asset]:
    """Run generator ``name`` with ``params`` and ``seed``; when ``out`` is given, write a bundle there.

    The bundle's files go under ``<asset_id>/`` (default: the generator's name) beside ``manifest.json``.
    """
    run = run_generator(name, params, seed=seed, profile=profile, progress=progress)
    if out is not None:
        write_bundle(out, [export_run(run, asset_id or run.generator.name)], profile)
    return run.assets


def generate_variations(
    name: str | type[Generator],
    count: int,
    *,
    seed: int = 0,
    out: str | Path | None = None,
    profile: str = "generic",
    progress: ProgressCallback | None = None,
    **params: Any,
) -> list[list[Asset]]:
    """Run the generator for ``count`` consecutive seeds (``seed`` … ``seed+count-1``).

    With ``out``, each variation becomes a sub-bundle ``seed-<n>/`` and a ``contact_sheet.png`` shows the
    first image of each side by side, so an artist can pick by eye (``contact_sheet.md`` with the opening lines of
    each text, for generators that make no image). The folder is replaced atomically.
    """
    if count < 1:
        raise GamegenError(f"variations must be at least 1, got {count}")
    runs: list[Run] = []
    for i in range(count):
        if progress is not None:
            progress(i, count, f"seed {seed + i}")
        runs.append(run_generator(name, params, seed=seed + i, profile=profile))
    if progress is not None:
        progress(count, count, "done")
    if out is not None:
        from .previews import contact_sheet, text_contact_sheet

        exported: list[tuple[int, ExportedAsset]] = [(r.seed, export_run(r, r.generator.name)) for r in runs]
        with atomic_directory(out) as tmp:
            for s, item in exported:
                sub = tmp / f"seed-{s}"
                sub.mkdir()
                write_bundle_into(sub, [item], profile)
            labelled = [(f"seed {r.seed}", r.assets) for r in runs]
            sheet = contact_sheet(labelled)
            if sheet is not None:
                (tmp / "contact_sheet.png").write_bytes(sheet)
            elif (page := text_contact_sheet(labelled)) is not None:  # text-only generators: a page to read
                (tmp / "contact_sheet.md").write_text(page, encoding="utf-8")
    return [r.assets for r in runs]
