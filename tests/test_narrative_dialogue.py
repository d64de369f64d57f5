"""Dialogue: generated Ink compiles and plays with inkjs, Yarn parses and plays with bondage.js, ids are stable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from narrative_yarn import check_yarn, play_dialogue

import gamegen
from gamegen.narrative.graph import Choice, Condition, Dialogue, DialogueAsset, Effect, Line, Node
from gamegen.narrative.ink import to_ink
from gamegen.narrative.validate import DialogueError, dialogue_problems
from gamegen.narrative.yarn import string_table, to_yarn


@pytest.fixture(scope="module")
def quest_bundle(tmp_path_factory) -> Path:
    """One CLI call: a three-quest line with each giver's dialogue (the issue's 'done when')."""
    out = tmp_path_factory.mktemp("quest") / "bundle"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "gamegen",
            "generate",
            "narrative.quest",
            "-o",
            str(out),
            "--seed",
            "11",
            "--quiet",
            "--set",
            "chain_length=3",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return out / "narrative.quest"


def quest_states(d: Dialogue) -> list[dict]:
    """The states a game sets before a quest giver's conversation: offered, accepted, done, declined once."""
    state, declined = f"{d.id}_state", f"{d.id}_declined"
    return [{state: 0}, {state: 1}, {state: 2}, {declined: 1}]


def test_quest_dialogue_compiles_and_plays_in_ink_and_yarn(quest_bundle, tmp_path):
    inks = sorted(quest_bundle.glob("*.ink"))
    assert [p.name for p in inks] == ["dialogue_q1.ink", "dialogue_q2.ink", "dialogue_q3.ink"]
    for path in inks:
        d = Dialogue.model_validate_json(path.with_suffix(".json").read_text())
        assert to_ink(d) == path.read_text() and to_yarn(d)[0] == path.with_suffix(".yarn").read_text()
        ink, yarn = play_dialogue(d, tmp_path, quest_states(d))
        # offered: accept, ask more then accept or decline, decline, leave; accepted: progress or leave; done: report
        assert [r["paths"] for r in ink] == [r["paths"] for r in yarn] == [5, 2, 2, 5]
        assert all(r["paths"] == r["endings"] for r in ink)


def test_npc_dialogue_for_new_and_known_players(tmp_path):
    asset = gamegen.generate(
        "narrative.dialogue", seed=5, npc={"name": "Old Tom", "role": "ferryman", "place": "Mere"}
    )[0]
    d = asset.dialogue
    assert d.id == "npc_old_tom" and "Mere" in " ".join(d.texts())
    ink, yarn = play_dialogue(d, tmp_path, [{"npc_old_tom_met": False}, {"npc_old_tom_met": True}])
    assert [r["paths"] for r in (*ink, *yarn)] == [6, 6, 6, 6]


def test_invented_npc_dialogue_plays_and_is_seeded(tmp_path):
    gamegen.generate("narrative.dialogue", seed=8, out=tmp_path / "a")
    d = gamegen.generate("narrative.dialogue", seed=8, out=tmp_path / "b")[0].dialogue
    for path in (tmp_path / "a" / "narrative.dialogue").iterdir():
        assert (tmp_path / "b" / "narrative.dialogue" / path.name).read_bytes() == path.read_bytes()
    assert gamegen.generate("narrative.dialogue", seed=9)[0].dialogue.id != d.id
    met = next(iter(d.variables))
    play_dialogue(d, tmp_path, [{met: False}, {met: True}])


def test_yarn_and_string_table(quest_bundle):
    seen: set[str] = set()
    for path in sorted(quest_bundle.glob("*.yarn")):
        lines = check_yarn(path.read_text(), path.with_suffix(".strings.csv").read_text(), path.name)
        d = Dialogue.model_validate_json(path.with_suffix(".json").read_text())
        expected = {f"line:{x.id}" for n in d.nodes for x in (*n.lines, *n.choices)}
        assert set(lines) == expected and not (seen & expected)  # every line localised, unique across files
        seen |= expected
        assert f"title: {d.start}" in path.read_text().splitlines()[0]


def test_localisation_ids_are_stable_for_a_seed(quest_bundle, tmp_path):
    gamegen.generate("narrative.quest", seed=11, chain_length=3, out=tmp_path / "again")
    for path in quest_bundle.iterdir():
        assert (tmp_path / "again" / "narrative.quest" / path.name).read_bytes() == path.read_bytes()
    other = gamegen.generate("narrative.quest", seed=12, chain_length=3)
    assert other[1].dialogue.id != json.loads((quest_bundle / "dialogue_q1.json").read_text())["id"]


def test_manifest_records_validation_and_formats(quest_bundle):
    manifest = json.loads((quest_bundle.parent / "manifest.json").read_text())
    files = {f["path"].split("/")[-1]: f for f in manifest["assets"][0]["files"]}
    ink = files["dialogue_q1.ink"]
    assert ink["media_type"] == "text/x-ink" and ink["meta"]["dialogue"]["valid"] is True
    assert ink["meta"]["dialogue"]["paths"] == 7 and ink["meta"]["format"] == "ink"
    assert files["dialogue_q1.yarn"]["meta"]["string_table"] == "dialogue_q1.strings.csv"
    assert files["dialogue_q1.strings.csv"]["media_type"] == "text/csv"


