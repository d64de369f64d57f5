"""The quest schema (``gamegen.questline/1``) and the assembly of quests from a cast and some text.

Both paths build quests the same way: the procedural generator and the LLM each choose a cast (giver,
objective, target, location) and write a title and motivation; :func:`assemble_quest` adds the steps with
their preconditions, the rewards scaled to the level, and the texts of the steps. The schema's validator
checks that every name a quest uses is defined in the quest line's ``world``, and fills in the quest line's
``state_machine``: what each value of a quest's state variable means, who sets it, and each variable's name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..style import bare, slug, title_case, with_the
from ..tracery import Grammar, load_grammar
from .world import StoryWorld

__all__ = [
    "Objective",
    "OBJECTIVES",
    "Action",
    "ACTIONS",
    "Step",
    "Reward",
    "Quest",
    "QuestLine",
    "QuestState",
    "QuestVariable",
    "StateMachine",
    "QUEST_STATES",
    "state_variable",
    "objective_done_after",
    "state_machine",
    "giver_slugs",
    "Cast",
    "cast_of",
    "main_step",
    "target_facts",
    "cast_quest",
    "target_pool",
    "assemble_quest",
    "quest_texts",
    "quest_grammar",
    "literal",
    "Author",
    "feasible_objectives",
    "build_questline",
]

Objective = Literal["fetch", "kill", "escort", "explore", "deliver", "investigate"]
OBJECTIVES: tuple[Objective, ...] = get_args(Objective)
Action = Literal["talk", "travel", "collect", "defeat", "escort", "explore", "deliver", "investigate", "return"]
ACTIONS: tuple[Action, ...] = get_args(Action)
_ID = r"^[a-z][a-z0-9_]*$"

_BASE_GOLD = {"fetch": 20, "kill": 35, "escort": 30, "explore": 15, "deliver": 15, "investigate": 25}
_XP_PER_STEP = 25
# objective → steps as (action, role of the target, role of the character, role of the location, requires)
_PLANS: dict[str, list[tuple[str, str | None, str | None, str | None, tuple[int, ...]]]] = {
    "fetch": [
        ("travel", None, None, "place", ()),
        ("collect", "target", None, "place", (0,)),
        ("return", None, "giver", None, (1,)),
    ],
    "kill": [
        ("travel", None, None, "place", ()),
        ("defeat", "target", None, "place", (0,)),
        ("return", None, "giver", None, (1,)),
    ],
    "escort": [
        ("talk", None, "target", "origin", ()),
        ("escort", None, "target", "place", (0,)),
        ("return", None, "giver", None, (1,)),
    ],
    "explore": [
        ("travel", None, None, "place", ()),
        ("explore", None, None, "place", (0,)),
        ("return", None, "giver", None, (1,)),
    ],
    "deliver": [
        ("collect", "target", "giver", "origin", ()),
        ("travel", None, None, "place", (0,)),
        ("deliver", "target", "recipient", "place", (1,)),
    ],
    "investigate": [
        ("talk", None, "witness", "origin", ()),
        ("explore", None, None, "place", ()),
        ("investigate", "target", None, "place", (0, 1)),
        ("return", None, "giver", None, (2,)),
    ],
}


class Step(BaseModel):
    """One thing to do; ``requires`` lists the steps that must be done first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID)
    action: Action
    description: str = Field(min_length=1)
    target: str | None = Field(None, description="The item, creature or subject acted on")
    character: str | None = Field(None, description="The person involved")
    location: str | None = None
    requires: list[str] = Field(default_factory=list)


class Reward(BaseModel):
    """What finishing the quest pays: gold and experience scale with the level and the quest's place in its line."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    gold: int = Field(ge=0)
    xp: int = Field(ge=0)
    items: list[str] = Field(default_factory=list)
    faction: str | None = None
    reputation: int = Field(0, ge=0)


class Quest(BaseModel):
    """A structured quest: who asks, why, what to do (steps with preconditions), where, and the reward."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1, max_length=120)
    giver: str
    faction: str | None = None
    motivation: str = Field(min_length=1, max_length=400)
    summary: str = Field(min_length=1)
    objective: Objective
    targets: list[str] = Field(min_length=1)
    locations: list[str] = Field(min_length=1)
    level: int = Field(ge=1, le=100)
    steps: list[Step] = Field(min_length=1)
    rewards: Reward
    requires: list[str] = Field(default_factory=list, description="Quests of the same line to finish first")

    def names(self) -> list[tuple[str, str]]:
        """Every (field, name) this quest refers to, for the reference check."""
        refs = [
            ("giver", self.giver),
            *(("targets", t) for t in self.targets),
            *(("locations", p) for p in self.locations),
        ]
        refs += [("faction", self.faction)] if self.faction else []
        refs += [("rewards.items", i) for i in self.rewards.items]
        refs += [("rewards.faction", self.rewards.faction)] if self.rewards.faction else []
        for s in self.steps:
            refs += [
                (f"steps.{s.id}.{k}", v)
                for k, v in (("target", s.target), ("character", s.character), ("location", s.location))
                if v
            ]
        return refs


