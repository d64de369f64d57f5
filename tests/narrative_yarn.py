"""Dialogue format checks: a structural Yarn Spinner 2 checker, and plays through the real runtimes.

:func:`check_yarn` checks what a Yarn compiler would reject or what would break localisation: node headers and
titles, ``---``/``===`` pairs, jumps to existing nodes, balanced ``<<if>>``/``<<endif>>``, declared variables,
indented option bodies, a ``#line:`` id on every line and option (unique), and a strings CSV (Yarn Spinner for
Unity's columns, with each text's SHA-256 lock) whose rows match those lines exactly. :func:`play_dialogue`
compiles the Ink with inkjs and parses the Yarn with bondage.js, plays every path of both under each variable
state a game may set, and compares what they show with the graph.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jstools import play_ink, play_yarn

from gamegen.narrative.dialogue.graph import Dialogue
from gamegen.narrative.dialogue.ink import to_ink
from gamegen.narrative.dialogue.yarn import string_table, to_yarn

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
LINE_TAG = re.compile(r" #line:([A-Za-z0-9_]+)$")
COMMAND = re.compile(r"<<(.*?)>>")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _blank_escapes(text: str) -> str:
    return re.sub(r"\\.", "__", text)


def check_yarn(source: str, table: str, file: str, external: Iterable[str] = ()) -> dict[str, dict[str, str]]:
    """Raise AssertionError on any structural problem; return ``{line_id: {"text", "node", "line"}}``.

    ``external`` variables may be used undeclared (another file of the Yarn project declares them)."""
    rows = source.split("\n")
    assert rows[-1] == "", "file must end with a newline"
    nodes: dict[str, list[tuple[int, str]]] = {}
    i = 0
    while i < len(rows) - 1:
        headers = {}
        while rows[i] != "---":
            key, sep, value = rows[i].partition(":")
            assert sep and IDENT.fullmatch(key), f"line {i + 1}: bad header {rows[i]!r}"
            headers[key] = value.strip()
            i += 1
        title = headers.get("title", "")
        assert IDENT.fullmatch(title) and title not in nodes, f"bad or repeated title {title!r}"
        i += 1
        body = []
        while rows[i] != "===":
            body.append((i + 1, rows[i]))
            i += 1
        nodes[title] = body
        i += 1
    declared = {
        m
        for _, text in (x for b in nodes.values() for x in b)
        for m in re.findall(r"<<declare \$(\w+) = (?:true|false|-?\d+)>>", text)
    }
    lines: dict[str, dict[str, str]] = {}
    for title, body in nodes.items():
        depth, option_indent = 0, None
        for number, raw in body:
            clean = _blank_escapes(raw)
            indent = len(raw) - len(raw.lstrip(" "))
            assert "\t" not in raw[:indent], f"{file}:{number}: tabs in indentation"
            for var in re.findall(r"\$(\w+)", " ".join(COMMAND.findall(clean))):
                assert var in declared or var in external, f"{file}:{number}: ${var} is not declared"
                assert not (var in declared and var in external), f"{file}: ${var} is external but declared here"
            commands = COMMAND.findall(clean)
            for cmd in commands:
                word, _, rest = cmd.partition(" ")
                assert word in ("jump", "set", "declare", "if", "endif", "else", "elseif"), (
                    f"{file}:{number}: <<{cmd}>>"
                )
                if word == "jump":
                    assert rest in nodes, f"{file}:{number}: jump to missing node {rest!r}"
                depth += (word == "if" and not clean.lstrip().startswith("->")) - (word == "endif")
                if word == "set":
                    assert re.fullmatch(r"\$\w+ to .+", rest), f"{file}:{number}: bad set {rest!r}"
            if option_indent is not None and indent <= option_indent and raw.strip():
                option_indent = None
            if clean.lstrip().startswith("->"):
                option_indent = indent
                tag = LINE_TAG.search(raw)
                assert tag, f"{file}:{number}: option without #line: id"
                text = re.sub(r" <<if [^>]*>>$", "", raw[: tag.start()].lstrip()[3:])
                lines[f"line:{tag.group(1)}"] = {"text": _unescape(text), "node": title, "line": str(number)}
            elif commands and COMMAND.sub("", clean).strip() == "":
                assert option_indent is None or indent > option_indent or commands[0] in ("if", "endif")
            elif raw.strip():
                tag = LINE_TAG.search(raw)
                assert tag, f"{file}:{number}: line without #line: id: {raw!r}"
                lines[f"line:{tag.group(1)}"] = {
                    "text": _unescape(raw[: tag.start()].strip()),
                    "node": title,
                    "line": str(number),
                }
        assert depth == 0, f"{file}: node {title}: <<if>> without <<endif>>"
    ids = [m for m in re.findall(r"#line:([A-Za-z0-9_]+)", source)]
    assert len(ids) == len(set(ids)), "duplicate #line: ids"
    reader = list(csv.reader(io.StringIO(table)))
    assert reader[0] == ["language", "id", "text", "file", "node", "lineNumber", "lock", "comment"]
    assert {r[1] for r in reader[1:]} == set(lines) and len(reader) - 1 == len(lines)
    for language, line_id, text, name, node, number, lock, comment in reader[1:]:
        assert name == file and {"text": text, "node": node, "line": number} == lines[line_id], line_id
        assert (language, lock, comment) == ("en", hashlib.sha256(text.encode()).hexdigest()[:8], "")
    return lines


def graph_lines(d: Dialogue) -> dict[str, str]:
    """What a runtime should show for each line id: ``Speaker: text`` for lines, the text for choices."""
    lines = {f"line:{x.id}": " ".join(f"{x.speaker}: {x.text}".split()) for n in d.nodes for x in n.lines}
    return lines | {f"line:{c.id}": " ".join(c.text.split()) for n in d.nodes for c in n.choices}


def play_dialogue(
    d: Dialogue, folder: Path, states: list[dict[str, Any]], ink_version: str = "1.1"
) -> tuple[list[dict], list[dict]]:
    """Play ``d`` as Ink (inkjs, in the ``ink_version`` dialect) and Yarn (bondage.js) once per variable state;
    every run must end cleanly and show each line as the graph has it; over all states every node and line id
    must show. In the ink 1.0 dialect choices carry no tags: their menu texts are the only untagged output, and
    each id shows on the line a picked choice prints. Returns the reports."""
    expected = graph_lines(d)
    yarn, entries = to_yarn(d)
    yarn_path = folder / f"{d.id}.yarn"
    yarn_path.write_text(yarn)
    check_yarn(yarn, string_table(entries, yarn_path.name), yarn_path.name, d.external)
    assert {e.id: e.text for e in entries} == expected  # the strings CSV holds what the runtimes show
    inks, yarns = [], []
    for i, state in enumerate(states):
        ink_path = folder / f"{d.id}_{i}.ink"
        ink_path.write_text(to_ink(d.model_copy(update={"variables": {**d.variables, **state}}), ink_version))
        inks.append(play_ink(ink_path))
        yarns.append(play_yarn(yarn_path, d.start, state))
    menu = {" ".join(c.text.split()) for n in d.nodes for c in n.choices}
    for report in (*inks, *yarns):
        untagged_ok = (
            set(report["untagged"]) <= menu if ink_version == "1.0" and report in inks else not report["untagged"]
        )
        assert report["errors"] == [] and report["stuck"] == [] and untagged_ok, report
        assert report.get("warnings", []) == [] and report.get("commands", []) == [], report
        assert report["paths"] > 0 and {k: expected[k] for k in report["lines"]} == report["lines"]
    for reports in (inks, yarns):
        assert set().union(*(r["lines"] for r in reports)) == set(expected)
    assert set().union(*(r["visited"] for r in yarns)) == {n.id for n in d.nodes}
    return inks, yarns
