"""Name models: per-culture character Markov chains that ship with gamegen and train on a user's own list.

A model file (``data/names/<culture>.json``) holds the culture's example names and the chain order; the
transition counts are rebuilt from them on load (milliseconds), so shipped and user-trained models are made the
same way and a model file stays readable and easy to extend.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, get_args

import numpy as np

__all__ = ["CULTURES", "Culture", "NameModel", "load_culture", "parse_name_list"]

Culture = Literal["dwarven", "elven", "imperial", "northern", "orcish"]
"""The name of a shipped name model."""
CULTURES: tuple[Culture, ...] = get_args(Culture)
MODEL_FORMAT = "gamegen.names/1"
_START, _END = "^", "$"


@dataclass(frozen=True)
class NameModel:
    """An order-``order`` character Markov chain over names, with the names it learnt from."""

    order: int
    transitions: dict[str, tuple[tuple[str, ...], np.ndarray]]
    known: frozenset[str]
    min_length: int
    max_length: int

    @classmethod
    def train(cls, names: Iterable[str], order: int = 2) -> NameModel:
        """Count which letter follows each ``order``-letter context in ``names`` (at least 3 names)."""
        cleaned = sorted({n.strip().lower() for n in names if n.strip()})
        if len(cleaned) < 3:
            raise ValueError(f"a name model needs at least 3 distinct names, got {len(cleaned)}")
        if not 1 <= order <= 4:
            raise ValueError(f"order must be 1–4, got {order}")
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for name in cleaned:
            padded = _START * order + name + _END
            for i in range(len(name) + 1):
                counts[padded[i : i + order]][padded[i + order]] += 1
        transitions = {}
        for context, following in sorted(counts.items()):
            letters = tuple(sorted(following))
            weights = np.array([following[c] for c in letters], dtype=float)
            transitions[context] = (letters, np.cumsum(weights) / weights.sum())
        lengths = [len(n) for n in cleaned]
        return cls(order, transitions, frozenset(cleaned), min(lengths), max(lengths))

    def sample(self, rng: np.random.Generator, attempts: int = 100) -> str:
        """A new name (not one of the training names when the chain allows), capitalised."""
        fallback = None
        for _ in range(attempts):
            context = _START * self.order
            letters: list[str] = []
            while len(letters) <= self.max_length + 2:
                options, cumulative = self.transitions[context]
                letter = options[int(np.searchsorted(cumulative, rng.random(), side="right"))]
                if letter == _END:
                    break
                letters.append(letter)
                context = (context + letter)[-self.order :]
            name = "".join(letters)
            if not self.min_length <= len(name) <= self.max_length:
                continue
            fallback = fallback or name
            if name not in self.known:
                return name.capitalize()
        if fallback is None:
            raise RuntimeError("the name model produced no name of a plausible length")
        return fallback.capitalize()


def parse_name_list(text: str) -> list[str]:
    """Names from a text file: one per line; blank lines and lines starting with ``#`` are skipped."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@cache
def load_culture(culture: str) -> NameModel:
    """The shipped name model of ``culture`` (one of :data:`CULTURES`)."""
    if culture not in CULTURES:
        raise ValueError(f"unknown culture {culture!r} (allowed: {', '.join(CULTURES)})")
    path = resources.files("gamegen.character") / "data" / "names" / f"{culture}.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    if doc.get("format") != MODEL_FORMAT:
        raise ValueError(f"{path} is not a {MODEL_FORMAT} name model")
    return NameModel.train(doc["names"], doc["order"])