class QuestState(BaseModel):
    """One value of a quest's state variable: what it means and who sets it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: int
    name: str
    meaning: str
    set_by: Literal["initial", "dialogue", "game"]


QUEST_STATES = (
    QuestState(
        value=0,
        name="available",
        meaning=(
            "Not accepted yet. The giver offers the quest once every quest in its requires is done (state 3); "
            "the player may decline and ask again later"
        ),
        set_by="initial",
    ),
    QuestState(
        value=1,
        name="accepted",
        meaning="The player accepted the quest in the giver's dialogue; its steps are under way",
        set_by="dialogue",
    ),
    QuestState(
        value=2,
        name="objective_done",
        meaning=(
            "The game sets this when the steps in objective_done_after are done (every step before the final "
            "'return' step, or all steps when there is none); the giver then takes the player's report"
        ),
        set_by="game",
    ),
    QuestState(
        value=3,
        name="done",
        meaning=(
            "The player reported to the giver, whose dialogue set this: the game pays the rewards now; quests "
            "that require this one become available"
        ),
        set_by="dialogue",
    ),
)
"""The state machine every quest follows: 0 → 1 (dialogue) → 2 (game) → 3 (dialogue)."""


class QuestVariable(BaseModel):
    """The state variable of one quest: its exact name, and which steps the game waits for before setting 2."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quest: str
    variable: str
    giver: str
    objective_done_after: list[str]
    requires: list[str] = Field(default_factory=list, description="The variables that must be 3 before it is offered")


class StateMachine(BaseModel):
    """How the game and the dialogue share each quest's progress (derived from the quests; rebuilt on load)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    variable: str = Field(description="How state variables are named")
    states: list[QuestState]
    quests: list[QuestVariable]
    notes: str


def state_variable(line_id: str, quest_id: str) -> str:
    """The name of a quest's state variable in every dialogue file and the game: ``<line id>_<quest id>_state``."""
    return f"{line_id}_{quest_id}_state"


def objective_done_after(quest: Quest) -> list[str]:
    """The steps after which the game sets the quest's state to 2: all but a final ``return`` step."""
    ids = [s.id for s in quest.steps]
    return ids[:-1] if quest.steps[-1].action == "return" and len(ids) > 1 else ids


def state_machine(line_id: str, quests: list[Quest]) -> StateMachine:
    """The state machine block of a quest line with id ``line_id``."""
    return StateMachine(
        variable="<quest line id>_<quest id>_state",
        states=list(QUEST_STATES),
        quests=[
            QuestVariable(
                quest=q.id,
                variable=state_variable(line_id, q.id),
                giver=q.giver,
                objective_done_after=objective_done_after(q),
                requires=[state_variable(line_id, r) for r in q.requires],
            )
            for q in quests
        ],
        notes=(
            "One integer per quest, starting at 0, shared by the game and every dialogue file that names it (its "
            "giver's, and those of the givers whose quests require it): keep one value per variable in the game and "
            "copy it into a story's variables before running it and back out after (Ink: "
            "story.variablesState[name]; Yarn Spinner: the variable storage, with the $ sigil). The dialogue sets "
            "1 and 3; the game sets 2 and pays rewards when a quest reaches 3."
        ),
    )


def giver_slugs(quests: list[Quest]) -> dict[str, str]:
    """Each giver (in order of their first quest) with a distinct identifier made from the name."""
    out: dict[str, str] = {}
    for q in quests:
        if q.giver not in out:
            base = slug(q.giver, "giver")
            name, n = base, 2
            while name in out.values():
                name, n = f"{base}_{n}", n + 1
            out[q.giver] = name
    return out


