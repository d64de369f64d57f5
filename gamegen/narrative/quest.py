"""``narrative.quest``: a quest line from the built-in grammars, with each giver's dialogue (Ink, Yarn, JSON).

One dialogue per quest giver covers all of that giver's quests; the quest line's ``state_machine`` says how the
game and the dialogues share each quest's progress.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np

from ..assets import Asset, DataAsset
from ..context import Context
from ..errors import ParamError
from ..generator import Generator
from ..params import Field
from .builder import grammar_writer, questline_dialogues
from .filter import FilterParams, FilterReport, first_clean
from .graph import Dialogue, DialogueAsset
from .ink import InkVersion
from .inputs import input_paths
from .questline import (
    OBJECTIVES,
    Author,
    Cast,
    QuestLine,
    build_questline,
    cast_quest,
    feasible_objectives,
    giver_slugs,
    quest_grammar,
    quest_texts,
)
from .style import title_case
from .world import World, complete_world, load_world

__all__ = [
    "INK_VERSION_HELP",
    "QuestParams",
    "QuestGenerator",
    "grammar_author",
    "grammar_dialogues",
    "dialogue_asset_name",
    "questline_assets",
    "prepare_world",
]

INK_VERSION_HELP = (
    "Ink dialect of the .ink files: 1.1 (ink 1.1+: line ids as tags inside choice brackets) or 1.0 (ink 1.0 "
    "compiles it: a picked choice prints its text with its line id; see docs/narrative.md)"
)

Objective = Literal["fetch", "kill", "escort", "explore", "deliver", "investigate"]


class QuestParams(FilterParams):
    """Parameters of ``narrative.quest``."""

    world: str | dict[str, Any] | None = Field(
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
    ink_version: InkVersion = Field("1.1", description=INK_VERSION_HELP)


def prepare_world(params: QuestParams, ctx: Context) -> tuple[World, dict[str, list[str]], list[str]]:
    """The completed world, what was invented, and the objectives it can support (ParamError when none)."""
    world, invented = complete_world(load_world(params.world, ctx), ctx.child("world"))
    objectives = feasible_objectives(world, list(params.objectives))
    if not objectives:
        raise ParamError(
            f"objectives={list(params.objectives)}: the world has nothing to target for them "
            "(e.g. escort needs two characters)"
        )
    return world, invented, objectives


def grammar_author(world: World) -> Author:
    """Quests written from the built-in quest grammar: a random feasible objective, cast, title and motivation."""

    def author(index: int, objectives: list[str], rng: np.random.Generator) -> tuple[Cast, str, str]:
        cast = cast_quest(world, objectives[int(rng.integers(len(objectives)))], rng)
        texts = quest_grammar(cast)
        title = title_case(texts.expand(f"title_{cast.objective}", rng))
        return cast, title, texts.expand(f"motivation_{cast.objective}", rng)

    return author


def grammar_dialogues(line: QuestLine, rng: np.random.Generator) -> list[Dialogue]:
    """Each giver's conversation (all their quests), worded by the built-in dialogue grammar."""
    return questline_dialogues(line, grammar_writer(rng))


def dialogue_asset_name(d: Dialogue, line: QuestLine) -> str:
    """The asset (file) name of a quest giver's dialogue: ``dialogue_<giver>`` (the giver's name as an
    identifier, e.g. ``dialogue_linnea_underhill``)."""
    names = giver_slugs(line.quests)
    return f"dialogue_{names[d.giver]}" if d.giver in names else d.id


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


class QuestGenerator(Generator):
    """A quest line (JSON, gamegen.questline/1) with each giver's branching dialogue as Ink, Yarn Spinner and JSON.

    Quests have a giver, motivation, objective (fetch, kill, escort, explore, deliver, investigate), targets,
    locations, steps with preconditions and rewards scaled to ``level``; each depends on an earlier one. They
    name only the world facts given in ``world`` or invented into the quest line's own ``world``. The quest
    line's ``state_machine`` names each quest's state variable and what its values 0-3 mean; each giver's one
    dialogue offers a quest only once the quests it requires are done.
    """

    name = "narrative.quest"
    kind = "narrative"
    version = "2.0.0"
    params = QuestParams
    quick_params: ClassVar[dict[str, Any]] = {"chain_length": 2}

    @classmethod
    def output_schema(cls) -> dict[str, Any]:
        """The JSON Schema of ``questline.json``."""
        return QuestLine.model_json_schema()

    def input_files(self, params: QuestParams) -> list[Path]:
        """The world and term files, when given as files."""
        return input_paths(params.world, params.filter_terms)

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
