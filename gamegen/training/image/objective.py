"""The denoising objective a Stable Diffusion UNet is fine-tuned on: noise the latents at random timesteps and
regress the noise (epsilon models) or the velocity (v-prediction models), optionally Min-SNR weighted."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

__all__ = ["PREDICTIONS", "denoising_loss", "heldout_timesteps"]

PREDICTIONS = ("epsilon", "v_prediction")


def denoising_loss(
    unet: Any,
    scheduler: Any,
    latents: torch.Tensor,
    conditioning: torch.Tensor,
    generator: torch.Generator,
    *,
    snr_gamma: float | None = None,
    timesteps: torch.Tensor | None = None,
) -> torch.Tensor:
    """The mean loss of ``unet`` on ``latents``: noise drawn from ``generator``, timesteps too unless given.

    ``scheduler`` is a ``DDPMScheduler`` (its ``prediction_type`` chooses the target). With ``snr_gamma`` each item
    is weighted by min(SNR, γ)/SNR (epsilon) or min(SNR, γ)/(SNR + 1) (v-prediction), as in Min-SNR training.
    """
    noise = torch.randn(latents.shape, generator=generator, dtype=latents.dtype).to(latents.device)
    if timesteps is None:
        count = scheduler.config.num_train_timesteps
        timesteps = torch.randint(0, count, (latents.shape[0],), generator=generator)
    timesteps = timesteps.to(latents.device)
    noisy = scheduler.add_noise(latents, noise, timesteps)
    if scheduler.config.prediction_type == "v_prediction":
        target = scheduler.get_velocity(latents, noise, timesteps)
    else:
        target = noise
    prediction = unet(noisy, timesteps, conditioning, return_dict=False)[0]
    per_item = F.mse_loss(prediction.float(), target.float(), reduction="none").mean(dim=(1, 2, 3))
    if snr_gamma is not None:
        alphas = scheduler.alphas_cumprod.to(latents.device)[timesteps].float()
        snr = alphas / (1.0 - alphas)
        weight = torch.clamp(snr, max=snr_gamma)
        per_item = per_item * weight / (snr + 1.0 if scheduler.config.prediction_type == "v_prediction" else snr)
    return per_item.mean()


def heldout_timesteps(scheduler: Any, count: int = 5) -> torch.Tensor:
    """``count`` evenly spread timesteps: a held-out loss measured at the same noise levels every time."""
    total = scheduler.config.num_train_timesteps
    return torch.linspace(total * 0.1, total * 0.9, count).round().long()
