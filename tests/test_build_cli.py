"""``gamegen build`` in real processes: output modes, exit codes, SIGKILL mid-build, two builds at once."""

from __future__ import annotations

import hashlib
import json
import os
import pty
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import build_gens
import pytest
from build_gens import tree


@pytest.fixture(autouse=True)
def plugin(install_plugin):
    """The test generators as an installed plugin, visible to ``gamegen`` subprocesses."""
    install_plugin(
        "buildtest-gens", {"build_gens.py": Path(build_gens.__file__).read_text()}, {"buildtest": "build_gens"}
    )


def write_recipe(folder: Path, count: int = 3, sleep: float = 0.0, fail: bool = False, gate: str = "") -> Path:
    path = folder / "gamegen.toml"
    path.write_text(
        f'name = "cli"\nseed = 5\n\n[[asset]]\nname = "rock"\ngenerator = "buildtest.speckle"\nvariations = {count}\n'
        f"params = {{ sleep = {sleep}, fail = {str(fail).lower()}{f', gate = {json.dumps(gate)}' if gate else ''} }}\n\n"
        '[[asset]]\nname = "world"\ngenerator = "buildtest.tile"\nmatrix = { tile_x = [0, 1] }\n'
    )
    return path


def gamegen(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run ``gamegen build`` with ``args``; stderr keeps only its own lines (not other plugins' load warnings)."""
    res = subprocess.run([sys.executable, "-m", "gamegen", "build", *map(str, args)], capture_output=True, text=True)
    res.stderr = "".join(line for line in res.stderr.splitlines(keepends=True) if not line.startswith("warning: "))
    return res


def start(*args: str | Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "gamegen", "build", *map(str, args)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "v2" / "entries").glob("*/*"))


def assert_whole(cache: Path) -> None:
    """Every cache entry's files exist and match the sha256 and size in its manifest entry."""
    for folder in entries(cache):
        entry = json.loads((folder / "entry.json").read_text())
        for record in entry["files"]:
            data = (folder / "files" / record["path"].removeprefix(entry["id"] + "/")).read_bytes()
            assert hashlib.sha256(data).hexdigest() == record["sha256"] and len(data) == record["bytes"], folder


def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_json_mode_prints_only_the_report_and_a_rebuild_is_cached(tmp_path):
    recipe = write_recipe(tmp_path)
    first = gamegen(recipe, "-o", tmp_path / "out", "--json")
    assert first.returncode == 0 and first.stderr == ""
    report = json.loads(first.stdout)
    assert report["ok"] and report["counts"] == {"built": 5, "cached": 0, "failed": 0, "cancelled": 0}
    assert (tmp_path / ".gamegen-cache").is_dir()  # the default cache sits beside the recipe
    second = json.loads(gamegen(recipe, "-o", tmp_path / "out", "--json").stdout)
    assert second["counts"]["cached"] == 5 and [a["status"] for a in second["assets"]] == ["cached"] * 5
    forced = json.loads(gamegen(recipe, "-o", tmp_path / "out", "--json", "--force", "--only", "world").stdout)
    assert [(a["id"], a["status"]) for a in forced["assets"]] == [("world-0", "built"), ("world-1", "built")]


def test_plain_lines_off_a_terminal(tmp_path):
    res = gamegen(write_recipe(tmp_path), "-o", tmp_path / "out", "--jobs", "2", "--only", "rock-1,world")
    assert res.returncode == 0
    lines = res.stderr.splitlines()
    assert lines[0].startswith("build: 0/3   0.0% 0 cached, 3 to build; building ")
    counts = [int(line.split()[1].split("/")[0]) for line in lines]  # two jobs ending at once may share a line
    assert counts[0] == 0 and counts[-1] == 3 and counts == sorted(counts)
    said = "; ".join(line.split("% ", 1)[1] for line in lines)
    assert sorted(re.findall(r"([\w-]+) built", said)) == ["rock-1", "world-0", "world-1"]
    assert sorted(re.findall(r"building ([\w, -]+)", said)[0].split(", ")) == ["rock-1", "world-0"]
    assert res.stdout.startswith(f"built 3, cached 0 of 3 assets into {tmp_path / 'out'} in ")


def test_a_progress_bar_on_a_terminal(tmp_path):
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gamegen", "build", str(write_recipe(tmp_path, sleep=0.2)), "-o", str(tmp_path / "out")],
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    proc.wait(timeout=60)
    os.close(follower)
    drawn = os.read(leader, 65536).decode()
    os.close(leader)
    assert proc.returncode == 0
    assert "\r\x1b[2Kbuild: 0/5   0.0% 0 cached, 5 to build; building rock-1" in drawn  # the asset running now
    assert "\r\x1b[2Kbuild: 1/5  20.0% ETA " in drawn and "rock-1 built; building rock-2" in drawn
    assert drawn.endswith("world-1 built\r\n") and drawn.rsplit("\x1b[2K", 1)[1].startswith("build: 5/5 100.0%")


def test_recipe_problems_exit_2_one_line_each(tmp_path):
    recipe = tmp_path / "gamegen.toml"
    recipe.write_text(
        'name = "bad"\n\n[[asset]]\nname = "a"\ngenerator = "buildtest.nope"\n\n[[asset]]\nname = "b"\ngenerator = "buildtest.speckle"\nparams = { size = 1 }\n'
    )
    res = gamegen(recipe, "-o", tmp_path / "out")
    assert res.returncode == 2 and res.stdout == "" and not (tmp_path / "out").exists()
    unknown, bad_size = res.stderr.splitlines()
    assert unknown.startswith(f"error: {recipe}:5: asset 'a': unknown generator 'buildtest.nope' (did you mean ")
    assert bad_size == (
        f"error: {recipe}:10: asset 'b': buildtest.speckle: size=1: input should be greater than or equal to 4 "
        "(allowed: 4 ≤ size ≤ 256)"
    )
    as_json = json.loads(gamegen(recipe, "-o", tmp_path / "out", "--json").stdout)
    assert as_json["ok"] is False and len(as_json["problems"]) == 2


def test_a_failed_asset_exits_1_with_one_line_and_keeps_the_bundle(tmp_path):
    assert gamegen(write_recipe(tmp_path), "-o", tmp_path / "out").returncode == 0
    before = tree(tmp_path / "out")
    res = gamegen(write_recipe(tmp_path, fail=True), "-o", tmp_path / "out", "--keep-going")
    assert res.returncode == 1 and tree(tmp_path / "out") == before
    (line,) = [line for line in res.stderr.splitlines() if line.startswith("error:")]
    assert line.startswith(
        "error: 3 of 5 assets failed (rock-1: buildtest.speckle failed: RuntimeError: the speckles caught fire;"
    )
    report = json.loads(gamegen(write_recipe(tmp_path, fail=True), "-o", tmp_path / "out", "--json").stdout)
    assert report["ok"] is False and report["counts"]["failed"] == 1 and report["counts"]["cached"] == 2


def test_sigkill_mid_build_leaves_the_previous_bundle_and_only_whole_cache_entries(tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert gamegen(write_recipe(tmp_path, count=1), "-o", out, "--cache", cache).returncode == 0
    before = tree(out)
    recipe = write_recipe(tmp_path, count=6, sleep=0.3)
    for new_entries in (1, 3):
        known = len(entries(cache))
        proc = start(recipe, "-o", out, "--cache", cache)
        wait_until(lambda n=known + new_entries: len(entries(cache)) >= n)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert tree(out) == before
        assert_whole(cache)
    report = json.loads(gamegen(recipe, "-o", out, "--cache", cache, "--json").stdout)
    assert report["ok"] and report["counts"]["cached"] >= 4
    assert not list(tmp_path.glob(".out.gamegen-tmp-*"))


def test_two_builds_of_one_output_never_interleave(tmp_path):
    gate = tmp_path / "gate"
    recipe, out = write_recipe(tmp_path, count=4, gate=str(gate)), tmp_path / "out"
    lock = tmp_path / ".out.gamegen-lock"
    first = start(recipe, "-o", out, "--json")  # holds the lock until the gate opens
    wait_until(lambda: lock.is_file() and lock.read_text() == f"{first.pid}\n")
    second = start(recipe, "-o", out, "--json")
    impatient = gamegen(recipe, "-o", out, "--lock-timeout", "0")
    gate.touch()
    assert impatient.returncode == 1
    assert (
        impatient.stderr.strip()
        == f"error: another gamegen run (pid {first.pid}) is writing {out}; gave up after 0 s (wait for it, or raise the lock timeout)"
    )
    first_out, _ = first.communicate(timeout=60)
    second_out, _ = second.communicate(timeout=60)
    assert json.loads(first_out)["counts"]["built"] == 6
    assert json.loads(second_out)["counts"]["cached"] == 6
    manifest = json.loads((out / "manifest.json").read_text())
    files = {f["path"]: f["sha256"] for a in manifest["assets"] for f in a["files"]}
    assert {k: v for k, v in tree(out).items() if k != "manifest.json"} == files
