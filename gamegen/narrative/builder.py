"""Dialogue graphs for a quest (offer, details, accept/decline, progress, turn-in) or an NPC (greeting, rumours).

The shape is fixed here; the words come from elsewhere — the built-in dialogue grammar, or a language model
(``narrative.llm``) — as a mapping from slot name to text, so both paths give the same structure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from .graph import Choice, Condition, Dialogue, Effect, Line, Node
from .questline import Quest, literal
from .tracery import Grammar, load_grammar

__all__ = [
    "QUEST_NPC_SLOTS",
    "QUEST_PLAYER_SLOTS",
    "NPC_SLOTS",
    "NPC_PLAYER_SLOTS",
    "Npc",
    "quest_dialogue",
    "npc_dialogue",
    "quest_voice",
    "npc_voice",
    "npc_say",
    "speak",
]

QUEST_NPC_SLOTS = ("greeting", "greeting_again", "offer", "details", "accepted", "progress", "complete", "goodbye")
"""What the quest giver says (a language model may write these)."""
QUEST_PLAYER_SLOTS = ("ask_work", "ask_progress", "report", "ask_more", "accept", "decline", "farewell", "on_my_way")
"""What the player may answer (short menu texts, always from the grammar)."""
NPC_SLOTS = ("npc_greeting", "npc_greeting_again", "npc_rumour", "npc_rumour_2", "npc_place", "npc_goodbye")
"""What an NPC says in small talk (a language model may write these)."""
NPC_PLAYER_SLOTS = ("ask_rumour", "ask_another", "ask_place", "farewell", "thanks")
"""What the player may answer an NPC (always from the grammar)."""

_MAIN_ACTION = {"fetch": "collect", "kill": "defeat"}


class Npc(BaseModel):
    """Facts about a non-player character to talk to."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str = Field(min_length=1, max_length=80)
    role: str = Field("innkeeper", min_length=1, max_length=40)
    place: str = Field("the village", min_length=1, max_length=80)


_Say = tuple[str, Condition | None]  # a line: text, condition
_Option = tuple[str, str, Condition | None, list[Effect]]  # a choice: text, target node name, condition, effects


def _node(
    did: str,
    name: str,
    speaker: str,
    lines: Sequence[_Say],
    choices: Sequence[_Option] = (),
    effects: Sequence[Effect] = (),
) -> Node:
    """A node whose line and choice ids are ``<node>_<n>`` (stable: they depend only on the structure)."""
    node_id = f"{did}_{name}"
    ids = (f"{node_id}_{i}" for i in range(len(lines) + len(choices)))
    return Node(
        id=node_id,
        effects=list(effects),
        lines=[Line(id=next(ids), speaker=speaker, text=text, condition=cond) for text, cond in lines],
        choices=[
            Choice(id=next(ids), text=text, target=f"{did}_{target}", condition=cond, effects=eff)
            for text, target, cond, eff in choices
        ],
    )


def quest_dialogue(line_id: str, quest: Quest, say: Mapping[str, str]) -> Dialogue:
    """The giver's conversation for ``quest``; the game sets ``<id>_state`` (1 accepted, 2 objective done)."""
    did = f"{line_id}_{quest.id}"
    state, declined = f"{did}_state", f"{did}_declined"

    def when(value: int) -> Condition:
        return Condition(var=state, value=value)

    accept = (say["accept"], "accepted", None, [Effect(var=state, value=1)])
    decline = (say["decline"], "goodbye", None, [Effect(var=declined, op="add", value=1)])
    nodes = [
        _node(
            did,
            "greet",
            quest.giver,
            [(say["greeting"], None), (say["greeting_again"], Condition(var=declined, op=">", value=0))],
            [
                (say["ask_work"], "offer", when(0), []),
                (say["ask_progress"], "progress", when(1), []),
                (say["report"], "complete", when(2), []),
                (say["farewell"], "goodbye", None, []),
            ],
        ),
        _node(
            did, "offer", quest.giver, [(say["offer"], None)], [accept, (say["ask_more"], "details", None, []), decline]
        ),
        _node(did, "details", quest.giver, [(say["details"], None)], [accept, decline]),
        _node(did, "accepted", quest.giver, [(say["accepted"], None)]),
        _node(did, "progress", quest.giver, [(say["progress"], None)], [(say["on_my_way"], "goodbye", None, [])]),
        _node(did, "complete", quest.giver, [(say["complete"], None)], effects=[Effect(var=state, value=3)]),
        _node(did, "goodbye", quest.giver, [(say["goodbye"], None)]),
    ]
    return Dialogue(
        id=did, title=quest.title, start=f"{did}_greet", nodes=nodes, quest=quest.id, variables={state: 0, declined: 0}
    )


