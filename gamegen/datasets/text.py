"""Texts: ``.txt``, ``.md``, ``.ink`` and ``.yarn`` files one item each, ``.jsonl`` one item per line.

A ``.jsonl`` line is an object with a string ``text`` (optionally ``license`` and ``source``); its id is
``file.jsonl#N`` (N counts lines from 1). Scripts are cleaned of markup (:mod:`gamegen.datasets.markup`); a file
that is not UTF-8, a line that is not such an object, or a text that is empty once cleaned is a problem.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePosixPath

from .duplicates import text_signature
from .items import DataProblem, DatasetItem, Loaded
from .markup import clean_plain, cleaner_for
from .reading import MAX_TEXT_BYTES, Unreadable, read_text
from .scan import Scan

__all__ = ["TEXT_SUFFIXES", "load_texts"]

TEXT_SUFFIXES = frozenset({".txt", ".md", ".jsonl", ".ink", ".yarn"})


def load_texts(scan: Scan) -> Loaded:
    """Every text of the folder's text files, cleaned; sha256 is of the cleaned text's UTF-8."""
    found = Loaded()
    for rel in scan.suffixed(TEXT_SUFFIXES):
        try:
            content = read_text(scan.root / rel, MAX_TEXT_BYTES)
        except Unreadable as exc:
            found.problems.append(DataProblem(rel, str(exc)))
            continue
        suffix = PurePosixPath(rel).suffix.lower()
        if suffix == ".jsonl":
            _add_lines(found, rel, content)
        else:
            _add(found, rel, rel, cleaner_for(suffix)(content), None, None)
    return found


def _add_lines(found: Loaded, rel: str, content: str) -> None:
    """One item per non-blank line of a ``.jsonl`` file."""
    for number, line in enumerate(content.split("\n"), 1):  # not splitlines(): JSON may hold a raw U+2028
        if not line.strip():
            continue
        where = f"{rel}:{number}"
        try:
            doc = json.loads(line)
        except (ValueError, RecursionError) as exc:
            found.problems.append(DataProblem(where, f"not a JSON line ({exc})"))
            continue
        fields = [doc.get(key) for key in ("text", "license", "source")] if isinstance(doc, dict) else [None]
        if not isinstance(fields[0], str) or not all(f is None or isinstance(f, str) for f in fields[1:]):
            found.problems.append(DataProblem(where, "not a JSON object with a string 'text' (and string "
                                              "'license', 'source' if any)"))  # fmt: skip
            continue
        _add(found, f"{rel}#{number}", where, clean_plain(fields[0]), fields[1], fields[2])


def _add(found: Loaded, item_id: str, where: str, text: str, license: str | None, source: str | None) -> None:
    """Add one cleaned text, or a problem at ``where`` when nothing is left of it."""
    if not text.strip():
        found.problems.append(DataProblem(where, "no text (once markup is removed)"))
        return
    digest = hashlib.sha256(text.encode()).hexdigest()
    found.items.append(DatasetItem(item_id, "", digest, license, source, text=text))
    found.signatures[item_id] = text_signature(text)
