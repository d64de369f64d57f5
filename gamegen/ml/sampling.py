"""Seeded token-by-token decoding with a KV cache: temperature, top-k, top-p or greedy, optionally masked.

transformers' ``generate()`` takes no ``torch.Generator``, and seeding it means the global torch seed, which
gamegen forbids; this loop draws every token with ``torch.multinomial(..., generator=ctx.torch_generator())``,
so a run reproduces from its seed alone. Masks let callers constrain decoding (see :mod:`.constrained`).
:func:`open_decoder` loads a causal LM into a decoder; :func:`generate_text` continues one prompt with it.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from ..context import Context
from ..errors import GenerationError, ParamError
from .runtime import load_causal_lm

__all__ = ["Sampling", "Decoder", "open_decoder", "generate_text"]


@dataclass(frozen=True)
class Sampling:
    """How the next token is picked: the most likely one (``greedy``), else temperature, top-k, top-p sampling."""

    temperature: float = 0.8
    top_k: int = 0
    top_p: float = 0.95
    greedy: bool = False


class Decoder:
    """A causal LM continuing one text: feed text or token ids, then pick the next token (optionally masked)."""

    def __init__(self, model: Any, tokenizer: Any, generator: torch.Generator, sampling: Sampling) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.generator = generator
        self.sampling = sampling
        self.ids: list[int] = []
        self.cache: Any = None
        # transformers ≥ 5.x renamed ``past_key_values`` to ``cache`` (argument and output field alike)
        self._cache_name = "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"
        self.logits: torch.Tensor | None = None
        self.context_size = int(
            getattr(model.config, "max_position_embeddings", 0) or getattr(model.config, "n_positions", 0)
        )

    def restart(self, prompt: str) -> Decoder:
        """A new decoder on the same model, tokenizer, generator and settings, fed with ``prompt``."""
        decoder = Decoder(self.model, self.tokenizer, self.generator, self.sampling)
        decoder.feed_text(prompt)
        return decoder

    @property
    def eos_token_id(self) -> int | None:
        """The end-of-text token, if the tokenizer has one."""
        return self.tokenizer.eos_token_id

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text`` without special tokens."""
        return list(self.tokenizer.encode(text, add_special_tokens=False))

    def _forward(self, ids: list[int]) -> torch.Tensor:
        if self.context_size and len(self.ids) + len(ids) > self.context_size:
            raise GenerationError(
                f"prompt and output need {len(self.ids) + len(ids)} tokens; the model's context is {self.context_size}"
            )
        with torch.inference_mode():
            inputs = torch.tensor([ids], device=self.model.device)
            out = self.model(input_ids=inputs, use_cache=True, **{self._cache_name: self.cache})
        self.cache = getattr(out, self._cache_name)
        return out.logits[0].float()

    def feed(self, ids: list[int]) -> None:
        """Append tokens to the context (one forward pass over the new tokens only)."""
        if ids:
            self.logits = self._forward(ids)[-1]
            self.ids.extend(ids)

    def feed_text(self, text: str) -> None:
        """Append ``text``; an empty context starts with the BOS/EOS token so there is something to condition on."""
        ids = self.encode(text)
        if not self.ids and not ids:
            start = self.tokenizer.bos_token_id if self.tokenizer.bos_token_id is not None else self.eos_token_id
            if start is None:
                raise GenerationError("the tokenizer has neither a BOS nor an EOS token: give a non-empty prompt")
            ids = [int(start)]
        self.feed(ids)

    def _next_logits(self) -> torch.Tensor:
        """The logits of the next token (a GenerationError before any text is fed)."""
        if self.logits is None:
            raise GenerationError("the decoder has no context yet: feed a prompt first")
        return self.logits

    def pick(self, allowed: torch.Tensor | None = None) -> int:
        """The next token under the sampling settings, restricted to ``allowed`` (a bool mask over the vocabulary)."""
        logits = self._next_logits().clone()
        if allowed is not None:
            if not bool(allowed.any()):
                raise GenerationError("no token is allowed at this point of the output")
            logits[~allowed.to(logits.device)] = float("-inf")
        s = self.sampling
        if s.greedy or s.temperature == 0:
            return int(torch.argmax(logits))
        logits = logits / s.temperature
        if s.top_k:
            kth = torch.topk(logits, min(s.top_k, logits.numel())).values[-1]
            logits[logits < kth] = float("-inf")
        if s.top_p < 1.0:
            sorted_logits, order = torch.sort(logits, descending=True)
            cumulative = torch.softmax(sorted_logits, dim=-1).cumsum(-1)
            drop = cumulative > s.top_p
            drop[1:] = drop[:-1].clone()  # keep the token that crosses top_p
            drop[0] = False
            logits[order[drop]] = float("-inf")
        probs = torch.softmax(logits, dim=-1).cpu()
        return int(torch.multinomial(probs, 1, generator=self.generator))

    def _score(self, continuations: list[list[int]]) -> torch.Tensor:
        """Log-probability of each token sequence as the continuation of the context (the context is unchanged)."""
        logits, cache = self._next_logits(), self.cache
        scores = []
        for ids in continuations:
            total = torch.log_softmax(logits, -1)[ids[0]]
            if len(ids) > 1:
                step = torch.log_softmax(self._forward(ids[:-1]), -1)
                rows = torch.arange(len(ids) - 1, device=step.device)
                total = total + step[rows, torch.tensor(ids[1:], device=step.device)].sum()
                self.cache.crop(1 - len(ids))  # a negative count removes that many tokens (in every version)
            scores.append(total)
        self.logits, self.cache = logits, cache
        return torch.stack(scores)

    def choose(self, continuations: list[list[int]]) -> int:
        """Index of one of several token sequences, drawn by their likelihood (the most likely when greedy)."""
        scores = self._score(continuations)
        if self.sampling.greedy or self.sampling.temperature == 0:
            return int(torch.argmax(scores))
        probs = torch.softmax(scores / self.sampling.temperature, dim=-1).cpu()
        return int(torch.multinomial(probs, 1, generator=self.generator))

    def continue_text(self, max_new_tokens: int, stop: str | None = None) -> str:
        """Sample 1 to ``max_new_tokens`` tokens (until EOS or ``stop``) and return the new text, ``stop`` excluded."""
        start = len(self.ids)
        text = ""
        not_eos = torch.ones_like(self._next_logits(), dtype=torch.bool)
        if self.eos_token_id is not None:
            not_eos[self.eos_token_id] = False
        for i in range(max_new_tokens):
            token = self.pick(None if i else not_eos)  # never an empty answer
            if token == self.eos_token_id:
                break
            self.feed([token])
            text = self.tokenizer.decode(self.ids[start:], skip_special_tokens=True)
            if stop and stop in text.lstrip():
                return text.lstrip().split(stop, 1)[0]
        return text


