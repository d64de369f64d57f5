"""``gamegen dataset inspect`` and ``gamegen dataset from-bundle``: training data, read and made."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from . import main

_KINDS = ["image", "text", "sprite"]
_SHOWN = 20


@main.group("dataset")
def dataset_group() -> None:
    """Inspect training data, and turn the assets you kept into a captioned dataset."""


def _listed(title: str, lines: list[str]) -> list[str]:
    """``title: N`` then up to 20 indented lines and a count of the rest."""
    out = [f"{title}: {len(lines)}"] + [f"  {line}" for line in lines[:_SHOWN]]
    if len(lines) > _SHOWN:
        out.append(f"  ... and {len(lines) - _SHOWN} more")
    return out


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} ×{n}" for key, n in counts.items()) or "none"


def _describe(path: str, summary: dict[str, Any]) -> str:
    """The human-readable form of a dataset summary."""
    lines = [
        f"{path}: {summary['count']} {summary['kind']} items",
        f"fingerprint: {summary['fingerprint']}",
        f"captions: {summary['captions']} of {summary['count']}",
        f"licences: {_counts(summary['licenses'])}",
    ]
    if summary["kind"] == "text":
        lines.insert(1, f"characters: {summary['characters']}")
    else:
        lines.insert(1, f"sizes: {_counts(summary['sizes'])}")
    lines += _listed("problems", [f"{p['path']}: {p['reason']}" for p in summary["problems"]])
    lines += _listed("duplicates", [f"{b} duplicates {a} ({kind})" for a, b, kind in summary["duplicates"]])
    return "\n".join(lines)


@dataset_group.command("inspect")
@click.argument("path")
@click.option("--kind", type=click.Choice(_KINDS), help="Read the data as this kind (default: guessed).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def inspect_cmd(path: str, kind: str | None, as_json: bool) -> None:
    """Load the training data at PATH and print its summary: count, fingerprint, sizes, captions, licences,
    problems and duplicates.

    \b
    Examples:
      gamegen dataset inspect art/textures
      gamegen dataset inspect lore --kind text --json
    """
    from ..datasets import load_dataset

    summary = load_dataset(path, kind).summary()  # type: ignore[arg-type]  # click.Choice keeps it to the kinds
    click.echo(json.dumps(summary, indent=2, ensure_ascii=False) if as_json else _describe(path, summary))


@dataset_group.command("from-bundle")
@click.argument("bundle")
@click.option("--pick", "pick", metavar="ID,ID,...", help="Asset ids to keep (seed-N for a folder of variations).")
@click.option("--picks", "picks_file", metavar="PICKS.json", help="A picks file (default: BUNDLE/picks.json, "
              "which gamegen view writes).")  # fmt: skip
@click.option("-o", "--out", required=True, metavar="DATA", help="Dataset folder to write (replaced whole).")
@click.option("--json", "as_json", is_flag=True, help="Print the new dataset's summary as JSON.")
def from_bundle_cmd(bundle: str, pick: str | None, picks_file: str | None, out: str, as_json: bool) -> None:
    """Copy the primary image of each asset you kept from BUNDLE into a captioned image dataset.

    The captions are the generator and parameters that made each image; metadata.jsonl also records the
    source (generator, version, seed), licence and stars. Without --pick or --picks, the picks the gallery
    saved in BUNDLE/picks.json are used.

    \b
    Examples:
      gamegen generate texture.material -o bricks --set family=brick --variations 8
      gamegen dataset from-bundle bricks --pick seed-1,seed-4,seed-6 -o data/brick
      gamegen dataset from-bundle bricks --picks picks.json -o data/brick
      gamegen view bricks; gamegen dataset from-bundle bricks -o data/brick   # what you picked in the gallery
    """
    from ..datasets import from_bundle
    from ..datasets.picks import PICKS_FILE

    if pick is not None and picks_file is not None:
        raise click.UsageError("give one of --pick ID,ID,... and --picks PICKS.json, not both")
    gallery = Path(bundle) / PICKS_FILE
    if pick is None and picks_file is None and not gallery.is_file():
        raise click.UsageError(f"give --pick ID,ID,... or --picks PICKS.json (there is no {gallery})")
    chosen: Path | list[str] = (
        [i.strip() for i in pick.split(",") if i.strip()] if pick is not None else Path(picks_file or gallery)
    )
    dataset = from_bundle(bundle, chosen, out)
    if as_json:
        click.echo(json.dumps(dataset.summary(), indent=2, ensure_ascii=False))
    else:
        click.echo(f"wrote {len(dataset.items)} captioned images to {out} (fingerprint {dataset.fingerprint[:16]})")
