"""Hostile inputs against the real CLI (``python -m gamegen`` in a subprocess).

Each case checks the exit code, that stderr is one ``error:`` line (``warning:`` lines aside) with no traceback,
that nothing changed outside the output folder (a snapshot of a sandbox: HOME, the working folder, the recipe
folder, a victim file; only the output folder, its ``.OUT.gamegen-lock`` and ``.gamegen-cache`` may change), and,
after a failure, that the previous bundle is byte-for-byte intact. Children run with a timeout, a memory limit
and their own HOME and working folder (see ``hostile_support``).

Sections follow the contract: A output folders, B an untrusted cache, C planted symbolic links, D recipe inputs,
E leftovers and concurrent builds, F bounded work, G wrong exit codes, H bad values for every parameter of every
generator (from the schemas), I a full disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hostile_support as hs
import pytest
from hostile_support import Sandbox, assert_one_error, assert_valid_bundle, assert_valid_variations, snapshot

import gamegen

FAST = 20.0  # seconds: bounded-work refusals must come back well within this

GRAMMAR_RECIPE = """
name = "hostile"
seed = 7

[[asset]]
name = "names"
generator = "narrative.grammar"
params = { count = 3 }
"""


@pytest.fixture
def sb(tmp_path: Path) -> Sandbox:
    """A fresh sandbox: HOME with files, a working folder with a user's project, a recipe folder, a victim."""
    return Sandbox.create(tmp_path / "sandbox")


@pytest.fixture(scope="session")
def prebuilt(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, Path], Path]:
    """``copy(kind, dest)``: a bundle made once per session (``grammar`` or ``texture``), copied to ``dest``."""
    made: dict[str, Path] = {}
    commands = {
        "grammar": ["generate", "narrative.grammar", "--set", "count=3", "--quiet"],
        "texture": ["generate", "texture.material", "--set", "size=64", "--set", "preview=none", "--quiet"],
    }

    def copy(kind: str, dest: Path) -> Path:
        if kind not in made:
            base = tmp_path_factory.mktemp(f"prebuilt-{kind}")
            (base / "home").mkdir()
            res = hs.run_cli([*commands[kind], "-o", base / "bundle"], cwd=base, home=base / "home")
            assert res.code == 0, res.describe()
            assert_valid_bundle(base / "bundle")
            made[kind] = base / "bundle"
        shutil.copytree(made[kind], dest, symlinks=True)
        return dest

    return copy


def _mode_command(sb: Sandbox, mode: str, out: str | Path) -> list[str]:
    """The command that writes ``out`` in ``mode``: generate, generate --variations 2, or build."""
    out = str(out)
    if mode == "generate":
        return ["generate", "narrative.grammar", "--set", "count=3", "-o", out, "--quiet"]
    if mode == "variations":
        return ["generate", "narrative.grammar", "--set", "count=2", "--variations", "2", "-o", out, "--quiet"]
    if mode == "build":
        recipe = sb.recipe_dir / "gamegen.toml"
        if not recipe.exists():
            sb.recipe(GRAMMAR_RECIPE)
        return ["build", str(recipe), "-o", out]
    raise AssertionError(mode)


def _assert_output(mode: str, folder: Path) -> None:
    if mode == "variations":
        assert_valid_variations(folder, 2)
    else:
        assert_valid_bundle(folder)


MODES = ["generate", "variations", "build"]


# ============================================================================================ A. output folders


def _refuse_dot(sb: Sandbox) -> tuple[str, list[Path]]:
    return ".", [sb.cwd]


def _refuse_empty(sb: Sandbox) -> tuple[str, list[Path]]:
    return "", [sb.cwd]


def _refuse_dotdot(sb: Sandbox) -> tuple[str, list[Path]]:
    return "..", [sb.root]


def _refuse_home(sb: Sandbox) -> tuple[str, list[Path]]:
    return str(sb.home), [sb.home]


def _refuse_tilde(sb: Sandbox) -> tuple[str, list[Path]]:
    return "~", [sb.home, sb.cwd / "~"]  # what a shell would expand; a literal '~' must not slip by either


def _refuse_non_bundle(sb: Sandbox) -> tuple[str, list[Path]]:
    out = sb.out()
    (out / "art").mkdir(parents=True)
    (out / "art" / "hero.psd").write_bytes(b"PSD")
    (out / "notes.md").write_text("keep me\n")
    return str(out), [out]


def _refuse_foreign_manifest(sb: Sandbox) -> tuple[str, list[Path]]:
    out = sb.out()
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"format": "other", "assets": []}))
    (out / "data.bin").write_bytes(b"\x00\x01")
    return str(out), [out]


def _refuse_invalid_manifest(sb: Sandbox) -> tuple[str, list[Path]]:
    out = sb.out()
    out.mkdir()
    (out / "manifest.json").write_text('{"format": "gamegen.bundle/1", ')  # truncated: not JSON
    (out / "data.bin").write_bytes(b"\x00\x01")
    return str(out), [out]


def _refuse_regular_file(sb: Sandbox) -> tuple[str, list[Path]]:
    out = sb.out()
    out.write_text("I am a file\n")
    return str(out), [out]


