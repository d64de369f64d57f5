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
    help="The generator's kind, the prefix of its name: any lowercase identifier (audio, dungeon...). "
    "character, landscape, texture and narrative start from a worked example of their own, others from a generic one.",
)
@click.option("-o", "--out", type=click.Path(path_type=Path), help="Folder to create (default: ./gamegen-NAME).")
def new_plugin_cmd(name: str, kind: str, out: Path | None) -> None:
    """Create a pip-installable plugin with one generator KIND.NAME, a README and conformance tests.

    \b
    Example:
      gamegen new-plugin my_stars --kind texture -o my-stars
      pip install -e my-stars && gamegen list && pytest my-stars
    """
    from ..scaffold import new_plugin, template_kinds

    path = new_plugin(name, kind, out)
    example = "" if kind in template_kinds() else f"; no example for kind {kind!r}: started from the generic one"
    click.echo(f"created {path} (generator {kind}.{name}{example})")
    click.echo(f"next: pip install -e {path} && gamegen list && pytest {path}")
