"""Descriptions of generators for people and tools: what ``gamegen list`` and ``gamegen info`` print."""

from __future__ import annotations

import inspect
from typing import Any

from .params import describe_range
from .registry import registry

__all__ = ["generator_summaries", "generator_info"]


def generator_summaries(kind: str | None = None) -> list[dict[str, str]]:
    """One row per generator: name, kind, version, one-line summary and origin."""
    return [
        {
            "name": g.name,
            "kind": g.kind,
            "version": g.version,
            "summary": g.summary(),
            "origin": registry.origin(g.name),
        }
        for g in registry.list(kind)
    ]


def _type_name(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return "choice"
    if "type" in schema:
        return str(schema["type"])
    if "anyOf" in schema:
        return " | ".join(_type_name(s) for s in schema["anyOf"])
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    return "any"


def generator_info(name: str) -> dict[str, Any]:
    """A generator's description, parameters (type, default, range, choices) and full JSON Schema."""
    gen = registry.get(name)
    schema = gen.params.model_json_schema()
    parameters = []
    for field_name, field in gen.params.model_fields.items():
        prop = schema.get("properties", {}).get(field_name, {})
        if "$ref" in prop:
            ref = prop["$ref"].rsplit("/", 1)[-1]
            prop = {**schema.get("$defs", {}).get(ref, {}), **{k: v for k, v in prop.items() if k != "$ref"}}
        parameters.append(
            {
                "name": field_name,
                "type": _type_name(prop),
                "default": prop.get("default"),
                "range": describe_range(gen.params, field_name),
                "choices": prop.get("enum"),
                "description": field.description or "",
            }
        )
    return {
        "name": gen.name,
        "kind": gen.kind,
        "version": gen.version,
        "origin": registry.origin(gen.name),
        "description": inspect.cleandoc(gen.__doc__ or ""),
        "parameters": parameters,
        "schema": schema,
        "output_schema": gen.output_schema(),
    }
