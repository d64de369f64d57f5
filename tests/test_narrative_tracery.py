"""Tracery compatibility: expectations written by hand from tracery.js's documented semantics."""

from __future__ import annotations

import re
import sys
import time
import tracemalloc

import numpy as np
import pytest

from gamegen.narrative.tracery import MODIFIERS, Grammar, GrammarError, builtin_grammars, load_grammar


def flat(rules: dict, text: str = "#origin#", seed: int = 0, **limits: int) -> str:
    return Grammar(rules, **limits).flatten(text, np.random.default_rng(seed))


@pytest.mark.parametrize(
    ("modifier", "text", "expected"),
    [
        ("capitalize", "hello world", "Hello world"),
        ("capitalizeAll", "the old tavern-keeper's boat", "The Old Tavern-Keeper'S Boat"),
        ("s", "cat", "cats"),
        ("s", "box", "boxes"),
        ("s", "bush", "bushes"),
        ("s", "bus", "buses"),
        ("s", "city", "cities"),
        ("s", "day", "days"),
        ("a", "cat", "a cat"),
        ("a", "owl", "an owl"),
        ("a", "Egg", "an Egg"),
        ("a", "umbrella", "an umbrella"),
        ("a", "unicorn", "a unicorn"),
        ("a", "user", "an user"),
        ("ed", "walk", "walked"),
        ("ed", "bake", "baked"),
        ("ed", "cry", "cried"),
        ("ed", "play", "played"),
        ("ed", "fix", "fixed"),
        ("firstS", "cat in the hat", "cats in the hat"),
        ("firstS", "fox", "foxes"),
    ],
)
def test_english_modifiers(modifier, text, expected):
    assert MODIFIERS[modifier](text) == expected
    assert flat({"origin": f"#w.{modifier}#", "w": text}) == expected


def test_modifiers_chain_left_to_right():
    rules = {
        "origin": "#animal.a.capitalize# sat on #object.s#. #name.replace(a,o)#",
        "animal": "owl",
        "object": "bush",
        "name": "banana",
    }
    assert flat(rules) == "An owl sat on bushes. bonono"


def test_nested_symbols_expand_depth_first():
    rules = {
        "origin": "#greeting#, #place.capitalizeAll#!",
        "greeting": "Hello from #who#",
        "who": "the #job#",
        "job": "miller",
        "place": "old mill road",
    }
    assert flat(rules) == "Hello from the miller, Old Mill Road!"


def test_push_fixes_a_choice_for_the_rest_of_the_expansion():
    rules = {
        "origin": "[hero:#name#]#story#",
        "name": ["Arjun", "Yuuma", "Darcy", "Mia"],
        "story": "#hero# met #hero#.",
    }
    heroes = set()
    for seed in range(30):
        m = re.fullmatch(r"(\w+) met (\w+)\.", flat(rules, seed=seed))
        assert m and m.group(1) == m.group(2)
        heroes.add(m.group(1))
    assert heroes == {"Arjun", "Yuuma", "Darcy", "Mia"}  # seeded choices cover the rules


def test_actions_inside_a_tag_are_undone_after_it():
    rules = {"origin": "#[x:inner]show# then #x#", "show": "#x#", "x": "outer"}
    assert flat(rules) == "inner then outer"


def test_push_and_pop_stack():
    rules = {"origin": "[x:one]#x# [x:two]#x# [x:POP]#x# [x:POP]#x#", "x": "base"}
    assert flat(rules) == "one two one base"


def test_push_of_several_rules_and_of_a_new_symbol():
    outputs = {flat({"origin": "[pet:cat,dog]#pet#"}, seed=s) for s in range(20)}
    assert outputs == {"cat", "dog"}


def test_push_expands_its_rule_once():
    rules = {"origin": "[n:#num#]#n##n##n#", "num": ["1", "2", "3", "4", "5", "6", "7", "8", "9"]}
    for seed in range(10):
        text = flat(rules, seed=seed)
        assert len(set(text)) == 1 and len(text) == 3


def test_escapes_are_literal():
    assert flat({"origin": r"price: \#5 \[sale\] a\\b"}) == r"price: #5 [sale] a\b"


def test_same_seed_same_text_and_seeds_vary():
    g = load_grammar("taverns")
    assert g.expand("origin", np.random.default_rng(5)) == g.expand("origin", np.random.default_rng(5))
    assert len({g.expand("origin", np.random.default_rng(s)) for s in range(30)}) > 15


def test_missing_symbol_names_the_symbol_and_the_rule():
    with pytest.raises(GrammarError) as err:
        flat({"origin": "#hero# fights #monster#", "hero": "Ann"})
    assert "missing symbol 'monster'" in str(err.value)
    assert "'#hero# fights #monster#' of symbol 'origin'" in str(err.value)


def test_missing_start_symbol_lists_the_grammar():
    with pytest.raises(GrammarError, match="start symbol 'nope' is not in the grammar .symbols: origin"):
        Grammar({"origin": "x"}).expand("nope", np.random.default_rng(0))


@pytest.mark.parametrize(
    "rules",
    [
        {"origin": "#origin#!"},
        {"origin": "#a#", "a": "#b#", "b": "(#a#)"},
    ],
)
def test_self_recursion_is_a_clear_error_not_a_hang(rules):
    with pytest.raises(GrammarError, match=r"deeper than 48 levels: the grammar recurses \(.*→"):
        flat(rules)


