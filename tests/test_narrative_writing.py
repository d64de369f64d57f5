"""Quest writing that reads like a game, checked over 200 seeds (generated in-process, played in Python).

Givers speak in the first person and name themselves only when they introduce themselves; titles follow one
title-case style; playing a whole quest line visit by visit, no giver says the same line on two visits; a quest
is not offered before the quests it requires are done; the state machine is in the quest line.
"""

from __future__ import annotations

import re

import pytest
from narrative_quests import Visit, visit

import gamegen
from gamegen.narrative.dialogue.graph import Choice, Dialogue
from gamegen.narrative.quest.questline import QUEST_STATES, QuestLine, state_variable
from gamegen.narrative.style import title_case

SEEDS = range(200)
# what title case writes in lower case inside a title (checked here without gamegen's own list)
MINOR = {"a", "an", "the", "and", "but", "or", "nor", "for", "so", "yet"}
MINOR |= {"at", "by", "from", "in", "into", "near", "of", "on", "over", "to", "with", "beyond", "through"}


@pytest.fixture(scope="module")
def generated() -> list[tuple[QuestLine, list[Dialogue]]]:
    out = []
    for seed in SEEDS:
        assets = gamegen.generate("narrative.quest", seed=seed, chain_length=4)
        out.append((QuestLine.model_validate(assets[0].obj), [a.dialogue for a in assets[1:]]))
    return out


def title_problems(title: str) -> list[str]:
    """Words that break title case: a minor word capitalised inside, or any other word in lower case."""
    words = title.split()
    problems = []
    for i, word in enumerate(words):
        core = word.strip("'\".,:;!?()")
        if not core or not core[0].isalpha():
            continue
        inside = 0 < i < len(words) - 1 and not words[i - 1].endswith(":")
        if inside and core.lower() in MINOR:
            if core != core.lower():
                problems.append(f"{title!r}: {core!r} should be lower case")
        elif not core[0].isupper():
            problems.append(f"{title!r}: {core!r} should be capitalised")
    return problems


def test_title_case_rules():
    assert title_case("Mace Of Embers of Glenbridge") == "Mace of Embers of Glenbridge"
    assert title_case("the lost silver ring") == "The Lost Silver Ring"
    assert title_case("beyond the Drowned Fens") == "Beyond the Drowned Fens"
    assert title_case("hunting the marsh wolf: a tale of") == "Hunting the Marsh Wolf: A Tale Of"
    assert (
        title_case("Kestrel Ashdown's journey to McAllister's keep") == "Kestrel Ashdown's Journey to McAllister's Keep"
    )
    assert title_problems("Mace Of Embers of Glenbridge") == [
        "'Mace Of Embers of Glenbridge': 'Of' should be lower case"
    ]


def test_titles_are_title_case(generated):
    problems = []
    for line, dialogues in generated:
        for title in [line.title, *(q.title for q in line.quests), *(d.title for d in dialogues)]:
            problems += title_problems(title)
    assert problems == []


def test_givers_speak_in_the_first_person_and_name_themselves_only_to_introduce_themselves(generated):
    problems = []
    for line, dialogues in generated:
        given = [c.name.split()[0] for c in line.world.characters]
        for d in dialogues:
            intro = d.by_id()[d.start].lines[0]
            assert intro.condition is not None and intro.condition.atoms()[0].var == f"{d.id}_met"
            assert d.giver in intro.text  # the introduction names the giver
            first = d.giver.split()[0]
            for node in d.nodes:
                for ln in node.lines:
                    if ln.id == intro.id:
                        continue
                    assert ln.speaker == d.giver
                    if re.search(rf"\b{re.escape(d.giver)}\b", ln.text) or (
                        given.count(first) == 1 and re.search(rf"\b{re.escape(first)}\b", ln.text)
                    ):
                        problems.append(f"{d.id} {ln.id}: {ln.speaker}: {ln.text}")
    assert problems == []
    # and they speak to the player: every offer says "I", "my", "me", "you" or "your"
    offers = [ln.text for _, ds in generated for d in ds for n in d.nodes if n.id.endswith("_offer") for ln in n.lines]
    assert [t for t in offers if not re.search(r"\b(I|my|me|you|your)\b", t)] == []


