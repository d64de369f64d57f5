"""Descriptions of generators for people and tools: what ``gamegen list`` and ``gamegen info`` print.

``gamegen list`` must not import every plugin (numpy, pydantic, their own dependencies) each time it runs, so its
rows are kept in a small file under the user's cache folder (``$XDG_CACHE_HOME/gamegen``, else ``~/.cache/gamegen``),
named by a fingerprint of what could change them: gamegen's version, every ``gamegen.generators`` entry point with
its distribution and version, and the size and modification time of each source file of the packages they name.
Any change — a plugin installed, upgraded, edited in place — makes a new fingerprint, and the rows are made again by
importing. A run where a plugin fails to load is never cached, so its warning is shown every time.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import os
from pathlib import Path
from typing import Any

from ._version import __version__
from .registry import ENTRY_POINT_GROUP, registry

__all__ = ["code_fingerprint", "generator_summaries", "generator_info", "trainer_summaries", "trainer_info"]


def _package_files(module: str) -> list[tuple[str, int, int]]:
    """(path, size, mtime) of every source file of ``module``'s top-level package, found without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(module.split(".")[0])
    except (ImportError, ValueError):
        return []
    roots = list(spec.submodule_search_locations or []) if spec else []
    files = [spec.origin] if spec and spec.origin and not roots else []
    for root in roots:
        for folder, _, names in os.walk(root):
            files += [os.path.join(folder, n) for n in names if n.endswith((".py", ".json", ".txt"))]
    stats = []
    for f in sorted(files):
        try:
            st = os.stat(f)
        except OSError:
            continue
        stats.append((f, st.st_size, st.st_mtime_ns))
    return stats


def code_fingerprint() -> str:
    """A digest of everything the generators' code depends on (see the module's docstring), read without importing
    them: the generators list here and ``gamegen build``'s no-op check (:mod:`gamegen.builds.stamp`) key on it."""
    import importlib.metadata as md

    points = sorted(
        (ep.name, ep.value, getattr(ep.dist, "name", ""), getattr(ep.dist, "version", ""))
        for ep in md.entry_points(group=ENTRY_POINT_GROUP)
    )
    modules = sorted({value.split(":")[0] for _, value, _, _ in points})
    material = {"gamegen": __version__, "entry_points": points, "files": [_package_files(m) for m in modules]}
    return hashlib.sha256(json.dumps(material).encode()).hexdigest()[:32]


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gamegen" / f"generators-{code_fingerprint()}.json"


_ROW = ("name", "kind", "version", "summary", "origin")


def _summaries_from_registry() -> list[dict[str, str]]:
    return [
        {"name": g.name, "kind": g.kind, "version": g.version, "summary": g.summary(), "origin": registry.origin(g.name)}
        for g in registry.list()
    ]


def generator_summaries(kind: str | None = None) -> list[dict[str, str]]:
    """One row per generator: name, kind, version, one-line summary and origin (from the cache when current)."""
    cache = _cache_file()
    try:
        rows: list[dict[str, str]] = json.loads(cache.read_text(encoding="utf-8"))
        if not all(isinstance(r, dict) and set(r) == set(_ROW) and all(isinstance(v, str) for v in r.values()) for r in rows):
            raise ValueError("not a list of generator rows")
    except (OSError, ValueError, TypeError):
        rows = _summaries_from_registry()
        if not registry.broken:
            with contextlib.suppress(OSError):
                from .atomic import write_file_atomic

                write_file_atomic(cache, json.dumps(rows).encode())
    return [r for r in rows if kind is None or r["kind"] == kind]


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


def trainer_summaries() -> list[dict[str, str]]:
    """One row per trainer: name, kind (its modality), version, data kind, one-line summary and origin."""
    from .registry import trainers

    return [
        {
            "name": t.name,
            "kind": t.kind,
            "version": t.version,
            "data": t.data_kind,
            "summary": t.summary(),
            "origin": trainers.origin(t.name),
        }
        for t in trainers.list()
    ]


def _parameters(params: Any) -> list[dict[str, Any]]:
    """Each parameter of a schema class: name, type, default, range, choices and description."""
    from .params import describe_range

    schema = params.model_json_schema()
    parameters = []
    for field_name, field in params.model_fields.items():
        prop = schema.get("properties", {}).get(field_name, {})
        if "$ref" in prop:
            ref = prop["$ref"].rsplit("/", 1)[-1]
            prop = {**schema.get("$defs", {}).get(ref, {}), **{k: v for k, v in prop.items() if k != "$ref"}}
        parameters.append(
            {
                "name": field_name,
                "type": _type_name(prop),
                "default": prop.get("default"),
                "range": describe_range(params, field_name),
                "choices": prop.get("enum"),
                "description": field.description or "",
            }
        )
    return parameters


def generator_info(name: str) -> dict[str, Any]:
    """A generator's description, parameters (type, default, range, choices) and full JSON Schema; a trainer's
    (:func:`trainer_info`) when no generator has the name but a trainer does."""
    from .registry import trainers

    if name not in registry and name in trainers:
        return trainer_info(name)
    gen = registry.get(name)
    return {
        "name": gen.name,
        "kind": gen.kind,
        "version": gen.version,
        "origin": registry.origin(gen.name),
        "description": inspect.cleandoc(gen.__doc__ or ""),
        "parameters": _parameters(gen.params),
        "schema": gen.params.model_json_schema(),
        "output_schema": gen.output_schema(),
    }


def trainer_info(name: str) -> dict[str, Any]:
    """A trainer's description, the data it takes, its parameters and their JSON Schema."""
    from .registry import trainers

    trainer = trainers.get(name)
    return {
        "name": trainer.name,
        "kind": trainer.kind,
        "version": trainer.version,
        "origin": trainers.origin(trainer.name),
        "trainer": True,
        "data": trainer.data_kind,
        "description": inspect.cleandoc(trainer.__doc__ or ""),
        "parameters": _parameters(trainer.params),
        "schema": trainer.params.model_json_schema(),
        "output_schema": None,
    }
