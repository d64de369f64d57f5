"""Parameter schemas: a pydantic model per generator, with errors that name parameter, value and range."""

from __future__ import annotations

import math
from typing import Any

import annotated_types as at
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ParamError

__all__ = ["Field", "Params", "validate_params", "describe_range"]


class Params(BaseModel):
    """Base class for a generator's parameters: unknown keys and NaN/inf are rejected."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, validate_default=True)


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
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = [_format_error(model, e) for e in exc.errors(include_url=False)]
        raise ParamError(problems, generator=generator) from None
