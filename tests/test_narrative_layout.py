"""The narrative family's layout: modules import alone, parameters are typed, narrative.llm's parameters by task."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import gamegen
from gamegen.cli import main
from gamegen.narrative.llm import TASK_OPTIONS, LLMCommon

ROOT = Path(gamegen.__file__).parent
MODULES = sorted(
    ".".join(p.relative_to(ROOT.parent).with_suffix("").parts).removesuffix(".__init__")
    for p in [*ROOT.glob("narrative/**/*.py"), ROOT / "content_filter.py", ROOT / "inputs.py"]
)
NEEDS_TORCH = ["gamegen.ml.sampling", "gamegen.ml.constrained"]


@pytest.mark.parametrize("module", MODULES + NEEDS_TORCH)
def test_each_module_imports_alone(module):
    """A module that only imports after another one has (an import cycle) fails here, in a fresh interpreter."""
    if module in NEEDS_TORCH and importlib.util.find_spec("torch") is None:
        pytest.skip("needs torch")
    run = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_listing_the_generators_imports_no_torch():
    code = "import sys, gamegen; gamegen.registry.list(); print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def llm(values: dict) -> gamegen.Params:
    return gamegen.registry.get("narrative.llm").validate(values)


def test_llm_refuses_a_parameter_of_another_task():
    with pytest.raises(gamegen.ParamError, match=r"count=2: does not apply to task=quest") as err:
        llm({"task": "quest", "count": 2})
    assert [p.param for p in err.value.problems] == ["count"]
    with pytest.raises(gamegen.ParamError) as err:
        llm({"task": "lore", "level": 7, "npc": {"name": "Tom"}})
    assert [p.param for p in err.value.problems] == ["level", "npc"]
    assert llm({"task": "dialogue", "npc": {"name": "Tom"}, "max_chars": 20, "ink_version": "1.0"}).max_chars == 20


def test_llm_takes_its_own_dump_back():
    """Builds validate a job's parameters again from a full dump: the other tasks' fields are at their defaults."""
    for task, options in TASK_OPTIONS.items():
        params = llm({"task": task, **({"level": 9} if "level" in options.model_fields else {})})
        assert llm(params.model_dump()) == params


def test_llm_lists_every_parameter_and_which_task_takes_it():
    fields = gamegen.registry.get("narrative.llm").params.model_fields
    assert set(fields) == set(LLMCommon.model_fields).union(*(o.model_fields for o in TASK_OPTIONS.values()))
    assert "quest; also takes max_chars, world, level" in fields["task"].description
    res = CliRunner().invoke(main, ["info", "narrative.llm"])
    assert res.exit_code == 0 and all(f"  {name} (" in res.output for name in fields)


def test_typed_inputs_are_the_input_files(tmp_path):
    world, terms, grammar, prompt, model = (tmp_path / n for n in ("w.json", "t.txt", "g.json", "p.txt", "m"))
    world.write_text(json.dumps({"places": ["Mere"]}))
    terms.write_text("zzq\n")
    grammar.write_text(json.dumps({"origin": ["a"]}))
    prompt.write_text("About {subject}:")
    model.mkdir()
    cases = {
        "narrative.quest": ({"world": str(world), "filter_terms": str(terms)}, {world, terms}),
        "narrative.dialogue": ({"quest": str(world)}, {world}),
        "narrative.grammar": ({"grammar": str(grammar)}, {grammar}),
        "narrative.llm": ({"model": str(model), "prompt": str(prompt)}, {model, prompt}),
    }
    for name, (values, expected) in cases.items():
        gen = gamegen.registry.get(name)
        assert set(gen().input_files(gen.validate(values))) == expected, name
    gen = gamegen.registry.get("narrative.grammar")
    assert gen().input_files(gen.validate({"grammar": "taverns"})) == []  # a built-in name names no file