def test_output_length_and_steps_are_bounded():
    with pytest.raises(GrammarError, match="longer than 50 characters"):
        flat({"origin": "#x##x##x##x#", "x": "0123456789abcdef"}, max_length=50)
    with pytest.raises(GrammarError, match="more than 100 steps"):
        flat(
            {
                "origin": "#x##x#",
                "x": ["#y##y#"],
                "y": ["#z##z#"],
                "z": ["#w##w#"],
                "w": "#v##v#",
                "v": "#u##u#",
                "u": "#t##t#",
                "t": "#q#",
                "q": ".",
            },
            max_steps=100,
        )


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"origin": "#a"}, "unclosed '#'"),
        ({"origin": "[a:b"}, "unclosed '\\['"),
        ({"origin": "a]"}, "unmatched '\\]'"),
        ({"origin": "##"}, "empty tag"),
        ({"origin": "#a.shout#", "a": "x"}, "unknown modifier .shout"),
        ({"origin": "[x:POP]#x#"}, "no rules to pop"),
        ({"origin": "[doSomething]"}, "unsupported action"),
        ({"origin": []}, "non-empty list of rule strings"),
        ({"origin": [1, 2]}, "non-empty list of rule strings"),
    ],
)
def test_malformed_grammars_fail_clearly(rules, message):
    with pytest.raises(GrammarError, match=message):
        flat(rules)


FACTS = {
    k: "Fact"
    for k in (
        "giver",
        "target",
        "place",
        "origin",
        "recipient",
        "witness",
        "motivation",
        "summary",
        "gold",
        "task",
        "npc",
        "role",
        "objective_phrase",
        "item",
    )
}


@pytest.mark.parametrize("name", builtin_grammars())
def test_every_symbol_of_every_builtin_grammar_expands(name):
    grammar = load_grammar(name)
    injected = grammar.with_rules({k: v for k, v in FACTS.items() if k not in grammar.rules})
    for symbol in grammar.rules:
        for seed in range(15):
            assert injected.expand(symbol, np.random.default_rng(seed)).strip()


REPLACE_CHAIN = "".join(".replace(a,aaaaaaaaaa)" for _ in range(20))


@pytest.mark.parametrize("max_length", [50, 20_000, 1_000_000])
def test_a_replace_chain_is_stopped_inside_the_modifiers(max_length):
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(GrammarError) as err:
            flat({"origin": f"#a{REPLACE_CHAIN}#", "a": "a"}, max_length=max_length)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 0.5 and peak < 16 * max_length + 1_000_000
    assert str(err.value) == (
        f"expansion is longer than {max_length} characters (modifier .replace(a,aaaaaaaaaa) on symbol 'a')"
    )


def test_a_replace_that_fits_still_works_and_shrinking_is_allowed():
    rules = {"origin": "#a.replace(a,aaaaaaaaaa).replace(a,aaaaaaaaaa).replace(aa,)#", "a": "a"}
    assert flat(rules, max_length=100) == ""
    assert flat({"origin": "#a.replace(a,bb)#", "a": "a" * 50}, max_length=100) == "b" * 100


@pytest.mark.parametrize(
    "rules",
    [
        # pushes keep long texts that never reach the result
        {"origin": "[k:" + ",".join(["#x#"] * 5000) + "]", "x": f"#a{REPLACE_CHAIN[:110]}#", "a": "a"},
        # a modifier shrinks every long text back to nothing
        {"origin": "#x.replace(a,)#" * 5000, "x": f"#a{REPLACE_CHAIN[:110]}#", "a": "a"},
    ],
)
def test_text_built_and_thrown_away_is_bounded_too(rules):
    start = time.perf_counter()
    with pytest.raises(GrammarError, match=r"produced more than 98000000 characters in all \(2 × max_length × "):
        flat(rules, max_length=1_000_000)
    assert time.perf_counter() - start < 5


def test_the_rule_text_is_checked_as_it_grows():
    with pytest.raises(GrammarError, match=r"longer than 100 characters \(symbol 'origin'\)"):
        flat({"origin": "#x#" * 10_000 + "#missing#", "x": "0123456789"}, max_length=100)


@pytest.mark.parametrize("max_depth", [500, 5_000])
def test_deep_max_depth_gives_the_depth_error_not_a_python_recursion_error(max_depth):
    with pytest.raises(GrammarError, match=rf"deeper than {max_depth} levels: the grammar recurses \(origin → origin"):
        flat({"origin": ["#origin#x"]}, max_depth=max_depth, max_steps=10 * max_depth)
    with pytest.raises(GrammarError, match=rf"deeper than {max_depth} levels"):
        flat({"origin": "[k:#origin#]"}, max_depth=max_depth, max_steps=10 * max_depth)  # recursion through pushes


def test_a_grammar_deeper_than_pythons_recursion_limit_expands():
    depth = sys.getrecursionlimit() + 100
    rules = {f"s{i}": f"#s{i + 1}#" for i in range(depth)} | {f"s{depth}": "end", "origin": "#s0.capitalize#"}
    assert flat(rules, max_depth=depth + 2, max_steps=depth + 2) == "End"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("#a.replace(a,b,c)#", r"modifier \.replace in tag #a\.replace\(a,b,c\)# does not take 3 parameter\(s\)"),
        ("#a.capitalize(x)#", r"modifier \.capitalize in tag #a\.capitalize\(x\)# does not take 1 parameter\(s\)"),
    ],
)
def test_modifier_parameters_are_checked(rule, message):
    with pytest.raises(GrammarError, match=message):
        flat({"origin": rule, "a": "a"})