def _refuse_link_to_non_bundle(sb: Sandbox) -> tuple[str, list[Path]]:
    real = sb.outs / "real"
    real.mkdir()
    (real / "level.tmx").write_text("<map/>\n")
    sb.out().symlink_to(real)
    return str(sb.out()), [sb.out(), real]


def _refuse_dangling_link(sb: Sandbox) -> tuple[str, list[Path]]:
    sb.out().symlink_to(sb.outs / "missing")
    return str(sb.out()), [sb.out(), sb.outs / "missing"]


REFUSED = {
    "dot-cwd-with-user-files": _refuse_dot,
    "empty-string": _refuse_empty,
    "dotdot-parent-of-cwd": _refuse_dotdot,
    "home": _refuse_home,
    "tilde-literal": _refuse_tilde,
    "non-empty-non-bundle": _refuse_non_bundle,
    "manifest-of-another-format": _refuse_foreign_manifest,
    "manifest-not-json": _refuse_invalid_manifest,
    "regular-file": _refuse_regular_file,
    "symlink-to-non-bundle": _refuse_link_to_non_bundle,
    "dangling-symlink": _refuse_dangling_link,
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", list(REFUSED))
def test_a_refuses_folders_that_are_not_bundles(sb: Sandbox, case: str, mode: str) -> None:
    out, folders = REFUSED[case](sb)
    command = _mode_command(sb, mode, out)
    before = sb.snapshot()
    res = sb.run(*command)
    assert_one_error(res, 2, progress=mode == "build")
    sb.assert_untouched(before, *folders)


@pytest.mark.parametrize("mode", MODES)
def test_a_refuses_the_file_system_root(sb: Sandbox, mode: str) -> None:
    """``-o /``, run with every file system read-only (a private mount namespace) so a regression cannot harm."""
    wrapper = hs.readonly_wrapper()
    if wrapper is None:
        pytest.skip("cannot make the file systems read-only for the child (needs unshare and mount rights)")
    scratch = sb.root / "scratch"  # a fresh writable tmpfs inside the namespace, for the build's cache
    scratch.mkdir()
    command = _mode_command(sb, mode, "/")
    if mode == "build":
        command += ["--cache", str(scratch / "cache")]
    before = sb.snapshot()
    res = sb.run(*command, wrapper=wrapper, env={"GAMEGEN_HOSTILE_SCRATCH": str(scratch)})
    assert res.code != 97, f"the read-only wrapper could not set up\n{res.describe()}"
    assert_one_error(res, 2, progress=mode == "build")
    sb.assert_untouched(before)


@pytest.mark.parametrize("mode", MODES)
def test_a_regenerating_over_a_bundle_works(sb: Sandbox, mode: str) -> None:
    out = sb.out()
    command = _mode_command(sb, mode, out)
    before = sb.snapshot()
    first = sb.run(*command)  # umask 022
    assert first.code == 0, first.describe()
    _assert_output(mode, out)
    made = snapshot(out)
    _assert_modes(made, 0o022)
    second = sb.run(*command)
    assert second.code == 0, second.describe()
    hs.assert_no_traceback(second)
    _assert_output(mode, out)
    assert snapshot(out) == made, hs.diff(made, snapshot(out))  # same inputs, same bytes and modes
    assert hs.leftovers(out) == []
    sb.assert_untouched_except(before, out)


@pytest.mark.parametrize("mode", MODES)
def test_a_an_empty_folder_is_used(sb: Sandbox, mode: str) -> None:
    out = sb.out()
    out.mkdir()
    command = _mode_command(sb, mode, out)
    before = sb.snapshot()
    res = sb.run(*command)
    assert res.code == 0, res.describe()
    _assert_output(mode, out)
    sb.assert_untouched_except(before, out)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("target", ["empty-folder", "bundle"])
def test_a_a_symlink_output_is_followed_and_stays_a_link(sb: Sandbox, mode: str, target: str) -> None:
    real = sb.outs / "real"
    if target == "empty-folder":
        real.mkdir()
    else:
        made = sb.run(*_mode_command(sb, mode, real))
        assert made.code == 0, made.describe()
    link = sb.out()
    link.symlink_to(real)
    command = _mode_command(sb, mode, link)
    before = sb.snapshot()
    res = sb.run(*command)
    assert res.code == 0, res.describe()
    hs.assert_no_traceback(res)
    assert link.is_symlink() and os.readlink(link) == str(real), "the link was replaced"
    _assert_output(mode, real)
    assert hs.leftovers(real) == [] and hs.leftovers(link) == []
    sb.assert_untouched_except(before, real, link)
    assert snapshot(sb.outs)["OUT"] == before["outs/OUT"]


def _assert_modes(tree: dict[str, hs.Entry], umask: int) -> None:
    """Folders 0777 and files 0666 less the umask (with 022: 0755 and 0644), the bundle folder included."""
    wrong = {rel: oct(m) for rel, (kind, _, m) in tree.items() if m != (0o777 if kind == "dir" else 0o666) & ~umask}
    assert not wrong, f"modes that do not follow umask {oct(umask)}: {wrong}"


@pytest.mark.parametrize("mode", ["generate", "build"])
def test_a_bundle_permissions_follow_another_umask(sb: Sandbox, mode: str) -> None:
    """Umask 022 is checked in test_a_regenerating_over_a_bundle_works; here 027 (0750 folders, 0640 files)."""
    out = sb.out()
    res = sb.run(*_mode_command(sb, mode, out), umask=0o027)
    assert res.code == 0, res.describe()
    _assert_modes(snapshot(out), 0o027)


# ============================================================================================ B. untrusted cache


@pytest.fixture(scope="module")
def clean_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, hs.Entry]]:
    """A recipe folder holding a filled cache, and the snapshot of the bundle a clean build made from it."""
    box = Sandbox.create(tmp_path_factory.mktemp("clean-build") / "sandbox")
    recipe = box.recipe(GRAMMAR_RECIPE)
    res = box.run("build", recipe, "-o", box.out())
    assert res.code == 0, res.describe()
    assert_valid_bundle(box.out())
    assert len(list((box.recipe_dir / ".gamegen-cache").glob("v*/entries/*/*/entry.json"))) == 1
    return box.recipe_dir, snapshot(box.out())


