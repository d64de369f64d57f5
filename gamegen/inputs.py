"""Parameters that may name files: JSON (an inline object, or a path to a JSON file) read into schema models.

Files are read through the context so their hashes land in the provenance; schema errors become
ParamErrors that name the parameter and the field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .context import Context
from .errors import ParamError

__all__ = ["read_model", "is_file", "input_label"]

M = TypeVar("M", bound=BaseModel)


def is_file(text: str) -> bool:
    """True when ``text`` names an existing file (False for text too long to be a path, e.g. an inline template)."""
    try:
        return Path(text).is_file()
    except OSError:
        return False


def input_label(value: str) -> str:
    """The name a file or model that a parameter names is recorded under in outputs and provenance: a local path
    by its last component (its content hash identifies it; a build resolves recipe paths to absolute ones, which
    must neither make bundles differ between machines nor put a user's folders into them), else the value as given
    (a hub id or a built-in name)."""
    path = Path(value).expanduser()
    try:
        local = path.exists()
    except (OSError, ValueError):
        local = False
    return path.name if local and path.name else value


def read_model(model: type[M], source: str | dict[str, Any], param: str, ctx: Context) -> M:
    """Validate ``source`` (an object, or a JSON file's path) as ``model``; problems name ``param``."""
    if isinstance(source, str):
        if not is_file(source):
            raise ParamError(f"{param}={source!r}: no such file (give a JSON file or an inline JSON object)")
        try:
            source = json.loads(ctx.read_input(source))
        except ValueError as exc:
            raise ParamError(f"{param}={source!r}: not valid JSON ({exc})") from None
    try:
        return model.model_validate(source)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(map(str, (param, *e['loc'])))}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors(include_url=False)
        ]
        raise ParamError(problems) from None
