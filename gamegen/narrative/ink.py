"""Ink source (inkle's ink) for a dialogue graph: one knot per node, sticky choices, line ids as tags.

Variables become ``VAR`` declarations (the game reads and sets them through ``story.variablesState``); the
story diverts to the start node; every line and choice carries ``#line:<id>`` for localisation.
"""

from __future__ import annotations

import re

from .graph import Dialogue, Effect, one_line, value_text

__all__ = ["to_ink"]

_SPECIAL = re.compile(r"([\\{}\[\]#|~/<>*+=-])")


def _text(text: str) -> str:
    return one_line(text, _SPECIAL)


def _effect(e: Effect) -> str:
    return f"~ {e.var} = {e.new_value()}"


def to_ink(d: Dialogue) -> str:
    """The ink source for ``d`` (compiles with inklecate / inkjs; every choice path reaches ``END``)."""
    out = [f"// {' '.join(d.title.split())} (gamegen dialogue {d.id})", ""]
    out += [f"VAR {name} = {value_text(value)}" for name, value in d.declarations().items()]
    out += ["", f"-> {d.start}", ""]
    for n in d.nodes:
        out.append(f"=== {n.id} ===")
        out += [_effect(e) for e in n.effects]
        for line in n.lines:
            text = f"{_text(line.speaker)}: {_text(line.text)} #line:{line.id}"
            out += [f"{{ {line.condition.expression()}:", f"    {text}", "}"] if line.condition else [text]
        for c in n.choices:
            guard = f"{{{c.condition.expression()}}} " if c.condition else ""
            out.append(f"+ {guard}[{_text(c.text)} #line:{c.id}]")
            out += [f"    {_effect(e)}" for e in c.effects]
            out.append(f"    -> {c.target}")
        if not n.choices:
            out.append(f"-> {n.next or 'END'}")
        out.append("")
    return "\n".join(out)