def _entry_dir(sb: Sandbox) -> Path:
    """The one entry of the cache: ``v<N>/entries/<key[:2]>/<key>/`` holding ``entry.json`` and ``files/``."""
    (entry,) = (sb.recipe_dir / ".gamegen-cache").glob("v*/entries/*/*/entry.json")
    return entry.parent


def _stored(entry: dict[str, Any], path: str) -> str:
    """Where a record's file lies under ``files/``: its path inside the asset folder (layouts that record the
    bundle path, ``<id>/<file>``, store it without the ``<id>/``)."""
    prefix = f"{entry['id']}/" if isinstance(entry.get("id"), str) else ""
    return path.removeprefix(prefix)


def _recorded(entry: dict[str, Any], stored: str) -> str:
    """The record path that makes a naive reader look at ``files/<stored>``."""
    return (f"{entry['id']}/" if isinstance(entry.get("id"), str) else "") + stored


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tamper_escape(sb: Sandbox, folder: Path, entry: dict[str, Any]) -> None:
    payload = b"#!/bin/sh\necho escaped the cache\n"
    (folder.parent / "ESCAPED.sh").write_bytes(payload)  # = files/../../ESCAPED.sh, still inside the cache
    entry["files"][0].update(path=_recorded(entry, "../../ESCAPED.sh"), sha256=_sha(payload), bytes=len(payload))


def _tamper_absolute(sb: Sandbox, folder: Path, entry: dict[str, Any]) -> None:
    data = sb.victim.read_bytes()
    entry["files"][0].update(path=str(sb.victim), sha256=_sha(data), bytes=len(data))


def _tamper_symlink(sb: Sandbox, folder: Path, entry: dict[str, Any]) -> None:
    record = entry["files"][0]
    path = folder / "files" / _stored(entry, record["path"])
    path.unlink()
    path.symlink_to(sb.victim)
    data = sb.victim.read_bytes()
    record.update(sha256=_sha(data), bytes=len(data))  # only a check for links can tell


def _tamper_sha(sb: Sandbox, folder: Path, entry: dict[str, Any]) -> None:
    entry["files"][0]["sha256"] = "0" * 64


def _tamper_not_json(sb: Sandbox, folder: Path, entry: dict[str, Any]) -> None:
    entry.clear()  # written as text below


def _tamper_generator(sb: Sandbox, folder: Path, entry: dict[str, Any]) -> None:
    entry["generator"] = "texture.material"


def _tamper_params(sb: Sandbox, folder: Path, entry: dict[str, Any]) -> None:
    entry["params"] = {**entry["params"], "count": 99}


TAMPER = {
    "relpath-escapes": _tamper_escape,
    "absolute-path": _tamper_absolute,
    "file-is-symlink-to-victim": _tamper_symlink,
    "wrong-sha256": _tamper_sha,
    "entry-not-json": _tamper_not_json,
    "other-generator": _tamper_generator,
    "other-params": _tamper_params,
}


@pytest.mark.parametrize("case", list(TAMPER))
def test_b_a_tampered_cache_entry_is_rebuilt_with_a_warning(
    sb: Sandbox, clean_build: tuple[Path, dict[str, hs.Entry]], case: str
) -> None:
    template, clean = clean_build
    shutil.copytree(template, sb.recipe_dir, symlinks=True, dirs_exist_ok=True)
    folder = _entry_dir(sb)
    entry = json.loads((folder / "entry.json").read_bytes())
    TAMPER[case](sb, folder, entry)
    (folder / "entry.json").write_text("{ this is not json" if not entry else json.dumps(entry))
    before = sb.snapshot()
    out = sb.out("OUT2")
    res = sb.run("build", sb.recipe_dir / "gamegen.toml", "-o", out)
    assert res.code == 0, res.describe()
    hs.assert_no_traceback(res)
    assert hs.error_lines(res.stderr) == [], res.describe()
    warnings = hs.warning_lines(res.stderr)
    assert len(warnings) == 1 and "cache" in warnings[0].lower(), f"want one cache warning\n{res.describe()}"
    counts = re.search(r"built (\d+), cached (\d+)", res.stdout)
    assert counts and counts.groups() == ("1", "0"), f"the asset was not rebuilt\n{res.describe()}"
    assert snapshot(out) == clean, hs.diff(clean, snapshot(out))
    sb.assert_untouched_except(before, out)
    escaped = [p for p in sb.root.rglob("ESCAPED.sh") if ".gamegen-cache" not in p.relative_to(sb.root).parts]
    assert escaped == []
    sb.assert_victim_intact()


