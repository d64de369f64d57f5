"""The words of a text file without its markup: what a language model should learn from lore and dialogue.

Ink and Yarn Spinner scripts keep the lines people read, ``Speaker: line`` as written, and the choices' text; they
lose knots and node headers, choice and gather markers, ``->`` diverts (Yarn's ``->`` option marker is dropped but
its text kept), ``<<commands>>``, ``#tags``, ``{logic}``, ``~`` code, declarations, comments and Yarn's
``[b]markup[/b]``. Plain text and Markdown keep everything; every kind loses trailing spaces and outer blank lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["clean_ink", "clean_plain", "clean_yarn", "cleaner_for"]

_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_LINE_COMMENT = re.compile(r"//.*")
_TAG = re.compile(r"\s*#[^\]\n]*")
_INNER_BRACES = re.compile(r"\{[^{}]*\}")
_OPEN_BRACE = re.compile(r"\{.*$")
_SPACES = re.compile(r"\s+")
_INK_STATEMENT = re.compile(r"^(=|~|(VAR|CONST|INCLUDE|LIST|EXTERNAL|TODO)\b)")
_INK_BRANCH = re.compile(r"^-(?!>)[^:]*:$")  # `- else:` / `- x > 2:` inside a multi-line conditional
_INK_DIVERT = re.compile(r"(->->|->|<-)\s*[\w.]*(\([^)]*\))?")
_INK_MARKERS = re.compile(r"^(([*+]|-(?!>))\s*)+(\(\w+\)\s*)?")
_YARN_COMMAND = re.compile(r"<<.*?>>")
_YARN_OPTION = re.compile(r"^(->|=>)\s*")
_YARN_MARKUP = re.compile(r"\[/?[A-Za-z_][^\[\]]*\]|\[/\]")


def clean_plain(text: str) -> str:
    """``text`` with Unix newlines, no trailing spaces and no blank lines at either end."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def _without_logic(line: str) -> str:
    """``line`` without ``#tags`` and ``{...}`` (nested braces too, and a block opened but not closed on it)."""
    line = _TAG.sub("", line)
    while (stripped := _INNER_BRACES.sub("", line)) != line:
        line = stripped
    return _OPEN_BRACE.sub("", line).replace("}", "")


def clean_ink(script: str) -> str:
    """The readable lines of an Ink script (see the module's description)."""
    kept: list[str] = []
    for raw in _BLOCK_COMMENT.sub("", clean_plain(script)).split("\n"):
        line = _LINE_COMMENT.sub("", raw).strip()
        if not line or _INK_STATEMENT.match(line) or _INK_BRANCH.match(line):
            continue
        line = _INK_MARKERS.sub("", _INK_DIVERT.sub("", _without_logic(line)))
        line = _SPACES.sub(" ", line.replace("<>", "").replace("[", "").replace("]", "")).strip()
        if line:
            kept.append(line)
    return "\n".join(kept)


def clean_yarn(script: str) -> str:
    """The readable lines of a Yarn Spinner script's node bodies (see the module's description)."""
    kept: list[str] = []
    in_body = False
    for raw in _BLOCK_COMMENT.sub("", clean_plain(script)).split("\n"):
        line = _LINE_COMMENT.sub("", raw).strip()
        if line in ("---", "==="):
            in_body = line == "---"
            continue
        if not in_body:
            continue
        line = _YARN_OPTION.sub("", _without_logic(_YARN_COMMAND.sub("", line)))
        line = _SPACES.sub(" ", _YARN_MARKUP.sub("", line)).strip()
        if line:
            kept.append(line)
    return "\n".join(kept)


def cleaner_for(suffix: str) -> Callable[[str], str]:
    """The cleaner for a file suffix (``.ink``, ``.yarn``; anything else is plain text)."""
    return {".ink": clean_ink, ".yarn": clean_yarn}.get(suffix.lower(), clean_plain)
