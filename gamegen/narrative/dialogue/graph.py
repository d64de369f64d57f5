"""The dialogue graph (``gamegen.dialogue/1``): nodes of lines and choices, with conditions and variable changes.

A conversation enters ``start``; on entering a node its effects run, then its lines show (each line may have
a condition; a node with ``select: "first"`` shows only the first line whose condition holds, like an
if/elif/else chain), then the player picks one of the choices whose condition holds (a choice may change
variables) and the conversation moves to its target; a node without choices moves to ``next``, or ends when it
has none. A condition is one comparison or ``{"all": [...]}``, several that must all hold. Serialisers
(:mod:`.ink`, :mod:`.yarn`) read this model; :mod:`.validate` checks it; :mod:`.assets` wraps it as an asset.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Value",
    "value_text",
    "one_line",
    "Condition",
    "AllOf",
    "Guard",
    "Effect",
    "Line",
    "Choice",
    "Node",
    "Dialogue",
]

Value = bool | int
_IDENT = r"^[A-Za-z][A-Za-z0-9_]*$"
_VAR = r"^[a-z][a-z0-9_]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def value_text(value: Value) -> str:
    """A constant as Ink and Yarn both write it: ``true``/``false`` or an integer."""
    return str(value).lower() if isinstance(value, bool) else str(int(value))


def one_line(text: str, special: re.Pattern[str]) -> str:
    """``text`` on one line (whitespace collapsed), with what ``special`` matches escaped by a backslash."""
    return special.sub(r"\\\1", " ".join(text.split()))


class Condition(_Model):
    """``var op value``: a comparison with a constant."""

    var: str = Field(pattern=_VAR)
    op: Literal["==", "!=", ">=", "<=", ">", "<"] = "=="
    value: Value

    def expression(self, sigil: str = "") -> str:
        """The comparison in Ink and Yarn syntax (they share the operators); Yarn's variables take the ``$`` sigil."""
        return f"{sigil}{self.var} {self.op} {value_text(self.value)}"

    def atoms(self) -> list[Condition]:
        """The comparisons this condition is made of (itself)."""
        return [self]


class AllOf(_Model):
    """Several comparisons that must all hold (``a and b`` in Ink and Yarn)."""

    all: list[Condition] = Field(min_length=1)

    def expression(self, sigil: str = "") -> str:
        """The conjunction in Ink and Yarn syntax."""
        return " and ".join(c.expression(sigil) for c in self.all)

    def atoms(self) -> list[Condition]:
        """The comparisons that must all hold."""
        return list(self.all)


Guard = Condition | AllOf
"""A condition on a line or choice: one comparison, or several that must all hold."""


class Effect(_Model):
    """``var = value`` (``set``) or ``var = var + value`` (``add``, integers only)."""

    var: str = Field(pattern=_VAR)
    op: Literal["set", "add"] = "set"
    value: Value

    def new_value(self, sigil: str = "") -> str:
        """The expression ``var`` is set to, in Ink and Yarn syntax (Yarn's variables take the ``$`` sigil)."""
        return f"{sigil}{self.var} + {value_text(self.value)}" if self.op == "add" else value_text(self.value)


class Line(_Model):
    """A line of dialogue with its localisation id; shown only when ``condition`` holds."""

    id: str = Field(pattern=_IDENT)
    speaker: str = Field(min_length=1)
    text: str = Field(min_length=1)
    condition: Guard | None = None


class Choice(_Model):
    """An option the player may pick (when ``condition`` holds); ``effects`` run when it is picked."""

    id: str = Field(pattern=_IDENT)
    text: str = Field(min_length=1)
    target: str
    condition: Guard | None = None
    effects: list[Effect] = Field(default_factory=list)


class Node(_Model):
    """A beat of the conversation: entry effects, lines, then choices, or ``next``, or the end."""

    id: str = Field(pattern=_IDENT)
    effects: list[Effect] = Field(default_factory=list)
    select: Literal["all", "first"] = Field(
        "all",
        description=(
            "all: every line whose condition holds shows; first: only the first such line (if/elif/else; a last "
            "line without a condition is the else)"
        ),
    )
    lines: list[Line] = Field(default_factory=list)
    choices: list[Choice] = Field(default_factory=list)
    next: str | None = None

    def entries(self) -> list[Line | Choice]:
        """The lines, then the choices: everything in the node that has an id and a text."""
        return [*self.lines, *self.choices]

    @property
    def is_end(self) -> bool:
        """True when the conversation ends after this node."""
        return not self.choices and self.next is None


class Dialogue(_Model):
    """A whole conversation; ``variables`` are declared with their initial values (the game may set them)."""

    format: Literal["gamegen.dialogue/1"] = "gamegen.dialogue/1"
    id: str = Field(pattern=_IDENT)
    title: str
    start: str
    variables: dict[str, Value] = Field(default_factory=dict)
    external: list[str] = Field(
        default_factory=list,
        description=(
            "Variables of `variables` that another file owns (another giver's quest state the game shares): Ink "
            "declares them (each ink file is its own story), Yarn does not (a Yarn project declares each once)"
        ),
    )
    nodes: list[Node] = Field(min_length=1)
    quest: str | None = Field(None, description="The one quest this conversation belongs to (older files)")
    giver: str | None = Field(None, description="The quest giver who speaks, for a quest giver's conversation")
    quests: list[str] = Field(
        default_factory=list, description="The quests this conversation offers and takes reports on, in line order"
    )

    def by_id(self) -> dict[str, Node]:
        """The nodes keyed by id (the last one wins if ids repeat; the validator reports repeats)."""
        return {n.id: n for n in self.nodes}

    def declarations(self) -> dict[str, Value]:
        """Every variable (sorted by name) with its initial value; one that is only ever set starts false or 0."""
        out = dict(self.variables)
        for n in self.nodes:
            for e in (*n.effects, *(e for c in n.choices for e in c.effects)):
                out.setdefault(e.var, False if isinstance(e.value, bool) else 0)
        return dict(sorted(out.items()))

    def texts(self) -> list[str]:
        """The title, every speaker, line and choice text: all that the files show (what the content filter reads)."""
        speakers = {ln.speaker: None for n in self.nodes for ln in n.lines}
        return [self.title, *speakers, *(x.text for n in self.nodes for x in n.entries())]