# ============================================================================================ C. planted symlinks


@pytest.mark.parametrize("mode", MODES)
def test_c_a_lock_file_planted_as_symlink_leaves_the_victim_alone(sb: Sandbox, mode: str) -> None:
    out = sb.out()
    hs.lock_name(out).symlink_to(sb.victim)
    command = _mode_command(sb, mode, out)
    before = sb.snapshot()
    res = sb.run(*command)
    sb.assert_victim_intact()
    if res.code != 0:
        assert_one_error(res, 2, "symbolic link", progress=mode == "build")  # refused like any unsafe output folder
    else:
        hs.assert_no_traceback(res)
        _assert_output(mode, out)
    sb.assert_untouched_except(before, out)


@pytest.mark.parametrize(
    "planted, previous", [("gamegen-old", "no-bundle"), ("gamegen-tmp", "bundle")], ids=["old-link", "tmp-link"]
)
def test_c_planted_leftover_symlinks_do_not_reach_the_victim_folder(
    sb: Sandbox, prebuilt: Callable[[str, Path], Path], planted: str, previous: str
) -> None:
    """Extra: ``.OUT.gamegen-old`` / ``.OUT.gamegen-tmp-x`` planted as links to a user's folder."""
    victim_dir = sb.root / "victim-folder"
    (victim_dir / "sub").mkdir(parents=True)
    (victim_dir / "sub" / "file.txt").write_text("mine\n")
    out = sb.out()
    if previous == "bundle":
        prebuilt("grammar", out)
    name = ".OUT.gamegen-old" if planted == "gamegen-old" else ".OUT.gamegen-tmp-planted"
    (sb.outs / name).symlink_to(victim_dir)
    victim_before = snapshot(victim_dir)
    res = sb.run(*_mode_command(sb, "generate", out))
    assert snapshot(victim_dir) == victim_before, hs.diff(victim_before, snapshot(victim_dir))
    if res.code != 0:
        assert_one_error(res, 1)
    else:
        hs.assert_no_traceback(res)
        assert not out.is_symlink()
        assert_valid_bundle(out)


# ============================================================================================ D. recipe inputs


def _sheet_recipe(sb: Sandbox, name_file: str) -> Path:
    return sb.recipe(
        f"""
        name = "inputs"
        seed = 3

        [[asset]]
        name = "hero"
        generator = "character.sheet"
        params = {{ name_file = {json.dumps(name_file)} }}
        """
    )


def test_d_an_absolute_input_outside_the_recipe_folder_is_refused(sb: Sandbox) -> None:
    recipe = _sheet_recipe(sb, "/etc/passwd")
    before = sb.snapshot()
    res = sb.run("build", recipe, "-o", sb.out())
    assert_one_error(res, 2, "name_file", "/etc/passwd")
    sb.assert_untouched(before, sb.out())


@pytest.mark.parametrize("how", ["dotdot", "symlink-inside"])
def test_d_a_relative_input_outside_the_recipe_folder_is_refused(sb: Sandbox, how: str) -> None:
    if how == "dotdot":
        recipe = _sheet_recipe(sb, "../outside.txt")
    else:
        (sb.recipe_dir / "names.txt").symlink_to(sb.outside)
        recipe = _sheet_recipe(sb, "names.txt")
    before = sb.snapshot()
    res = sb.run("build", recipe, "-o", sb.out())
    line = assert_one_error(res, 2, "name_file")
    assert "outside.txt" in line or "names.txt" in line, line
    sb.assert_untouched(before, sb.out())


def test_d_an_input_inside_the_recipe_folder_is_read_relative_to_it(sb: Sandbox) -> None:
    (sb.recipe_dir / "names.txt").write_text("# my names\n" + "\n".join(hs.NAMES) + "\n")
    recipe = _sheet_recipe(sb, "names.txt")
    before = sb.snapshot()
    res = sb.run("build", recipe, "-o", sb.out())  # cwd is the sandbox's working folder, not the recipe folder
    assert res.code == 0, res.describe()
    manifest = assert_valid_bundle(sb.out())
    (record,) = [f for f in manifest["assets"][0]["files"] if f["path"].endswith(".json")]
    sheet = json.loads((sb.out() / record["path"]).read_bytes())
    assert sheet["culture"] == "custom"
    sb.assert_untouched_except(before, sb.out())


