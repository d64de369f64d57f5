"""Where bundles may go: the output-folder rules, links, the lock file, leftovers, modes, and the API's own arguments.

The CLI side of the same rules (exit codes, one-line errors, whole sandboxes compared) is in test_hostile.py.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

import gamegen
from gamegen.errors import OutputFolderError
from gamegen.output import is_bundle, resolve_output


def _grammar(out: Path | str, **kw) -> list[gamegen.Asset]:
    return gamegen.generate("narrative.grammar", seed=1, out=out, params={"count": 2}, **kw)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A user's project folder with their own files in it, as the current folder; HOME is a folder of its own."""
    home = tmp_path / "home"
    (home / "docs").mkdir(parents=True)
    (home / "docs" / "thesis.txt").write_text("years of work")
    monkeypatch.setenv("HOME", str(home))
    folder = tmp_path / "myproject"
    folder.mkdir()
    (folder / "main.py").write_text("print('my game')")
    monkeypatch.chdir(folder)
    return folder


@pytest.mark.parametrize("out", [".", "", "/", "~", "HOME", ".."])
def test_folders_that_are_not_bundles_are_never_replaced(project, out):
    before = _files(project.parent)
    target = os.environ["HOME"] if out == "HOME" else out
    with pytest.raises(OutputFolderError):
        _grammar(target)
    with pytest.raises(OutputFolderError):
        gamegen.generate_variations("narrative.grammar", 2, out=target)
    assert _files(project.parent) == before


def test_a_non_bundle_folder_a_file_and_a_foreign_manifest_are_refused(project):
    (project / "assets").mkdir()
    (project / "assets" / "hero.png").write_bytes(b"art")
    (project / "notes.txt").write_text("x")
    (project / "other").mkdir()
    (project / "other" / "manifest.json").write_text(json.dumps({"format": "someone-else/1"}))
    (project / "broken").mkdir()
    (project / "broken" / "manifest.json").write_text("{not json")
    before = _files(project)
    for target in ("assets", "notes.txt", "other", "broken"):
        with pytest.raises(OutputFolderError, match="choose a new or empty folder"):
            _grammar(target)
    assert _files(project) == before


def test_missing_empty_and_bundle_folders_are_written(project):
    (project / "empty").mkdir()
    _grammar("empty")
    _grammar("empty")  # now a bundle: replaced
    _grammar("new/deeper")
    assert is_bundle(project / "empty") and is_bundle(project / "new" / "deeper")
    gamegen.generate_variations("narrative.grammar", 2, out="vars")
    gamegen.generate_variations("narrative.grammar", 3, out="vars")  # its manifest makes it a bundle too
    manifest = json.loads((project / "vars" / "manifest.json").read_text())
    assert manifest["format"] == "gamegen.variations/1"
    assert [v["bundle"] for v in manifest["variations"]] == ["seed-0", "seed-1", "seed-2"]


def test_a_variations_folder_of_gamegen_0_2_is_still_replaceable(project):
    gamegen.generate_variations("narrative.grammar", 2, out="old")
    (project / "old" / "manifest.json").unlink()  # 0.2 wrote no top-level manifest
    assert is_bundle(project / "old")
    (project / "old" / "mine.txt").write_text("not gamegen's")
    assert not is_bundle(project / "old")


def test_the_current_folder_is_replaced_only_when_it_is_a_bundle(tmp_path, monkeypatch):
    bundle = tmp_path / "b"
    _grammar(bundle)
    monkeypatch.chdir(bundle)
    assert resolve_output(".") == bundle
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputFolderError, match="contains the current folder"):
        resolve_output("..")


def test_a_link_is_followed_and_stays_a_link(project, tmp_path):
    real = tmp_path / "fast-disk" / "bundle"
    real.mkdir(parents=True)
    (project / "link").symlink_to(real)
    _grammar("link")
    _grammar("link")
    assert (project / "link").is_symlink() and is_bundle(real)
    (project / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(OutputFolderError, match="does not exist"):
        _grammar("dangling")
    (project / "to-home").symlink_to(os.environ["HOME"])
    with pytest.raises(OutputFolderError, match="home folder"):
        _grammar("to-home")
    assert not (tmp_path / "nowhere").exists()


def test_a_planted_lock_link_is_refused_and_its_target_untouched(project, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (project / ".out.gamegen-lock").symlink_to(victim)
    with pytest.raises(OutputFolderError, match="is a symbolic link"):
        _grammar("out")
    assert victim.read_text() == "precious" and not (project / "out").exists()


def test_leftovers_of_a_killed_run_are_cleaned_by_the_next_generate(project):
    _grammar("out")
    stale = project / ".out.gamegen-tmp-dead1234"
    stale.mkdir()
    (stale / "half.png").write_bytes(b"x")
    _grammar("out")
    assert not stale.exists() and is_bundle(project / "out")


def test_bundles_follow_the_umask(project):
    old = os.umask(0o022)
    try:
        _grammar("out")
    finally:
        os.umask(old)
    assert stat.S_IMODE((project / "out").stat().st_mode) == 0o755
    assert {stat.S_IMODE(p.stat().st_mode) for p in (project / "out").rglob("*") if p.is_file()} == {0o644}


def test_parameters_named_like_api_arguments_never_collide(project):
    assets = gamegen.generate("narrative.grammar", seed=3, params={"count": 2})
    variations = gamegen.generate_variations("narrative.grammar", 2, params={"count": 2})
    assert assets and len(variations) == 2
    for name in ("seed", "asset_id", "out", "profile", "name", "count_typo"):
        with pytest.raises(gamegen.ParamError, match=f"unknown parameter '{name}'"):
            gamegen.generate("narrative.grammar", params={name: 1})
    with pytest.raises(gamegen.ParamError, match="given both in params= and as a keyword"):
        gamegen.generate("narrative.grammar", params={"count": 2}, count=3)
    for count in (0, 1001, 10**9, True):
        with pytest.raises(gamegen.ParamError, match="variations="):
            gamegen.generate_variations("narrative.grammar", count)


def test_an_unknown_profile_is_a_parameter_error(project):
    with pytest.raises(gamegen.ParamError, match="unknown export profile 'bogus' \\(known: generic, godot, unity, unreal"):
        _grammar("out", profile="bogus")
    assert not (project / "out").exists()
