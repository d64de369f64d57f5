"""Content filter for generated text: term lists (words, ``word*`` prefixes, ``re:`` regexes) by game rating.

Every narrative generator and ``character.sheet`` run their text through it. The default lists
(``gamegen/data/filters/*.txt``) hold slurs (blocked at every rating, stored ROT13 so the
source does not read as a slur list), explicit sexual terms (allowed only at ``adult``), graphic violence and
strong profanity (from ``mature``) and realistic killing and blood (from ``teen``). Users add a file of their
own terms (``filter_terms``) or replace the defaults (``filter_defaults=false``). Hits are recorded in the
manifest; by default the sample is regenerated from the next sub-seed, a bounded number of times, and the
asset fails when none passes.

Limits, on purpose stated plainly: this is word matching, not understanding. It misses misspellings beyond
simple letter/digit swaps, words split by spaces or punctuation, other languages, and harm expressed without
listed words (threats, harassment, stereotypes, sexual content in innocent words); it flags innocent uses of
listed words ("kill the lights"). Treat it as a guard rail for generated text, not as moderation.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

from .context import Context
from .errors import GenerationError, ParamError
from .params import Field, InputFile, Params

__all__ = [
    "RATINGS",
    "Rating",
    "FilterMode",
    "TermList",
    "Hit",
    "ContentFilter",
    "FilterParams",
    "FilterReport",
    "ContentFilterError",
    "parse_terms",
    "default_lists",
    "content_filter",
    "first_clean",
]

Rating = Literal["everyone", "teen", "mature", "adult"]
"""A game rating; a term list is allowed from its rating upwards."""
RATINGS: tuple[Rating, ...] = get_args(Rating)
"""Game ratings from the most to the least restrictive."""
FilterMode = Literal["regenerate", "fail", "flag"]
"""What a run does when a sample hits the filter."""

T = TypeVar("T")
_LEET = str.maketrans("013457@$", "oieastas")


class ContentFilterError(GenerationError):
    """Every attempt hit the content filter (or the mode is ``fail`` and one did)."""


@dataclass(frozen=True)
class TermList:
    """Named patterns allowed from ``allowed_from`` (a rating, or ``never``); obfuscated lists never show terms."""

    name: str
    allowed_from: str
    patterns: tuple[re.Pattern[str], ...]
    labels: tuple[str, ...]
    obfuscated: bool = False


@dataclass(frozen=True)
class Hit:
    """One match: the list and the term (``slurs#3`` for obfuscated lists: the manifest never spells them)."""

    list: str
    term: str


def _pattern(term: str) -> re.Pattern[str]:
    if term.startswith("re:"):
        try:
            return re.compile(term[3:], re.IGNORECASE)
        except re.error as exc:
            raise ParamError(f"filter term {term!r}: invalid regular expression ({exc})") from None
    words = re.escape(term.rstrip("*").casefold()).replace(r"\ ", r"\s+")
    end = "" if term.endswith("*") else r"\b"
    return re.compile(rf"\b{words}{end}", re.IGNORECASE)


def parse_terms(text: str, name: str, allowed_from: str = "never") -> TermList:
    """Read a term file: one term per line, ``word*`` for a prefix, ``re:`` for a regex, ``#`` comments.

    Header comments ``# rating: <rating|never>`` and ``# encoding: rot13`` set when the list applies and how
    its terms are stored.
    """
    obfuscated, terms = False, []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            if key.strip() == "rating":
                allowed_from = value.strip()
            elif key.strip() == "encoding":
                obfuscated = value.strip() == "rot13"
        elif line:
            terms.append(codecs.decode(line, "rot13") if obfuscated else line)
    if allowed_from not in (*RATINGS, "never"):
        raise ParamError(f"term list {name!r}: rating {allowed_from!r} is not one of {', '.join(RATINGS)}, never")
    labels = tuple(f"{name}#{i + 1}" if obfuscated else t for i, t in enumerate(terms))
    return TermList(name, allowed_from, tuple(_pattern(t) for t in terms), labels, obfuscated)


def default_lists() -> list[TermList]:
    """The term lists shipped with gamegen."""
    root = resources.files("gamegen") / "data" / "filters"
    files = sorted((p for p in root.iterdir() if p.name.endswith(".txt")), key=lambda p: p.name)
    return [parse_terms(p.read_text("utf-8"), p.name[:-4]) for p in files]


def _normalise(text: str) -> str:
    """NFKC, case-folded, with common digit/symbol-for-letter swaps undone (``k1ll`` → ``kill``)."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_LEET)


class ContentFilter:
    """The lists that apply at ``rating``; :meth:`check` returns every hit in some texts."""

    def __init__(self, lists: Iterable[TermList], rating: str) -> None:
        if rating not in RATINGS:
            raise ParamError(f"rating={rating!r}: unknown (allowed: {', '.join(RATINGS)})")
        self.rating = rating
        self.lists = [
            t for t in lists if t.allowed_from == "never" or RATINGS.index(rating) < RATINGS.index(t.allowed_from)
        ]
        self._any = _one_pass([p for t in self.lists for p in t.patterns])

    def check(self, texts: Iterable[str]) -> list[Hit]:
        """Every (list, term) found in ``texts``, each once, in list order.

        The texts are joined and scanned once by one alternation of every term; only when it matches (rare:
        clean text is the common case) are the terms tried one by one to say which.
        """
        variants = [v for t in texts for v in {t, _normalise(t)}]
        if self._any is not None and not self._any.search("\n".join(variants)):
            return []
        return [
            Hit(tl.name, label)
            for tl in self.lists
            for pattern, label in zip(tl.patterns, tl.labels, strict=True)
            if any(pattern.search(v) for v in variants)
        ]


def _one_pass(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One regex matching, in texts joined by newlines, wherever any of ``patterns`` matches one of the texts; None
    when they cannot be combined (a user regex with groups, whose back-references would renumber, with ``\\A`` or
    ``\\Z``, which the join would hide, or with flags that must stand first)."""
    if not patterns or any(p.groups or "\\A" in p.pattern or "\\Z" in p.pattern for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE | re.MULTILINE)
    except re.error:
        return None


class FilterParams(Params):
    """Content-filter parameters shared by every generator that writes text."""

    rating: Rating = Field(
        "teen", description="Game rating: term lists stricter than this rating are applied (slurs always are)"
    )
    content_filter: FilterMode = Field(
        "regenerate", description="On a hit: regenerate from the next sub-seed (bounded), fail, or keep and flag"
    )
    filter_terms: InputFile | None = Field(
        None, description="A file of extra terms (word, word*, re:regex; # rating: ...)"
    )
    filter_defaults: bool = Field(True, description="Use the built-in term lists (false: only filter_terms)")
    filter_attempts: int = Field(5, ge=1, le=50, description="How many samples to try before failing")


def content_filter(params: FilterParams, ctx: Context) -> ContentFilter:
    """The filter a run's parameters describe (the user's term file is read through ``ctx``)."""
    lists = default_lists() if params.filter_defaults else []
    if params.filter_terms:
        if not Path(params.filter_terms).is_file():
            raise ParamError(f"filter_terms={params.filter_terms!r}: no such file")
        lists.append(parse_terms(ctx.read_input(params.filter_terms).decode("utf-8"), "custom"))
    return ContentFilter(lists, params.rating)


@dataclass
class FilterReport:
    """What the filter saw during one run: written to the manifest as the asset's ``content_filter`` meta."""

    filter: ContentFilter
    mode: str
    hits: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0

    @classmethod
    def from_params(cls, params: FilterParams, ctx: Context) -> FilterReport:
        """An empty report for the filter a run's parameters describe."""
        return cls(content_filter(params, ctx), params.content_filter)

    def review(self, texts: Iterable[str], sample: str) -> bool:
        """Check one sample; record its hits; True when it may be kept (clean, or the mode is ``flag``)."""
        self.attempts += 1
        found = [{"sample": sample, "list": h.list, "term": h.term} for h in self.filter.check(texts)]
        self.hits += found
        if found and self.mode == "fail":
            raise ContentFilterError(
                f"content filter (rating {self.filter.rating}) hit {_describe(found)} in sample {sample}"
            )
        return not found or self.mode == "flag"

    def meta(self) -> dict[str, Any]:
        """The manifest record: rating, mode, lists applied, samples checked and every hit."""
        return {
            "rating": self.filter.rating,
            "mode": self.mode,
            "lists": [t.name for t in self.filter.lists],
            "samples_checked": self.attempts,
            "hits": self.hits,
            "flagged": bool(self.hits) and self.mode == "flag",
        }


def _describe(hits: list[dict[str, Any]]) -> str:
    return ", ".join(f"{h['list']}:{h['term']}" for h in hits[:5])


def first_clean(
    make: Callable[[int], T], texts: Callable[[T], Iterable[str]], report: FilterReport, attempts: int, label: str = ""
) -> T:
    """Call ``make(attempt)`` until its texts pass the filter, at most ``attempts`` times; hits go to ``report``.

    Each attempt must draw from its own sub-seed (e.g. ``ctx.child("attempt", attempt)``) or a stream that moves
    on, so a retry is a new sample and the run still reproduces from its seed. ``label`` prefixes the sample
    numbers in the report. Raises ContentFilterError when no attempt passes.
    """
    for attempt in range(attempts):
        result = make(attempt)
        if report.review(texts(result), f"{label}{attempt}"):
            return result
    last = _describe([h for h in report.hits if h["sample"] == f"{label}{attempts - 1}"])
    raise ContentFilterError(
        f"all {attempts} samples hit the content filter (rating {report.filter.rating}; last: {last}); "
        "raise filter_attempts, change the seed or the rating, or edit the term lists"
    )
