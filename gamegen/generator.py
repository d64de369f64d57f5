"""The Generator base class: the one contract every built-in and plugin generator implements."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from .assets import Asset
from .context import Context
from .declared import Declared
from .params import Params, input_paths

__all__ = ["Generator", "P"]

P = TypeVar("P", bound=Params)
_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


class Generator(Declared, Generic[P]):
    """Subclass ``Generator[MyParams]``, set ``name`` (``<kind>.<name>``) and ``version``, implement :meth:`generate`.

    The parameter schema comes from the type argument (``params`` is set from it), and ``kind`` from the name's
    prefix. ``quick_params`` are parameters for a fast, small run (conformance checks and smoke tests use them);
    ``time_budget_s`` is how long such a run may take. ``seeded = False`` declares output that ignores the seed.
    """

    time_budget_s: ClassVar[float] = 30.0
    seeded: ClassVar[bool] = True

    def generate(self, params: P, ctx: Context) -> list[Asset]:
        """Produce the assets for ``params`` using only ``ctx`` for randomness."""
        raise NotImplementedError

    @classmethod
    def output_schema(cls) -> dict[str, Any] | None:
        """JSON Schema of the generator's structured JSON output, if it has one (``gamegen info`` shows it)."""
        return None

    def estimated_seconds(self, params: P) -> float:
        """About how long one run takes on one core: builds start long jobs first. Builds use the asset's last
        recorded time when they have one, so this only orders a first, cold build; the default says "short"."""
        return 0.1

    def input_files(self, params: P) -> list[Path]:
        """Files and model folders this run reads: by default every ``InputFile``/``ModelRef``/``AdapterRef``
        parameter that names an existing local path (their hashes join cache keys and provenance)."""
        return input_paths(params)

    @classmethod
    def check_declaration(cls) -> None:
        """Raise TypeError if the class does not declare the contract's attributes correctly."""
        for attr in ("name", "version"):
            if not isinstance(getattr(cls, attr, None), str):
                raise TypeError(f"{cls.__qualname__} must set {attr} as a string")
        if not _NAME.match(cls.name):
            raise TypeError(f"{cls.__qualname__}.name {cls.name!r} must look like '<kind>.<name>' (lowercase)")
        if getattr(cls, "kind", None) != cls.name.split(".")[0]:
            raise TypeError(
                f"{cls.__qualname__}.kind {getattr(cls, 'kind', None)!r} differs from its name's prefix (leave kind out: it is derived)"
            )
        if not (isinstance(cls.params, type) and issubclass(cls.params, Params)):
            raise TypeError(f"{cls.__qualname__}.params must be a gamegen.Params subclass (write Generator[MyParams])")
        if cls.generate is Generator.generate:
            raise TypeError(f"{cls.__qualname__} must implement generate()")
