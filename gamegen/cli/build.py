"""``gamegen build``: build the bundle a ``gamegen.toml`` recipe describes (parsing and printing only)."""

from __future__ import annotations

import atexit
import gc
import json
import sys
from pathlib import Path
from typing import Any

import click

from . import main
from .progress import progress_printer


def _emit_json(obj: dict[str, Any], code: int = 0) -> None:
    click.echo(json.dumps(obj, indent=2))
    if code:
        sys.exit(code)


@main.command("build")
@click.argument("recipe", type=click.Path(path_type=Path), default="gamegen.toml")
@click.option(
    "-o",
    "--out",
    metavar="DIR",
    required=True,
    help="Bundle folder to write: a new or empty folder, or an earlier bundle (replaced whole).",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Assets built at once.")
@click.option(
    "--executor",
    metavar="local|processes|dask|ADDRESS",
    help="Where assets run: this process, a process pool, a Dask LocalCluster, or a Dask scheduler "
    "address.  [default: local for 1 job, else this process plus jobs - 1 worker processes]",
)
@click.option("--force", is_flag=True, help="Regenerate every asset, ignoring the cache.")
@click.option("--only", multiple=True, metavar="NAME", help="Build only these assets (repeat, or NAME,NAME).")
@click.option("--keep-going", is_flag=True, help="After a failure, still build (and cache) the other assets.")
@click.option(
    "--cache",
    type=click.Path(path_type=Path),
    help="Cache folder.  [default: $GAMEGEN_CACHE, else .gamegen-cache beside the recipe]",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=600,
    show_default=True,
    help="Seconds to wait for another build of the same output to finish.",
)
@click.option(
    "--allow-outside-inputs",
    is_flag=True,
    help="Let parameters name files outside the recipe's folder (refused by default: a recipe is untrusted input).",
)
@click.option(
    "--compression",
    type=click.Choice(["fast", "small"]),
    help="PNG compression: fast to write or small files (zlib level 6, for shipping).  [default: the recipe's "
    "compression key, else fast]",
)
@click.option("--json", "as_json", is_flag=True, help="Print only the JSON build report.")
@click.option("--gallery", is_flag=True, help="Also write OUT/gallery/index.html to look at it (see gamegen view).")
def build_cmd(
    recipe: Path,
    out: str,
    jobs: int,
    executor: str | None,
    force: bool,
    only: tuple[str, ...],
    keep_going: bool,
    cache: Path | None,
    lock_timeout: float,
    allow_outside_inputs: bool,
    compression: str | None,
    as_json: bool,
    gallery: bool,
) -> None:
    """Build the bundle RECIPE (default ./gamegen.toml) describes into OUT, reusing cached assets.

    \b
    Examples:
      gamegen build examples/starter/gamegen.toml -o starter-bundle
      gamegen build -o bundle --jobs 2 --only hero,terrain
      gamegen build -o bundle --executor tcp://scheduler:8786 --json
    """
    from ..builds import BuildError, RecipeError, build
    from ..errors import GamegenError

    # The process ends after the build: skip the garbage collections Python runs on the way out over every object
    # the generators loaded (numba's JIT caches alone make them take 0.3 s); memory goes back to the system anyway.
    atexit.register(gc.freeze)

    names = [n for value in only for n in value.split(",") if n] or None
    progress = None if as_json else progress_printer("build", line_interval=0.0)
    try:
        report = build(
            recipe,
            out=out,
            executor=executor,
            jobs=jobs,
            force=force,
            only=names,
            keep_going=keep_going,
            progress=progress,
            cache=cache,
            lock_timeout=lock_timeout,
            allow_outside_inputs=allow_outside_inputs,
            compression=compression,
        )
    except RecipeError as exc:
        if as_json:
            _emit_json({"ok": False, "error": "invalid recipe", "problems": exc.problems}, 2)
        for line in exc.problems:
            click.echo(f"error: {line}", err=True)
        sys.exit(2)
    except GamegenError as exc:
        if as_json:
            _emit_json(
                exc.report.to_dict()
                if isinstance(exc, BuildError)
                else {"ok": False, "error": " ".join(str(exc).split())},
                exc.exit_code,
            )
        if sys.stderr.isatty():
            click.echo(err=True)  # end the progress bar's line before the error
        raise
    gallery_note = {}
    if gallery:  # after the build: a rebuilt bundle replaces its folder whole, gallery included
        from ..gallery import write_gallery

        gallery_note = {"gallery": str(write_gallery(out))}
    if as_json:
        _emit_json(report.to_dict() | gallery_note)
        return
    click.echo(
        f"built {len(report.built)}, cached {len(report.cached)} of {len(report.assets)} assets "
        f"into {out} in {report.seconds:.1f} s"
    )
    if gallery_note:
        click.echo(f"look at it: {gallery_note['gallery']}")
