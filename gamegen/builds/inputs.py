"""A recipe's inputs: the files and models its parameters name, read relative to the recipe and kept inside it.

A recipe comes from a repository, so it is untrusted: a parameter typed ``InputFile``, ``ModelRef`` or
``AdapterRef`` that names a path (absolute, ``~``, ``./``/``../``, or a name that exists in the recipe's folder) is
resolved against the recipe's folder, links followed, and must stay inside it unless the user allows outside
inputs. Hub ids and built-in names name nothing on disk and pass through unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..generator import Generator
from ..params import InputKind, Params, input_fields
from ..training.trainer import Trainer

__all__ = ["RecipeInputs"]


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _names_a_path(value: str, base: Path) -> Path | None:
    """Where ``value`` points when it names a path, resolved against ``base`` with links followed; else None."""
    if not value or len(value) > 4096 or "\n" in value or "\x00" in value:
        return None
    path = Path(value).expanduser()
    pathlike = path.is_absolute() or value.startswith(("~", "./", "../"))
    candidate = path if path.is_absolute() else base / path
    try:
        if pathlike or os.path.lexists(candidate):
            return Path(os.path.realpath(candidate))
    except (OSError, ValueError):
        pass
    return None


@dataclass(frozen=True)
class RecipeInputs:
    """How one recipe's parameters may name inputs: relative to ``base``, and (unless ``outside``) inside it.

    Without a ``base`` (a recipe built in Python, not read from a file) names are taken as given, as
    :func:`gamegen.generate` takes them.
    """

    base: Path | None
    outside: bool = False

    @property
    def root(self) -> str | None:
        """The folder a job's reads must stay in (its context refuses others); None: anywhere."""
        return None if self.base is None or self.outside else str(self.base)

    def resolve(
        self, generator: type[Generator[Any]] | type[Trainer[Any]], values: Mapping[str, Any]
    ) -> tuple[dict[str, str], list[tuple[str, str]]]:
        """(parameter → resolved path, [(parameter, problem)]) for the input parameters of ``values`` (a trainer's
        ``data`` counts as one)."""
        resolved: dict[str, str] = {}
        problems: list[tuple[str, str]] = []
        if self.base is None:
            return resolved, problems
        kinds: dict[str, InputKind] = input_fields(generator.params)
        if "data" in values and "data" not in kinds:
            kinds["data"] = "file"
        for key in kinds:
            value = values.get(key)
            target = _names_a_path(value, self.base) if isinstance(value, str) else None
            if target is None:
                continue
            if self.outside or _inside(target, self.base):
                resolved[key] = str(target)
            else:
                problems.append((key, self._outside(f"{key}={value!r}", target)))
        return resolved, problems

    def stray(self, generator: type[Generator[Any]], params: Params) -> list[str]:
        """Files the generator says it reads that lie outside ``base``: a last check after resolving."""
        base = self.base
        if base is None or self.outside:
            return []
        try:
            paths = generator().input_files(params)
        except Exception:  # a generator that cannot list its inputs fails when it runs, with its own reason
            return []
        named = {os.path.realpath(str(getattr(params, key))): key for key in input_fields(type(params))}
        real = (Path(os.path.realpath(p)) for p in paths)
        return [
            self._outside(f"{named.get(str(path), 'input')}", path) for path in real if not _inside(path, base)
        ]

    def _outside(self, what: str, target: Path) -> str:
        return (
            f"{what}: {target} is outside the recipe's folder {self.base} "
            "(recipe inputs stay inside it; pass --allow-outside-inputs to read it anyway)"
        )
