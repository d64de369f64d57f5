"""The training set of a Stable Diffusion fine-tune as the UNet sees it: latent moments of random crops and the
text conditioning of their captions.

With ``cache_latents`` each picture is encoded once, whole, and crops are cut from its latents (in steps of the
VAE's scale factor; under tiling the VAE wraps too, so a wrapped latent crop is the latent of a wrapped crop);
without, each step crops the picture and encodes the crop. With a frozen text encoder each caption is encoded
once. Crops and VAE samples come only from the generators passed in (the run's ``ctx.rng`` and
``ctx.torch_generator()``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ...assets import TilingAxes
from ...datasets import DatasetItem
from .images import crop_offsets, prepare_image, wrap_crop

__all__ = ["Frozen", "LatentData", "TextConditioning", "sample_latents"]


@dataclass
class Frozen:
    """The frozen parts of the pipeline the data goes through."""

    vae: Any
    text_encoder: Any
    tokenizer: Any
    dtype: torch.dtype  # the frozen weights' dtype (half under mixed precision)
    device: str


class LatentData:
    """Pictures (or their cached latent moments) and their crops at the training resolution."""

    def __init__(
        self, items: Sequence[DatasetItem], frozen: Frozen, resolution: int, tiling: TilingAxes, cache: bool
    ) -> None:
        self.frozen = frozen
        self.factor = 2 ** (len(frozen.vae.config.block_out_channels) - 1)
        self.resolution = resolution
        self.tiling = tiling
        self.cached = cache
        pictures = [prepare_image(item.image(), resolution, self.factor, tiling) for item in items]
        tensors = [torch.from_numpy(np.ascontiguousarray(p.transpose(2, 0, 1))) for p in pictures]
        self.sources = [self._moments(t[None])[0] for t in tensors] if cache else tensors

    def __len__(self) -> int:
        return len(self.sources)

    @torch.no_grad()
    def _moments(self, pixels: torch.Tensor) -> torch.Tensor:
        """The VAE's latent moments (mean and log-variance channels) of uint8 pixels (B, 3, H, W)."""
        x = pixels.to(self.frozen.device, self.frozen.dtype) / 127.5 - 1.0
        moments: torch.Tensor = self.frozen.vae.encode(x).latent_dist.parameters
        return moments.float()

    def moments(self, index: Sequence[int], rng: np.random.Generator | None) -> torch.Tensor:
        """Latent moments of a crop of each picture in ``index``: random (``rng``), or centred when ``rng`` is None."""
        unit = self.factor if self.cached else 1
        crop = self.resolution // unit
        crops = []
        for i in index:
            source = self.sources[i]
            shape = (source.shape[-2], source.shape[-1])
            if rng is None:
                top, left = (shape[0] - crop) // 2, (shape[1] - crop) // 2
            else:
                top, left = crop_offsets(rng, shape, crop, self.tiling)
            crops.append(wrap_crop(source, top, left, crop))
        batch = torch.stack(crops)
        return batch.to(self.frozen.device) if self.cached else self._moments(batch)


def sample_latents(moments: torch.Tensor, generator: torch.Generator, scaling: float) -> torch.Tensor:
    """Draw latents from the VAE's distribution ``moments`` with ``generator``, scaled for the UNet."""
    from diffusers.models.autoencoders.vae import DiagonalGaussianDistribution

    return DiagonalGaussianDistribution(moments).sample(generator=generator) * scaling


class TextConditioning:
    """The token ids of each item's caption and, while the text encoder is frozen, its hidden states."""

    def __init__(self, captions: Sequence[str], frozen: Frozen, trained: bool) -> None:
        self.frozen = frozen
        tok = frozen.tokenizer
        ids = tok(list(captions), padding="max_length", max_length=tok.model_max_length, truncation=True, return_tensors="pt")
        self.ids: torch.Tensor = ids.input_ids.to(frozen.device)
        self.trained = trained
        self.cached = None if trained else self._encode(self.ids)

    def _encode(self, ids: torch.Tensor) -> torch.Tensor:
        with torch.set_grad_enabled(self.trained):
            hidden: torch.Tensor = self.frozen.text_encoder(ids, return_dict=False)[0]
        return hidden

    def __call__(self, index: Sequence[int]) -> torch.Tensor:
        """The hidden states for the items in ``index`` (through the trained encoder, or from the cache)."""
        rows = torch.as_tensor(list(index), device=self.frozen.device)
        if self.cached is not None:
            return self.cached.index_select(0, rows)
        return self._encode(self.ids.index_select(0, rows))