def test_d_allow_outside_inputs_accepts_the_outside_file(sb: Sandbox) -> None:
    recipe = _sheet_recipe(sb, "../outside.txt")
    before = sb.snapshot()
    res = sb.run("build", recipe, "-o", sb.out(), "--allow-outside-inputs")
    assert res.code == 0, res.describe()
    assert_valid_bundle(sb.out())
    sb.assert_untouched_except(before, sb.out())


# ============================================================================================ E. leftovers


def _kill_during_write(sb: Sandbox, command: list[str], out: Path, attempts: int = 3) -> bool:
    """Start ``command``; SIGKILL it as soon as a ``.OUT.gamegen-tmp-*`` folder appears beside ``out``.

    True when it was killed during its write phase; False when it kept finishing first ``attempts`` times.
    """
    prefix = f".{out.name}.gamegen-tmp-"
    for _ in range(attempts):
        proc = sb.start(*command)
        deadline = time.monotonic() + 120
        killed = False
        try:
            while proc.poll() is None and time.monotonic() < deadline:
                if any(name.startswith(prefix) for name in os.listdir(out.parent)):
                    os.killpg(proc.pid, signal.SIGKILL)
                    killed = True
                    break
                time.sleep(0.001)  # leave the (maybe only) core to the child
        finally:
            hs.kill_group(proc)
            proc.communicate()
        if killed:
            return True
    return False


@pytest.mark.parametrize("mode", ["generate", "build"])
def test_e_a_run_killed_while_writing_leaves_nothing_behind_the_next_run(
    sb: Sandbox, prebuilt: Callable[[str, Path], Path], mode: str
) -> None:
    out = sb.out()
    prebuilt("texture", out)
    if mode == "generate":
        slow = ["generate", "texture.material", "--set", "size=512", "--set", "preview=none", "-o", str(out), "--quiet"]
        again = ["generate", "texture.material", "--set", "size=64", "--set", "preview=none", "-o", str(out), "--quiet"]
    else:
        recipe = sb.recipe(
            """
            name = "slow"
            [[asset]]
            name = "wall"
            generator = "texture.material"
            params = { size = 512, preview = "none" }
            """
        )
        slow = again = ["build", str(recipe), "-o", str(out)]
    before = sb.snapshot()
    if not _kill_during_write(sb, slow, out):
        pytest.skip("the run finished before it could be killed in its write phase")
    if out.exists() or not hs.lock_name(out).with_name(".OUT.gamegen-old").is_dir():
        assert_valid_bundle(out)  # whatever moment the kill hit, OUT holds a whole bundle (old or new) ...
    # ... or, where the swap is two renames, the old one waits beside it as .OUT.gamegen-old for the next run
    res = sb.run(*again)
    assert res.code == 0, res.describe()
    hs.assert_no_traceback(res)
    assert hs.leftovers(out) == [], hs.leftovers(out)
    assert_valid_bundle(out)
    sb.assert_untouched_except(before, out)


def _slow_recipe(sb: Sandbox, size: int = 1024) -> Path:
    return sb.recipe(
        f"""
        name = "together"
        seed = 1

        [[asset]]
        name = "wall"
        generator = "texture.material"
        params = {{ size = {size}, preview = "none" }}

        [[asset]]
        name = "names"
        generator = "narrative.grammar"
        params = {{ count = 3 }}
        """
    )


def test_e_two_builds_of_one_output_at_once_both_succeed(sb: Sandbox) -> None:
    recipe, out = _slow_recipe(sb, 512), sb.out()
    before = sb.snapshot()
    first = sb.start("build", recipe, "-o", out)
    second = sb.start("build", recipe, "-o", out)
    results = [hs.finish(first), hs.finish(second)]
    for res in results:
        assert res.code == 0, res.describe()
        hs.assert_no_traceback(res)
    assert_valid_bundle(out)
    assert hs.leftovers(out) == []
    sb.assert_untouched_except(before, out)


def test_e_lock_timeout_zero_gives_up_at_once_while_the_first_build_goes_on(sb: Sandbox) -> None:
    recipe, out = _slow_recipe(sb, 2048), sb.out()  # seconds of work: the first build still holds the lock
    before = sb.snapshot()
    first = sb.start("build", recipe, "-o", out)
    try:
        assert hs.wait_until(lambda: hs.lock_held(hs.lock_name(out), first.pid) or first.poll() is not None, 60)
        if first.poll() is not None:
            pytest.fail(f"the first build ended before it was seen holding the lock\n{hs.finish(first).describe()}")
        impatient = sb.run("build", recipe, "-o", out, "--lock-timeout", "0")
        first_done = first.poll() is not None
    finally:
        done = hs.finish(first)
    assert not first_done, "the first build finished before the impatient one checked the lock: make it slower"
    assert_one_error(impatient, 1, progress=True)
    assert done.code == 0, done.describe()
    assert_valid_bundle(out)
    sb.assert_untouched_except(before, out)


# ============================================================================================ F. bounded work


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def _grammar_file(sb: Sandbox, rules: dict[str, Any]) -> Path:
    path = sb.cwd / "grammar.json"
    path.write_text(json.dumps(rules))
    return path