def _script(*targets: str):
    """A choice picker: the first open choice whose target ends with the next wanted suffix, else leaving."""
    wanted = list(targets)

    def pick(choices: list[Choice]) -> Choice:
        for c in choices:
            if wanted and c.target.endswith(wanted[0]):
                wanted.pop(0)
                return c
        return next(c for c in choices if c.target.endswith("_goodbye"))

    return pick


def _offers(d: Dialogue, variables: dict) -> set[str]:
    """The quests the giver's menu offers under ``variables`` (without playing)."""
    hub = d.by_id()[f"{d.id}_hub"]
    values = {**d.declarations(), **variables}
    out = set()
    for c in hub.choices:
        if c.target.endswith("_offer") and all(
            values[a.var] == a.value if a.op == "==" else values[a.var] != a.value for a in c.condition.atoms()
        ):
            out.add(c.target.removeprefix(f"{d.id}_").removesuffix("_offer"))
    return out


def play_line(line: QuestLine, dialogues: list[Dialogue]) -> dict[str, list[Visit]]:
    """Play a whole quest line as a player would, one shared set of variables (as the game keeps them): visit the
    givers with nothing to offer yet; then for each quest in order decline it, come back and accept it, ask after
    it, (the game marks the objective done) and report; then say goodbye to every giver. Checks on the way that
    each giver offers exactly the quests whose prerequisites are done."""
    by_giver = {d.giver: d for d in dialogues}
    variables: dict = {}
    visits: dict[str, list[Visit]] = {d.giver: [] for d in dialogues}

    def go(d: Dialogue, *targets: str) -> None:
        expected = {
            q.id
            for q in line.quests
            if q.giver == d.giver
            and variables.get(state_variable(line.id, q.id), 0) == 0
            and all(variables.get(state_variable(line.id, r), 0) == 3 for r in q.requires)
        }
        assert _offers(d, variables) == expected
        visits[d.giver].append(visit(d, variables, _script(*targets)))

    for d in dialogues:
        if not _offers(d, variables):
            go(d)
    for q in line.quests:
        d = by_giver[q.giver]
        go(d, f"_{q.id}_offer", f"_{q.id}_refused")
        go(d, f"_{q.id}_offer", f"_{q.id}_accepted")
        assert variables[state_variable(line.id, q.id)] == 1
        go(d, f"_{q.id}_progress")
        variables[state_variable(line.id, q.id)] = 2  # the game: the steps before the return are done
        go(d, f"_{q.id}_complete")
        assert variables[state_variable(line.id, q.id)] == 3
    for d in dialogues:
        go(d)
    return visits


def test_no_giver_repeats_a_line_on_another_visit(generated):
    problems = []
    for line, dialogues in generated:
        for giver, visits in play_line(line, dialogues).items():
            first_seen: dict[str, int] = {}
            for i, v in enumerate(visits):
                assert v.lines and v.lines[0][0] == giver
                for _, text in v.lines:
                    if first_seen.setdefault(text, i) != i:
                        problems.append(f"{line.id} {giver}: visits {first_seen[text]} and {i}: {text!r}")
            greetings = [v.lines[0][1] for v in visits]
            assert len(set(greetings)) == len(greetings)
            assert giver in greetings[0] and all(giver not in g for g in greetings[1:])
    assert problems == []


def test_the_quest_line_documents_its_state_machine(generated):
    line, _ = generated[0]
    machine = line.model_dump(mode="json")["state_machine"]
    assert [s["value"] for s in machine["states"]] == [0, 1, 2, 3]
    assert [s["set_by"] for s in machine["states"]] == ["initial", "dialogue", "game", "dialogue"]
    assert [s.name for s in QUEST_STATES] == ["available", "accepted", "objective_done", "done"]
    for q, entry in zip(line.quests, machine["quests"], strict=True):
        assert entry["variable"] == state_variable(line.id, q.id) == f"{line.id}_{q.id}_state"
        assert entry["objective_done_after"] == [s.id for s in q.steps if s.action != "return"]
        assert entry["requires"] == [state_variable(line.id, r) for r in q.requires]
    # derived: rebuilt when a quest line is read back, also from a file that lacks it or has a stale one
    data = line.model_dump(mode="json")
    del data["state_machine"]
    assert QuestLine.model_validate(data).state_machine == line.state_machine
    data["state_machine"] = {**machine, "variable": "stale"}
    assert QuestLine.model_validate(data).state_machine == line.state_machine
