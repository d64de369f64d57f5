"""Schema-constrained decoding: JSON objects whose structure is fixed and whose values the model writes.

Keys, quotes, commas and braces are fed by :class:`JsonWriter`, never sampled, so the output always parses.
String values are sampled token by token under a mask that admits only tokens that keep the string valid
JSON (no quote, backslash or control character inside; a token holding a quote ends the value there); the
first token must carry a letter or digit, and a value that reaches its length limit is closed. Choice values
(an objective, a giver's name) are whole options scored by the model. When the token budget runs out before
the object is complete, decoding fails with a GenerationError instead of returning something malformed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import torch

from ..errors import GenerationError
from .sampling import Decoder

__all__ = ["TokenMasks", "token_masks", "JsonWriter"]


@dataclass(frozen=True)
class TokenMasks:
    """Per-vocabulary facts the string mask needs: each token's text and which tokens may go where."""

    texts: tuple[str, ...]
    inside: torch.Tensor  # may appear inside a JSON string
    closing: torch.Tensor  # contains a quote, and what precedes it may appear inside a string
    wordy: torch.Tensor  # may start a value: inside, with a letter or digit
    lengths: torch.Tensor


def _clean(text: str) -> bool:
    return not any(c in '"\\\ufffd' or ord(c) < 32 or ord(c) == 127 for c in text)


@lru_cache(maxsize=4)
def token_masks(tokenizer: Any, vocab_size: int) -> TokenMasks:
    """The masks for a tokenizer whose model scores ``vocab_size`` tokens (ids past the tokenizer are never allowed)."""
    known = min(len(tokenizer), vocab_size)
    texts = tuple(tokenizer.batch_decode([[i] for i in range(known)])) + ("",) * (vocab_size - known)
    special = set(tokenizer.all_special_ids)
    inside = [bool(t) and i not in special and _clean(t) for i, t in enumerate(texts)]
    closing = [i not in special and '"' in t and _clean(t.split('"', 1)[0]) for i, t in enumerate(texts)]
    wordy = [ok and any(c.isalnum() for c in t) for ok, t in zip(inside, texts, strict=True)]
    return TokenMasks(
        texts, torch.tensor(inside), torch.tensor(closing), torch.tensor(wordy), torch.tensor([len(t) for t in texts])
    )


class JsonWriter:
    """Writes one JSON object through a decoder (after its prompt): :meth:`text` or :meth:`choice` per field.

    ``values`` holds the object so far; ``budget`` bounds the sampled tokens of each string value; ``used``
    counts the tokens sampled in all.
    """

    def __init__(self, decoder: Decoder, budget: int) -> None:
        self.decoder = decoder
        self.masks = token_masks(decoder.tokenizer, int(decoder.model.config.vocab_size))
        self.budget = budget
        self.used = 0
        self.values: dict[str, str] = {}
        decoder.feed_text("{")

    def _key(self, key: str) -> None:
        self.decoder.feed_text(("" if not self.values else ", ") + json.dumps(key) + ": ")

    def text(self, key: str, max_chars: int) -> str:
        """A free string value of at most ``max_chars`` characters (whitespace-trimmed)."""
        self._key(key)
        self.decoder.feed_text('"')
        m = self.masks
        value = tail = ""
        sampled = 0
        while len(value) < max_chars:
            if sampled == self.budget:
                raise GenerationError(
                    f"the model did not finish the JSON value {key!r} within max_new_tokens={self.budget}"
                )
            fits = m.lengths <= max_chars - len(value)
            token = self.decoder.pick(m.closing | (m.inside & fits) if value else m.wordy & fits)
            sampled += 1
            self.used += 1
            if m.closing[token]:
                tail = m.texts[token].split('"', 1)[0]
                value += tail
                break
            value += m.texts[token]
            self.decoder.feed([token])
        self.decoder.feed_text(tail + '"')
        self.values[key] = value.strip()
        return self.values[key]

    def choice(self, key: str, options: list[str]) -> str:
        """One of ``options``, drawn by the model's likelihood of each (always the only one when there is one)."""
        self._key(key)
        encoded = [self.decoder.encode(json.dumps(o)) for o in options]
        index = self.decoder.choose(encoded) if len(options) > 1 else 0
        self.decoder.feed(encoded[index])
        self.values[key] = options[index]
        return options[index]
