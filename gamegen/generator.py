"""The Generator base class: the one contract every built-in and plugin generator implements."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar, get_args, get_origin

from .assets import Asset
from .context import Context
from .params import Params, input_paths, validate_params

__all__ = ["Generator", "P"]

P = TypeVar("P", bound=Params)
_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


class Generator(Generic[P]):
    """Subclass ``Generator[MyParams]``, set ``name`` (``<kind>.<name>``) and ``version``, implement :meth:`generate`.

    The parameter schema comes from the type argument (``params`` is set from it), and ``kind`` from the name's
    prefix. ``quick_params`` are parameters for a fast, small run (conformance checks and smoke tests use them);
    ``time_budget_s`` is how long such a run may take. ``seeded = False`` declares output that ignores the seed.
    """

    name: ClassVar[str]
    kind: ClassVar[str]
    version: ClassVar[str]
    params: ClassVar[type[Params]] = Params
    quick_params: ClassVar[dict[str, Any]] = {}
    time_budget_s: ClassVar[float] = 30.0
    seeded: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "params" not in vars(cls):
            for base in getattr(cls, "__orig_bases__", ()):
                args = get_args(base)
                if get_origin(base) is Generator and args and isinstance(args[0], type):
                    cls.params = args[0]
        if isinstance(vars(cls).get("name"), str) and "kind" not in vars(cls):
            cls.kind = cls.name.split(".")[0]

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
