"""Parameter-schema checks: JSON Schema export, valid defaults, and out-of-range values derived from the schema."""

from __future__ import annotations

import enum
import json
import types
import typing
from typing import Any

import annotated_types as at

from ..errors import ParamError
from ..generator import Generator
from ..params import Params
from ..training.trainer import Trainer

__all__ = [
    "NOT_A_CHOICE",
    "check_defaults",
    "check_out_of_range",
    "check_schema",
    "check_strict_numbers",
    "out_of_range_values",
    "wrong_type_values",
]

NOT_A_CHOICE = "<not one of the choices>"
_Schema = type[Generator] | type[Trainer[Any]]  # the checks read only ``params``, ``name`` and ``validate``


def check_schema(gen: _Schema) -> dict[str, Any]:
    """The params model must export as a JSON-serialisable object schema naming every field; return it."""
    schema = gen.params.model_json_schema()
    json.dumps(schema, allow_nan=False)
    if schema.get("type") != "object":
        raise AssertionError(f"params schema has type {schema.get('type')!r}, expected 'object'")
    names = {f.alias or n for n, f in gen.params.model_fields.items()}
    missing = sorted(names - set(schema.get("properties", {})))
    if missing:
        raise AssertionError(f"params schema lacks properties for {', '.join(missing)}")
    return schema


def check_defaults(gen: _Schema, schema: dict[str, Any]) -> Params:
    """Defaults alone must validate, and the schema's ``default`` values must be what validation produces."""
    try:
        defaults = gen.validate({})
    except ParamError as exc:
        raise AssertionError(
            f"the defaults alone do not validate ({exc}); give every parameter a valid default"
        ) from None
    values = defaults.model_dump(mode="json", by_alias=True)
    wrong = [
        f"{name} (schema {prop['default']!r}, model {values.get(name)!r})"
        for name, prop in schema.get("properties", {}).items()
        if "default" in prop and prop["default"] != values.get(name)
    ]
    if wrong:
        raise AssertionError(f"schema defaults differ from validated defaults: {'; '.join(wrong)}")
    return defaults


def _below(bound: Any) -> Any:
    return bound - 1 if isinstance(bound, int) else bound - max(abs(bound), 1.0) / 2


def _above(bound: Any) -> Any:
    return bound + 1 if isinstance(bound, int) else bound + max(abs(bound), 1.0) / 2


def _has_choices(annotation: Any) -> bool:
    enumeration = isinstance(annotation, type) and issubclass(annotation, enum.Enum)
    if enumeration or typing.get_origin(annotation) is typing.Literal:
        return True
    return any(_has_choices(arg) for arg in typing.get_args(annotation))


def out_of_range_values(model: type[Params]) -> dict[str, list[Any]]:
    """For each field: values just outside its declared bounds (``ge``/``gt``/``le``/``lt``) and, for a
    ``Literal`` or ``Enum``, a value that is not one of its choices."""
    values: dict[str, list[Any]] = {}
    for name, field in model.model_fields.items():
        bad: list[Any] = []
        for meta in field.metadata:
            if isinstance(meta, at.Ge):
                bad.append(_below(meta.ge))
            elif isinstance(meta, at.Gt):
                bad.append(meta.gt)
            elif isinstance(meta, at.Le):
                bad.append(_above(meta.le))
            elif isinstance(meta, at.Lt):
                bad.append(meta.lt)
        if _has_choices(field.annotation):
            bad.append(NOT_A_CHOICE)
        if bad:
            values[field.alias or name] = bad
    return values


def _numeric(annotation: Any) -> bool:
    """True for ``int``, ``float`` and their optional forms (``int | None``)."""
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    return any(option in (int, float) for option in (typing.get_args(annotation) if union else (annotation,)))


def wrong_type_values(model: type[Params], base: dict[str, Any] | None = None) -> dict[str, list[Any]]:
    """For each numeric field: ``True`` and the field's value written as text (``"8"``), neither of which is a
    number (gamegen's numbers are strict). The text is the value in ``base``, else the default, else ``"1"``."""
    values: dict[str, list[Any]] = {}
    for name, field in model.model_fields.items():
        if not _numeric(field.annotation):
            continue
        key = field.alias or name
        number = (base or {}).get(key, field.default)
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            number = 1
        values[key] = [True, str(number)]
    return values


def _refused(gen: _Schema, base: dict[str, Any], cases: list[tuple[str, Any]]) -> list[str]:
    """Each case ``(name, value)`` must raise a ParamError naming ``name``; return one line per case that did not."""
    problems = []
    for name, value in cases:
        try:
            gen.validate({**base, name: value})
        except ParamError as exc:
            if name not in str(exc):
                problems.append(f"{name}={value!r}: ParamError does not name the parameter ({exc})")
        except Exception as exc:
            problems.append(f"{name}={value!r}: raised {type(exc).__name__} instead of gamegen.ParamError ({exc})")
        else:
            problems.append(f"{name}={value!r} was accepted")
    return problems


def check_out_of_range(gen: _Schema, base: dict[str, Any]) -> int:
    """Every out-of-range value and an unknown key must raise ParamError naming the parameter; return the count."""
    cases = [(name, value) for name, bad in out_of_range_values(gen.params).items() for value in bad]
    cases.append(("no_such_parameter", 1))
    problems = _refused(gen, base, cases)
    if problems:
        raise AssertionError("; ".join(problems))
    return len(cases)


def check_strict_numbers(gen: _Schema, base: dict[str, Any]) -> int:
    """Every numeric parameter must refuse ``True`` and a number written as text; return the count of cases."""
    cases = [(name, value) for name, bad in wrong_type_values(gen.params, base).items() for value in bad]
    problems = _refused(gen, base, cases)
    if problems:
        raise AssertionError(
            "; ".join(problems) + " (numbers are strict: a boolean or text is not a number; do not convert it in "
            "a mode='before' validator)"
        )
    return len(cases)
