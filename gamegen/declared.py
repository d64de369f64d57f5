"""What generators and trainers declare alike: a name ``<kind>.<name>``, a version, and a parameter schema taken
from the type argument (``Generator[MyParams]``, ``Trainer[MyParams]``)."""

from __future__ import annotations

from typing import Any, ClassVar, get_args, get_origin

from .params import Params, validate_params

__all__ = ["Declared"]


class Declared:
    """Base of :class:`gamegen.Generator` and :class:`gamegen.Trainer`: ``params`` comes from the type argument,
    ``kind`` from the name's prefix; ``validate`` and ``summary`` read them."""

    name: ClassVar[str]
    kind: ClassVar[str]
    version: ClassVar[str]
    params: ClassVar[type[Params]] = Params
    quick_params: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "params" not in vars(cls):
            for base in getattr(cls, "__orig_bases__", ()):
                origin, args = get_origin(base), get_args(base)
                if isinstance(origin, type) and issubclass(origin, Declared) and args and isinstance(args[0], type):
                    cls.params = args[0]
        if isinstance(vars(cls).get("name"), str) and "kind" not in vars(cls):
            cls.kind = cls.name.split(".")[0]

    @classmethod
    def validate(cls, values: dict[str, Any] | None = None) -> Params:
        """Validate raw parameter values into this class's ``params`` model (raises ParamError)."""
        return validate_params(cls.params, dict(values or {}), generator=cls.name)

    @classmethod
    def summary(cls) -> str:
        """The first line of the class docstring."""
        doc = (cls.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""
