"""House style for generated narrative text: title case, "the" before a name, and identifiers from names.

Titles follow one rule everywhere they are built (quest titles from the grammar or a language model, quest-line
and dialogue titles): Chicago-style title case. The first and last words, and the first word after a colon,
are capitalised; so is every other word except articles (a, an, the), coordinating conjunctions (and, but, for,
nor, or, so, yet) and prepositions (at, by, from, in, into, of, on, to, with ...), which are lower case. Only a
word's first letter changes (the rest keeps its spelling: ``McAllister``, ``O'Brien``).
"""

from __future__ import annotations

import re

__all__ = ["MINOR_WORDS", "title_case", "bare", "with_the", "slug"]

MINOR_WORDS = frozenset(
    "a an the and but for nor or so yet "
    "about above across after against along amid among around as at before behind below beneath beside between "
    "beyond by down during except from in inside into like near of off on onto out outside over past per since "
    "through throughout till to toward towards under underneath until unto up upon via with within without".split()
)
"""Words title case writes in lower case (unless first, last or after a colon)."""

_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]")


def _core(word: str) -> str:
    """The word without surrounding punctuation, lower-cased (``"(Of"`` → ``"of"``)."""
    return word.strip("\"'()[]{},.;:!?\u2018\u2019\u201c\u201d").lower()


def _capitalise(word: str) -> str:
    match = _WORD.search(word)
    if match is None:
        return word
    i = match.start()
    return word[:i] + word[i].upper() + word[i + 1 :]


def title_case(text: str) -> str:
    """``text`` in title case (see the module docstring): ``"mace Of embers of glenbridge"`` →
    ``"Mace of Embers of Glenbridge"``. Whitespace is collapsed to single spaces."""
    words = text.split()
    out: list[str] = []
    for i, word in enumerate(words):
        first = i == 0 or words[i - 1].endswith(":")
        last = i == len(words) - 1
        if not (first or last) and _core(word) in MINOR_WORDS:
            match = _WORD.search(word)
            out.append(word if match is None else word[: match.start()] + word[match.start() :].lower())
        else:
            out.append(_capitalise(word))
    return " ".join(out)


def bare(name: str) -> str:
    """``name`` without a leading "the " (any case): ``"The Order of Dawn"`` → ``"Order of Dawn"``."""
    return re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)


def with_the(name: str) -> str:
    """``name`` with one lower-case "the" in front, for use inside a sentence: ``"The Order"`` → ``"the Order"``,
    ``"silver ring"`` → ``"the silver ring"``."""
    return "the " + bare(name)


def slug(name: str, fallback: str = "x") -> str:
    """A lower-case identifier from ``name`` (letters, digits, underscores; starts with a letter)."""
    text = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if not text:
        return fallback
    return text if text[0].isalpha() else f"{fallback}_{text}"
