"""``narrative.dialogue``: branching conversations for a quest line's givers, or small talk with an NPC."""

from __future__ import annotations

from typing import Any, ClassVar

from ...assets import Asset
from ...content_filter import FilterParams, FilterReport, first_clean
from ...context import Context
from ...errors import ParamError
from ...generator import Generator
from ...inputs import read_model
from ...params import Field, InputFile
from ..quest.questline import QuestLine
from .assets import DialogueAsset
from .builder import dialogue_asset_name, grammar_dialogues, npc_dialogue, npc_say, resolve_npc
from .graph import Dialogue
from .ink import InkOptions

__all__ = ["DialogueParams", "DialogueGenerator"]


class DialogueParams(InkOptions, FilterParams):
    """Parameters of ``narrative.dialogue``."""

    quest: InputFile | dict[str, Any] | None = Field(
        None,
        description=(
            "A quest line to voice (narrative.quest's questline.json, as a file or an object): one conversation "
            "per quest giver, covering all their quests"
        ),
    )
    npc: dict[str, Any] | None = Field(
        None, description=("An NPC to chat with: {name, role, place}; invented when neither quest nor npc is given")
    )


class DialogueGenerator(Generator[DialogueParams]):
    """Branching dialogue as Ink, Yarn Spinner (+ string table CSV) and a JSON graph, for quest givers or an NPC.

    Greetings that change after the first meeting, choices with conditions on variables (a quest is offered
    once the quests it requires are done), variable changes and exits; every dialogue passes the validator
    (no missing jumps, all nodes reachable, every path ends, no variable read before it is set).
    """

    name = "narrative.dialogue"
    version = "2.0.0"
    quick_params: ClassVar[dict[str, Any]] = {}

    @classmethod
    def output_schema(cls) -> dict[str, Any]:
        """The JSON Schema of the dialogue graph (``<name>.json``)."""
        return Dialogue.model_json_schema()

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