class QuestLine(BaseModel):
    """A chain of quests with dependencies, the world facts they may name, and the quests' state machine."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["gamegen.questline/1"] = "gamegen.questline/1"
    id: str = Field(pattern=_ID)
    title: str
    level: int = Field(ge=1, le=100)
    world: StoryWorld
    quests: list[Quest] = Field(min_length=1)
    state_machine: StateMachine | None = Field(
        None,
        description=(
            "Quest state values, their meanings, who sets them and each quest's variable name (derived from the "
            "quests: filled in, or rebuilt, when the quest line is read)"
        ),
    )

    @model_validator(mode="after")
    def _check_references(self) -> QuestLine:
        problems: list[str] = []
        known = self.world.names()
        seen_quests: set[str] = set()
        for q in self.quests:
            problems += [f"{q.id}.{f}: {n!r} is not defined in the world" for f, n in q.names() if n not in known]
            problems += [f"{q.id}.requires: {r!r} is not an earlier quest" for r in q.requires if r not in seen_quests]
            if q.id in seen_quests:
                problems.append(f"quest id {q.id!r} is used twice")
            seen_quests.add(q.id)
            done: set[str] = set()
            for s in q.steps:
                problems += [
                    f"{q.id}.steps.{s.id}.requires: {r!r} is not an earlier step" for r in s.requires if r not in done
                ]
                done.add(s.id)
        if problems:
            raise ValueError("; ".join(problems))
        object.__setattr__(self, "state_machine", state_machine(self.id, self.quests))
        self.__pydantic_fields_set__.add("state_machine")
        return self


@dataclass(frozen=True)
class Cast:
    """Who and what a quest is about, chosen before any text is written."""

    objective: str
    giver: str
    target: str
    location: str
    origin: str
    recipient: str | None = None
    witness: str | None = None


def literal(text: str) -> str:
    """``text`` escaped for use as a Tracery rule (world names may contain ``#``, ``[`` or ``]``)."""
    return re.sub(r"([\\#\[\]])", r"\\\1", text)


def target_pool(world: StoryWorld, objective: str, giver: str) -> list[str]:
    """The names an objective may target: items to fetch or deliver, creatures to defeat, people to escort ..."""
    others = [c for c in world.character_names if c != giver]
    return {
        "fetch": world.items,
        "deliver": world.items,
        "kill": world.creatures,
        "escort": others,
        "explore": world.places,
        "investigate": [*world.items, *world.creatures, *world.factions],
    }[objective]


def _pick(rng: np.random.Generator, options: list[str]) -> str:
    return options[int(rng.integers(len(options)))]


def cast_quest(
    world: StoryWorld,
    objective: str,
    rng: np.random.Generator,
    giver: str | None = None,
    target: str | None = None,
    location: str | None = None,
) -> Cast:
    """Complete a cast: what is not given is drawn from the world (recipients and witnesses differ from the giver)."""
    giver = giver or _pick(rng, world.character_names)
    target = target or _pick(rng, target_pool(world, objective, giver))
    location = location or (target if objective == "explore" else _pick(rng, world.places))
    home = next((c.place for c in world.characters if c.name == giver and c.place in world.places), None)
    others = [c for c in world.character_names if c not in (giver, target)] or [giver]
    return Cast(
        objective,
        giver,
        target,
        location,
        home or _pick(rng, world.places),
        recipient=_pick(rng, others) if objective == "deliver" else None,
        witness=_pick(rng, others) if objective == "investigate" else None,
    )


_MAIN_ACTION = {"fetch": "collect", "kill": "defeat"}


def main_step(quest: Quest) -> Step:
    """The step that is the quest's objective (collect for fetch, defeat for kill, else the objective itself)."""
    action = _MAIN_ACTION.get(quest.objective, quest.objective)
    return next((s for s in quest.steps if s.action == action), quest.steps[-1])


def cast_of(quest: Quest) -> Cast:
    """The cast a quest was assembled from, read back from its steps (for texts that must agree with it)."""
    main = main_step(quest)
    place = main.location or quest.locations[0]
    origin = next((s.location for s in quest.steps if s.location and s.location != place), place)
    by_action = {s.action: s for s in quest.steps}
    return Cast(
        quest.objective,
        quest.giver,
        quest.targets[0],
        place,
        origin,
        recipient=by_action["deliver"].character if "deliver" in by_action else None,
        witness=by_action["talk"].character if quest.objective == "investigate" and "talk" in by_action else None,
    )


def target_facts(objective: str, target: str) -> dict[str, str]:
    """Ways to name a target in a sentence: ``the_target`` ("the silver ring"), ``bare_target`` (no article), and
    ``subject`` (how people refer to the quest: "the silver ring", a person's or place's name as it is)."""
    named = objective in ("escort", "explore")  # people and places are named, not "the"-d
    return {
        "the_target": target if named else with_the(target),
        "bare_target": target if named else bare(target),
        "subject": target if named else with_the(target),
    }


def quest_grammar(cast: Cast, extra: dict[str, str] | None = None) -> Grammar:
    """The built-in quest text grammar with the cast injected as symbols (``#giver#``, ``#target#``, ``#place#``,
    ``#the_target#``...)."""
    facts = {
        "giver": cast.giver,
        "target": cast.target,
        **target_facts(cast.objective, cast.target),
        "place": cast.location,
        "origin": cast.origin,
        "recipient": cast.recipient or cast.giver,
        "witness": cast.witness or cast.giver,
        **(extra or {}),
    }
    return load_grammar("quests").with_rules({k: [literal(v)] for k, v in facts.items()})


def _rewards(
    cast: Cast, level: int, index: int, steps: int, faction: str | None, items: list[str], rng: np.random.Generator
) -> Reward:
    scale = (1 + 0.25 * index) * float(rng.uniform(0.9, 1.1))
    return Reward(
        gold=int(round(_BASE_GOLD[cast.objective] * level**1.25 * scale)),
        xp=int(round(_XP_PER_STEP * level * steps * (1 + 0.25 * index))),
        items=items,
        faction=faction,
        reputation=5 * (1 + index) if faction else 0,
    )


def assemble_quest(
    cast: Cast,
    title: str,
    motivation: str,
    *,
    world: StoryWorld,
    level: int,
    index: int,
    requires: list[str],
    reward_items: list[str],
    rng: np.random.Generator,
) -> Quest:
    """The full quest for a cast: steps with preconditions and descriptions, summary, rewards and faction."""
    texts = quest_grammar(cast)
    texts = texts.with_rules({"objective_phrase": [texts.expand(f"objective_{cast.objective}", rng)]})
    roles = {
        "target": cast.target,
        "giver": cast.giver,
        "recipient": cast.recipient,
        "witness": cast.witness,
        "place": cast.location,
        "origin": cast.origin,
        None: None,
    }
    steps = []
    for i, (action, target, character, location, requires_steps) in enumerate(_PLANS[cast.objective]):
        named = roles[target] or roles[character] or cast.target
        kind = "escort" if not roles[target] and roles[character] else cast.objective  # people: named as they are
        step_text = texts.with_rules(
            {
                "target": [literal(named)],
                **{k: [literal(v)] for k, v in target_facts(kind, named).items()},
                "place": [literal(roles[location] or cast.location)],
            }
        )
        steps.append(
            Step(
                id=f"s{i + 1}",
                action=action,
                description=step_text.expand(f"step_{action}", rng),
                target=roles[target],
                character=roles[character],
                location=roles[location],
                requires=[f"s{r + 1}" for r in requires_steps],
            )
        )
    giver = next(c for c in world.characters if c.name == cast.giver)
    faction = (
        giver.faction if giver.faction in world.factions else (_pick(rng, world.factions) if world.factions else None)
    )
    return Quest(
        id=f"q{index + 1}",
        title=title_case(title),
        giver=cast.giver,
        faction=faction,
        motivation=motivation,
        summary=texts.expand("summary", rng),
        objective=cast.objective,
        targets=[cast.target],
        locations=sorted({cast.location, cast.origin}),
        level=level,
        steps=steps,
        rewards=_rewards(cast, level, index, len(steps), faction, reward_items, rng),
        requires=requires,
    )


def quest_texts(line: QuestLine) -> list[str]:
    """Every piece of text in a quest line (what the content filter reads)."""
    texts = [line.title, *line.world.names()]
    for q in line.quests:
        texts += [q.title, q.motivation, q.summary, *(s.description for s in q.steps)]
    return texts


Author = Callable[[int, list[str], np.random.Generator], tuple[Cast, str, str]]
"""Writes one quest of a line: ``(index, allowed objectives, rng) -> (cast, title, motivation)``."""


def feasible_objectives(world: StoryWorld, wanted: list[str]) -> list[str]:
    """The wanted objectives the world can support (escorts need two people, fetches need an item ...)."""
    return [o for o in wanted if target_pool(world, o, "") and (o != "escort" or len(world.characters) >= 2)]


def build_questline(
    world: StoryWorld, *, level: int, length: int, objectives: list[str], author: Author, rng: np.random.Generator
) -> QuestLine:
    """A line of ``length`` quests written by ``author``; each depends on the one before (sometimes two back)."""
    quests: list[Quest] = []
    for i in range(length):
        cast, title, motivation = author(i, objectives, rng)
        requires = [quests[-1].id] if quests else []
        if i >= 2 and rng.random() < 0.3:
            requires.append(quests[-2].id)
        spare = [it for it in world.items if it != cast.target]
        reward_items = [_pick(rng, spare)] if i == length - 1 and spare else []
        quests.append(
            assemble_quest(
                cast,
                title,
                motivation,
                world=world,
                level=level,
                index=i,
                requires=requires,
                reward_items=reward_items,
                rng=rng,
            )
        )
    line_id = f"ql_{int(rng.integers(16**6)):06x}"
    return QuestLine(id=line_id, title=quests[0].title, level=level, world=world, quests=quests)
