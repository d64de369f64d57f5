"""Parameter schemas: a pydantic model per generator, with errors that name parameter, value and range."""

from __future__ import annotations

import math
import types
from typing import Any, Union, get_args, get_origin

import annotated_types as at
from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError

from .errors import ParamError

__all__ = ["MAX_NESTING", "Field", "Params", "validate_params", "describe_range", "nesting_depth"]

MAX_NESTING = 32


def _numeric(annotation: Any) -> bool:
    """True for ``int``, ``float`` and their optional forms (``int | None``)."""
    options = get_args(annotation) if get_origin(annotation) in (Union, types.UnionType) else (annotation,)
    return any(option in (int, float) for option in options)


class Params(BaseModel):
    """Base class for a generator's parameters: unknown keys and NaN/inf are rejected.

    Numeric fields are strict: ``true`` is not 1 and ``"2"`` is not 2 (an int field takes whole numbers only,
    a float field takes any number).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, validate_default=True)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        loose = [
            f for f in cls.model_fields.values() if _numeric(f.annotation) and not any(isinstance(m, Strict) for m in f.metadata)
        ]
        for field in loose:
            field.metadata.append(Strict())
        if loose:
            cls.model_rebuild(force=True)


def nesting_depth(value: Any, limit: int = MAX_NESTING) -> int:
    """How many levels of lists, tuples and dicts ``value`` has (0 for a scalar), counted without recursion.

    Counting stops past ``limit``: a value nested thousands deep costs no more than one nested ``limit + 1`` deep.
    """
    depth, level = 0, [value]
    while depth <= limit:
        containers = [item for item in level if isinstance(item, (list, tuple, dict))]
        if not containers:
            break
        depth += 1
        level = [child for item in containers for child in (item.values() if isinstance(item, dict) else item)]
    return depth


def describe_range(model: type[BaseModel], field_name: str) -> str | None:
    """Return the allowed range of a numeric field as text (``8 ≤ size ≤ 4096``), or None."""
    field = model.model_fields.get(field_name)
    if field is None:
        return None
    low = high = None
    for meta in field.metadata:
        if isinstance(meta, at.Ge):
            low = f"{meta.ge} ≤ "
        elif isinstance(meta, at.Gt):
            low = f"{meta.gt} < "
        elif isinstance(meta, at.Le):
            high = f" ≤ {meta.le}"
        elif isinstance(meta, at.Lt):
            high = f" < {meta.lt}"
    if low is None and high is None:
        return None
    return f"{low or ''}{field_name}{high or ''}"


def _format_error(model: type[BaseModel], err: dict[str, Any]) -> str:
    loc = ".".join(str(p) for p in err.get("loc", ())) or "(parameters)"
    value = err.get("input")
    msg = err.get("msg", "invalid")
    if err.get("type") == "extra_forbidden":
        known = ", ".join(sorted(model.model_fields))
        return f"unknown parameter {loc!r} (known: {known})"
    if err.get("type") == "missing":
        return f"{loc}: required parameter is missing"
    shown = repr(value)
    if isinstance(value, float) and not math.isfinite(value):
        shown = str(value)
    text = f"{loc}={shown}: {msg[0].lower() + msg[1:] if msg else msg}"
    allowed = describe_range(model, str(err["loc"][0])) if err.get("loc") else None
    if allowed:
        text += f" (allowed: {allowed})"
    return text


def validate_params(model: type[Params], values: dict[str, Any], generator: str | None = None) -> Params:
    """Validate ``values`` against ``model``; raise :class:`ParamError` listing every bad parameter."""
    deep = [name for name, value in values.items() if nesting_depth(value) > MAX_NESTING]
    if deep:
        raise ParamError([f"{name}: value nested too deeply (more than {MAX_NESTING} levels)" for name in deep], generator)
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = [_format_error(model, e) for e in exc.errors(include_url=False)]
        raise ParamError(problems, generator=generator) from None
