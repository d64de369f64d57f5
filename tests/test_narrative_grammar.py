"""narrative.grammar: built-in and user grammars, batch mode, bundles, errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import gamegen
from gamegen.narrative.tracery import GrammarError, builtin_grammars


def results(**params) -> list[str]:
    return gamegen.generate("narrative.grammar", **params)[0].obj["results"]


@pytest.mark.parametrize("name", ["places", "taverns", "shops", "items", "rumours", "barks"])
def test_builtin_grammars_give_unique_batches(name):
    out = results(grammar=name, count=12, seed=4)
    assert len(out) == 12 and len(set(out)) == 12 and all(t.strip() for t in out)


def test_items_push_the_name_into_the_description():
    for entry in results(grammar="items", count=20, seed=1):
        name, _, description = entry.partition(": ")
        assert name and description  # "Name: description", the description may repeat the name


def test_seeded_and_repeatable():
    assert results(grammar="taverns", count=5, seed=7) == results(grammar="taverns", count=5, seed=7)
    assert results(grammar="taverns", count=5, seed=7) != results(grammar="taverns", count=5, seed=8)


def test_user_grammar_file_with_start_symbol(tmp_path):
    path = tmp_path / "potions.json"
    path.write_text(
        json.dumps(
            {
                "origin": "x",
                "potion": "#colour.capitalize# #kind#",
                "colour": ["red", "blue", "green"],
                "kind": ["Draught", "Tonic"],
            }
        )
    )
    run = gamegen.run_generator("narrative.grammar", {"grammar": str(path), "start": "potion", "count": 6})
    assert sorted(run.assets[0].obj["results"]) == sorted(
        f"{c} {k}" for c in ("Red", "Blue", "Green") for k in ("Draught", "Tonic")
    )
    assert run.assets[0].name == "potions"
    assert "potions.json" in run.inputs  # the grammar's hash is in the provenance


def test_batch_that_cannot_be_unique_fails_clearly(tmp_path):
    path = tmp_path / "coin.json"
    path.write_text(json.dumps({"origin": ["heads", "tails"]}))
    with pytest.raises(GrammarError, match=r"gave 2 acceptable results .* count=5, unique=True"):
        results(grammar=str(path), count=5)
    assert sorted(set(results(grammar=str(path), count=5, unique=False))) == ["heads", "tails"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"count": 0}, r"count=0: .* \(allowed: 1 ≤ count ≤ 10000\)"),
        ({"max_depth": 501}, r"max_depth=501: .* \(allowed: 1 ≤ max_depth ≤ 500\)"),
        ({"filter_attempts": 0}, r"filter_attempts=0: .* \(allowed: 1 ≤ filter_attempts ≤ 50\)"),
        ({"rating": "kids"}, r"rating='kids': input should be 'everyone', 'teen', 'mature' or 'adult'"),
        ({"start": "nope"}, r"start='nope': grammar 'taverns' has no such symbol \(symbols: .*origin"),
    ],
)
def test_parameter_errors_name_the_parameter_and_its_range(params, message):
    with pytest.raises(gamegen.ParamError, match=message):
        results(**params)


def test_unknown_grammar_is_a_param_error_listing_builtins():
    with pytest.raises(gamegen.ParamError, match="neither a built-in grammar .*taverns"):
        results(grammar="no-such-grammar")
    assert {"places", "taverns", "shops", "items", "rumours", "barks"} <= set(builtin_grammars())


def test_bundle_has_json_and_text(tmp_path):
    gamegen.generate("narrative.grammar", out=tmp_path / "b", grammar="shops", count=4, seed=2)
    folder = tmp_path / "b" / "narrative.grammar"
    data = json.loads((folder / "shops.json").read_text())
    assert (folder / "shops.txt").read_text().splitlines() == data["results"]
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    meta = manifest["assets"][0]["files"][0]["meta"]
    assert meta["content_filter"]["rating"] == "teen" and meta["content_filter"]["hits"] == []


def test_cli_generate_and_recursion_error(tmp_path):
    bad = tmp_path / "loop.json"
    bad.write_text(json.dumps({"origin": "#origin# and more"}))
    cmd = [sys.executable, "-m", "gamegen", "generate", "narrative.grammar", "-o", str(tmp_path / "o"), "--quiet"]
    ok = subprocess.run([*cmd, "--set", "grammar=barks", "--set", "count=3"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert len((tmp_path / "o" / "narrative.grammar" / "barks.txt").read_text().splitlines()) == 3
    failed = subprocess.run([*cmd, "--set", f"grammar={bad}"], capture_output=True, text=True, timeout=60)
    assert failed.returncode == 1 and "recurses" in failed.stderr


@pytest.mark.parametrize("max_depth", [48, 499, 500])
def test_recursion_at_every_allowed_max_depth_gives_the_depth_error(tmp_path, max_depth):
    loop = tmp_path / "loop.json"
    loop.write_text(json.dumps({"origin": ["#origin#x"]}))
    with pytest.raises(GrammarError, match=rf"deeper than {max_depth} levels: the grammar recurses \(origin → "):
        results(grammar=str(loop), max_depth=max_depth)


def test_a_grammar_as_deep_as_max_depth_allows_expands(tmp_path):
    chain = tmp_path / "chain.json"
    chain.write_text(json.dumps({"origin": "#s0#"} | {f"s{i}": f"#s{i + 1}#" for i in range(498)} | {"s498": "end"}))
    assert results(grammar=str(chain), max_depth=500, count=1) == ["end"]


def test_cli_refuses_a_modifier_bomb_and_deep_recursion_quickly(tmp_path):
    chain = "".join(".replace(a,aaaaaaaaaa)" for _ in range(20))
    bomb, loop = tmp_path / "bomb.json", tmp_path / "loop.json"
    bomb.write_text(json.dumps({"origin": f"#a{chain}#", "a": "a"}))
    loop.write_text(json.dumps({"origin": "#origin#x"}))
    cmd = [sys.executable, "-m", "gamegen", "generate", "narrative.grammar", "-o", str(tmp_path / "o"), "--quiet"]
    for path, params, code, needle in [
        (bomb, [], 2, f"error: max_length=2000: grammar {str(bomb)!r} outgrows it: expansion is longer than 2000"),
        (loop, ["max_depth=500"], 1, "error: expansion is deeper than 500 levels: the grammar recurses"),
    ]:
        sets = [arg for p in [f"grammar={path}", *params] for arg in ("--set", p)]
        failed = subprocess.run([*cmd, *sets], capture_output=True, text=True, timeout=60)
        assert failed.returncode == code and needle in failed.stderr, failed.stderr
        assert "RecursionError" not in failed.stderr and "Traceback" not in failed.stderr


def test_a_modifier_bomb_is_a_parameter_error_naming_max_length(tmp_path):
    chain = "".join(".replace(a,aaaaaaaaaa)" for _ in range(20))
    bomb = tmp_path / "bomb.json"
    bomb.write_text(json.dumps({"origin": f"#a{chain}#", "a": "a"}))
    with pytest.raises(gamegen.ParamError) as err:
        results(grammar=str(bomb), max_length=1_000_000)
    assert str(err.value) == (
        f"max_length=1000000: grammar {str(bomb)!r} outgrows it: "
        "expansion is longer than 1000000 characters (modifier .replace(a,aaaaaaaaaa) on symbol 'a')"
    )
