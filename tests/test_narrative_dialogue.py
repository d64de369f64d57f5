"""Dialogue: generated Ink compiles and plays with inkjs, Yarn parses and plays with bondage.js, ids are stable."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from narrative_quests import line_states
from narrative_yarn import check_yarn, play_dialogue

import gamegen
from gamegen.narrative.dialogue.assets import DialogueAsset
from gamegen.narrative.dialogue.graph import Choice, Condition, Dialogue, Effect, Line, Node
from gamegen.narrative.dialogue.ink import to_ink
from gamegen.narrative.dialogue.validate import DialogueError, dialogue_problems
from gamegen.narrative.dialogue.yarn import string_table, to_yarn
from gamegen.narrative.quest.questline import QuestLine


@pytest.fixture(scope="module")
def quest_bundle(tmp_path_factory) -> Path:
    """One CLI call: a four-quest line whose first giver also gives the fourth quest (the issue's 'done when')."""
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
            "chain_length=4",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return out / "narrative.quest"


def bundle_line(bundle: Path) -> QuestLine:
    return QuestLine.model_validate_json((bundle / "questline.json").read_text())


def test_one_dialogue_per_giver_covers_all_their_quests(quest_bundle):
    line = bundle_line(quest_bundle)
    givers = list(dict.fromkeys(q.giver for q in line.quests))
    inks = sorted(p.name for p in quest_bundle.glob("*.ink"))
    assert len(inks) == len(givers) == 3 and len(line.quests) == 4  # seed 11: one giver has two quests
    for giver in givers:
        name = "dialogue_" + giver.lower().replace(" ", "_")
        d = Dialogue.model_validate_json((quest_bundle / f"{name}.json").read_text())
        assert d.giver == giver and d.quests == [q.id for q in line.quests if q.giver == giver]
        assert d.id == f"{line.id}_{name.removeprefix('dialogue_')}" and d.start == f"{d.id}_greet"
        text = (quest_bundle / f"{name}.ink").read_text()
        assert all(f"{line.id}_{q}_state" in text for q in d.quests)
    assert any(
        len(Dialogue.model_validate_json(p.read_text()).quests) == 2 for p in quest_bundle.glob("dialogue_*.json")
    )


def test_quest_dialogue_compiles_and_plays_in_ink_and_yarn(quest_bundle, tmp_path):
    line = bundle_line(quest_bundle)
    for path in sorted(quest_bundle.glob("*.ink")):
        d = Dialogue.model_validate_json(path.with_suffix(".json").read_text())
        assert to_ink(d) == path.read_text() and to_yarn(d)[0] == path.with_suffix(".yarn").read_text()
        ink, yarn = play_dialogue(d, tmp_path, line_states(d, line))
        assert [r["paths"] for r in ink] == [r["paths"] for r in yarn]
        assert all(r["paths"] == r["endings"] for r in ink)
        if len(d.quests) == 1:
            # first meeting; welcome back; all done (leave); then the quest: available (accept, ask more then
            # accept or decline, decline, leave), declined once (same), accepted (progress or leave), objective
            # done (report or leave), done (leave); a quest whose prerequisite is not done offers only leaving
            first = 1 if {q.id: q for q in line.quests}[d.quests[0]].requires else 5
            assert [r["paths"] for r in ink] == [first, first, 1, 5, 5, 2, 2, 1]


def test_quests_are_offered_only_once_their_prerequisites_are_done(quest_bundle):
    line = bundle_line(quest_bundle)
    for path in sorted(quest_bundle.glob("dialogue_*.json")):
        d = Dialogue.model_validate_json(path.read_text())
        hub = d.by_id()[f"{d.id}_hub"]
        for qid in d.quests:
            quest = next(q for q in line.quests if q.id == qid)
            offer = next(c for c in hub.choices if c.target == f"{d.id}_{qid}_offer")
            wanted = {(f"{line.id}_{qid}_state", "==", 0)} | {(f"{line.id}_{r}_state", "==", 3) for r in quest.requires}
            assert {(c.var, c.op, c.value) for c in offer.condition.atoms()} == wanted
        assert set(d.external) == {
            f"{line.id}_{r}_state" for q in line.quests if q.id in d.quests for r in q.requires if r not in d.quests
        }


def test_yarn_and_string_table(quest_bundle):
    seen: set[str] = set()
    declared: list[str] = []
    for path in sorted(quest_bundle.glob("*.yarn")):
        d = Dialogue.model_validate_json(path.with_suffix(".json").read_text())
        lines = check_yarn(path.read_text(), path.with_suffix(".strings.csv").read_text(), path.name, d.external)
        expected = {f"line:{x.id}" for n in d.nodes for x in (*n.lines, *n.choices)}
        assert set(lines) == expected and not (seen & expected)  # every line localised, unique across files
        seen |= expected
        assert f"title: {d.start}" in path.read_text().splitlines()[0]
        declared += re.findall(r"<<declare \$(\w+) ", path.read_text())
    assert len(declared) == len(set(declared))  # one Yarn project: every variable declared once over all files


def test_localisation_ids_are_stable_for_a_seed(quest_bundle, tmp_path):
    gamegen.generate("narrative.quest", seed=11, chain_length=4, out=tmp_path / "again")
    for path in quest_bundle.iterdir():
        assert (tmp_path / "again" / "narrative.quest" / path.name).read_bytes() == path.read_bytes()
    other = gamegen.generate("narrative.quest", seed=12, chain_length=4)
    first = sorted(quest_bundle.glob("dialogue_*.json"))[0]
    assert other[1].dialogue.id != json.loads(first.read_text())["id"]


def test_manifest_records_validation_and_formats(quest_bundle):
    manifest = json.loads((quest_bundle.parent / "manifest.json").read_text())
    files = {f["path"].split("/")[-1]: f for f in manifest["assets"][0]["files"]}
    name = sorted(p.stem for p in quest_bundle.glob("*.ink"))[0]
    ink = files[f"{name}.ink"]
    assert ink["media_type"] == "text/x-ink" and ink["meta"]["dialogue"]["valid"] is True
    assert ink["meta"]["dialogue"]["paths"] > 1 and ink["meta"]["format"] == "ink"
    assert ink["meta"]["ink_version"] == "1.1"
    assert files[f"{name}.yarn"]["meta"]["string_table"] == f"{name}.strings.csv"
    assert files[f"{name}.strings.csv"]["media_type"] == "text/csv"


def test_dialogue_for_a_quest_line_file(quest_bundle, tmp_path):
    assets = gamegen.generate(
        "narrative.dialogue", seed=2, quest=str(quest_bundle / "questline.json"), out=tmp_path / "b"
    )
    line = json.loads((quest_bundle / "questline.json").read_text())
    givers = list(dict.fromkeys(q["giver"] for q in line["quests"]))
    assert [a.dialogue.giver for a in assets] == givers
    assert sorted(q for a in assets for q in a.dialogue.quests) == [q["id"] for q in line["quests"]]
    assert sorted(a.name for a in assets) == sorted(p.stem for p in quest_bundle.glob("*.ink"))
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
