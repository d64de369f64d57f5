"""Quest-giver dialogue helpers: the variable states a game sets before a conversation, and a small player.

:func:`giver_states` lists states that between them show every line and take every choice of a giver's
dialogue (for the inkjs / bondage.js plays). :func:`visit` runs one conversation on the graph in Python, as the
Ink and Yarn runtimes would (effects, then lines — all, or the first whose condition holds —, then a choice),
so tests can play a whole quest line visit by visit, quickly, without Node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gamegen.narrative.dialogue.graph import Choice, Condition, Dialogue, Effect, Guard
from gamegen.narrative.quest.questline import QuestLine, state_variable


def giver_states(d: Dialogue, line_id: str, requires: dict[str, list[str]]) -> list[dict[str, Any]]:
    """States that together reach every node of giver dialogue ``d``: first meeting, met, all quests done, then
    per quest (with its prerequisites done) available, declined once, accepted, objective done, done.
    ``requires``: quest → ids.
    The game always sets the external variables (other givers' quest states; a Yarn file leaves them
    undeclared, and bondage.js will not read an unset variable)."""
    met = f"{d.id}_met"
    shared = dict.fromkeys(d.external, 0)
    done = {state_variable(line_id, q): 3 for q in d.quests}
    states: list[dict[str, Any]] = [shared, {**shared, met: True}, {**shared, met: True, **done}]
    for q in d.quests:
        base = {**shared, met: True, **{state_variable(line_id, r): 3 for r in requires[q]}}
        state = state_variable(line_id, q)
        states += [
            base,
            {**base, f"{line_id}_{q}_declined": 1},
            {**base, state: 1},
            {**base, state: 2},
            {**base, state: 3},
        ]
    return states


def line_states(d: Dialogue, line: QuestLine) -> list[dict[str, Any]]:
    """:func:`giver_states` for a dialogue of quest line ``line``."""
    return giver_states(d, line.id, {q.id: q.requires for q in line.quests})


def _holds(guard: Guard | None, variables: dict[str, Any]) -> bool:
    if guard is None:
        return True
    ops: dict[str, Callable[[Any, Any], bool]] = {
        "==": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        ">=": lambda a, b: a >= b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        "<": lambda a, b: a < b,
    }
    return all(ops[c.op](variables[c.var], c.value) for c in guard.atoms() if isinstance(c, Condition))


def _apply(effects: list[Effect], variables: dict[str, Any]) -> None:
    for e in effects:
        variables[e.var] = variables[e.var] + e.value if e.op == "add" else e.value


@dataclass
class Visit:
    """What one conversation showed: the NPC lines (speaker, text), the choices taken (ids)."""

    lines: list[tuple[str, str]] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)


def visit(d: Dialogue, variables: dict[str, Any], pick: Callable[[list[Choice]], Choice]) -> Visit:
    """Play ``d`` once with ``variables`` (updated in place; missing ones take their declared values);
    ``pick`` chooses among the choices whose conditions hold."""
    for name, value in d.declarations().items():
        variables.setdefault(name, value)
    nodes = d.by_id()
    seen = Visit()
    node = nodes[d.start]
    for _ in range(100):
        _apply(node.effects, variables)
        for ln in node.lines:
            if _holds(ln.condition, variables):
                seen.lines.append((ln.speaker, ln.text))
                if node.select == "first":
                    break
        open_choices = [c for c in node.choices if _holds(c.condition, variables)]
        if open_choices:
            choice = pick(open_choices)
            seen.choices.append(choice.id)
            _apply(choice.effects, variables)
            node = nodes[choice.target]
        elif node.next is not None:
            node = nodes[node.next]
        else:
            return seen
    raise AssertionError(f"{d.id}: the conversation did not end")