def npc_dialogue(npc: Npc, say: Mapping[str, str]) -> Dialogue:
    """Small talk with ``npc``: a greeting that remembers you, two rumours and a word about the place."""
    did = "npc_" + (re.sub(r"[^a-z0-9]+", "_", npc.name.lower()).strip("_") or "npc")
    met = f"{did}_met"
    nodes = [
        _node(
            did,
            "greet",
            npc.name,
            [
                (say["npc_greeting"], Condition(var=met, value=False)),
                (say["npc_greeting_again"], Condition(var=met, value=True)),
            ],
            [
                (say["ask_rumour"], "rumour", None, []),
                (say["ask_place"], "place", None, []),
                (say["farewell"], "goodbye", None, []),
            ],
        ),
        _node(
            did,
            "rumour",
            npc.name,
            [(say["npc_rumour"], None)],
            [(say["ask_another"], "rumour_2", None, []), (say["thanks"], "goodbye", None, [])],
        ),
        _node(did, "rumour_2", npc.name, [(say["npc_rumour_2"], None)], [(say["thanks"], "goodbye", None, [])]),
        _node(
            did,
            "place",
            npc.name,
            [(say["npc_place"], None)],
            [(say["ask_rumour"], "rumour", None, []), (say["thanks"], "goodbye", None, [])],
        ),
        _node(did, "goodbye", npc.name, [(say["npc_goodbye"], None)], effects=[Effect(var=met, value=True)]),
    ]
    return Dialogue(id=did, title=f"Talking to {npc.name}", start=f"{did}_greet", nodes=nodes, variables={met: False})


def quest_voice(quest: Quest) -> Grammar:
    """The dialogue grammar with the quest's facts injected (``#giver#``, ``#place#``, ``#gold#``, ``#task#`` ...)."""
    main = next(s for s in quest.steps if s.action == _MAIN_ACTION.get(quest.objective, quest.objective))
    facts = {
        "giver": quest.giver,
        "place": main.location or quest.locations[0],
        "task": main.description,
        "motivation": quest.motivation,
        "summary": quest.summary,
        "gold": str(quest.rewards.gold),
    }
    return load_grammar("dialogue").with_rules({k: [literal(v)] for k, v in facts.items()})


def npc_voice(npc: Npc) -> Grammar:
    """The dialogue grammar with the NPC's facts injected (``#npc#``, ``#role#``, ``#place#``)."""
    facts = {"npc": npc.name, "role": npc.role, "place": npc.place}
    return load_grammar("dialogue").with_rules({k: [literal(v)] for k, v in facts.items()})


def npc_say(npc: Npc, rng: np.random.Generator) -> dict[str, str]:
    """Every NPC slot from the dialogue grammar, with two rumours (set in the NPC's place) from the rumours grammar."""
    rumours = load_grammar("rumours").with_rules({"place": [literal(npc.place)]})
    slots = tuple(s for s in (*NPC_SLOTS, *NPC_PLAYER_SLOTS) if not s.startswith("npc_rumour"))
    say = speak(npc_voice(npc), slots, rng)
    return {**say, "npc_rumour": rumours.expand("origin", rng), "npc_rumour_2": rumours.expand("origin", rng)}


def speak(voice: Grammar, slots: tuple[str, ...], rng: np.random.Generator) -> dict[str, str]:
    """One expansion of each slot."""
    return {slot: voice.expand(slot, rng) for slot in slots}
