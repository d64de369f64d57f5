"""``narrative.dialogue``: branching conversations for a quest line's givers, or small talk with an NPC."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..assets import Asset
from ..context import Context
from ..errors import ParamError
from ..generator import Generator
from ..params import Field
from .builder import Npc, npc_dialogue, npc_say
from .filter import FilterParams, FilterReport, first_clean
from .graph import Dialogue, DialogueAsset
from .ink import InkVersion
from .inputs import input_paths, read_model
from .quest import INK_VERSION_HELP, dialogue_asset_name, grammar_dialogues
from .questline import QuestLine
from .tracery import load_grammar

__all__ = ["DialogueParams", "DialogueGenerator", "invent_npc", "resolve_npc"]


class DialogueParams(FilterParams):
    """Parameters of ``narrative.dialogue``."""

    quest: str | dict[str, Any] | None = Field(
        None,
        description=(
            "A quest line to voice (narrative.quest's questline.json, as a file or an object): one conversation "
            "per quest giver, covering all their quests"
        ),
    )
    npc: dict[str, Any] | None = Field(
        None, description=("An NPC to chat with: {name, role, place}; invented when neither quest nor npc is given")
    )
    ink_version: InkVersion = Field("1.1", description=INK_VERSION_HELP)


def invent_npc(rng: np.random.Generator) -> Npc:
    """An NPC from the built-in grammars: a name, a trade and a home."""
    people = load_grammar("characters")
    return Npc(
        name=people.expand("origin", rng),
        role=people.expand("role", rng),
        place=load_grammar("places").expand("town", rng),
    )


def resolve_npc(source: dict[str, Any] | None, ctx: Context) -> Npc:
    """The NPC an ``npc`` parameter describes, or one invented from the run's seed when it is not given."""
    return read_model(Npc, source, "npc", ctx) if source else invent_npc(ctx.child("npc"))


class DialogueGenerator(Generator):
    """Branching dialogue as Ink, Yarn Spinner (+ string table CSV) and a JSON graph, for quest givers or an NPC.

    Greetings that change after the first meeting, choices with conditions on variables (a quest is offered
    once the quests it requires are done), variable changes and exits; every dialogue passes the validator
    (no missing jumps, all nodes reachable, every path ends, no variable read before it is set).
    """

    name = "narrative.dialogue"
    kind = "narrative"
    version = "2.0.0"
    params = DialogueParams
    quick_params: ClassVar[dict[str, Any]] = {}

    @classmethod
    def output_schema(cls) -> dict[str, Any]:
        """The JSON Schema of the dialogue graph (``<name>.json``)."""
        return Dialogue.model_json_schema()

    def input_files(self, params: DialogueParams) -> list[Path]:
        """The quest line and term files, when given as files."""
        return input_paths(params.quest, params.filter_terms)

    def generate(self, params: DialogueParams, ctx: Context) -> list[Asset]:
        if params.quest is not None and params.npc is not None:
            raise ParamError("quest and npc: give one of them, not both")
        line = read_model(QuestLine, params.quest, "quest", ctx) if params.quest is not None else None
        if line is not None:

            def make(attempt: int) -> list[Dialogue]:
                return grammar_dialogues(line, ctx.child("dialogue", attempt))
        else:
            npc = resolve_npc(params.npc, ctx)

            def make(attempt: int) -> list[Dialogue]:
                return [npc_dialogue(npc, npc_say(npc, ctx.child("dialogue", attempt)))]

        report = FilterReport.from_params(params, ctx)
        dialogues = first_clean(make, lambda ds: [t for d in ds for t in d.texts()], report, params.filter_attempts)
        meta = {"content_filter": report.meta()}
        return [
            DialogueAsset(
                dialogue_asset_name(d, line) if line is not None else d.id,
                dialogue=d,
                meta=meta,
                ink_version=params.ink_version,
            )
            for d in dialogues
        ]
