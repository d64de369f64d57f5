"""Seamless tiling for convolutional diffusion models: wrap-around padding on every Conv2d, per axis, for one call.

Zero padding is what gives a generated image its borders. Padding the width circularly (``x``), the height
(``y``) or both makes every convolution see the opposite edge as its neighbour, so the UNet and the VAE produce
an image that tiles. The patch pads each conv's input in a forward pre-hook and sets the conv's own padding to
zero, so it also holds for LoRA-patched convolutions (PEFT's wrappers and diffusers' ``LoRACompatibleConv``)
whatever their ``forward`` does with ``padding_mode``. Everything is restored when the ``with`` block ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import torch

__all__ = ["TilingAxes", "circular_padding"]

TilingAxes = Literal["none", "x", "y", "xy"]


def _pad_input(x: torch.Tensor, pad_h: int, pad_w: int, axes: str) -> torch.Tensor:
    """``x`` (N,C,H,W) padded by ``pad_w`` left/right and ``pad_h`` top/bottom: wrapped on ``axes``, zeros elsewhere."""
    import torch.nn.functional as F

    if axes == "xy":
        return F.pad(x, (pad_w, pad_w, pad_h, pad_h), mode="circular")
    wrap, zero = ((pad_w, pad_w, 0, 0), (0, 0, pad_h, pad_h)) if axes == "x" else ((0, 0, pad_h, pad_h), (pad_w, pad_w, 0, 0))
    return F.pad(F.pad(x, wrap, mode="circular"), zero)


@contextmanager
def _patched(conv: torch.nn.Conv2d, axes: str) -> Iterator[None]:
    """Within the block, ``conv`` pads its input itself (wrapping on ``axes``) and applies no padding of its own.

    Convolutions nested inside ``conv`` (the low-rank ``down`` conv of a ``LoRACompatibleConv``) receive the input
    ``conv`` has already padded, so they lose their own padding too.
    """
    import torch

    pad_h, pad_w = conv.padding
    nested = [m for m in conv.modules() if isinstance(m, torch.nn.Conv2d)]
    saved = [(m, m.padding, m.padding_mode) for m in nested]

    def pre_hook(module: torch.nn.Module, args: tuple[Any, ...]) -> tuple[Any, ...]:
        return (_pad_input(args[0], pad_h, pad_w, axes), *args[1:])

    handle = conv.register_forward_pre_hook(pre_hook)
    for m in nested:
        m.padding, m.padding_mode = (0, 0), "zeros"
    try:
        yield
    finally:
        handle.remove()
        for m, padding, mode in saved:
            m.padding, m.padding_mode = padding, mode


def _outer_padded_convs(modules: Iterable[torch.nn.Module]) -> list[torch.nn.Conv2d]:
    """Every Conv2d with tuple padding that is not nested in another Conv2d (nested ones follow their parent)."""
    import torch

    found: dict[int, torch.nn.Conv2d] = {}
    inner: set[int] = set()
    for module in modules:
        for m in module.modules():
            if not isinstance(m, torch.nn.Conv2d) or id(m) in inner:
                continue
            inner.update(id(c) for c in m.modules() if c is not m)
            if isinstance(m.padding, tuple) and any(m.padding):
                found[id(m)] = m
    return list(found.values())


@contextmanager
def circular_padding(modules: Iterable[torch.nn.Module], axes: TilingAxes) -> Iterator[int]:
    """Make every padded Conv2d in ``modules`` wrap around on ``axes`` inside the block; yields how many were patched.

    ``axes="none"`` patches nothing. Pass all the conv models of a pipeline (UNet **and** VAE): patching only the
    UNet leaves seams from the VAE decoder.
    """
    if axes not in ("none", "x", "y", "xy"):
        raise ValueError(f"tiling axes={axes!r}: not one of none, x, y, xy")
    convs = [] if axes == "none" else _outer_padded_convs(modules)
    with ExitStack() as stack:
        for conv in convs:
            stack.enter_context(_patched(conv, axes))
        yield len(convs)
