"""character.sheet: names from culture models or a user's list, rule-set stats, a stable output schema, backstories."""

from __future__ import annotations

import json
import re
import time
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import gamegen
from gamegen.character.names import CULTURES, NameModel, load_culture
from gamegen.character.sheet import CharacterSheet
from gamegen.cli import main
from gamegen.content_filter import ContentFilterError

FIELDS = {
    "format": "string",
    "name": "string",
    "culture": "string",
    "role": "string",
    "level": "integer",
    "stats": "object",
    "derived": "object",
    "traits": "array",
    "inventory": "array",
    "gold": "integer",
    "backstory": "string",
    "backstory_source": "string",
}

RULES = {
    "format": "gamegen.character.rules/1",
    "stats": ["might", "wits"],
    "stat_spread": 0,
    "derived": {"hp": {"base": 5, "per_level": 2, "stat": "might", "stat_factor": 1}},
    "classes": {
        "knight": {
            "base": {"might": 12, "wits": 6},
            "growth": {"might": 1},
            "inventory": [{"item": "lance", "count": 1}],
            "traits": ["dutiful"],
        }
    },
    "backstory": {"templates": ["{name} the {role} rides from {town}."], "words": {"town": ["Ashford"]}},
}


def sheet(seed: int = 0, **params) -> dict:
    return gamegen.generate("character.sheet", seed=seed, **params)[0].obj


def test_info_shows_a_stable_output_schema():
    res = CliRunner().invoke(main, ["info", "character.sheet", "--json"])
    assert res.exit_code == 0, res.output
    schema = json.loads(res.output)["output_schema"]
    assert {k: v.get("type") for k, v in schema["properties"].items()} == FIELDS
    assert set(schema["required"]) == set(FIELDS) - {"format"}
    assert schema["properties"]["format"]["const"] == "gamegen.character.sheet/1"
    assert schema["properties"]["backstory_source"]["enum"] == ["procedural", "model"]
    props = schema["properties"]
    assert props["stats"]["additionalProperties"] == props["derived"]["additionalProperties"] == {"type": "integer"}
    assert props["traits"]["items"] == {"type": "string"}
    entry = schema["$defs"][props["inventory"]["items"]["$ref"].split("/")[-1]]
    assert {k: v["type"] for k, v in entry["properties"].items()} == {"item": "string", "count": "integer"}
    assert set(entry["required"]) == {"item", "count"}
    got = sheet(9, level=12)  # a generated sheet has exactly the schema's fields, of the schema's types
    types = {"string": str, "integer": int, "object": dict, "array": list}
    assert {k: types[FIELDS[k]] for k in got} == {k: type(v) for k, v in got.items()}
    assert all(isinstance(v, int) for v in (*got["stats"].values(), *got["derived"].values()))


def test_sheets_are_seeded_and_valid():
    a, b, c = sheet(4, level=7), sheet(4, level=7), sheet(5, level=7)
    assert a == b and a != c
    CharacterSheet.model_validate(a)
    assert a["backstory_source"] == "procedural" and a["name"] in a["backstory"]
    assert a["name"][0].isupper() and a["level"] == 7


def test_stats_derived_values_and_gold_scale_with_level():
    low, high = sheet(1, role="warrior", level=1), sheet(1, role="warrior", level=40)
    assert high["name"] == low["name"]  # one seed, one character: only the level changed
    assert all(high["stats"][s] > low["stats"][s] for s in low["stats"])
    assert high["derived"]["hp"] > low["derived"]["hp"] and high["gold"] > low["gold"]
    assert len(high["inventory"]) > len(low["inventory"])


def test_a_users_rule_set_replaces_the_built_in_one(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(RULES))
    got = sheet(2, rules=str(path), level=3, traits=1)
    assert got["role"] == "knight" and got["stats"] == {"might": 14, "wits": 6}
    assert got["derived"] == {"hp": 5 + 2 * 2 + 14}
    assert got["inventory"] == [{"item": "lance", "count": 1}] and got["traits"] == ["dutiful"]
    assert got["backstory"] == f"{got['name']} the knight rides from Ashford."
    gen = gamegen.registry.get("character.sheet")
    assert gen().input_files(gen.validate({"rules": str(path)})) == [path]


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (lambda r: r["classes"]["knight"]["base"].pop("wits"), "classes.knight.base lacks wits"),
        (lambda r: r["derived"]["hp"].update(stat="luck"), "derived.hp.stat: unknown stat 'luck'"),
        (lambda r: r["backstory"]["templates"].append("{dragon}"), "backstory template uses {dragon}"),
        (lambda r: r.update(format="other/1"), "format"),
        (lambda r: r["classes"].clear(), "classes"),
    ],
)
def test_bad_rule_sets_are_parameter_errors_that_say_where(tmp_path, change, needle):
    rules = json.loads(json.dumps(RULES))
    change(rules)
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules))
    with pytest.raises(gamegen.ParamError) as err:
        sheet(rules=str(path))
    assert "rules=" in str(err.value) and needle in str(err.value)


