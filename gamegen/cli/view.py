"""``gamegen view``: write a bundle's offline HTML gallery, open it, or serve it so picks land in the bundle."""

from __future__ import annotations

import time
import webbrowser
from pathlib import Path

import click

from . import main


@main.command("view")
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--open", "open_page", is_flag=True, help="Open the gallery in the default web browser.")
@click.option(
    "--serve", is_flag=True, help="Serve it on 127.0.0.1 and write picks to BUNDLE/picks.json (Ctrl-C stops)."
)
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="Port for --serve (0: any).")
@click.option("--serve-seconds", type=click.FloatRange(min=0), help="Stop serving after this many seconds.")
def view_cmd(bundle: Path, open_page: bool, serve: bool, port: int, serve_seconds: float | None) -> None:
    """Write BUNDLE/gallery/index.html: every asset of a bundle (or --variations folder) shown, with picks.

    \b
    Examples:
      gamegen view starter-bundle --open
      gamegen view heroes --serve            # picks are saved to heroes/picks.json as you make them
    """
    from ..gallery import serve as serve_gallery
    from ..gallery import write_gallery

    start = time.perf_counter()
    index = write_gallery(bundle)
    click.echo(f"wrote {index} in {time.perf_counter() - start:.1f} s")
    if not serve:
        if open_page:
            webbrowser.open(index.as_uri())
        return

    def ready(url: str) -> None:
        click.echo(f"serving {url} (picks go to {bundle / 'picks.json'}); Ctrl-C stops")
        if open_page:
            webbrowser.open(url)

    serve_gallery(bundle, port, seconds=serve_seconds, on_ready=ready)