def _bomb(sb: Sandbox) -> tuple[list[str], tuple[str, ...]]:
    tag = "a" + ".replace(a,aaaaaaaaaa)" * 20
    path = _grammar_file(sb, {"origin": [f"#{tag}#"], "a": ["a"]})
    return ["generate", "narrative.grammar", "--set", f"grammar={path}", "--set", "count=1"], ()


def _huge_padding(sb: Sandbox) -> tuple[list[str], tuple[str, ...]]:
    rules = json.loads(
        (Path(gamegen.__file__).parent / "character" / "data" / "rules" / "default.json").read_text("utf-8")
    )
    rules["backstory"] = {"templates": ["{name:>300000000}"], "words": {}}
    path = sb.cwd / "rules.json"
    path.write_text(json.dumps(rules))
    return ["generate", "character.sheet", "--set", f"rules={path}"], ("rules",)


def _cli_variations(sb: Sandbox) -> tuple[list[str], tuple[str, ...]]:
    return ["generate", "narrative.grammar", "--set", "count=1", "--variations", "1000000000"], ("variations",)


def _recipe_variations(sb: Sandbox) -> tuple[list[str], tuple[str, ...]]:
    recipe = sb.recipe(
        """
        name = "many"
        [[asset]]
        name = "names"
        generator = "narrative.grammar"
        variations = 1000000000
        params = { count = 1 }
        """
    )
    return ["build", str(recipe)], ("variations",)


def _recipe_matrix(sb: Sandbox) -> tuple[list[str], tuple[str, ...]]:
    values = json.dumps(list(range(20, 236)))  # 216 valid values each: 216³ ≈ 10⁷ cells
    recipe = sb.recipe(
        f"""
        name = "cells"
        [[asset]]
        name = "hero"
        generator = "character.sprite"
        matrix = {{ idle_ms = {values}, walk_ms = {values}, attack_ms = {values} }}
        """
    )
    return ["build", str(recipe)], ("matrix",)


def _deep_list_param(sb: Sandbox) -> tuple[list[str], tuple[str, ...]]:
    return ["generate", "texture.material", "--set", "size=64", "--set", f"palette={_deep(5000)}"], (
        "palette",
        "nested too deeply",
    )


def _deep_any_param(sb: Sandbox) -> tuple[list[str], tuple[str, ...]]:
    return ["generate", "narrative.dialogue", "--set", f"npc={_deep(5000)}"], ("npc", "nested too deeply")


def _deep_unknown_param(sb: Sandbox) -> tuple[list[str], tuple[str, ...]]:
    return ["generate", "texture.material", "--set", f"no_such_param={_deep(5000)}"], (
        "no_such_param",
        "nested too deeply",
    )


def _deep_recipe_param(sb: Sandbox) -> tuple[list[str], tuple[str, ...]]:
    recipe = sb.recipe(
        f"""
        name = "deep"
        [[asset]]
        name = "wall"
        generator = "texture.material"
        params = {{ size = 64, palette = {_deep(5000)} }}
        """
    )
    return ["build", str(recipe)], ()


BOUNDED = {
    "cli-variations-1e9": _cli_variations,
    "recipe-variations-1e9": _recipe_variations,
    "recipe-matrix-1e7-cells": _recipe_matrix,
    "tracery-replace-bomb": _bomb,
    "sheet-backstory-padding-3e8": _huge_padding,
    "set-list-param-nested-5000": _deep_list_param,
    "set-any-param-nested-5000": _deep_any_param,
    "set-unknown-param-nested-5000": _deep_unknown_param,
    "recipe-param-nested-5000": _deep_recipe_param,
}


@pytest.mark.parametrize("case", list(BOUNDED))
def test_f_unbounded_work_is_refused_fast(sb: Sandbox, prebuilt: Callable[[str, Path], Path], case: str) -> None:
    command, needles = BOUNDED[case](sb)
    out = prebuilt("grammar", sb.out())
    previous = snapshot(out)
    before = sb.snapshot()
    quiet = ["--quiet"] if command[0] == "generate" else []
    res = sb.run(*command, "-o", out, *quiet, timeout=FAST)
    assert res.seconds < FAST, res.describe()
    line = assert_one_error(res, 2, *needles, progress=command[0] == "build")
    if case == "tracery-replace-bomb":
        assert hs.names_parameter(line, "grammar") or hs.names_parameter(line, "max_length"), line
    assert snapshot(out) == previous
    sb.assert_untouched(before, out)


def test_f_a_deep_self_recursive_grammar_fails_with_the_grammars_own_message(sb: Sandbox) -> None:
    path = _grammar_file(sb, {"origin": ["#origin#x"]})
    before = sb.snapshot()
    res = sb.run(
        "generate", "narrative.grammar", "--set", f"grammar={path}", "--set", "max_depth=500",
        "--set", "count=1", "-o", sb.out(), "--quiet", timeout=FAST,
    )  # fmt: skip
    assert res.code in (1, 2), res.describe()
    line = assert_one_error(res, res.code)
    assert "RecursionError" not in line and "recursion depth" not in line, line
    assert "500" in line and "deep" in line.lower(), line
    sb.assert_untouched(before, sb.out())