def test_dialogue_for_a_quest_line_file(quest_bundle, tmp_path):
    assets = gamegen.generate(
        "narrative.dialogue", seed=2, quest=str(quest_bundle / "questline.json"), out=tmp_path / "b"
    )
    line = json.loads((quest_bundle / "questline.json").read_text())
    assert [a.dialogue.quest for a in assets] == [q["id"] for q in line["quests"]]
    assert [a.dialogue.start for a in assets] == [f"{line['id']}_{q['id']}_greet" for q in line["quests"]]
    with pytest.raises(gamegen.ParamError, match="quest and npc"):
        gamegen.generate("narrative.dialogue", quest=str(quest_bundle / "questline.json"), npc={"name": "A"})
    with pytest.raises(gamegen.ParamError, match="q1.giver: 'Nobody' is not defined in the world"):
        bad = dict(line, quests=[dict(line["quests"][0], giver="Nobody")])
        gamegen.generate("narrative.dialogue", quest=bad)


def test_special_characters_survive_both_formats(tmp_path):
    text = "Use {braces} [brackets] #hash // slashes -> arrows <<cmd>> a|b ~tilde *star +plus =eq \\back"
    d = Dialogue(
        id="esc",
        title="Escapes",
        start="esc_a",
        nodes=[
            Node(
                id="esc_a",
                lines=[Line(id="esc_a_0", speaker="Zed: the Bold", text=text)],
                choices=[Choice(id="esc_a_1", text=text, target="esc_b")],
            ),
            Node(id="esc_b", lines=[Line(id="esc_b_0", speaker="Zed", text="ok")]),
        ],
    )
    ink, yarn_run = play_dialogue(d, tmp_path, [{}])
    shown = f"Zed: the Bold: {' '.join(text.split())}"
    assert ink[0]["lines"]["line:esc_a_0"] == yarn_run[0]["lines"]["line:esc_a_0"] == shown
    yarn, entries = to_yarn(d)
    lines = check_yarn(yarn, string_table(entries, "esc.yarn"), "esc.yarn")
    assert lines["line:esc_a_0"]["text"] == f"Zed: the Bold: {text}" and lines["line:esc_a_1"]["text"] == text


def node(
    node_id: str,
    *targets: str,
    cond: Condition | None = None,
    effects: list[Effect] | None = None,
    line_cond: Condition | None = None,
) -> Node:
    return Node(
        id=node_id,
        lines=[Line(id=f"{node_id}_l", speaker="A", text="hi", condition=line_cond)],
        choices=[Choice(id=f"{node_id}_{t}", text=t, target=t, condition=cond, effects=effects or []) for t in targets],
    )


@pytest.mark.parametrize(
    ("nodes", "variables", "problem"),
    [
        ([node("a", "b")], {}, "node 'a': choice 'a_b' jumps to missing node 'b'"),
        ([node("a"), node("b")], {}, "node 'b' is not reachable from the start 'a'"),
        ([node("a", "b"), node("b", "a")], {}, "path loops (a → b → a): not every path reaches an end"),
        (
            [node("a", "b", cond=Condition(var="x", value=1)), node("b")],
            {"x": 0},
            "every choice has a condition, so the player can be left with none",
        ),
        ([node("a", line_cond=Condition(var="seen", value=True))], {}, "variable 'seen' is read before it is set"),
        (
            [
                node("a", "b", "c"),
                node("b", "d", effects=[Effect(var="k", value=True)]),
                node("c", "d"),
                node("d", line_cond=Condition(var="k", value=True)),
            ],
            {},
            "node 'd' line 'd_l': variable 'k' is read before it is set",
        ),
        ([node("a", effects=[])], {"n": 0}, None),
        ([Node(id="a", effects=[Effect(var="n", op="add", value=1)])], {}, "variable 'n' is read before it is set"),
        (
            [Node(id="a", effects=[Effect(var="f", op="add", value=1)])],
            {"f": False},
            "variable 'f' is bool but is used with 1",
        ),
    ],
)
def test_validator_rules(nodes, variables, problem):
    d = Dialogue(id="t", title="t", start="a", nodes=nodes, variables=variables)
    problems = dialogue_problems(d)
    if problem is None:
        assert problems == []
        assert DialogueAsset("t", dialogue=d).meta["dialogue"]["valid"]
    else:
        assert any(problem in p for p in problems), problems
        with pytest.raises(DialogueError, match="dialogue 't' is invalid"):
            DialogueAsset("t", dialogue=d)


def test_variable_set_on_every_branch_may_be_read_after_the_merge():
    set_k = [Effect(var="k", value=True)]
    d = Dialogue(
        id="t",
        title="t",
        start="a",
        nodes=[
            node("a", "b", "c"),
            node("b", "d", effects=set_k),
            node("c", "d", effects=set_k),
            node("d", line_cond=Condition(var="k", value=True)),
        ],
    )
    assert dialogue_problems(d) == []
    assert "VAR k = false" in to_ink(d)
