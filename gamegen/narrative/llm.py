"""Text from a causal language model (a local folder or a hub id the user names), seeded from the run.

Torch and transformers are imported only when a model is used, so ``gamegen list`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..context import Context
from ..errors import ParamError

if TYPE_CHECKING:
    from .sampling import Decoder, Sampling

__all__ = ["generate_text", "open_decoder"]


def open_decoder(model: str, ctx: Context, sampling: Sampling) -> Decoder:
    """Load ``model`` through :func:`gamegen.ml.load_causal_lm` (recorded in ``ctx``) and wrap it in a Decoder."""
    from ..ml import load_causal_lm
    from .sampling import Decoder

    lm, tokenizer = load_causal_lm(model, ctx=ctx).obj
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
    from .sampling import Sampling

    if max_new_tokens < 1:
        raise ParamError(f"max_new_tokens={max_new_tokens}: must be at least 1")
    if temperature < 0:
        raise ParamError(f"temperature={temperature}: must be ≥ 0 (0 means greedy)")
    if not 0 < top_p <= 1:
        raise ParamError(f"top_p={top_p}: must be in (0, 1]")
    decoder = open_decoder(model, ctx, Sampling(temperature=temperature, top_p=top_p, greedy=temperature == 0))
    decoder.feed_text(prompt)
    return decoder.continue_text(max_new_tokens).strip()