# ============================================================================================ G. exit codes


def test_g_a_count_parameter_with_variations_is_valid(sb: Sandbox) -> None:
    out = sb.out()
    before = sb.snapshot()
    res = sb.run("generate", "narrative.grammar", "--set", "count=2", "--variations", "2", "-o", out, "--quiet")
    assert res.code == 0, res.describe()
    assert_valid_variations(out, 2)
    sb.assert_untouched_except(before, out)


SHADOWING = ["seed", "asset_id", "out", "profile", "name", "params"]


@pytest.mark.parametrize("key", SHADOWING)
def test_g_a_set_that_names_an_api_argument_is_an_unknown_parameter(
    sb: Sandbox, prebuilt: Callable[[str, Path], Path], key: str
) -> None:
    out = prebuilt("grammar", sb.out())
    previous = snapshot(out)
    before = sb.snapshot()
    value = "5" if key == "seed" else "x"
    res = sb.run("generate", "narrative.grammar", "--set", "count=3", "--set", f"{key}={value}", "-o", out, "--quiet")
    line = assert_one_error(res, 2)
    assert hs.names_parameter(line, key), line
    assert snapshot(out) == previous
    for folder in (sb.cwd / "x", out / "x", sb.outs / "x"):
        assert not folder.exists(), folder
    sb.assert_untouched(before, out)


@pytest.mark.parametrize(
    "generator, key, value",
    [("texture.material", "size", "true"), ("character.sheet", "level", "true"), ("narrative.grammar", "count", '"2"')],
    ids=["size=true", "level=true", 'count="2"'],
)
def test_g_a_boolean_or_string_is_not_an_integer(
    sb: Sandbox, prebuilt: Callable[[str, Path], Path], generator: str, key: str, value: str
) -> None:
    out = prebuilt("grammar", sb.out())
    previous = snapshot(out)
    res = sb.run("generate", generator, "--set", f"{key}={value}", "-o", out, "--quiet")
    line = assert_one_error(res, 2)
    assert hs.names_parameter(line, key), line
    assert snapshot(out) == previous


def test_g_an_unknown_profile_exits_2_listing_the_profiles(sb: Sandbox, prebuilt: Callable[[str, Path], Path]) -> None:
    out = prebuilt("grammar", sb.out())
    previous = snapshot(out)
    res = sb.run("generate", "narrative.grammar", "--profile", "bogus", "-o", out, "--quiet")
    assert_one_error(res, 2, "bogus", "generic", "unity", "unreal", "godot")
    assert snapshot(out) == previous


def test_g_asset_names_differing_only_in_case_exit_2(sb: Sandbox, prebuilt: Callable[[str, Path], Path]) -> None:
    recipe = sb.recipe(
        """
        name = "case"
        [[asset]]
        name = "Hero"
        generator = "narrative.grammar"
        params = { count = 1 }

        [[asset]]
        name = "hero"
        generator = "narrative.grammar"
        params = { count = 2 }
        """
    )
    out = prebuilt("grammar", sb.out())
    previous = snapshot(out)
    before = sb.snapshot()
    res = sb.run("build", recipe, "-o", out)
    line = assert_one_error(res, 2, progress=True)
    assert "hero" in line.lower(), line
    assert snapshot(out) == previous
    sb.assert_untouched(before, out)


# ============================================================================================ H. every parameter


