"""Exceptions the SDK raises; the CLI exits with each one's ``exit_code`` (bad input → 2, any other failure → 1)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class GamegenError(Exception):
    """Base class of every error gamegen raises on purpose; ``exit_code`` is the CLI's exit status for it."""

    exit_code: int = 1


class Problem(str):
    """One bad parameter: the line shown to people (the string itself) and its parts for tools.

    ``param`` is the parameter's name (dotted for a nested field; None when the line concerns no single one),
    ``value`` what was given, ``constraint`` what is allowed (``8 ≤ size ≤ 4096``, ``unknown parameter``...).
    """

    param: str | None
    value: Any
    constraint: str | None

    def __new__(cls, line: str, param: str | None = None, value: Any = None, constraint: str | None = None) -> Problem:
        problem = super().__new__(cls, line)
        problem.param, problem.value, problem.constraint = param, value, constraint
        return problem


class ParamError(GamegenError, ValueError):
    """A parameter is missing, unknown, of the wrong type or out of range.

    ``problems`` holds one :class:`Problem` per bad parameter, each a line naming the parameter, the value and what
    is allowed (plain strings given to the constructor become problems about no particular parameter).
    """

    exit_code = 2

    def __init__(self, problems: Sequence[str] | str, generator: str | None = None):
        given = [problems] if isinstance(problems, str) else list(problems)
        self.problems = [p if isinstance(p, Problem) else Problem(p) for p in given]
        self.generator = generator
        where = f"{generator}: " if generator else ""
        super().__init__(where + "; ".join(self.problems))


class OutputFolderError(GamegenError):
    """gamegen refuses to write a bundle there: the folder holds something that is not a gamegen bundle, or is
    the root, the home folder or the current folder (a bundle replaces its folder whole)."""

    exit_code = 2


class DatasetError(GamegenError, ValueError):
    """Training data cannot be used as a whole: a missing or empty folder, no usable item, a bad picks file."""

    exit_code = 2


class AssetNameError(GamegenError, ValueError):
    """An asset or file name would escape the bundle or is not portable."""


class UnknownGeneratorError(GamegenError, KeyError):
    """No generator is registered under the requested name."""

    exit_code = 2

    def __str__(self) -> str:  # KeyError quotes its message; we want plain text
        return str(self.args[0])


class GenerationError(GamegenError, RuntimeError):
    """A generator failed while producing its assets."""


class QualityError(GamegenError):
    """An asset failed one of its automatic quality checks (e.g. a seamless texture with a seam)."""


class ModelLoadError(GamegenError):
    """A neural model could not be found, downloaded or loaded safely."""


class TrainingError(GamegenError, RuntimeError):
    """A trainer failed while training (bad data or settings are ParamError/DatasetError, exit 2)."""
