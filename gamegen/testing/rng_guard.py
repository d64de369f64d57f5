"""Detection of global random state use: a generator must draw only from ``ctx.rng`` so that seeds reproduce."""

from __future__ import annotations

import contextlib
import random
import sys
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any, cast

import numpy as np

from ..errors import GamegenError

__all__ = ["GlobalRandomError", "forbid_global_rng"]

_HINT = "draw from ctx.rng or ctx.child(...) instead"
# Module-level functions that read or reseed the process-wide streams (state snapshots stay allowed).
_RANDOM_FUNCTIONS = tuple(n for n in random.__all__ if n[0].islower() and n != "getstate")
_NUMPY_FUNCTIONS = tuple(
    n for n in np.random.mtrand.__all__ if n[0].islower() and n not in ("get_state", "get_bit_generator")
)


class GlobalRandomError(GamegenError):
    """A generator used the process-wide random state (``random``, ``numpy.random``, torch) instead of ``ctx.rng``."""


def _forbidden(qualname: str, who: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        raise GlobalRandomError(f"{who} called {qualname}(), which uses the global random state; {_HINT}")

    return call


def _unseeded_default_rng(original: Callable[..., np.random.Generator], who: str) -> Callable[..., Any]:
    def default_rng(seed: Any = None) -> np.random.Generator:
        if seed is None:
            raise GlobalRandomError(f"{who} called numpy.random.default_rng() without a seed (OS entropy); {_HINT}")
        return original(seed)

    return default_rng


def _snapshot() -> dict[str, bytes]:
    """The current global states as comparable bytes (torch only when it is already imported)."""
    legacy = cast(tuple[str, np.ndarray, int, int, float], np.random.get_state(legacy=True))
    name, keys, pos, has_gauss, gauss = legacy
    states = {
        "random": repr(random.getstate()).encode(),
        "numpy.random": keys.tobytes() + repr((name, pos, has_gauss, gauss)).encode(),
    }
    torch = sys.modules.get("torch")
    if torch is not None:
        states["torch"] = torch.get_rng_state().numpy().tobytes()
    return states


@contextlib.contextmanager
def forbid_global_rng(who: str = "generator") -> Iterator[None]:
    """Inside the block, ``random.*`` and ``numpy.random.*`` module functions raise :class:`GlobalRandomError`.

    On leaving, the global states (``random``, ``numpy.random``, and torch's if loaded) must be unchanged too,
    which also catches functions imported by name before the block started.
    """
    before = _snapshot()
    patches: list[tuple[ModuleType, str, Any]] = [(random, n, getattr(random, n)) for n in _RANDOM_FUNCTIONS]
    patches += [(np.random, n, getattr(np.random, n)) for n in _NUMPY_FUNCTIONS]
    patches.append((np.random, "default_rng", np.random.default_rng))
    for module, name, original in patches:
        qualname = f"{module.__name__}.{name}"
        replacement = _unseeded_default_rng(original, who) if name == "default_rng" else _forbidden(qualname, who)
        setattr(module, name, replacement)
    try:
        yield
    finally:
        for module, name, original in patches:
            setattr(module, name, original)
    after = _snapshot()
    changed = sorted(k for k in before.keys() & after.keys() if before[k] != after[k])
    if changed:
        raise GlobalRandomError(f"{who} changed the global random state of {' and '.join(changed)}; {_HINT}")
