"""The dialogue validator: runs on every dialogue, because one that strands the player is worse than none.

Rules: node and line ids are unique; ``start`` and every jump name an existing node; every node is reachable
from the start; no path loops (so every path reaches an end) and no node can leave the player without a
choice; in a ``select: "first"`` node no line follows one without a condition (it could never show);
variables keep one type; external variables are declared; no variable is read (a condition, or ``add``)
before it is set on every path that leads there (declared variables count as set at the start).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...errors import GenerationError
from .graph import Dialogue, Effect, Guard, Node, Value

__all__ = ["DialogueError", "dialogue_problems", "validate_dialogue"]


class DialogueError(GenerationError):
    """A dialogue failed validation; ``problems`` lists every rule it breaks, one line each."""

    def __init__(self, dialogue_id: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"dialogue {dialogue_id!r} is invalid: " + "; ".join(problems))


def _edges(node: Node) -> Iterator[tuple[str, list[Effect], str]]:
    """(label, effects, target) for each way out of a node."""
    for c in node.choices:
        yield f"choice {c.id!r}", c.effects, c.target
    if node.next is not None:
        yield "next", [], node.next


def _type(value: Value) -> str:
    return "bool" if isinstance(value, bool) else "int"


def _structure(d: Dialogue) -> tuple[list[str], list[str]]:
    """Problems with ids, jumps, reachability and loops; and the reachable nodes in topological order."""
    problems: list[str] = []
    ids = [n.id for n in d.nodes]
    problems += [f"node id {i!r} is used twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    line_ids = [x.id for n in d.nodes for x in n.entries()]
    problems += [f"line id {i!r} is used twice" for i in sorted({i for i in line_ids if line_ids.count(i) > 1})]
    nodes = d.by_id()
    if d.start not in nodes:
        return [*problems, f"start node {d.start!r} does not exist"], []
    for n in d.nodes:
        problems += [
            f"node {n.id!r}: {label} jumps to missing node {t!r}" for label, _, t in _edges(n) if t not in nodes
        ]
        if n.choices and all(c.condition is not None for c in n.choices):
            problems.append(f"node {n.id!r}: every choice has a condition, so the player can be left with none")
        if n.select == "first":
            otherwise = next((i for i, line in enumerate(n.lines) if line.condition is None), len(n.lines))
            problems += [
                f"node {n.id!r}: line {line.id!r} follows a line without a condition, so it never shows"
                for line in n.lines[otherwise + 1 :]
            ]
    problems += [f"external variable {v!r} is not in variables" for v in d.external if v not in d.variables]
    order: list[str] = []
    state: dict[str, str] = {}  # "open" while on the current path, "done" after

    def visit(node_id: str, path: list[str]) -> None:
        state[node_id] = "open"
        for _, _, target in _edges(nodes[node_id]):
            if target not in nodes:
                continue
            if state.get(target) == "open":
                loop = " → ".join([*path[path.index(target) :], target])
                problems.append(f"path loops ({loop}): not every path reaches an end")
            elif target not in state:
                visit(target, [*path, target])
        state[node_id] = "done"
        order.append(node_id)

    visit(d.start, [d.start])
    problems += [f"node {n.id!r} is not reachable from the start {d.start!r}" for n in d.nodes if n.id not in state]
    return problems, order[::-1]


def _variables(d: Dialogue, order: list[str]) -> list[str]:
    """Type problems and reads before a set, by forward must-be-set analysis over the (acyclic) graph."""
    problems: list[str] = []
    types = {k: _type(v) for k, v in d.variables.items()}
    nodes = d.by_id()
    incoming: dict[str, set[str]] = {d.start: set(d.variables)}

    def read(var: str, where: str, known: set[str]) -> None:
        if var not in known:
            problems.append(f"{where}: variable {var!r} is read before it is set")

    def typed(var: str, value: Value, where: str) -> None:
        kind = types.setdefault(var, _type(value))
        if kind != _type(value):
            problems.append(f"{where}: variable {var!r} is {kind} but is used with {value!r}")

    def check(guard: Guard | None, where: str, known: set[str]) -> None:
        for cond in guard.atoms() if guard is not None else []:
            read(cond.var, where, known)
            typed(cond.var, cond.value, where)
            if cond.op not in ("==", "!=") and types[cond.var] == "bool":
                problems.append(f"{where}: {cond.op} compares bool variable {cond.var!r}")

    def apply(effects: list[Effect], where: str, known: set[str]) -> set[str]:
        known = set(known)
        for e in effects:
            typed(e.var, e.value, where)
            if e.op == "add":
                read(e.var, where, known)
                if types[e.var] == "bool":
                    problems.append(f"{where}: 'add' on bool variable {e.var!r}")
            known.add(e.var)
        return known

    for node_id in order:
        node = nodes[node_id]
        where = f"node {node_id!r}"
        known = apply(node.effects, where, incoming[node_id])
        for line in node.lines:
            check(line.condition, f"{where} line {line.id!r}", known)
        for c in node.choices:
            check(c.condition, f"{where} choice {c.id!r}", known)
        for label, effects, target in _edges(node):
            out = apply(effects, f"{where} {label}", known)
            incoming[target] = incoming[target] & out if target in incoming else out
    return problems


def _count_paths(d: Dialogue, order: list[str]) -> int:
    nodes = d.by_id()
    paths: dict[str, int] = {}
    for node_id in reversed(order):
        node = nodes[node_id]
        paths[node_id] = 1 if node.is_end else sum(paths[t] for _, _, t in _edges(node))
    return paths[d.start]


def _check(d: Dialogue) -> tuple[list[str], list[str]]:
    problems, order = _structure(d)
    return problems or _variables(d, order), order


def dialogue_problems(d: Dialogue) -> list[str]:
    """Every rule ``d`` breaks (empty when it is valid)."""
    return _check(d)[0]


def validate_dialogue(d: Dialogue) -> dict[str, Any]:
    """Raise :class:`DialogueError` listing every problem; return a summary for the manifest when ``d`` is valid."""
    problems, order = _check(d)
    if problems:
        raise DialogueError(d.id, problems)
    return {
        "valid": True,
        "nodes": len(d.nodes),
        "endings": sum(1 for n in d.nodes if n.is_end),
        "paths": _count_paths(d, order),
        "lines": sum(len(n.lines) + len(n.choices) for n in d.nodes),
        "variables": sorted(
            {
                *d.variables,
                *(e.var for n in d.nodes for _, effects, _ in _edges(n) for e in effects),
                *(e.var for n in d.nodes for e in n.effects),
            }
        ),
    }