def _generators() -> list[type[gamegen.Generator]]:
    gamegen.registry.load_entry_points()
    return list(gamegen.registry.list())


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = {**root.get("$defs", {})[name], **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _options(schema: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives a property accepts (anyOf/oneOf flattened, null left out)."""
    schema = _resolve(schema, root)
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        return [o for a in alternatives for o in _options(a, root)]
    return [] if schema.get("type") == "null" else [schema]


def _rejects(schema: dict[str, Any], root: dict[str, Any], value: Any) -> bool:
    import jsonschema

    full = {**schema, "$defs": root.get("$defs", {})}
    return not jsonschema.Draft202012Validator(full).is_valid(value)


def _edge(option: dict[str, Any], side: str) -> Any:
    """A value just past an option's lower (``below``) or upper (``above``) bound, or None if it has none."""
    integer = option.get("type") == "integer"
    step = 1 if integer else 0.001
    if side == "below":
        if "exclusiveMinimum" in option:
            return option["exclusiveMinimum"]
        if "minimum" in option:
            return option["minimum"] - step
    else:
        if "exclusiveMaximum" in option:
            return option["exclusiveMaximum"]
        if "maximum" in option:
            return option["maximum"] + step
    return None


def _wrong_type(schema: dict[str, Any], root: dict[str, Any]) -> Any:
    options = _options(schema, root)
    types = {o.get("type") for o in options}
    enums = [o for o in options if "enum" in o or "const" in o]
    plain_strings = [o for o in options if o.get("type") == "string" and "enum" not in o and "const" not in o]
    preferred: list[Any] = []
    if "boolean" in types:
        preferred.append({"not": "a boolean"})
    if types & {"integer", "number"}:
        preferred.append("notanumber")
    if enums and not plain_strings:
        preferred.append("not-one-of-the-choices")
    if plain_strings:
        preferred.append(12345)
    for value in [*preferred, "notanumber", 12345, {"not": "valid"}, [[1, 2]], 0.5]:
        if _rejects(schema, root, value):
            return value
    return None


def _bad_sets() -> dict[str, dict[str, dict[str, Any]]]:
    """Generator → set name → {parameter: bad value}; sets with no parameter are left out."""
    sets: dict[str, dict[str, dict[str, Any]]] = {}
    for gen in _generators():
        root = gen.params.model_json_schema()
        below, above, wrong = {}, {}, {}
        for name, prop in root.get("properties", {}).items():
            for side, bucket in (("below", below), ("above", above)):
                for option in _options(prop, root):
                    value = _edge(option, side) if option.get("type") in ("integer", "number") else None
                    if value is not None and _rejects(prop, root, value):
                        bucket[name] = value
                        break
            value = _wrong_type(prop, root)
            if value is not None:
                wrong[name] = value
        found = {"below-minimum": below, "above-maximum": above, "wrong-type": wrong}
        found["unknown-parameter"] = {"definitely_not_a_parameter": 1}
        sets[gen.name] = {k: v for k, v in found.items() if v}
    return sets


BAD_SETS = _bad_sets()
H_CASES = [(gen, kind) for gen, kinds in BAD_SETS.items() for kind in kinds]


def _set_arg(name: str, value: Any) -> str:
    return f"{name}={value if isinstance(value, str) else json.dumps(value)}"


@pytest.fixture(scope="module")
def h_results(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], dict[str, Any]]:
    """Runs one generator's sets at once (in parallel) on first use; gives each set's result and the sandbox."""
    done: dict[str, dict[str, Any]] = {}

    def results(generator: str) -> dict[str, Any]:
        if generator not in done:
            box = Sandbox.create(tmp_path_factory.mktemp("h-" + generator.replace(".", "-")) / "sandbox")
            before = box.snapshot()
            procs = {}
            for kind, values in BAD_SETS[generator].items():
                sets = [a for n, v in values.items() for a in ("--set", _set_arg(n, v))]
                procs[kind] = box.start("generate", generator, *sets, "-o", box.out(kind), "--quiet")
            runs = {kind: hs.finish(proc, 60) for kind, proc in procs.items()}
            outs = [box.out(kind) for kind in runs]
            done[generator] = {"runs": runs, "changes": box.changes(before, box._prefixes(outs, whole=False))}
        return done[generator]

    return results


@pytest.mark.parametrize("generator, kind", H_CASES, ids=[f"{g}-{k}" for g, k in H_CASES])
def test_h_bad_values_exit_2_naming_every_parameter(
    h_results: Callable[[str], dict[str, Any]], generator: str, kind: str
) -> None:
    found = h_results(generator)
    res = found["runs"][kind]
    values = BAD_SETS[generator][kind]
    line = assert_one_error(res, 2)
    missing = [name for name in values if not hs.names_parameter(line, name)]
    assert not missing, f"the line does not name {missing} (sent {values})\n{line}"
    assert found["changes"] == [], found["changes"]


def test_h_covers_every_registered_generator() -> None:
    assert {g.name for g in _generators()} == set(BAD_SETS)
    assert {"texture.material", "narrative.grammar", "character.sheet"} <= set(BAD_SETS)


# ============================================================================================ I. full disk


def test_i_a_full_disk_fails_with_one_line_and_keeps_the_previous_bundle(sb: Sandbox) -> None:
    disk = sb.root / "disk"
    with hs.small_tmpfs(disk, "2m") as mounted:
        if not mounted:
            pytest.skip("needs root and a mountable tmpfs")
        out = disk / "OUT"
        first = sb.run("generate", "narrative.grammar", "--set", "count=3", "-o", out, "--quiet")
        assert first.code == 0, first.describe()
        assert_valid_bundle(out)
        previous = snapshot(out)
        before = sb.snapshot()
        res = sb.run("generate", "texture.material", "--set", "size=512", "-o", out, "--quiet")  # ~2.5 MB
        line = assert_one_error(res, 1)
        assert "space" in line.lower(), line
        assert snapshot(out) == previous, hs.diff(previous, snapshot(out))
        assert hs.leftovers(out) == [], hs.leftovers(out)
        sb.assert_untouched(before, out)


def test_support_children_start_under_the_memory_limit(sb: Sandbox) -> None:
    """numpy and numba import and run under the RLIMIT_AS the children get (else every test would lie)."""
    res = subprocess.run(
        [hs.GAMEGEN[0], "-c", "import numpy, numba\n@numba.njit\ndef f(x):\n    return x + 1\nprint(f(numpy.int64(1)))"],
        capture_output=True, text=True, timeout=120, preexec_fn=hs._limits(0o022, hs.MEMORY_LIMIT),
        cwd=sb.cwd, env=hs.child_env(sb.home),
    )  # fmt: skip
    assert res.returncode == 0 and res.stdout.strip() == "2", res.stderr
