"""The ``gamegen`` command: a thin click shell over the library (parsing and printing only)."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click

from .._version import __version__

__all__ = ["main"]


class _Group(click.Group):
    """Every failure is one ``error:`` line: usage and parameter errors exit 2, any other failure 1."""

    def main(  # type: ignore[override]  # one signature instead of click's two overloads
        self, args: Sequence[str] | None = None, prog_name: str | None = None, standalone_mode: bool = True, **extra: Any
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, standalone_mode=False, **extra)
        except click.ClickException as exc:  # click's own usage errors: one line too, not a usage dump
            hint = f" (see '{exc.ctx.command_path} --help')" if isinstance(exc, click.UsageError) and exc.ctx else ""
            click.echo(f"error: {' '.join(exc.format_message().split())}{hint}", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("error: aborted", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        from ..errors import GamegenError

        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except GamegenError as exc:
            _fail(exc, exc.exit_code, debug)
        except RecursionError as exc:  # input nested past what any check foresaw: still bad input, one line
            _fail(exc, 2, debug, prefix="input nested too deeply: ")
        except Exception as exc:  # an unexpected bug still gets a one-line reason
            _fail(exc, 1, debug, prefix=f"{type(exc).__name__}: ")


def _fail(exc: BaseException, code: int, debug: bool, prefix: str = "") -> None:
    if debug:
        traceback.print_exception(exc)
    message = " ".join(str(exc).split()) or type(exc).__name__
    click.echo(f"error: {prefix}{message}", err=True)
    sys.exit(code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="gamegen")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
def main(debug: bool) -> None:
    """Generate engine-ready game assets: characters, landscapes, textures and narrative.

    \b
    Examples:
      gamegen list                                  # every generator, built-in and plugins
      gamegen info landscape.heightmap              # its parameters, defaults and ranges
      gamegen generate texture.material -o out --set family=brick --variations 8
    """
    _show_warnings_as_lines()


def _show_warnings_as_lines() -> None:
    """Print warnings (a broken plugin, say) as one ``warning:`` line on stderr instead of a source dump."""
    import warnings

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        click.echo(f"warning: {message}", err=True)

    warnings.showwarning = show


# The subcommand modules register themselves on `main` when imported.
from . import build, dataset, generators, plugin, train, view  # noqa: E402,F401
