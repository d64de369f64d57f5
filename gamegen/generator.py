"""The Generator base class: the one contract every built-in and plugin generator implements."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from .assets import Asset
from .context import Context
from .params import Params, validate_params

__all__ = ["Generator", "KINDS"]

KINDS = ("character", "landscape", "texture", "narrative")
_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


class Generator:
    """Subclass this, set ``name``/``kind``/``version``/``params`` and implement :meth:`generate`.

    ``quick_params`` are parameters for a fast, small run (conformance checks and smoke tests use them);
    ``time_budget_s`` is how long such a run may take. ``seeded = False`` declares output that ignores the seed.
    """

    name: ClassVar[str]
    kind: ClassVar[str]
    version: ClassVar[str]
    params: ClassVar[type[Params]] = Params
    quick_params: ClassVar[dict[str, Any]] = {}
    time_budget_s: ClassVar[float] = 30.0
    seeded: ClassVar[bool] = True

    def generate(self, params: Params, ctx: Context) -> list[Asset]:
        """Produce the assets for ``params`` using only ``ctx`` for randomness."""
        raise NotImplementedError

    @classmethod
    def output_schema(cls) -> dict[str, Any] | None:
        """JSON Schema of the generator's structured JSON output, if it has one (``gamegen info`` shows it)."""
        return None

    def input_files(self, params: Params) -> list[Path]:
        """Files or model folders this run will read (their hashes belong in cache keys); none by default."""
        return []

    @classmethod
    def validate(cls, values: dict[str, Any] | None = None) -> Params:
        """Validate raw parameter values into this generator's ``params`` model (raises ParamError)."""
        return validate_params(cls.params, dict(values or {}), generator=cls.name)

    @classmethod
    def summary(cls) -> str:
        """The first line of the class docstring."""
        doc = (cls.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""

    @classmethod
    def check_declaration(cls) -> None:
        """Raise TypeError if the class does not declare the contract's attributes correctly."""
        for attr in ("name", "kind", "version"):
            if not isinstance(getattr(cls, attr, None), str):
                raise TypeError(f"{cls.__qualname__} must set {attr} as a string")
        if not _NAME.match(cls.name):
            raise TypeError(f"{cls.__qualname__}.name {cls.name!r} must look like '<kind>.<name>' (lowercase)")
        if cls.name.split(".")[0] != cls.kind:
            raise TypeError(f"{cls.__qualname__}.name {cls.name!r} must start with its kind {cls.kind!r}")
        if not (isinstance(cls.params, type) and issubclass(cls.params, Params)):
            raise TypeError(f"{cls.__qualname__}.params must be a gamegen.Params subclass")
        if cls.generate is Generator.generate:
            raise TypeError(f"{cls.__qualname__} must implement generate()")
