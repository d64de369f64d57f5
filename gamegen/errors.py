"""Exceptions the SDK raises; the CLI exits with each one's ``exit_code`` (bad input → 2, any other failure → 1)."""

from __future__ import annotations


class GamegenError(Exception):
    """Base class of every error gamegen raises on purpose; ``exit_code`` is the CLI's exit status for it."""

    exit_code: int = 1


class ParamError(GamegenError, ValueError):
    """A parameter is missing, unknown, of the wrong type or out of range.

    ``problems`` holds one line per bad parameter, each naming the parameter, the value and what is allowed.
    """

    exit_code = 2

    def __init__(self, problems: list[str] | str, generator: str | None = None):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.generator = generator
        where = f"{generator}: " if generator else ""
        super().__init__(where + "; ".join(self.problems))


class OutputFolderError(GamegenError):
    """gamegen refuses to write a bundle there: the folder holds something that is not a gamegen bundle, or is
    the root, the home folder or the current folder (a bundle replaces its folder whole)."""

    exit_code = 2


class AssetNameError(GamegenError, ValueError):
    """An asset or file name would escape the bundle or is not portable."""


class UnknownGeneratorError(GamegenError, KeyError):
    """No generator is registered under the requested name."""

    def __str__(self) -> str:  # KeyError quotes its message; we want plain text
        return str(self.args[0])


class GenerationError(GamegenError, RuntimeError):
    """A generator failed while producing its assets."""


class QualityError(GamegenError):
    """An asset failed one of its automatic quality checks (e.g. a seamless texture with a seam)."""


class ModelLoadError(GamegenError):
    """A neural model could not be found, downloaded or loaded safely."""
