"""``gamegen list``, ``gamegen info`` and ``gamegen generate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from . import main
from .progress import progress_printer


def parse_sets(pairs: tuple[str, ...]) -> dict[str, Any]:
    """``key=value`` pairs → dict; values are read as JSON when they parse (numbers, lists), else as text."""
    from ..errors import ParamError
    from ..params import MAX_NESTING

    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected key=value, got {pair!r}", param_hint="--set")
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        except RecursionError:
            raise ParamError(f"{key.strip()}: value nested too deeply (more than {MAX_NESTING} levels)") from None
        out[key.strip()] = value
    return out


@main.command("list")
@click.option("--kind", help="Only generators of this kind (character, landscape, texture, narrative, ...).")
@click.option("--trainers", "show_trainers", is_flag=True, help="List trainers (gamegen train) instead of generators.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_cmd(kind: str | None, show_trainers: bool, as_json: bool) -> None:
    """List the generators gamegen knows (or, with --trainers, its trainers): built-ins and installed plugins."""
    from ..catalog import generator_summaries, trainer_summaries

    noun = "trainers" if show_trainers else "generators"
    rows = trainer_summaries() if show_trainers else generator_summaries(kind)
    rows = [r for r in rows if kind is None or r["kind"] == kind]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo(f"no {noun}" + (f" of kind {kind!r}" if kind else ""))
        return
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        click.echo(f"{r['name']:<{width}}  {r['version']:<8} {r['summary']}")


@main.command("info")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON Schema of the parameters.")
def info_cmd(name: str, as_json: bool) -> None:
    """Show a generator's (or a trainer's) parameters: types, defaults, ranges and descriptions."""
    from ..catalog import generator_info

    info = generator_info(name)
    if as_json:
        click.echo(json.dumps(info, indent=2, sort_keys=True))
        return
    what = f"trainer, trains on {info['data']} data" if info.get("trainer") else info["kind"]
    click.echo(f"{info['name']} {info['version']} ({what}) — from {info['origin']}")
    if info["description"]:
        click.echo(f"\n{info['description']}")
    click.echo("\nParameters:")
    for p in info["parameters"]:
        extra = f"  [{p['range']}]" if p.get("range") else ""
        choices = f"  one of: {', '.join(map(str, p['choices']))}" if p.get("choices") else ""
        click.echo(f"  {p['name']} ({p['type']}, default {json.dumps(p.get('default'))}){extra}{choices}")
        if p.get("description"):
            click.echo(f"      {p['description']}")
    if info["output_schema"]:
        out = info["output_schema"]
        click.echo(f"\nOutput: {out.get('title', 'JSON')} (JSON; full schema with --json)")
        for key, prop in out.get("properties", {}).items():
            click.echo(f"  {key}: {prop.get('type') or prop.get('$ref', '').rsplit('/', 1)[-1] or 'any'}")
        for alternative in out.get("anyOf", []):  # outputs that depend on a parameter: one schema each
            name = alternative.get("$ref", "").rsplit("/", 1)[-1]
            described = out.get("$defs", {}).get(name, {}).get("description", "").split("\n")[0]
            click.echo(f"  {name}: {described}" if described else f"  {name}")


@main.command("generate")
@click.argument("name")
@click.option(
    "-o",
    "--out",
    metavar="DIR",
    required=True,
    help="Bundle folder to write: a new or empty folder, or an earlier bundle (replaced whole).",
)
@click.option(
    "--seed", type=click.IntRange(min=0, max=2**63 - 1), default=0, show_default=True, help="Random seed."
)
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="A parameter; repeat for several.")
@click.option("--profile", default="generic", show_default=True, help="Export profile: generic, unity, unreal, godot.")
@click.option(
    "--variations",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Generate N seeds (seed … seed+N-1, N ≤ 1000) as sub-bundles with a contact sheet.",
)
@click.option(
    "--compression",
    type=click.Choice(["fast", "small"]),
    default="fast",
    show_default=True,
    help="PNG compression: fast to write (for iterating) or small files (zlib level 6, for shipping).",
)
@click.option("--quiet", is_flag=True, help="No progress output.")
@click.option("--gallery", is_flag=True, help="Also write OUT/gallery/index.html to look at it (see gamegen view).")
def generate_cmd(
    name: str,
    out: str,
    seed: int,
    sets: tuple[str, ...],
    profile: str,
    variations: int,
    compression: str,
    quiet: bool,
    gallery: bool,
) -> None:
    """Run generator NAME and write an engine-ready bundle to OUT.

    \b
    Example:
      gamegen generate landscape.heightmap -o terrain --profile unity --set size=1025 --seed 7
    """
    from ..api import generate, generate_variations

    params = parse_sets(sets)
    progress = progress_printer(name, quiet)
    if variations == 1:
        assets = generate(
            name, seed=seed, out=out, profile=profile, progress=progress, params=params, compression=compression
        )
        click.echo(f"wrote {len(assets)} asset(s) to {out}")
    else:
        generate_variations(
            name,
            variations,
            seed=seed,
            out=out,
            profile=profile,
            progress=progress,
            params=params,
            compression=compression,
        )
        click.echo(f"wrote {variations} variations (seeds {seed}–{seed + variations - 1}) to {out}")
        for sheet in ("contact_sheet.png", "contact_sheet.md"):
            if (Path(out) / sheet).is_file() and not gallery:
                click.echo(f"compare them in {Path(out) / sheet}")
    if gallery:
        from ..gallery import write_gallery

        click.echo(f"look at it: {write_gallery(out)}")
