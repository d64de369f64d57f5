"""The GAN's and the VAE's networks: small convolutional stacks whose every convolution pads circularly on the
tiled axes, so a tiling model's pictures have no edge.

Upsampling is nearest-neighbour then a 3×3 convolution (no transposed convolutions: no checkerboard, and the
wrap-around padding covers every convolution). Sizes are powers of two from 4×4 up: 16, 32 or 64 pixels.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from gamegen.assets import TilingAxes

__all__ = ["Decoder", "Discriminator", "Encoder", "WrapConv", "level_channels"]


class WrapConv(nn.Module):
    """A k×k convolution (k odd) padded by k // 2: circularly along the tiled axes, with zeros along the others."""

    def __init__(self, c_in: int, c_out: int, tiling: TilingAxes, kernel: int = 3, stride: int = 1) -> None:
        super().__init__()
        self.conv: nn.Module = nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=0)
        self.pad = kernel // 2
        self.tiling = tiling

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        p = self.pad
        if p:
            x = F.pad(x, (p, p, 0, 0), mode="circular" if "x" in self.tiling else "constant")
            x = F.pad(x, (0, 0, p, p), mode="circular" if "y" in self.tiling else "constant")
        out: torch.Tensor = self.conv(x)
        return out


def level_channels(size: int, width: int) -> list[int]:
    """Channels at each resolution from 4×4 up to ``size``: ``width`` at full size, doubling per halving, ≤ 8×."""
    levels = int(math.log2(size // 4))
    return [width * min(8, 2 ** (levels - i)) for i in range(levels + 1)]


def _norm(channels: int) -> nn.GroupNorm:
    return nn.GroupNorm(min(8, channels // 4) or 1, channels)


class Decoder(nn.Module):
    """Latent vector → picture (4 channels in [-1, 1]): a 4×4 map, then (upsample, conv, norm, act) per level.

    The GAN's generator and the VAE's decoder. Group normalisation does not depend on the batch, so a picture is
    the same alone or in a batch, in training and in sampling.
    """

    def __init__(self, latent: int, size: int, width: int, tiling: TilingAxes) -> None:
        super().__init__()
        chans = level_channels(size, width)
        self.start = chans[0]
        self.project = nn.Linear(latent, chans[0] * 16)
        blocks: list[nn.Module] = [_norm(chans[0]), nn.LeakyReLU(0.2)]
        for c_in, c_out in zip(chans[:-1], chans[1:], strict=True):
            blocks += [
                nn.Upsample(scale_factor=2, mode="nearest"),
                WrapConv(c_in, c_out, tiling),
                _norm(c_out),
                nn.LeakyReLU(0.2),
            ]
            blocks += [WrapConv(c_out, c_out, tiling), _norm(c_out), nn.LeakyReLU(0.2)]
        blocks += [WrapConv(chans[-1], 4, tiling), nn.Tanh()]
        self.body = nn.Sequential(*blocks)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.body(self.project(z).view(len(z), self.start, 4, 4))
        return out


class _Down(nn.Sequential):
    """Strided 3×3 convolution halving the size, then activation (spectral norm on the discriminator's)."""

    def __init__(self, c_in: int, c_out: int, tiling: TilingAxes, spectral: bool) -> None:
        conv = WrapConv(c_in, c_out, tiling, stride=2)
        if spectral:
            conv.conv = nn.utils.parametrizations.spectral_norm(conv.conv)
        super().__init__(conv, nn.LeakyReLU(0.2))


class Discriminator(nn.Module):
    """Picture → one realness score per picture: strided convolutions down to 4×4 then a linear layer, spectral
    normalisation on every layer (stable on small data without batch statistics)."""

    def __init__(self, size: int, width: int, tiling: TilingAxes) -> None:
        super().__init__()
        chans = level_channels(size, width)[::-1]
        layers: list[nn.Module] = [WrapConv(4, chans[0], tiling), nn.LeakyReLU(0.2)]
        layers += [_Down(c_in, c_out, tiling, spectral=True) for c_in, c_out in zip(chans[:-1], chans[1:], strict=True)]
        self.body = nn.Sequential(*layers)
        self.head = nn.utils.parametrizations.spectral_norm(nn.Linear(chans[-1] * 16, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.head(self.body(x).flatten(1)).squeeze(1)
        return out


class Encoder(nn.Module):
    """The VAE's encoder: picture → (mean, log-variance) of its latent code."""

    def __init__(self, latent: int, size: int, width: int, tiling: TilingAxes) -> None:
        super().__init__()
        chans = level_channels(size, width)[::-1]
        layers: list[nn.Module] = [WrapConv(4, chans[0], tiling), nn.LeakyReLU(0.2)]
        for c_in, c_out in zip(chans[:-1], chans[1:], strict=True):
            layers += [
                _Down(c_in, c_out, tiling, spectral=False),
                WrapConv(c_out, c_out, tiling),
                _norm(c_out),
                nn.LeakyReLU(0.2),
            ]
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(chans[-1] * 16, 2 * latent)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean, logvar = self.head(self.body(x).flatten(1)).chunk(2, dim=1)
        return mean, logvar.clamp(-12.0, 8.0)
