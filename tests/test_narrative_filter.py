"""The content filter: term lists by rating, user lists, and what generators do on a hit."""

from __future__ import annotations

import codecs
import json
import re

import pytest

import gamegen
from gamegen.content_filter import RATINGS, ContentFilter, ContentFilterError, default_lists, parse_terms
from gamegen.narrative.dialogue.graph import Dialogue, Line, Node


def hits(texts: list[str], rating: str = "teen") -> set[tuple[str, str]]:
    return {(h.list, h.term) for h in ContentFilter(default_lists(), rating).check(texts)}


def test_ratings_decide_which_lists_apply():
    text = ["The gore on the floor", "he was killed"]
    assert hits(text, "everyone") == {("violence", "gore"), ("bloodshed", "killed")}
    assert hits(text, "teen") == {("violence", "gore")}
    assert hits(text, "mature") == set()
    assert hits(["explicit porn"], "mature") == {("sexual", "porn*")} and hits(["explicit porn"], "adult") == set()


def test_slurs_apply_at_every_rating_and_are_never_spelled_out():
    slur = codecs.decode("ergneq", "rot13")  # the term lists store slurs ROT13-encoded; so does this test
    for rating in ("everyone", "teen", "mature", "adult"):
        found = hits([f"you {slur.upper()}"], rating)
        assert len(found) == 1
        ((name, label),) = found
        assert name == "slurs" and re.fullmatch(r"slurs#\d+", label)


def test_matching_is_by_word_with_simple_obfuscation_undone():
    assert hits(["skill and killjoy", "Scunthorpe"], "everyone") == set()
    assert hits(["G0R3 everywhere", "K1LL them"], "everyone") == {("violence", "gore"), ("bloodshed", "kill")}
    assert hits(["they were murdered"], "everyone") == {("bloodshed", "murder*")}


def test_user_term_files(tmp_path):
    terms = parse_terms("# rating: mature\n# a comment\ngoblin*\nre:\\bdark\\s+lord\\b\n", "custom")
    assert terms.allowed_from == "mature" and terms.labels == ("goblin*", "re:\\bdark\\s+lord\\b")
    f = ContentFilter([terms], "teen")
    assert {h.term for h in f.check(["Goblins and the Dark  Lord"])} == {"goblin*", "re:\\bdark\\s+lord\\b"}
    assert ContentFilter([terms], "mature").check(["goblins"]) == []
    with pytest.raises(gamegen.ParamError, match="invalid regular expression"):
        parse_terms("re:(unclosed", "bad")
    with pytest.raises(gamegen.ParamError, match="rating 'kids' is not one of"):
        parse_terms("# rating: kids\nx", "bad")


@pytest.fixture
def pets(tmp_path):
    grammar = tmp_path / "pets.json"
    grammar.write_text(json.dumps({"origin": ["cat", "dog", "newt", "toad", "owl", "hare"]}))
    terms = tmp_path / "terms.txt"
    terms.write_text("dog\ntoad\n")
    return str(grammar), str(terms)


def test_hits_are_regenerated_and_recorded(pets, tmp_path):
    grammar, terms = pets
    gamegen.generate("narrative.grammar", out=tmp_path / "b", grammar=grammar, count=4, filter_terms=terms, seed=3)
    data = json.loads((tmp_path / "b" / "narrative.grammar" / "pets.json").read_text())
    assert len(data["results"]) == 4 and not {"dog", "toad"} & set(data["results"])
    meta = json.loads((tmp_path / "b" / "manifest.json").read_text())["assets"][0]["files"][0]["meta"]
    assert meta["content_filter"]["hits"] and {h["term"] for h in meta["content_filter"]["hits"]} <= {"dog", "toad"}
    assert "custom" in meta["content_filter"]["lists"] and meta["content_filter"]["flagged"] is False


def test_flag_keeps_and_fail_raises(pets):
    grammar, terms = pets
    run = gamegen.run_generator(
        "narrative.grammar", {"grammar": grammar, "count": 6, "filter_terms": terms, "content_filter": "flag"}
    )
    assert {"dog", "toad"} <= set(run.assets[0].obj["results"]) and run.assets[0].meta["content_filter"]["flagged"]
    with pytest.raises(ContentFilterError, match="hit custom:(dog|toad) in sample"):
        gamegen.generate("narrative.grammar", grammar=grammar, count=6, filter_terms=terms, content_filter="fail")


def test_every_sample_hitting_fails_after_the_bounded_attempts(tmp_path):
    terms = tmp_path / "all.txt"
    terms.write_text("re:.\n")
    with pytest.raises(ContentFilterError, match="all 3 samples hit the content filter .*custom:re:"):
        gamegen.generate("narrative.quest", chain_length=1, filter_terms=str(terms), filter_attempts=3)
    # replacing the defaults with an empty list lets anything through
    run = gamegen.run_generator("narrative.quest", {"chain_length": 1, "filter_defaults": False})
    assert run.assets[0].meta["content_filter"]["lists"] == []


def test_dialogue_lines_are_filtered(tmp_path):
    terms = tmp_path / "terms.txt"
    terms.write_text("Tom\n")  # in every line that names the NPC: no sample can pass
    npc = {"name": "Old Tom", "role": "ferryman", "place": "Mere"}
    with pytest.raises(ContentFilterError, match="all 2 samples hit the content filter .*custom:Tom"):
        gamegen.generate("narrative.dialogue", npc=npc, filter_terms=str(terms), filter_attempts=2)
    asset = gamegen.generate("narrative.dialogue", npc=npc, filter_terms=str(terms), content_filter="flag")[0]
    record = asset.meta["content_filter"]
    assert record["flagged"] and record["hits"] == [{"sample": "0", "list": "custom", "term": "Tom"}]
    # speakers and the title are checked too: the Ink, Yarn and JSON files show them
    d = Dialogue(
        id="d",
        title="A gory tale",
        start="a",
        nodes=[Node(id="a", lines=[Line(id="a0", speaker="Gore Ann", text="hi")])],
    )
    assert {h.term for h in ContentFilter(default_lists(), "teen").check(d.texts())} == {"gore", "gory"}


def test_missing_term_file_is_a_param_error():
    with pytest.raises(gamegen.ParamError, match="filter_terms='/nope.txt': no such file"):
        gamegen.generate("narrative.grammar", filter_terms="/nope.txt")


def test_the_one_pass_scan_finds_exactly_what_term_by_term_matching_finds():
    """The single alternation only says "clean" or "look closer": hits are the same as trying every term alone."""
    plain = parse_terms("re:^dragon\nre:gold$\nwyrm*\nkill them\n", "custom")
    tricky = parse_terms("re:(ha)\\1\nre:\\Agreed\n", "tricky")  # these make the filter go term by term
    texts = [
        "The dragon sleeps.", "dragon at the start", "all that gold", "gold is here", "hahaha", "greed is good",
        "wyrmling", "You must K1LL the wyrm", "clean words only", "kill\nthem", "a\ngold", "",
    ]
    for rating, lists in ((r, [*default_lists(), *extra]) for r in RATINGS for extra in ([plain], [plain, tricky])):
        fast = ContentFilter(lists, rating)
        assert (fast._any is None) == (tricky in lists)
        slow = ContentFilter(lists, rating)
        slow._any = None  # term by term, as before the one-pass scan
        for i in range(len(texts)):
            for batch in (texts[i : i + 1], texts[i : i + 3], texts):
                assert fast.check(batch) == slow.check(batch), (rating, batch)
