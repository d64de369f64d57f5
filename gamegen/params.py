"""Parameter schemas: a pydantic model per generator, with errors that name parameter, value and range."""

from __future__ import annotations

import math
import types
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types as at
from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError

from .errors import ParamError, Problem

__all__ = [
    "MAX_NESTING",
    "AdapterRef",
    "Field",
    "InputFile",
    "InputKind",
    "ModelRef",
    "Params",
    "describe_range",
    "input_fields",
    "input_paths",
    "nesting_depth",
    "validate_params",
]

MAX_NESTING = 32

InputKind = Literal["file", "model", "adapter"]


@dataclass(frozen=True)
class _Input:
    """Marks a text parameter as naming something the run reads: a file, a model or an adapter."""

    kind: InputKind


InputFile = Annotated[str, _Input("file")]
"""A parameter naming a file the run reads (or, where the generator says so, a built-in name or inline text)."""
ModelRef = Annotated[str, _Input("model")]
"""A model: a local ``save_pretrained`` folder, or a hub id ``org/name[@revision]``."""
AdapterRef = Annotated[str, _Input("adapter")]
"""A fine-tuned adapter (e.g. LoRA weights): a local file or folder, or a hub id."""


def _input_kind(annotation: Any, metadata: list[Any]) -> InputKind | None:
    """The input kind an annotation (or its field metadata) declares, looking inside ``X | None`` and unions."""
    found = [m.kind for m in metadata if isinstance(m, _Input)]
    pending = [annotation]
    while pending and not found:
        current = pending.pop()
        found += [m.kind for m in getattr(current, "__metadata__", ()) if isinstance(m, _Input)]
        if get_origin(current) in (Union, types.UnionType):
            pending += list(get_args(current))
    return found[0] if found else None


def input_fields(model: type[BaseModel]) -> dict[str, InputKind]:
    """The parameters of ``model`` declared as ``InputFile``, ``ModelRef`` or ``AdapterRef``, with their kind."""
    kinds = {name: _input_kind(f.annotation, f.metadata) for name, f in model.model_fields.items()}
    return {name: kind for name, kind in kinds.items() if kind is not None}


def input_paths(params: BaseModel) -> list[Path]:
    """The local files and folders ``params`` name through its input parameters (hub ids and built-in names,
    which name nothing on disk, are left out)."""
    paths: list[Path] = []
    for name, kind in input_fields(type(params)).items():
        value = getattr(params, name)
        if not isinstance(value, str) or not value or len(value) > 4096 or "\n" in value:
            continue
        path = Path(value).expanduser()
        try:
            named = path.is_file() if kind == "file" else path.exists()
        except (OSError, ValueError):
            named = False
        if named:
            paths.append(path)
    return paths


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


def _problem(model: type[BaseModel], err: Mapping[str, Any]) -> Problem:
    """A pydantic error as a Problem: the line names parameter, value and what is allowed."""
    param = ".".join(str(p) for p in err.get("loc", ())) or None
    loc = param or "(parameters)"
    value = err.get("input")
    msg = err.get("msg", "invalid")
    if err.get("type") == "extra_forbidden":
        known = ", ".join(sorted(model.model_fields))
        return Problem(f"unknown parameter {loc!r} (known: {known})", param, value, f"one of: {known}")
    if err.get("type") == "missing":
        return Problem(f"{loc}: required parameter is missing", param, None, "required")
    shown = repr(value)
    if isinstance(value, float) and not math.isfinite(value):
        shown = str(value)
    text = f"{loc}={shown}: {msg[0].lower() + msg[1:] if msg else msg}"
    custom = err.get("type") in ("value_error", "assertion_error")  # a validator's own message says what is allowed
    allowed = describe_range(model, str(err["loc"][0])) if err.get("loc") and not custom else None
    if allowed:
        text += f" (allowed: {allowed})"
    return Problem(text, param, value, allowed or msg)


def validate_params(model: type[Params], values: dict[str, Any], generator: str | None = None) -> Params:
    """Validate ``values`` against ``model``; raise :class:`ParamError` listing every bad parameter."""
    limit = f"at most {MAX_NESTING} levels of nesting"
    deep = [
        Problem(f"{name}: value nested too deeply (more than {MAX_NESTING} levels)", name, None, limit)
        for name, value in values.items()
        if nesting_depth(value) > MAX_NESTING
    ]
    if deep:
        raise ParamError(deep, generator)
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = [_problem(model, e) for e in exc.errors(include_url=False)]
        raise ParamError(problems, generator=generator) from None
