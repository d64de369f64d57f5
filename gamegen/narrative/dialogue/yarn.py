"""Yarn Spinner 2 source for a dialogue graph, and its string table for localisation.

One node per graph node (``title:``, ``---``, body, ``===``); lines ``Speaker: text #line:<id>`` (a
``select: "first"`` node's lines in one ``<<if>>``/``<<elseif>>``/``<<else>>`` chain); options
``-> text <<if cond>> #line:<id>`` with indented ``<<set>>``/``<<jump>>`` bodies; ``<<declare>>`` in the start
node for every variable but the external ones (a Yarn project declares each variable once; another giver's
file declares those). The string table is Yarn Spinner for Unity's strings CSV
(``language,id,text,file,node,lineNumber,lock,comment``; ``lock`` is the first 8 hex digits of the text's SHA-256,
which tells translators when a line changed), so it imports as a base localisation and seeds translations.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass

from .graph import Dialogue, Effect, one_line, value_text

__all__ = ["StringEntry", "to_yarn", "string_table"]

_SPECIAL = re.compile(r"([\\{}\[\]#<>/])")


@dataclass(frozen=True)
class StringEntry:
    """One localisable line: its id (``line:…``), text as shown, node and 1-based line number in the file."""

    id: str
    text: str
    node: str
    line_number: int


def _text(text: str) -> str:
    return one_line(text, _SPECIAL)


def _effect(e: Effect) -> str:
    return f"<<set ${e.var} to {e.new_value('$')}>>"


def to_yarn(d: Dialogue) -> tuple[str, list[StringEntry]]:
    """The Yarn source for ``d`` and the entries of its string table (in file order)."""
    out: list[str] = []
    entries: list[StringEntry] = []

    def line(text: str, entry: tuple[str, str, str] | None = None) -> None:
        out.append(text)
        if entry is not None:
            entries.append(StringEntry(f"line:{entry[0]}", " ".join(entry[1].split()), entry[2], len(out)))

    for n in d.nodes:
        line(f"title: {n.id}")
        line("---")
        if n.id == d.start:
            for name, value in d.declarations().items():
                if name not in d.external:
                    line(f"<<declare ${name} = {value_text(value)}>>")
        for e in n.effects:
            line(_effect(e))
        chain = n.select == "first" and bool(n.lines) and n.lines[0].condition is not None
        for i, ln in enumerate(n.lines):
            if chain:
                opener = "if" if i == 0 else "elseif"
                line(f"<<{opener} {ln.condition.expression('$')}>>" if ln.condition else "<<else>>")
            elif ln.condition:
                line(f"<<if {ln.condition.expression('$')}>>")
            line(f"{_text(ln.speaker)}: {_text(ln.text)} #line:{ln.id}", (ln.id, f"{ln.speaker}: {ln.text}", n.id))
            if ln.condition and not chain:
                line("<<endif>>")
            if n.select == "first" and ln.condition is None:
                break
        if chain:
            line("<<endif>>")
        for c in n.choices:
            guard = f" <<if {c.condition.expression('$')}>>" if c.condition else ""
            line(f"-> {_text(c.text)}{guard} #line:{c.id}", (c.id, c.text, n.id))
            for e in c.effects:
                line(f"    {_effect(e)}")
            line(f"    <<jump {c.target}>>")
        if not n.choices and n.next:
            line(f"<<jump {n.next}>>")
        line("===")
    return "\n".join(out) + "\n", entries


def string_table(entries: list[StringEntry], file: str, language: str = "en") -> str:
    """Yarn Spinner's strings CSV for the lines of ``file`` in ``language`` (gamegen's grammars write English)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["language", "id", "text", "file", "node", "lineNumber", "lock", "comment"])
    writer.writerows(
        [language, e.id, e.text, file, e.node, e.line_number, hashlib.sha256(e.text.encode()).hexdigest()[:8], ""]
        for e in entries
    )
    return buf.getvalue()
