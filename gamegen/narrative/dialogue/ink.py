"""Ink source (inkle's ink) for a dialogue graph: one knot per node, sticky choices, line ids as tags.

Variables become ``VAR`` declarations (the game reads and sets them through ``story.variablesState``); the
story diverts to the start node; every line and choice carries ``#line:<id>`` for localisation. A comment at
the top of the file says which ink version it needs.

Two dialects (``ink_version``):

- ``"1.1"`` (the default; ink 1.1 and later, inkjs 2.2 and later): a choice's id is a tag inside its brackets,
  ``+ [Text #line:id]``, so the game reads it from ``Choice.tags`` before the player picks.
- ``"1.0"`` (ink 1.0 compiles it too; 1.0 rejects tags inside choice brackets and has no ``Choice.tags``): the
  choice is written ``+ Text[] #line:id`` — the text shows in the menu and, once picked, is printed as a line of
  output that carries the tag. The menu entry itself has no tag: the game finds its id through that printed
  line, or by its text in the strings table, or by its place (the n-th choice offered by knot ``K`` is
  choice n of node ``K`` in the JSON graph, among those whose conditions hold).
"""

from __future__ import annotations

import re
from typing import Literal, get_args

from ...params import Field, Params
from .graph import Dialogue, Effect, Line, Node, one_line, value_text

__all__ = ["INK_VERSIONS", "InkVersion", "InkOptions", "ink_header", "to_ink"]

InkVersion = Literal["1.1", "1.0"]
INK_VERSIONS: tuple[InkVersion, ...] = get_args(InkVersion)


class InkOptions(Params):
    """The ``ink_version`` parameter of every generator that writes dialogue."""

    ink_version: InkVersion = Field(
        "1.1",
        description=(
            "Ink dialect of the .ink files: 1.1 (ink 1.1+: line ids as tags inside choice brackets) or 1.0 (ink 1.0 "
            "compiles it: a picked choice prints its text with its line id; see docs/narrative.md)"
        ),
    )


_SPECIAL = re.compile(r"([\\{}\[\]#|~/<>*+=-])")


def _text(text: str) -> str:
    return one_line(text, _SPECIAL)


def _effect(e: Effect) -> str:
    return f"~ {e.var} = {e.new_value()}"


def ink_header(ink_version: str) -> str:
    """The comment that opens every .ink file: the ink version it needs."""
    if ink_version == "1.0":
        return (
            "// Written for ink 1.0 and later (ink_version=1.0): no tags inside choice brackets; a picked choice "
            "prints its text with its #line: id"
        )
    return (
        "// Requires ink 1.1 or later (inklecate 1.1+, inkjs 2.2+): #line: ids are tags inside choice brackets "
        "(write ink_version=1.0 for ink 1.0)"
    )


def _line(line: Line) -> str:
    return f"{_text(line.speaker)}: {_text(line.text)} #line:{line.id}"


def _lines(n: Node) -> list[str]:
    if n.select == "first" and n.lines and n.lines[0].condition is not None:
        out = ["{"]
        for line in n.lines:
            head = f"- {line.condition.expression()}:" if line.condition else "- else:"
            out += [f"    {head}", f"        {_line(line)}"]
            if line.condition is None:
                break
        return [*out, "}"]
    out = []
    for line in n.lines:
        out += [f"{{ {line.condition.expression()}:", f"    {_line(line)}", "}"] if line.condition else [_line(line)]
        if n.select == "first" and line.condition is None:
            break
    return out


def to_ink(d: Dialogue, ink_version: str = "1.1") -> str:
    """The ink source for ``d`` (compiles with inklecate / inkjs; every choice path reaches ``END``).

    ``ink_version`` is ``"1.1"`` (line ids in choice tags) or ``"1.0"`` (see the module docstring).
    """
    if ink_version not in INK_VERSIONS:
        raise ValueError(f"ink_version={ink_version!r}: must be one of {', '.join(INK_VERSIONS)}")
    out = [ink_header(ink_version), f"// {' '.join(d.title.split())} (gamegen dialogue {d.id})", ""]
    out += [f"VAR {name} = {value_text(value)}" for name, value in d.declarations().items()]
    out += ["", f"-> {d.start}", ""]
    for n in d.nodes:
        out.append(f"=== {n.id} ===")
        out += [_effect(e) for e in n.effects]
        out += _lines(n)
        for c in n.choices:
            guard = f"{{{c.condition.expression()}}} " if c.condition else ""
            if ink_version == "1.0":
                out.append(f"+ {guard}{_text(c.text)}[] #line:{c.id}")
            else:
                out.append(f"+ {guard}[{_text(c.text)} #line:{c.id}]")
            out += [f"    {_effect(e)}" for e in c.effects]
            out.append(f"    -> {c.target}")
        if not n.choices:
            out.append(f"-> {n.next or 'END'}")
        out.append("")
    return "\n".join(out)
