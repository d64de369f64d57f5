"""Seamless tiling for convolutional diffusion models: wrap-around padding on every Conv2d, per axis, for one call.

Zero padding is what gives a generated image its borders. Padding the width circularly (``x``), the height
(``y``) or both makes every convolution see the opposite edge as its neighbour, so the UNet and the VAE produce
an image that tiles. The patch wraps each conv's input in a forward pre-hook and leaves the conv only its zero
padding on the other axis, so it also holds for LoRA-patched convolutions (PEFT's wrappers and diffusers'
``LoRACompatibleConv``) whatever their ``forward`` does with ``padding_mode``. The VAE encoder's downsamplers
(diffusers' ``Downsample2D`` with ``padding=0``) zero-pad one trailing row and column themselves before an unpadded
conv; that conv's pre-hook replaces them with the first row and column, the circular equivalent, so image-to-image
encodes a tiling init image into tiling latents. Everything is restored when the ``with`` block ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any, cast

from ..assets import TILING_AXES, TilingAxes

if TYPE_CHECKING:
    import torch

__all__ = ["TilingAxes", "circular_padding"]



def _split_padding(padding: tuple[int, int], axes: str) -> tuple[tuple[int, int, int, int], tuple[int, int]]:
    """A conv's (pad_h, pad_w) as the wrap to apply to its input (F.pad order) and the zero padding it keeps."""
    pad_h, pad_w = padding
    wrap_w, wrap_h = (pad_w if "x" in axes else 0), (pad_h if "y" in axes else 0)
    return (wrap_w, wrap_w, wrap_h, wrap_h), (pad_h - wrap_h, pad_w - wrap_w)


def _wrap_trailing(x: torch.Tensor, axes: str) -> torch.Tensor:
    """``x`` with its last column (``x``) and/or row (``y``), a zero pad, replaced by its first: circular padding."""
    import torch

    if "x" in axes:
        x = torch.cat([x[..., :-1], x[..., :1]], dim=-1)
    if "y" in axes:
        x = torch.cat([x[..., :-1, :], x[..., :1, :]], dim=-2)
    return x


@contextmanager
def _patched(conv: torch.nn.Conv2d, axes: str, trailing: bool) -> Iterator[None]:
    """Within the block, ``conv`` wraps its input around on ``axes`` and zero-pads only the other axis itself.

    With ``trailing``, ``conv`` is unpadded and its input already ends in a zero row and column (a ``Downsample2D``
    with ``padding=0``); those become the wrapped first row and column instead. Convolutions nested inside ``conv``
    (the low-rank ``down`` conv of a ``LoRACompatibleConv``) receive the input ``conv`` has already wrapped, so they
    lose their padding on ``axes`` too.
    """
    import torch
    import torch.nn.functional as F

    wrap, _ = _split_padding(cast(tuple[int, int], conv.padding), axes)
    nested = [m for m in conv.modules() if isinstance(m, torch.nn.Conv2d)]
    saved = [(m, m.padding, m.padding_mode) for m in nested]

    def pre_hook(module: torch.nn.Module, args: tuple[Any, ...]) -> tuple[Any, ...]:
        x = _wrap_trailing(args[0], axes) if trailing else F.pad(args[0], wrap, mode="circular")
        return (x, *args[1:])

    handle = conv.register_forward_pre_hook(pre_hook)
    for m in nested:
        m.padding, m.padding_mode = _split_padding(cast(tuple[int, int], m.padding), axes)[1], "zeros"
    try:
        yield
    finally:
        handle.remove()
        for m, padding, mode in saved:
            m.padding, m.padding_mode = padding, mode


def _outer_convs(modules: Iterable[torch.nn.Module]) -> list[tuple[torch.nn.Conv2d, bool]]:
    """The convs to patch, each with whether its input ends in a ``Downsample2D``'s trailing zero pad.

    Those are every Conv2d with tuple padding that is not nested in another Conv2d (nested ones follow their
    parent), and the unpadded neighbourhood convs (kernel > 1: the base conv and a LoRA ``A``, not the 1×1 ``B``)
    of every ``Downsample2D`` that pads its input itself.
    """
    import torch
    from diffusers.models.downsampling import Downsample2D

    found: dict[int, tuple[torch.nn.Conv2d, bool]] = {}
    inner: set[int] = set()
    trailing: set[int] = set()
    for module in modules:
        for m in module.modules():
            if isinstance(m, Downsample2D) and m.use_conv and m.padding == 0:
                trailing.update(id(c) for c in m.conv.modules() if isinstance(c, torch.nn.Conv2d))
            if not isinstance(m, torch.nn.Conv2d) or id(m) in inner:
                continue
            inner.update(id(c) for c in m.modules() if c is not m)
            if isinstance(m.padding, tuple) and any(m.padding):
                found[id(m)] = (m, False)
            elif id(m) in trailing and max(m.kernel_size) > 1:
                found[id(m)] = (m, True)
    return list(found.values())


@contextmanager
def circular_padding(modules: Iterable[torch.nn.Module], axes: TilingAxes) -> Iterator[int]:
    """Make every padded Conv2d in ``modules`` wrap around on ``axes`` inside the block; yields how many were patched.

    ``axes="none"`` patches nothing. Pass all the conv models of a pipeline (UNet **and** VAE): patching only the
    UNet leaves seams from the VAE decoder.
    """
    if axes not in TILING_AXES:
        raise ValueError(f"tiling axes={axes!r}: not one of none, x, y, xy")
    convs = [] if axes == "none" else _outer_convs(modules)
    with ExitStack() as stack:
        for conv, trailing in convs:
            stack.enter_context(_patched(conv, axes, trailing))
        yield len(convs)
