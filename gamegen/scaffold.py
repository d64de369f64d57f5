"""Plugin scaffolding: render the ``templates/plugin`` package template (shipped inside gamegen) into a folder.

Every ``*.tmpl`` file is rendered with ``{{ variable }}`` substitution in its path and text; the generator module
comes from ``kinds/<kind>.py.tmpl`` (``kinds/default.py.tmpl`` for kinds without their own template). Kinds are an
open set: any lowercase identifier is one (``audio``, ``dungeon``...), the generator's name prefix.
"""

from __future__ import annotations

import importlib.util
import keyword
import re
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from .atomic import atomic_directory
from .errors import GamegenError, ParamError
from .registry import registry

__all__ = ["PLUGIN_API_MINIMUM", "new_plugin", "plugin_variables", "render", "template_kinds"]

PLUGIN_API_MINIMUM = "0.3"
"""The oldest gamegen with the plugin surface the templates use (``Generator[P]``, ``gamegen.plugin``)."""

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_SUFFIX = ".tmpl"


def _template_root() -> Traversable:
    return resources.files("gamegen") / "templates" / "plugin"


def _check_identifier(what: str, value: str, example: str, keywords: bool = False) -> None:
    if not _IDENTIFIER.match(value) or (keyword.iskeyword(value) and not keywords):
        raise ParamError(
            f"{what}={value!r}: must be a lowercase Python identifier{'' if keywords else ' and not a keyword'} "
            f"(letters, digits and '_', starting with a letter), e.g. {example!r}"
        )


def plugin_variables(name: str, kind: str) -> dict[str, str]:
    """Check ``name`` and ``kind`` and return the template variables; invalid or taken names raise ParamError."""
    _check_identifier("name", name, "my_stars")
    _check_identifier("kind", kind, "audio", keywords=True)  # the name's prefix: any lowercase word, an open set
    generator = f"{kind}.{name}"
    if generator in registry:
        raise ParamError(
            f"name={name!r}: generator {generator} already exists ({registry.origin(generator)}); choose another name"
        )
    if importlib.util.find_spec(f"gamegen_{name}") is not None:
        raise ParamError(f"name={name!r}: a Python package gamegen_{name} is already installed; choose another name")
    camel = "".join(part.capitalize() for part in name.split("_"))
    return {
        "name": name,
        "kind": kind,
        "generator": generator,
        "package": f"gamegen_{name}",
        "dist": f"gamegen-{name.replace('_', '-')}",
        "class_name": camel,
        "params_class": f"{camel}Params",
        "gamegen_minimum": PLUGIN_API_MINIMUM,
    }


def template_kinds() -> list[str]:
    """The kinds with a worked example of their own; every other kind starts from the generic one."""
    names = (item.name.removesuffix(f".py{_SUFFIX}") for item in (_template_root() / "kinds").iterdir())
    return sorted(n for n in names if n != "default")


def render(text: str, variables: dict[str, str]) -> str:
    """Replace every ``{{ variable }}`` in ``text``; an unknown variable is an error in the template."""

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in variables:
            raise GamegenError(f"plugin template uses unknown variable {{{{{key}}}}}")
        return variables[key]

    return _PLACEHOLDER.sub(value, text)


def _walk(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    """(relative path, file) for every template file below ``folder``, sorted."""
    found: list[tuple[str, Traversable]] = []
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        rel = f"{prefix}{item.name}"
        if item.is_dir():
            found += _walk(item, rel + "/")
        elif item.name.endswith(_SUFFIX):
            found.append((rel, item))
    return found


def new_plugin(name: str, kind: str = "texture", out: str | Path | None = None) -> Path:
    """Create a pip-installable plugin package for generator ``<kind>.<name>`` in ``out`` and return its path.

    ``kind`` is any lowercase identifier; those of :func:`template_kinds` get their own worked example.

    ``out`` defaults to ``./gamegen-<name>``; it must not exist or be empty. The package has a pyproject.toml with
    the ``gamegen.generators`` entry point, one generator module with a typed Params class, a README and a test
    that runs the conformance kit.
    """
    variables = plugin_variables(name, kind)
    target = Path(out) if out is not None else Path(variables["dist"])
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise GamegenError(f"{target} already exists and is not an empty folder; choose another -o folder")
    files = dict(_walk(_template_root()))
    module = files.get(f"kinds/{kind}.py{_SUFFIX}") or files[f"kinds/default.py{_SUFFIX}"]
    files = {rel: f for rel, f in files.items() if not rel.startswith("kinds/")}
    files["{{package}}/generator.py" + _SUFFIX] = module
    with atomic_directory(target) as tmp:
        for rel, template in files.items():
            path = tmp / render(rel[: -len(_SUFFIX)], variables)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(template.read_text(encoding="utf-8"), variables), encoding="utf-8")
    return target
