"""``narrative.quest``: a quest line from the built-in grammars, with each giver's dialogue (Ink, Yarn, JSON).

One dialogue per quest giver covers all of that giver's quests; the quest line's ``state_machine`` says how the
game and the dialogues share each quest's progress.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ...assets import Asset, DataAsset
from ...content_filter import FilterParams, FilterReport, first_clean
from ...context import Context
from ...errors import ParamError
from ...generator import Generator
from ...params import Field, InputFile, Params
from ..dialogue.assets import DialogueAsset
from ..dialogue.builder import dialogue_asset_name, grammar_dialogues
from ..dialogue.graph import Dialogue
from ..dialogue.ink import InkOptions
from ..style import title_case
from .questline import (
    OBJECTIVES,
    Author,
    Cast,
    Objective,
    QuestLine,
    build_questline,
    cast_quest,
    feasible_objectives,
    quest_grammar,
    quest_texts,
)
from .world import StoryWorld, complete_world, load_world

__all__ = [
    "QuestLineOptions",
    "QuestParams",
    "QuestGenerator",
    "grammar_author",
    "questline_assets",
    "prepare_world",
]


class QuestLineOptions(Params):
    """The quest-line parameters ``narrative.quest`` and ``narrative.llm``'s ``task=quest`` share (with the ink
    dialect, :class:`~..dialogue.ink.InkOptions`)."""

    world: InputFile | dict[str, Any] | None = Field(
        None,
        description=(
            "World facts quests may name: a JSON file or object with places, factions, characters (names or "
            "character.sheet records), items, creatures; empty categories are invented and written to the quest line"
        ),
    )
    level: int = Field(5, ge=1, le=100, description="Player level the rewards are scaled to")
    chain_length: int = Field(3, ge=1, le=12, description="Quests in the line; each depends on an earlier one")
    objectives: list[Objective] = Field(list(OBJECTIVES), min_length=1, description="Objective types to choose from")
    dialogue: bool = Field(
        True, description="Also write each giver's conversation (all their quests) as Ink, Yarn (+ strings CSV), JSON"
    )


class QuestParams(InkOptions, QuestLineOptions, FilterParams):
    """Parameters of ``narrative.quest``."""


def prepare_world(params: QuestLineOptions, ctx: Context) -> tuple[StoryWorld, dict[str, list[str]], list[str]]:
    """The completed world, what was invented, and the objectives it can support (ParamError when none)."""
    world, invented = complete_world(load_world(params.world, ctx), ctx.child("world"))
    objectives = feasible_objectives(world, list(params.objectives))
    if not objectives:
        raise ParamError(
            f"objectives={list(params.objectives)}: the world has nothing to target for them "
            "(e.g. escort needs two characters)"
        )
    return world, invented, objectives


def grammar_author(world: StoryWorld) -> Author:
    """Quests written from the built-in quest grammar: a random feasible objective, cast, title and motivation."""

    def author(index: int, objectives: list[str], rng: np.random.Generator) -> tuple[Cast, str, str]:
        cast = cast_quest(world, objectives[int(rng.integers(len(objectives)))], rng)
        texts = quest_grammar(cast)
        title = title_case(texts.expand(f"title_{cast.objective}", rng))
        return cast, title, texts.expand(f"motivation_{cast.objective}", rng)

    return author


def questline_assets(
    line: QuestLine,
    dialogues: list[Dialogue],
    report: FilterReport,
    invented: dict[str, list[str]],
    ink_version: str = "1.1",
) -> list[Asset]:
    """``questline.json`` plus one dialogue asset per quest giver, each with the filter record in its meta."""
    meta = {"content_filter": report.meta(), "world_invented": invented, "format": line.format}
    return [
        DataAsset("questline", line.model_dump(mode="json"), meta=meta),
        *(
            DialogueAsset(
                dialogue_asset_name(d, line),
                dialogue=d,
                meta={"content_filter": report.meta()},
                ink_version=ink_version,
            )
            for d in dialogues
        ),
    ]


class QuestGenerator(Generator[QuestParams]):
    """A quest line (JSON, gamegen.questline/1) with each giver's branching dialogue as Ink, Yarn Spinner and JSON.

    Quests have a giver, motivation, objective (fetch, kill, escort, explore, deliver, investigate), targets,
    locations, steps with preconditions and rewards scaled to ``level``; each depends on an earlier one. They
    name only the world facts given in ``world`` or invented into the quest line's own ``world``. The quest
    line's ``state_machine`` names each quest's state variable and what its values 0-3 mean; each giver's one
    dialogue offers a quest only once the quests it requires are done.
    """

    name = "narrative.quest"
    version = "2.0.0"
    quick_params: ClassVar[dict[str, Any]] = {"chain_length": 2}

    @classmethod
    def output_schema(cls) -> dict[str, Any]:
        """The JSON Schema of ``questline.json``."""
        return QuestLine.model_json_schema()

    def generate(self, params: QuestParams, ctx: Context) -> list[Asset]:
        world, invented, objectives = prepare_world(params, ctx)
        author = grammar_author(world)

        def make(attempt: int) -> tuple[QuestLine, list[Dialogue]]:
            rng = ctx.child("questline", attempt)
            line = build_questline(
                world, level=params.level, length=params.chain_length, objectives=objectives, author=author, rng=rng
            )
            return line, grammar_dialogues(line, rng) if params.dialogue else []

        report = FilterReport.from_params(params, ctx)
        line, dialogues = first_clean(
            make, lambda r: [*quest_texts(r[0]), *(t for d in r[1] for t in d.texts())], report, params.filter_attempts
        )
        return questline_assets(line, dialogues, report, invented, params.ink_version)
