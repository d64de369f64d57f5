"""The CLI: a thin shell whose exit codes and one-line errors build scripts can rely on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import gamegen
from gamegen.cli import main

PLUGIN = '''
import numpy as np
import gamegen
from gamegen import Field, Generator, Params


class DotsParams(Params):
    size: int = Field(32, ge=8, le=512, description="Width and height in pixels")
    crash: bool = Field(False, description="Fail on purpose")


class Dots(Generator):
    """Random dots for CLI tests."""

    name = "texture.dots"
    kind = "texture"
    version = "1.0.0"
    params = DotsParams

    def generate(self, params, ctx):
        if params.crash:
            raise ZeroDivisionError("the dots divided by zero")
        img = (ctx.rng.random((params.size, params.size, 3)) * 255).astype(np.uint8)
        return [gamegen.ImageAsset("dots", img)]
'''


@pytest.fixture
def dots(install_plugin):
    return install_plugin("dots-plugin", {"dots_plugin.py": PLUGIN}, {"dots": "dots_plugin:Dots"})


def test_list_and_json(dots):
    runner = CliRunner()
    res = runner.invoke(main, ["list"])
    assert res.exit_code == 0 and "texture.dots" in res.output
    rows = json.loads(runner.invoke(main, ["list", "--json", "--kind", "texture"]).output)
    assert {"name": "texture.dots", "kind": "texture", "version": "1.0.0"}.items() <= next(
        r for r in rows if r["name"] == "texture.dots"
    ).items()


def test_info_shows_defaults_ranges_and_descriptions(dots):
    res = CliRunner().invoke(main, ["info", "texture.dots"])
    assert res.exit_code == 0
    assert "size (integer, default 32)  [8 ≤ size ≤ 512]" in res.output
    assert "Width and height in pixels" in res.output
    schema = json.loads(CliRunner().invoke(main, ["info", "texture.dots", "--json"]).output)["schema"]
    assert schema["properties"]["size"]["maximum"] == 512


def test_generate_writes_a_bundle(dots, tmp_path):
    res = CliRunner().invoke(
        main, ["generate", "texture.dots", "-o", str(tmp_path / "b"), "--seed", "4", "--set", "size=16"]
    )
    assert res.exit_code == 0, res.output
    manifest = json.loads((tmp_path / "b/manifest.json").read_text())
    assert manifest["assets"][0]["params"]["size"] == 16 and manifest["assets"][0]["seed"] == 4


def test_variations(dots, tmp_path):
    res = CliRunner().invoke(
        main, ["generate", "texture.dots", "-o", str(tmp_path / "v"), "--variations", "4", "--quiet"]
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "v/contact_sheet.png").is_file() and (tmp_path / "v/seed-3/manifest.json").is_file()
    assert f"compare them in {tmp_path / 'v' / 'contact_sheet.png'}" in res.output


def test_param_error_exits_2_naming_parameter_and_range(dots, tmp_path):
    res = CliRunner().invoke(main, ["generate", "texture.dots", "-o", str(tmp_path / "b"), "--set", "size=4000"])
    assert res.exit_code == 2
    assert "size=4000" in res.output and "8 ≤ size ≤ 512" in res.output
    assert not (tmp_path / "b").exists()


def test_generation_error_exits_1_with_one_line(dots, tmp_path):
    res = CliRunner().invoke(main, ["generate", "texture.dots", "-o", str(tmp_path / "b"), "--set", "crash=true"])
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == [
        "error: texture.dots failed: ZeroDivisionError: the dots divided by zero"
    ]
    debug = CliRunner().invoke(
        main, ["--debug", "generate", "texture.dots", "-o", str(tmp_path / "b"), "--set", "crash=true"]
    )
    assert "Traceback" in debug.output


def test_unknown_generator_and_bad_set_syntax(dots, tmp_path):
    res = CliRunner().invoke(main, ["generate", "texture.dot", "-o", str(tmp_path / "b")])
    assert res.exit_code == 2 and "did you mean texture.dots" in res.output  # a bad name is bad input
    res = CliRunner().invoke(main, ["generate", "texture.dots", "-o", str(tmp_path / "b"), "--set", "size"])
    assert res.exit_code == 2 and "key=value" in res.output


def test_real_subprocess_generate_and_exit_codes(dots, tmp_path):
    cmd = [sys.executable, "-m", "gamegen"]
    ok = subprocess.run(
        cmd + ["generate", "texture.dots", "-o", str(tmp_path / "b"), "--set", "size=8"], capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    arr = np.asarray(__import__("PIL.Image", fromlist=["Image"]).open(tmp_path / "b/texture.dots/dots.png"))
    assert arr.shape == (8, 8, 3)
    bad = subprocess.run(
        cmd + ["generate", "texture.dots", "-o", str(tmp_path / "c"), "--set", "size=0"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error: texture.dots: size=0")
    version = subprocess.run(cmd + ["--version"], capture_output=True, text=True, check=True)
    assert gamegen.__version__ in version.stdout


@pytest.mark.parametrize("args", [["--help"], ["list"]])
def test_help_and_list_do_not_import_heavy_modules(args):
    code = (
        "import sys\nfrom gamegen.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'diffusers', 'transformers', 'numba', 'scipy') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "HEAVY []" in res.stderr, res.stderr


def test_progress_lines_off_a_terminal(capsys):
    from gamegen.cli.progress import progress_printer

    report = progress_printer("generate", line_interval=0.0)
    report(0, 0, "loading diffusers model m on cpu (float32)")
    report(1, 4, "step")
    report(4, 4, "done")
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "generate: loading diffusers model m on cpu (float32)"  # a message with no count
    assert lines[1].startswith("generate: 1/4  25.0%") and lines[-1].startswith("generate: 4/4 100.0%")
    quiet = progress_printer("generate", quiet=True)
    quiet(1, 2, "x")
    assert capsys.readouterr().err == ""


def test_throttled_progress_messages_are_merged_not_dropped(capsys):
    from gamegen.cli.progress import progress_printer

    report = progress_printer("build", line_interval=3600.0)
    report(0, 4, "building a, b")  # the first report prints at once
    report(1, 4, "a built")  # held back by the throttle...
    report(2, 4, "b built; building c")
    report(4, 4, "c built")  # ...and said with the last line
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["build: 0/4   0.0% building a, b", "build: 4/4 100.0% a built; b built; building c; c built"]


def test_usage_errors_and_unknown_names_are_one_line_exit_2(dots, tmp_path):
    runner = CliRunner()
    for args, needle in (
        (["generate", "texture.dotz", "-o", str(tmp_path / "o")], "unknown generator 'texture.dotz' (did you mean"),
        (["generate", "texture.dots", "-o", str(tmp_path / "o"), "--seed", "-1"], "Invalid value for '--seed'"),
        (["bogus"], "No such command 'bogus'"),
        (["generate", "texture.dots", "--set", "size"], "Missing option '-o'"),
    ):
        res = runner.invoke(main, args)
        lines = res.stderr.splitlines() if res.stderr_bytes else res.output.splitlines()
        assert res.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], res.output


def test_list_comes_from_its_cache_until_a_plugin_changes(dots, tmp_path):
    """A second ``gamegen list`` imports no plugin (nor numpy, nor pydantic); editing a plugin's file lists it anew."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    code = (
        "import sys\nfrom gamegen.cli import main\n"
        "try:\n    main(['list'])\nexcept SystemExit:\n    pass\n"
        "print('LOADED', [m for m in ('numpy', 'pydantic', 'dots_plugin') if m in sys.modules], file=sys.stderr)\n"
    )

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)

    first, second = run(), run()
    assert "texture.dots" in first.stdout and first.stdout == second.stdout
    assert "'dots_plugin'" in first.stderr and "LOADED []" in second.stderr
    plugin = next(p for p in sys.path if (Path(p) / "dots_plugin.py").is_file())
    source = Path(plugin) / "dots_plugin.py"
    source.write_text(source.read_text().replace("Random dots for CLI tests.", "Dots, edited in place."))
    assert "Dots, edited in place." in run().stdout
