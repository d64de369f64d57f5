"""Ink dialects: ink 1.1+ (line ids as tags inside choice brackets, the default) and ink 1.0 (``ink_version="1.0"``).

inkjs in tools/js implements ink 1.1+ (inkjs 2.2 is ink 1.1.1, 2.3 is ink 1.2; its story format is version 21),
so it compiles and plays both dialects. Ink 1.0's compiler (inklecate 1.0 = inkjs 2.0/2.1) rejects tags inside
choice brackets; when tools/js also has it (npm alias ``inkjs-ink1.0`` of ``inkjs@2.1.0``) the 1.0 files are
compiled with it too.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from jstools import JS, _node
from narrative_quests import line_states
from narrative_yarn import play_dialogue

import gamegen
from gamegen.narrative.dialogue.graph import Dialogue
from gamegen.narrative.dialogue.ink import to_ink
from gamegen.narrative.quest.questline import QuestLine

INK_1_0 = JS / "node_modules" / "inkjs-ink1.0"


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, Path]:
    """The same quest line (seed 11: one giver has two quests) written in both ink dialects."""
    root = tmp_path_factory.mktemp("ink")
    for version in ("1.1", "1.0"):
        gamegen.generate("narrative.quest", seed=11, chain_length=4, ink_version=version, out=root / version)
    return {v: root / v / "narrative.quest" for v in ("1.1", "1.0")}


def choice_lines(source: str) -> list[str]:
    return [row for row in source.splitlines() if row.startswith("+ ")]


def bracketed(row: str) -> list[str]:
    """The text between unescaped ``[`` and ``]`` on a line of ink."""
    return re.findall(r"(?<!\\)\[((?:\\.|[^\]\\])*)\]", row)


def test_inkjs_in_tools_implements_ink_1_1_or_later():
    _node("inkjs")
    version = json.loads((JS / "node_modules" / "inkjs" / "package.json").read_text())["version"]
    assert tuple(map(int, version.split(".")[:2])) >= (2, 2), version  # inkjs 2.2 = ink 1.1.1


def test_every_ink_file_states_its_ink_version(bundles):
    for version, folder in bundles.items():
        for path in folder.glob("*.ink"):
            first = path.read_text().splitlines()[0]
            assert first.startswith("// ") and f"ink {version}" in first
    d = gamegen.generate("narrative.dialogue", seed=3, ink_version="1.0")[0]
    assert to_ink(d.dialogue, "1.0").startswith("// Written for ink 1.0") and d.ink_version == "1.0"
    assert d.preview_text() == to_ink(d.dialogue, "1.0")


def test_ink_1_0_files_have_no_tags_in_choice_brackets_and_keep_every_line_id(bundles):
    for path in sorted(bundles["1.0"].glob("*.ink")):
        source = path.read_text()
        rows = choice_lines(source)
        assert rows and all("#" not in inner for row in rows for inner in bracketed(row)), rows
        table = path.with_suffix(".strings.csv").read_text().splitlines()[1:]
        ids = [row.split(",")[1] for row in table]
        assert ids and all(f"#{line_id}" in source for line_id in ids)  # the string table still matches
        # only the .ink differs between the dialects: Yarn, strings and the graph are the same files
        for suffix in (".yarn", ".strings.csv", ".json"):
            other = bundles["1.1"] / path.with_suffix(suffix).name
            assert other.read_bytes() == path.with_suffix(suffix).read_bytes()
    assert all(
        any("#line:" in inner for inner in bracketed(row))
        for p in bundles["1.1"].glob("*.ink")
        for row in choice_lines(p.read_text())
    )


@pytest.mark.parametrize("version", ["1.1", "1.0"])
def test_both_dialects_compile_and_play_every_path_in_inkjs(bundles, version, tmp_path):
    folder = bundles[version]
    line = QuestLine.model_validate_json((folder / "questline.json").read_text())
    manifest = json.loads((folder.parent / "manifest.json").read_text())
    metas = [f["meta"] for a in manifest["assets"] for f in a["files"] if f["path"].endswith(".ink")]
    assert metas and all(m["ink_version"] == version for m in metas)
    for path in sorted(folder.glob("dialogue_*.json")):
        d = Dialogue.model_validate_json(path.read_text())
        if len(d.quests) < 2 and version == "1.0":
            continue  # the 1.0 dialect's plays: the giver with two quests (the other files differ only in words)
        assert to_ink(d, version) == path.with_suffix(".ink").read_text()
        ink, yarn = play_dialogue(d, tmp_path, line_states(d, line), version)
        assert [r["paths"] for r in ink] == [r["paths"] for r in yarn]


@pytest.mark.skipif(not INK_1_0.is_dir(), reason="ink 1.0's compiler not in tools/js (npm alias inkjs-ink1.0)")
def test_ink_1_0_compiler_accepts_the_1_0_dialect_and_rejects_the_1_1_one(bundles):
    script = (
        "const fs=require('fs');const {Compiler}=require(process.argv[1]);const out={};"
        "for (const f of process.argv.slice(2)) { const e=[];"
        "try { const c=new Compiler(fs.readFileSync(f,'utf8'),{errorHandler:(m,t)=>{if(t===2)e.push(m);}});"
        "c.Compile(); } catch (x) { e.push(String(x)); } out[f]=e; }"
        "console.log(JSON.stringify(out));"
    )
    compiler = str(INK_1_0 / "dist" / "ink-full.js")
    for version, ok in (("1.0", True), ("1.1", False)):
        files = [str(p) for p in sorted(bundles[version].glob("*.ink"))]
        proc = subprocess.run([_node(), "-e", script, compiler, *files], capture_output=True, text=True, timeout=120)
        errors = json.loads(proc.stdout)
        assert all((errors[f] == []) == ok for f in files), errors
