"""A rebuild with nothing to do answers from the last build's stamp; anything changed falls back to the full build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gamegen.builds import build
from gamegen.builds import stamp as stamp_module
from gamegen.cli import main

GRAMMAR = {"origin": ["#a# #b#"], "a": ["red", "blue", "green"], "b": ["cup", "hat"]}
RECIPE = (
    'name = "stamped"\nseed = 3\n\n'
    '[[asset]]\nname = "mine"\ngenerator = "narrative.grammar"\nparams = { grammar = "words.json", count = 3 }\n\n'
    '[[asset]]\nname = "inns"\ngenerator = "narrative.grammar"\nparams = { grammar = "taverns", count = 2 }\n'
)


@pytest.fixture
def game(tmp_path: Path) -> Path:
    """A recipe (a grammar file it reads, a built-in grammar it names), built once into tmp/out."""
    folder = tmp_path / "game"
    folder.mkdir()
    (folder / "words.json").write_text(json.dumps(GRAMMAR))
    (folder / "gamegen.toml").write_text(RECIPE)
    build(folder, out=tmp_path / "out", cache=tmp_path / "cache")
    return folder


def rebuild(game: Path, **kw: object) -> tuple[bool, dict[str, str]]:
    """Build again: (answered from the stamp, i.e. the bundle left as it was; {asset id: status})."""
    out = game.parent / "out"
    before = os.stat(out / "manifest.json").st_ino
    report = build(game, out=out, cache=game.parent / "cache", **kw)  # type: ignore[arg-type]
    return os.stat(out / "manifest.json").st_ino == before, {a.id: a.status for a in report.assets}


CACHED = {"mine": "cached", "inns": "cached"}


def test_an_unchanged_rebuild_answers_from_the_stamp_and_leaves_the_bundle_alone(game: Path) -> None:
    assert rebuild(game) == (True, CACHED)
    assert rebuild(game) == (True, CACHED)
    assert list((game.parent / "cache" / "stamps").glob("*.json"))


def test_the_cli_answers_without_loading_generators_numpy_or_pydantic(game: Path) -> None:
    code = (
        "import sys\nfrom gamegen.cli import main\n"
        f"main(['build', {str(game)!r}, '-o', {str(game.parent / 'out')!r}, '--cache', "
        f"{str(game.parent / 'cache')!r}, '--json'], standalone_mode=False)\n"
        "heavy = [m for m in ('numpy', 'pydantic', 'gamegen.narrative', 'gamegen.builds.recipe') if m in sys.modules]\n"
        "print(heavy, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip().splitlines()[-1] == "[]"
    assert json.loads(done.stdout)["counts"]["cached"] == 2


def test_the_json_report_has_the_same_shape_as_a_full_build(game: Path) -> None:
    args = ["build", str(game), "-o", str(game.parent / "out"), "--cache", str(game.parent / "cache"), "--json"]
    quick = json.loads(CliRunner().invoke(main, args).stdout)
    for stamp in (game.parent / "cache" / "stamps").glob("*.json"):
        stamp.unlink()
    full = json.loads(CliRunner().invoke(main, args).stdout)
    for report in (quick, full):
        report.pop("seconds")
        for asset in report["assets"]:
            asset.pop("seconds")
    assert quick == full and quick["executor"] == "none (everything was cached)"


def _edit_recipe(game: Path) -> None:
    (game / "gamegen.toml").write_text(RECIPE + "# a comment: other bytes, same assets\n")


def _edit_input(game: Path) -> None:
    (game / "words.json").write_text(json.dumps({**GRAMMAR, "b": ["mug", "cap"]}))


def _shadow_builtin(game: Path) -> None:
    (game / "taverns").write_text(json.dumps(GRAMMAR))  # the name "taverns" now names this file


@pytest.mark.parametrize(
    ("change", "after"),
    [
        (_edit_recipe, CACHED),
        (_edit_input, {"mine": "built", "inns": "cached"}),
        (_shadow_builtin, {"mine": "cached", "inns": "built"}),
    ],
)
def test_a_changed_recipe_input_or_name_falls_back_to_the_full_build(game: Path, change, after) -> None:
    change(game)
    assert rebuild(game) == (False, after)
    assert rebuild(game) == (True, CACHED)


def test_a_new_generator_version_or_new_code_falls_back(game: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gamegen.narrative.grammar import GrammarGenerator

    monkeypatch.setattr(GrammarGenerator, "version", "99.0.0")
    assert rebuild(game) == (False, {"mine": "built", "inns": "built"})
    monkeypatch.setattr(stamp_module, "code_fingerprint", lambda: "other code")
    assert rebuild(game) == (False, CACHED)


@pytest.mark.parametrize("damage", ["touched", "removed", "added", "cache entry"])
def test_a_tampered_bundle_or_cache_entry_falls_back_and_is_made_whole(game: Path, damage: str) -> None:
    out = game.parent / "out"
    victim = next(out.glob("mine/*.txt"))
    original = victim.read_bytes()
    if damage == "touched":  # even with its modification time put back
        st = victim.stat()
        victim.write_bytes(b"edited by hand")
        os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns))
    elif damage == "removed":
        victim.unlink()
    elif damage == "added":
        (out / "mine" / "notes.txt").write_text("mine")
    else:
        entry = next((game.parent / "cache").rglob("entry.json"))
        entry.write_bytes(entry.read_bytes())  # same bytes, a new modification time
    assert rebuild(game) == (False, CACHED)
    assert victim.read_bytes() == original and not (out / "mine" / "notes.txt").exists()


@pytest.mark.parametrize(
    "options", [{"force": True}, {"only": ["mine"]}, {"compression": "small"}, {"allow_outside_inputs": True}]
)
def test_other_options_fall_back(game: Path, options: dict[str, object]) -> None:
    fast, _ = rebuild(game, **options)
    assert not fast


def test_a_damaged_stamp_is_no_stamp(game: Path) -> None:
    (stamp,) = (game.parent / "cache" / "stamps").glob("*.json")
    for garbage in (
        b"{",
        b'{"request": 1}',
        json.dumps({**json.loads(stamp.read_bytes()), "trees": [[1, 2]]}).encode(),
    ):
        stamp.write_bytes(garbage)
        assert rebuild(game) == (False, CACHED)
        assert rebuild(game) == (True, CACHED)
        (stamp,) = (game.parent / "cache" / "stamps").glob("*.json")


def test_a_recipe_given_as_data_is_never_stamped(tmp_path: Path) -> None:
    recipe = {"name": "d", "asset": [{"name": "inns", "generator": "narrative.grammar", "params": {"count": 2}}]}
    build(recipe, out=tmp_path / "out", cache=tmp_path / "cache")
    assert not (tmp_path / "cache" / "stamps").exists()
