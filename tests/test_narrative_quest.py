"""narrative.quest: schema validity, world facts, rewards by level, chains with dependencies."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pydantic import ValidationError

import gamegen
from gamegen.narrative.quest.questline import OBJECTIVES, QuestLine

WORLD = {
    "places": ["Ashford", "Mere", "the Drowned Fens"],
    "factions": ["River Wardens"],
    "characters": [
        "Ada Vell",
        {
            "name": "Bo Kett",
            "faction": "River Wardens",
            "home": "Mere",
            "age": 40,
            "backstory": "A ferryman (extra character.sheet fields are ignored).",
        },
    ],
    "items": ["silver ring", "old map"],
    "creatures": ["marsh wolf"],
}


def questline(**params) -> tuple[QuestLine, gamegen.Asset]:
    asset = gamegen.generate("narrative.quest", **params)[0]
    return QuestLine.model_validate(asset.obj), asset


def referenced(line: QuestLine) -> set[str]:
    names: set[str] = set()
    for q in line.quests:
        names |= {q.giver, *q.targets, *q.locations, *q.rewards.items}
        names |= {v for s in q.steps for v in (s.target, s.character, s.location) if v}
        names |= {f for f in (q.faction, q.rewards.faction) if f}
    return names


@pytest.mark.parametrize("seed", range(6))
def test_quest_lines_are_schema_valid_and_self_contained(seed):
    line, asset = questline(seed=seed, chain_length=4, dialogue=False)
    assert asset.obj["format"] == "gamegen.questline/1" and len(line.quests) == 4
    assert referenced(line) <= line.world.names()
    for i, q in enumerate(line.quests):
        assert q.objective in OBJECTIVES and q.steps and q.title and q.motivation
        assert all(r in {p.id for p in line.quests[:i]} for r in q.requires)
        assert (q.requires != []) == (i > 0)  # a chain: every quest after the first depends on an earlier one
        done: set[str] = set()
        for step in q.steps:
            assert set(step.requires) <= done
            done.add(step.id)
    assert set(asset.meta["world_invented"]) == {"places", "factions", "characters", "items", "creatures"}


def test_world_facts_are_used_and_not_extended(tmp_path):
    path = tmp_path / "world.json"
    path.write_text(json.dumps(WORLD))
    run = gamegen.run_generator("narrative.quest", {"world": str(path), "chain_length": 5, "dialogue": False}, seed=3)
    line = QuestLine.model_validate(run.assets[0].obj)
    assert line.world.places == WORLD["places"] and line.world.character_names == ["Ada Vell", "Bo Kett"]
    assert referenced(line) <= {
        *WORLD["places"],
        *WORLD["factions"],
        "Ada Vell",
        "Bo Kett",
        *WORLD["items"],
        *WORLD["creatures"],
    }
    assert run.assets[0].meta["world_invented"] == {}
    assert "world.json" in run.inputs
    bo = [q for q in line.quests if q.giver == "Bo Kett"]
    assert all(q.faction == "River Wardens" for q in bo)


def test_character_sheet_outputs_are_world_characters():
    sheets = [gamegen.generate("character.sheet", seed=s)[0].obj for s in (1, 2, 3)]
    world = {"places": ["Mere", "Ashford"], "characters": sheets}
    line, asset = questline(world=world, seed=4, chain_length=4, dialogue=False)
    names = [sheet["name"] for sheet in sheets]
    assert line.world.character_names == names and {q.giver for q in line.quests} <= set(names)
    assert set(asset.meta["world_invented"]) == {"factions", "items", "creatures"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"level": 0}, r"level=0: .* \(allowed: 1 ≤ level ≤ 100\)"),
        ({"chain_length": 13}, r"chain_length=13: .* \(allowed: 1 ≤ chain_length ≤ 12\)"),
        ({"world": "/no/world.json"}, r"world='/no/world.json': no such file"),
    ],
)
def test_parameter_errors_name_the_parameter_and_its_range(params, message):
    with pytest.raises(gamegen.ParamError, match=message):
        gamegen.generate("narrative.quest", **params)


def test_only_feasible_objectives_and_clear_errors():
    lonely = {"places": ["Mere"], "characters": ["Ada"], "items": ["ring"], "creatures": ["wolf"], "factions": ["F"]}
    line, _ = questline(world=lonely, chain_length=6, dialogue=False, objectives=["escort", "fetch"])
    assert {q.objective for q in line.quests} == {"fetch"}  # escort needs a second person
    with pytest.raises(gamegen.ParamError, match=r"objectives=\['escort'\]: the world has nothing to target"):
        gamegen.generate("narrative.quest", world=lonely, objectives=["escort"])
    with pytest.raises(gamegen.ParamError, match="world.places: Input should be a valid list"):
        gamegen.generate("narrative.quest", world={"places": "Mere"})
    with pytest.raises(gamegen.ParamError, match="objectives.0"):
        gamegen.generate("narrative.quest", objectives=["dance"])


def test_rewards_scale_with_level_and_position_in_the_line():
    low, _ = questline(seed=9, level=1, chain_length=3, dialogue=False)
    high, _ = questline(seed=9, level=20, chain_length=3, dialogue=False)
    for a, b in zip(low.quests, high.quests, strict=True):
        assert b.rewards.gold > 10 * a.rewards.gold and b.rewards.xp == pytest.approx(20 * a.rewards.xp, rel=0.01)
    assert high.quests[2].rewards.xp > high.quests[0].rewards.xp
    assert high.quests[-1].rewards.items  # the last quest of a line pays an item too


def test_schema_rejects_names_outside_the_world():
    line, asset = questline(seed=1, chain_length=2, dialogue=False)
    data = json.loads(json.dumps(asset.obj))
    data["quests"][0]["locations"].append("Atlantis")
    data["quests"][1]["requires"] = ["q9"]
    with pytest.raises(ValidationError) as err:
        QuestLine.model_validate(data)
    assert "q1.locations: 'Atlantis' is not defined in the world" in str(err.value)
    assert "q2.requires: 'q9' is not an earlier quest" in str(err.value)


def test_gamegen_info_shows_the_output_schema():
    proc = subprocess.run(
        [sys.executable, "-m", "gamegen", "info", "narrative.quest", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    info = json.loads(proc.stdout)
    schema = info["output_schema"]
    assert schema == QuestLine.model_json_schema() and {"Quest", "Step", "Reward", "StoryWorld"} <= set(schema["$defs"])
    text = subprocess.run(
        [sys.executable, "-m", "gamegen", "info", "narrative.quest"], capture_output=True, text=True, timeout=60
    ).stdout
    assert "Output: QuestLine" in text and "  quests: array" in text
