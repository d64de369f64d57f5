"""``gamegen new-plugin``: scaffold a plugin package from the template shipped with gamegen."""

from __future__ import annotations

from pathlib import Path

import click

from . import main


@main.command("new-plugin")
@click.argument("name")
@click.option(
    "--kind",
    default="texture",
    show_default=True,
    help="The generator's kind (character, landscape, texture, narrative, or your own).",
)
@click.option("-o", "--out", type=click.Path(path_type=Path), help="Folder to create (default: ./gamegen-NAME).")
def new_plugin_cmd(name: str, kind: str, out: Path | None) -> None:
    """Create a pip-installable plugin with one generator NAME, a README and conformance tests.

    \b
    Example:
      gamegen new-plugin my_stars --kind texture -o my-stars
      pip install -e my-stars && gamegen list && pytest my-stars
    """
    from ..scaffold import new_plugin

    path = new_plugin(name, kind, out)
    click.echo(f"created {path} (generator {kind}.{name})")
    click.echo(f"next: pip install -e {path} && gamegen list && pytest {path}")
