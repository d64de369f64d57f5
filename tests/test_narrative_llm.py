"""narrative.llm on a tiny GPT-2 built in code (random weights): seeded text, schema-valid quests or clear failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from narrative_quests import line_states  # noqa: E402
from narrative_yarn import check_yarn, play_dialogue  # noqa: E402
from tiny_models import make_tiny_gpt2  # noqa: E402

import gamegen  # noqa: E402
from gamegen.content_filter import ContentFilterError  # noqa: E402
from gamegen.errors import GenerationError  # noqa: E402
from gamegen.ml.sampling import Sampling, generate_text, open_decoder  # noqa: E402
from gamegen.narrative.dialogue.graph import Dialogue  # noqa: E402
from gamegen.narrative.dialogue.ink import to_ink  # noqa: E402
from gamegen.narrative.quest.questline import QuestLine  # noqa: E402
from gamegen.testing import forbid_global_rng  # noqa: E402

WORLD = {
    "places": ["Ashford", "Mere"],
    "characters": ["Ada", "Bo"],
    "items": ["ring"],
    "creatures": ["wolf"],
    "factions": ["Guild"],
}
# the tiny model has a 256-token context and a tokenizer trained on four lines: keep prompts short
QUEST = {
    "task": "quest",
    "world": WORLD,
    "chain_length": 2,
    "max_new_tokens": 120,
    "max_chars": 16,
    "prompt": "Quest in {world}:",
    "dialogue_prompt": "{giver}:",
}


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny models decode fastest on one thread (several threads spin against each other on a busy machine)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> str:
    return str(make_tiny_gpt2(tmp_path_factory.mktemp("models") / "tiny-gpt2"))


def test_generate_text_is_seeded_and_leaves_global_rng_alone(model):
    with forbid_global_rng("generate_text"):
        a = generate_text(model, "The old tavern", gamegen.Context(1), max_new_tokens=20)
        b = generate_text(model, "The old tavern", gamegen.Context(1), max_new_tokens=20)
        c = generate_text(model, "The old tavern", gamegen.Context(2), max_new_tokens=20)
    assert a == b and a != c and a
    ctx = gamegen.Context(3)
    greedy = [
        generate_text(model, "The old tavern", gamegen.Context(s), temperature=0, max_new_tokens=12) for s in (3, 4)
    ]
    generate_text(model, "x", ctx, max_new_tokens=2)
    assert greedy[0] == greedy[1]  # greedy ignores the seed
    assert ctx.models[0].model_id == Path(model).name and ctx.neural
    with pytest.raises(gamegen.ParamError, match="top_p=0: must be in"):
        generate_text(model, "x", ctx, top_p=0)


def test_top_k_one_and_a_tiny_top_p_are_greedy(model):
    ctx = gamegen.Context(0)
    greedy = open_decoder(model, ctx, Sampling(greedy=True)).restart("A rusty sword")
    top1 = open_decoder(model, ctx, Sampling(temperature=1.5, top_k=1, top_p=1.0)).restart("A rusty sword")
    nucleus = open_decoder(model, ctx, Sampling(temperature=1.5, top_k=0, top_p=1e-6)).restart("A rusty sword")
    assert greedy.continue_text(15) == top1.continue_text(15) == nucleus.continue_text(15)


def assert_matches_info_schema(path):
    """The file validates (jsonschema, a consumer of our own) against what `gamegen info narrative.llm` publishes."""
    import jsonschema

    schema = gamegen.registry.get("narrative.llm").output_schema()
    jsonschema.validate(json.loads(path.read_text()), schema)


def test_free_text_task_is_neural_in_the_manifest(model, tmp_path):
    gamegen.generate(
        "narrative.llm",
        model=model,
        task="item",
        subject="a rusty sword",
        count=2,
        max_new_tokens=10,
        seed=4,
        out=tmp_path / "b",
    )
    data = json.loads((tmp_path / "b" / "narrative.llm" / "item.json").read_text())
    assert len(data["results"]) == 2 and all(data["results"]) and data["prompt"] == "Item: a rusty sword\nDescription:"
    assert_matches_info_schema(tmp_path / "b" / "narrative.llm" / "item.json")
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    entry = manifest["assets"][0]
    assert all(f["ai_generated"] for f in entry["files"])
    assert entry["provenance"]["models"][0]["model_id"] == Path(model).name


def test_quest_task_gives_schema_valid_json_and_playable_dialogue(model, tmp_path):
    with forbid_global_rng("narrative.llm"):
        gamegen.generate("narrative.llm", model=model, seed=3, out=tmp_path / "a", **QUEST)
    gamegen.generate("narrative.llm", model=model, seed=3, out=tmp_path / "b", **QUEST)
    folder = tmp_path / "a" / "narrative.llm"
    line = QuestLine.model_validate_json((folder / "questline.json").read_text())  # the procedural schema
    assert_matches_info_schema(folder / "questline.json")
    assert len(line.quests) == 2 and line.world.places == WORLD["places"]
    assert {q.giver for q in line.quests} <= {"Ada", "Bo"} and all(0 < len(q.title) <= 16 for q in line.quests)
    assert line.state_machine is not None and [v.quest for v in line.state_machine.quests] == ["q1", "q2"]
    names = sorted(p.name for p in folder.glob("dialogue_*"))
    assert len(names) == 4 * len({q.giver for q in line.quests})  # one dialogue per giver, in four files
    for name in ("questline.json", *names):
        assert (tmp_path / "b" / "narrative.llm" / name).read_bytes() == (folder / name).read_bytes()
    for path in sorted(folder.glob("dialogue_*.json")):
        d = Dialogue.model_validate_json(path.read_text())
        assert to_ink(d) == path.with_suffix(".ink").read_text() and d.id.startswith(line.id)
        assert d.quests == [q.id for q in line.quests if q.giver == d.giver]
        yarn = path.with_suffix(".yarn")
        check_yarn(yarn.read_text(), path.with_suffix(".strings.csv").read_text(), yarn.name, d.external)
        play_dialogue(d, tmp_path, line_states(d, line))


def test_dialogue_task_voices_an_npc_in_every_format(model, tmp_path):
    params = {"task": "dialogue", "npc": {"name": "Old Tom", "place": "Mere"}, "max_chars": 16, "prompt": "{npc}:"}
    gamegen.generate("narrative.llm", model=model, seed=2, out=tmp_path / "a", **params)
    again = gamegen.generate("narrative.llm", model=model, seed=2, **params)[0]
    folder = tmp_path / "a" / "narrative.llm"
    assert sorted(p.name for p in folder.glob("npc_old_tom*")) == [
        "npc_old_tom.ink",
        "npc_old_tom.json",
        "npc_old_tom.strings.csv",
        "npc_old_tom.yarn",
    ]
    d = Dialogue.model_validate_json((folder / "npc_old_tom.json").read_text())
    assert_matches_info_schema(folder / "npc_old_tom.json")
    assert d == again.dialogue and again.meta["dialogue"]["valid"]  # seeded, and validated like the procedural one
    spoken = [ln for n in d.nodes for ln in n.lines]
    assert {ln.speaker for ln in spoken} == {"Old Tom"} and all(0 < len(ln.text) <= 16 for ln in spoken)
    play_dialogue(d, tmp_path, [{"npc_old_tom_met": False}, {"npc_old_tom_met": True}])
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert all(f["ai_generated"] for f in manifest["assets"][0]["files"])
    with pytest.raises(gamegen.ParamError, match=r"unknown placeholder\(s\) giver .allowed: \{npc\}, \{place\}"):
        gamegen.generate("narrative.llm", model=model, **{**params, "prompt": "{giver}:"})


def test_greedy_quest_is_seed_independent_in_its_text(model):
    a = gamegen.generate(
        "narrative.llm", model=model, seed=1, greedy=True, dialogue=False, **{**QUEST, "chain_length": 1}
    )
    b = gamegen.generate(
        "narrative.llm", model=model, seed=2, greedy=True, dialogue=False, **{**QUEST, "chain_length": 1}
    )
    assert a[0].obj["quests"][0]["title"] == b[0].obj["quests"][0]["title"]


def test_the_model_cannot_comply_within_the_budget(model):
    with pytest.raises(GenerationError, match=r"did not finish the JSON value '\w+' within max_new_tokens=10"):
        gamegen.generate("narrative.llm", model=model, **{**QUEST, "max_new_tokens": 10, "max_chars": 200})
    with pytest.raises(GenerationError, match="the model's context is 256"):
        gamegen.generate("narrative.llm", model=model, **{**QUEST, "prompt": "{world} " * 40})


def test_prompt_templates_are_checked(model, tmp_path):
    with pytest.raises(gamegen.ParamError, match=r"prompt: unknown placeholder\(s\) villain .allowed: \{subject\}"):
        gamegen.generate("narrative.llm", model=model, prompt="About {villain}:")
    template = tmp_path / "bark.txt"
    template.write_text("A guard shouts about {subject}:")
    run = gamegen.run_generator(
        "narrative.llm",
        {
            "model": model,
            "task": "npc_line",
            "prompt": str(template),
            "subject": "wolves",
            "count": 1,
            "max_new_tokens": 8,
        },
    )
    assert run.assets[0].obj["prompt"] == "A guard shouts about wolves:" and "bark.txt" in run.inputs
    assert "\n" not in run.assets[0].obj["results"][0]


def test_content_filter_regenerates_then_fails(model, tmp_path):
    terms = tmp_path / "terms.txt"
    terms.write_text("re:[a-z]\n")  # any lower-case letter: the random model cannot avoid it
    with pytest.raises(ContentFilterError, match="all 2 samples hit the content filter"):
        gamegen.generate(
            "narrative.llm", model=model, count=1, max_new_tokens=8, filter_terms=str(terms), filter_attempts=2
        )
    run = gamegen.run_generator(
        "narrative.llm",
        {"model": model, "count": 1, "max_new_tokens": 8, "content_filter": "flag", "filter_terms": str(terms)},
    )
    assert run.assets[0].meta["content_filter"]["flagged"] is True
