"""Dialogue graphs for quest givers (one per giver, covering all their quests) or an NPC (greeting, rumours).

The shape is fixed here; the words come from elsewhere — the built-in dialogue grammar, or a language model
(``narrative.llm``) — as mappings from slot name to text, so both paths give the same structure.

A giver's conversation: a greeting that depends on what is going on (an introduction at the first meeting, then
news of a quest waiting for a report, a quest under way, an offer declined, a quest done, or a plain welcome
back), then a menu that offers each quest whose prerequisites are done, asks after quests under way and takes
reports, and a goodbye that fits too (come back later, thanks for everything, or a plain one). The giver speaks
in the first person and calls the player "you"; only the introduction names them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ...context import Context
from ...inputs import read_model
from ..quest.questline import (
    Quest,
    QuestLine,
    cast_of,
    giver_slugs,
    literal,
    main_step,
    quest_grammar,
    state_variable,
    target_facts,
)
from ..tracery import Grammar, load_grammar
from .graph import AllOf, Choice, Condition, Dialogue, Effect, Guard, Line, Node

__all__ = [
    "GIVER_NPC_SLOTS",
    "GIVER_PLAYER_SLOTS",
    "QUEST_NPC_SLOTS",
    "QUEST_PLAYER_SLOTS",
    "LLM_GIVER_SLOTS",
    "LLM_QUEST_SLOTS",
    "NPC_SLOTS",
    "NPC_PLAYER_SLOTS",
    "Npc",
    "Writer",
    "giver_dialogue",
    "questline_dialogues",
    "grammar_writer",
    "grammar_dialogues",
    "dialogue_asset_name",
    "npc_dialogue",
    "invent_npc",
    "resolve_npc",
    "quest_voice",
    "npc_voice",
    "npc_say",
    "speak",
    "speak_fresh",
]

GIVER_NPC_SLOTS = ("greeting", "greeting_back", "goodbye", "goodbye_later", "goodbye_done")
"""What a quest giver says once per conversation: the introduction (first meeting), welcome back, and goodbyes
(plain; "come back later" while a quest waits for others to be done; after all their quests are done)."""
GIVER_PLAYER_SLOTS = ("farewell",)
"""What the player says to any giver (leaving)."""
QUEST_NPC_SLOTS = (
    "offer",
    "reoffer",
    "details",
    "accepted",
    "refused",
    "progress",
    "complete",
    "greeting_ready",
    "greeting_waiting",
    "greeting_declined",
    "greeting_thanks",
)
"""What the giver says about each of their quests."""
QUEST_PLAYER_SLOTS = ("ask_work", "ask_work_more", "ask_progress", "report", "ask_more", "accept", "decline")
"""What the player may answer about a quest (short menu texts, always from the grammar)."""
LLM_GIVER_SLOTS = ("greeting", "goodbye")
"""The giver slots a language model writes (with the giver's first quest); the grammar writes the rest."""
LLM_QUEST_SLOTS = ("offer", "details", "accepted", "progress", "complete")
"""The quest slots a language model writes for each quest; the grammar writes the short functional ones."""
NPC_SLOTS = ("npc_greeting", "npc_greeting_again", "npc_rumour", "npc_rumour_2", "npc_place", "npc_goodbye")
"""What an NPC says in small talk (a language model may write these)."""
NPC_PLAYER_SLOTS = ("ask_rumour", "ask_another", "ask_place", "farewell", "thanks")
"""What the player may answer an NPC (always from the grammar)."""


class Npc(BaseModel):
    """Facts about a non-player character to talk to."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str = Field(min_length=1, max_length=80)
    role: str = Field("innkeeper", min_length=1, max_length=40)
    place: str = Field("the village", min_length=1, max_length=80)


_Say = tuple[str, Guard | None]  # a line: text, condition
_Option = tuple[str, str, Guard | None, list[Effect]]  # a choice: text, target node name, condition, effects


def _node(
    did: str,
    name: str,
    speaker: str,
    lines: Sequence[_Say],
    choices: Sequence[_Option] = (),
    effects: Sequence[Effect] = (),
    *,
    select: str = "all",
    then: str | None = None,
) -> Node:
    """A node whose line and choice ids are ``<node>_<n>`` (stable: they depend only on the structure)."""
    node_id = f"{did}_{name}"
    ids = (f"{node_id}_{i}" for i in range(len(lines) + len(choices)))
    return Node(
        id=node_id,
        effects=list(effects),
        select=select,
        lines=[Line(id=next(ids), speaker=speaker, text=text, condition=cond) for text, cond in lines],
        choices=[
            Choice(id=next(ids), text=text, target=f"{did}_{target}", condition=cond, effects=eff)
            for text, target, cond, eff in choices
        ],
        next=f"{did}_{then}" if then else None,
    )


def _all(conditions: list[Condition]) -> Guard:
    return conditions[0] if len(conditions) == 1 else AllOf(all=conditions)


def giver_dialogue(
    line_id: str,
    giver: str,
    quests: Sequence[Quest],
    giver_say: Mapping[str, str],
    quest_say: Sequence[Mapping[str, str]],
    name: str,
) -> Dialogue:
    """One conversation for ``giver`` covering all of ``quests`` (their quests of line ``line_id``, in order).

    Variables: ``<line>_<quest>_state`` per quest (0 available, 1 accepted, 2 objective done — the game sets it —,
    3 done; see the quest line's ``state_machine``), the state variables of prerequisites other givers hand out
    (external: read only), ``<line>_<quest>_declined`` (times the offer was declined; reset on accepting) and
    ``<dialogue>_met`` (false until the first conversation gets past the greeting). ``name`` makes the
    dialogue's id, ``<line>_<name>``.
    """
    did = f"{line_id}_{name}"
    met = f"{did}_met"
    own = {q.id for q in quests}

    def state(qid: str) -> str:
        return state_variable(line_id, qid)

    def declined(qid: str) -> str:
        return f"{line_id}_{qid}_declined"

    def when(var: str, value: int | bool, op: str = "==") -> Condition:
        return Condition(var=var, op=op, value=value)

    pairs = list(zip(quests, quest_say, strict=True))
    greetings: list[_Say] = [(giver_say["greeting"], when(met, False))]
    greetings += [(say["greeting_ready"], when(state(q.id), 2)) for q, say in pairs]
    greetings += [(say["greeting_waiting"], when(state(q.id), 1)) for q, say in pairs]
    greetings += [(say["greeting_declined"], when(declined(q.id), 0, ">")) for q, say in pairs]
    greetings += [(say["greeting_thanks"], when(state(q.id), 3)) for q, say in reversed(pairs)]
    greetings.append((giver_say["greeting_back"], None))
    menu: list[_Option] = []
    for i, (q, say) in enumerate(pairs):
        available = _all([when(state(q.id), 0), *(when(state(r), 3) for r in q.requires)])
        menu += [
            (say["ask_work" if i == 0 else "ask_work_more"], f"{q.id}_offer", available, []),
            (say["ask_progress"], f"{q.id}_progress", when(state(q.id), 1), []),
            (say["report"], f"{q.id}_complete", when(state(q.id), 2), []),
        ]
    menu.append((giver_say["farewell"], "goodbye", None, []))
    nodes = [
        _node(did, "greet", giver, greetings, select="first", then="hub"),
        _node(did, "hub", giver, [], menu, effects=[Effect(var=met, value=True)]),
    ]
    for q, say in pairs:
        accept: _Option = (
            say["accept"],
            f"{q.id}_accepted",
            None,
            [Effect(var=state(q.id), value=1), Effect(var=declined(q.id), value=0)],
        )
        decline: _Option = (say["decline"], f"{q.id}_refused", None, [Effect(var=declined(q.id), op="add", value=1)])
        ask_more: _Option = (say["ask_more"], f"{q.id}_details", None, [])
        nodes += [
            _node(
                did,
                f"{q.id}_offer",
                giver,
                [(say["offer"], when(declined(q.id), 0)), (say["reoffer"], None)],
                [accept, ask_more, decline],
                select="first",
            ),
            _node(did, f"{q.id}_details", giver, [(say["details"], None)], [accept, decline]),
            _node(did, f"{q.id}_accepted", giver, [(say["accepted"], None)]),
            _node(did, f"{q.id}_refused", giver, [(say["refused"], None)]),
            _node(did, f"{q.id}_progress", giver, [(say["progress"], None)]),
            _node(
                did, f"{q.id}_complete", giver, [(say["complete"], None)], effects=[Effect(var=state(q.id), value=3)]
            ),
        ]
    goodbyes: list[_Say] = [
        (giver_say["goodbye_later"], _all([when(state(q.id), 0), when(state(r), 3, "!=")]))
        for q in quests
        for r in q.requires
    ]
    goodbyes += [
        (giver_say["goodbye_done"], _all([when(state(q.id), 3) for q in quests])),
        (giver_say["goodbye"], None),
    ]
    nodes.append(_node(did, "goodbye", giver, goodbyes, select="first"))
    external = sorted({state(r) for q in quests for r in q.requires if r not in own})
    variables: dict[str, bool | int] = {met: False}
    for q in quests:
        variables |= {state(q.id): 0, declined(q.id): 0}
    variables |= dict.fromkeys(external, 0)
    return Dialogue(
        id=did,
        title=f"Quests from {giver}",
        start=f"{did}_greet",
        nodes=nodes,
        variables=variables,
        external=external,
        giver=giver,
        quests=[q.id for q in quests],
    )


Writer = Callable[[str, list[Quest]], tuple[dict[str, str], list[dict[str, str]]]]
"""Writes one giver's words: ``(giver, their quests) -> (giver slots, one mapping of quest slots per quest)``."""


def questline_dialogues(line: QuestLine, write: Writer) -> list[Dialogue]:
    """One dialogue per quest giver of ``line`` (in order of their first quest), worded by ``write``."""
    names = giver_slugs(line.quests)
    out = []
    for giver, name in names.items():
        quests = [q for q in line.quests if q.giver == giver]
        giver_say, quest_say = write(giver, quests)
        out.append(giver_dialogue(line.id, giver, quests, giver_say, quest_say, name))
    return out


def grammar_writer(rng: np.random.Generator) -> Writer:
    """A writer that words everything from the built-in dialogue grammar; no giver line repeats another."""

    def write(giver: str, quests: list[Quest]) -> tuple[dict[str, str], list[dict[str, str]]]:
        used: set[str] = set()
        voices = [quest_voice(q) for q in quests]
        giver_say = speak_fresh(voices[0], GIVER_NPC_SLOTS, rng, used) | speak(voices[0], GIVER_PLAYER_SLOTS, rng)
        quest_say = [speak_fresh(v, QUEST_NPC_SLOTS, rng, used) | speak(v, QUEST_PLAYER_SLOTS, rng) for v in voices]
        return giver_say, quest_say

    return write


def grammar_dialogues(line: QuestLine, rng: np.random.Generator) -> list[Dialogue]:
    """Each giver's conversation (all their quests), worded by the built-in dialogue grammar."""
    return questline_dialogues(line, grammar_writer(rng))


def dialogue_asset_name(d: Dialogue, line: QuestLine) -> str:
    """The asset (file) name of a quest giver's dialogue: ``dialogue_<giver>`` (the giver's name as an
    identifier, e.g. ``dialogue_linnea_underhill``)."""
    names = giver_slugs(line.quests)
    return f"dialogue_{names[d.giver]}" if d.giver in names else d.id


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


def _plain(text: str) -> str:
    return " ".join(text.split())


def quest_voice(quest: Quest) -> Grammar:
    """The dialogue grammar with the quest's facts injected: ``#giver#``, ``#place#``, ``#gold#``, ``#task#`` (the
    main step), ``#subject#`` (how people name the quest's target), ``#plea#`` (the quest's motivation as the
    giver tells it, in the first person) and ``#request#`` (what the giver asks you to do)."""
    cast = cast_of(quest)
    texts = quest_grammar(cast)
    fixed = np.random.default_rng(0)  # the facts are single rules: expansions below do not depend on it
    phrases = [texts.flatten(rule, fixed) for rule in texts.rules[f"objective_{quest.objective}"]]
    phrase = next((p for p in phrases if p in quest.summary), phrases[0])
    asking = texts.with_rules({"objective_phrase": [literal(phrase)]})
    requests = [asking.flatten(rule, fixed) for rule in asking.rules["request"]]
    pleas = [
        texts.flatten(plea, fixed)
        for told, plea in zip(
            texts.rules[f"motivation_{quest.objective}"], texts.rules[f"plea_{quest.objective}"], strict=True
        )
        if _plain(texts.flatten(told, fixed)) == _plain(quest.motivation)
    ]
    facts = {
        "giver": [quest.giver],
        "place": [cast.location],
        "task": [main_step(quest).description],
        "subject": [target_facts(quest.objective, cast.target)["subject"]],
        "gold": [str(quest.rewards.gold)],
        "plea": pleas[:1] or requests,
        "request": requests,
    }
    return load_grammar("dialogue").with_rules({k: [literal(v) for v in vs] for k, vs in facts.items()})


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


def speak_fresh(voice: Grammar, slots: tuple[str, ...], rng: np.random.Generator, used: set[str]) -> dict[str, str]:
    """One expansion of each slot that repeats no text in ``used`` while the slot's alternatives allow; adds to
    ``used`` (so a giver never says the same line twice, e.g. about two quests)."""
    out = {}
    for slot in slots:
        options = [voice.flatten(rule, rng) for rule in voice.rules[slot]]
        fresh = [t for t in options if t not in used] or options
        out[slot] = fresh[int(rng.integers(len(fresh)))]
        used.add(out[slot])
    return out