def test_unreadable_rules_unknown_roles_and_bad_levels():
    with pytest.raises(gamegen.ParamError, match="rules='/no/such.json': cannot read"):
        sheet(rules="/no/such.json")
    with pytest.raises(gamegen.ParamError, match=r"role='pirate': not a class .*allowed: auto, bard, cleric"):
        sheet(role="pirate")
    with pytest.raises(gamegen.ParamError, match="1 ≤ level ≤ 100"):
        sheet(level=0)


def test_names_train_on_a_users_list(tmp_path):
    names = ["Kora", "Rokan", "Nakor", "Orka", "Karon", "Ronak", "Korran", "Anko", "# a comment", ""]
    path = tmp_path / "names.txt"
    path.write_text("\n".join(names))
    got = [sheet(seed, name_file=str(path)) for seed in range(6)]
    assert {g["culture"] for g in got} == {"custom"}
    assert all(set(g["name"].lower()) <= set("korna") for g in got)
    path.write_text("Kora\nRokan\n")
    with pytest.raises(gamegen.ParamError, match="name_file=.*at least 3 distinct names"):
        sheet(name_file=str(path))


def test_every_culture_ships_a_model_file_and_makes_plausible_names():
    files = {p.name.removesuffix(".json") for p in (resources.files("gamegen.character") / "data" / "names").iterdir()}
    assert files == set(CULTURES)
    rng = np.random.default_rng(0)
    for culture in CULTURES:
        model = load_culture(culture)
        for name in (model.sample(rng) for _ in range(20)):
            assert name[0].isupper() and model.min_length <= len(name) <= model.max_length
        assert sheet(culture=culture)["culture"] == culture


def test_name_models_prefer_new_names_and_are_seeded():
    model = NameModel.train(["Alda", "Berta", "Celda", "Dalia", "Elba", "Freda", "Gilda", "Hilda"])
    draws = [model.sample(np.random.default_rng(s)) for s in range(30)]
    assert draws == [model.sample(np.random.default_rng(s)) for s in range(30)]
    assert sum(d.lower() not in model.known for d in draws) >= 25
    with pytest.raises(ValueError, match="order must be 1–4"):
        NameModel.train(["a", "b", "c"], order=9)


def test_the_sprite_can_carry_the_same_character_sheet():
    sprite = {a.name: a for a in gamegen.generate("character.sprite", seed=6, size=16, character_sheet=True)}
    assert sprite["character"].obj == sheet(6)
    assert sprite["character"].meta["content_filter"]["samples_checked"] == 1


def filtered(seed: int, tmp_path: Path, terms: str, **params) -> gamegen.Asset:
    path = tmp_path / "terms.txt"
    path.write_text(terms, encoding="utf-8")
    return gamegen.generate("character.sheet", seed=seed, filter_terms=str(path), **params)[0]


def test_a_users_terms_make_the_name_and_backstory_be_drawn_again(tmp_path):
    plain = gamegen.generate("character.sheet", seed=8)[0]
    assert plain.meta["content_filter"] == {
        "rating": "teen",
        "mode": "regenerate",
        "lists": ["profanity", "sexual", "slurs", "violence"],
        "samples_checked": 1,
        "hits": [],
        "flagged": False,
    }
    name = plain.obj["name"]
    again = filtered(8, tmp_path, f"# my studio's list\n{name}\n")
    assert again.obj["name"] != name and name not in again.obj["backstory"]
    assert {k: v for k, v in again.obj.items() if k not in ("name", "backstory")} == {
        k: v for k, v in plain.obj.items() if k not in ("name", "backstory")
    }
    record = again.meta["content_filter"]
    assert record["samples_checked"] == 2 and record["hits"] == [{"sample": "0", "list": "custom", "term": name}]
    assert "custom" in record["lists"]
    assert again.obj == filtered(8, tmp_path, f"{name}\n").obj  # retries are seeded too
    gen = gamegen.registry.get("character.sheet")
    assert gen().input_files(gen.validate({"filter_terms": str(tmp_path / "terms.txt")})) == [tmp_path / "terms.txt"]


def test_filter_modes_fail_flag_and_ratings(tmp_path):
    name = sheet(8)["name"]
    with pytest.raises(ContentFilterError, match=f"custom:{name}"):
        filtered(8, tmp_path, name, content_filter="fail")
    flagged = filtered(8, tmp_path, name, content_filter="flag")
    assert flagged.obj == sheet(8) and flagged.meta["content_filter"]["flagged"] is True
    rules = json.loads(json.dumps(RULES))
    rules["backstory"]["templates"] = ["{name} left {town} in a trail of gore."]
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules))
    with pytest.raises(
        ContentFilterError, match=r"all 3 samples hit the content filter \(rating teen; last: violence:gore"
    ):
        sheet(2, rules=str(path), filter_attempts=3)
    assert "gore" in sheet(2, rules=str(path), rating="mature")["backstory"]
    assert "gore" in sheet(2, rules=str(path), filter_defaults=False)["backstory"]