def open_decoder(
    model: str, ctx: Context, sampling: Sampling, *, lora: Sequence[str] = (), lora_scale: float = 1.0
) -> Decoder:
    """Load ``model`` through :func:`~gamegen.ml.load_causal_lm` (recorded in ``ctx``), with the LoRA adapters
    ``lora`` merged in at ``lora_scale``, and wrap it in a Decoder."""
    lm, tokenizer = load_causal_lm(model, ctx=ctx, adapters=lora, adapter_scale=lora_scale).obj
    return Decoder(lm, tokenizer, ctx.torch_generator(), sampling)


def generate_text(
    model: str,
    prompt: str,
    ctx: Context,
    *,
    max_new_tokens: int = 120,
    temperature: float = 0.8,
    top_p: float = 0.95,
) -> str:
    """Continue ``prompt`` with causal LM ``model``, sampling from ``ctx``'s seeded generator; temperature 0 is greedy.

    The run records the model and its weights' hash, so whatever uses the text is labelled AI-generated.
    """
    if max_new_tokens < 1:
        raise ParamError(f"max_new_tokens={max_new_tokens}: must be at least 1")
    if temperature < 0:
        raise ParamError(f"temperature={temperature}: must be ≥ 0 (0 means greedy)")
    if not 0 < top_p <= 1:
        raise ParamError(f"top_p={top_p}: must be in (0, 1]")
    decoder = open_decoder(model, ctx, Sampling(temperature=temperature, top_p=top_p, greedy=temperature == 0))
    decoder.feed_text(prompt)
    return decoder.continue_text(max_new_tokens).strip()