@pytest.fixture(scope="module")
def tiny_gpt2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("transformers")
    from tiny_models import make_tiny_gpt2

    return make_tiny_gpt2(tmp_path_factory.mktemp("models") / "tiny-gpt2")


def test_backstory_from_a_named_language_model(tiny_gpt2, tmp_path):
    assets = gamegen.generate("character.sheet", seed=3, out=tmp_path / "b", backstory_model=str(tiny_gpt2))
    got = assets[0].obj
    assert got["backstory_source"] == "model" and got["backstory"].strip()
    assert got["name"] == sheet(3)["name"]  # the model only writes the story; the rest stays procedural
    entry = json.loads((tmp_path / "b" / "manifest.json").read_text())["assets"][0]
    assert entry["provenance"]["ai_generated"] is True
    again = gamegen.generate("character.sheet", seed=3, backstory_model=str(tiny_gpt2))[0].obj
    assert again == got


def test_a_model_written_backstory_passes_the_content_filter(tiny_gpt2, tmp_path):
    first = gamegen.generate("character.sheet", seed=3, backstory_model=str(tiny_gpt2))[0].obj
    words = first["backstory"].split()[:4]
    terms = "re:" + r"\s+".join(re.escape(w) for w in words)  # the model's own opening words
    with pytest.raises(ContentFilterError, match="custom:re:"):
        filtered(3, tmp_path, terms, backstory_model=str(tiny_gpt2), content_filter="fail")
    redrawn = filtered(3, tmp_path, terms, backstory_model=str(tiny_gpt2))
    assert redrawn.meta["content_filter"]["samples_checked"] == 2
    assert redrawn.obj["backstory_source"] == "model" and redrawn.obj["backstory"] != first["backstory"]
    assert not re.search(terms[3:], redrawn.obj["backstory"], re.IGNORECASE)


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{name:>300000000}", "field {name:>300000000}: width or precision 300000000 is over 64"),
        ("{name:.300000000}", "field {name:.300000000}: width or precision 300000000 is over 64"),
        ("{name!r:>99999999}", "field {name!r:>99999999}: width or precision 99999999 is over 64"),
        ("{level:0300000000d}", "field {level:0300000000d}: width or precision 0300000000 is over 64"),
        ("{name:" + "9" * 5000 + "}", "width or precision of 5000 digits is over 64"),
        ("{name.__class__}", "field {name.__class__}: attribute and index access are not allowed"),
        ("{name[0]}", "field {name[0]}: attribute and index access are not allowed"),
        ("{name:{level}}", "field {name:{level}}: fields nested in a format spec are not allowed"),
        ("{name!x}", "field {name!x}: unknown conversion !x (allowed: !r, !s, !a)"),
        ("{level:s}", "field {level:s}: Unknown format code 's' for object of type 'int'"),
        ("{name:d}", "field {name:d}: Unknown format code 'd' for object of type 'str'"),
        ("{name", "template '{name' is not valid (expected '}' before end of string; write literal braces as {{"),
    ],
)
def test_template_bombs_and_unsafe_fields_are_refused_when_the_rules_load(tmp_path, template, problem):
    rules = json.loads(json.dumps(RULES))
    rules["backstory"]["templates"].append(template)
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules))
    start = time.perf_counter()
    with pytest.raises(gamegen.ParamError) as err:
        sheet(rules=str(path))
    assert time.perf_counter() - start < 1
    assert str(err.value).startswith(f"rules={str(path)!r}: (rules): Value error, backstory template ")
    assert problem in str(err.value)


def test_a_template_bomb_is_exit_code_2_on_the_command_line(tmp_path):
    rules = json.loads(json.dumps(RULES))
    rules["backstory"]["templates"] = ["{name:>300000000}"]
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules))
    res = CliRunner().invoke(main, ["generate", "character.sheet", "-o", str(tmp_path / "o"), "--set", f"rules={path}"])
    assert res.exit_code == 2 and "width or precision 300000000 is over 64" in res.output


def test_bounded_format_specs_and_conversions_still_fill(tmp_path):
    rules = json.loads(json.dumps(RULES))
    rules["backstory"]["templates"] = ["[{role:>8}|{level:03d}|{name!r:.3}|{town:_^12}|{level:.2f}] {{braces}}"]
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules))
    got = sheet(2, rules=str(path), level=7)
    assert got["backstory"] == f"[  knight|007|{repr(got['name'])[:3]}|__Ashford___|7.00] {{braces}}"


def test_a_name_list_with_an_overlong_name_is_refused(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("Kora\nRokan\nNakor\n" + "ab" * 500_000 + "\n")
    start = time.perf_counter()
    with pytest.raises(
        gamegen.ParamError, match=r"name_file=.*: the name 'abab.*… is 1000000 characters long \(at most 100\)"
    ):
        sheet(name_file=str(path))
    assert time.perf_counter() - start < 2
    path.write_text("Kora\nRokan\nNakor\n" + "a" * 100 + "\n")
    assert sheet(name_file=str(path))["culture"] == "custom"
