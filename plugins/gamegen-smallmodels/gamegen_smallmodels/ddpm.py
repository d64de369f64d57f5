"""``image.ddpm``'s model: a small diffusers ``UNet2DModel`` trained from scratch on ``DDPMScheduler``'s forward
process (1000 steps, cosine schedule, v-prediction), with EMA weights, optionally class-conditional; sampled with DDIM
or DPM-Solver++ in a few dozen steps. Under tiling every convolution pads circularly while training and sampling
(:func:`gamegen.ml.tiling.circular_padding`)."""

from __future__ import annotations

import copy
import math
from typing import Any, cast

import torch
import torch.nn.functional as F
from torch import nn

from gamegen.datasets import Dataset
from gamegen.ml.tiling import circular_padding
from gamegen.training import TrainContext, TrainedModel

from .folder import ModelConfig, Network, Sampling, SmallModel
from .loop import batch, ema_update, finish_run, new_config, prepare, sample_grid, set_learning_rate
from .params import DdpmParams, Sampler

__all__ = ["build", "sample", "train", "unet_config"]

TIMESTEPS = 1000
SCHEDULER: dict[str, Any] = {
    "num_train_timesteps": TIMESTEPS,
    "beta_schedule": "squaredcos_cap_v2",
    "prediction_type": "v_prediction",
    "clip_sample": False,
}


def unet_config(size: int, width: int, attention: bool, classes: int) -> dict[str, Any]:
    """A small UNet: one ResNet layer per block, channels ×1, ×2, ×4... down to 8×8 (4×4 at 16 px)."""
    levels = max(2, int(math.log2(size)) - 2)
    channels = [width * min(4, 2**i) for i in range(levels)]
    down = ["DownBlock2D"] * levels
    up = ["UpBlock2D"] * levels
    if attention:
        down[-1], up[0] = "AttnDownBlock2D", "AttnUpBlock2D"
    return {
        "sample_size": size,
        "in_channels": 4,
        "out_channels": 4,
        "layers_per_block": 1,
        "block_out_channels": channels,
        "down_block_types": down,
        "up_block_types": up,
        "norm_num_groups": 8,
        "attention_head_dim": 8,
        "num_class_embeds": classes or None,
    }


def build(config: ModelConfig) -> dict[str, nn.Module]:
    """The sampling UNet (its EMA weights are what the folder stores)."""
    from diffusers import UNet2DModel

    net = config.network
    return {
        "unet": cast(nn.Module, UNet2DModel(**unet_config(config.size, net.width, net.attention, len(config.classes))))
    }


def _scheduler(sampler: Sampler) -> Any:
    from diffusers import DDIMScheduler, DPMSolverMultistepScheduler

    if sampler == "ddim":
        return DDIMScheduler.from_config(SCHEDULER)
    return DPMSolverMultistepScheduler.from_config({**SCHEDULER, "algorithm_type": "dpmsolver++"})


def sample(
    nets: dict[str, nn.Module],
    config: ModelConfig,
    noise_source: torch.Generator,
    n: int,
    labels: torch.Tensor | None = None,
    sampler: Sampler | None = None,
    steps: int | None = None,
) -> torch.Tensor:
    """``n`` pictures from Gaussian noise drawn with ``noise_source``, denoised in ``steps`` steps of ``sampler``
    (the model's defaults when None); ``labels`` (class indices) for a conditional model, else random classes."""
    unet = nets["unet"]
    device = next(unet.parameters()).device
    defaults = config.sampling or Sampling()
    scheduler = _scheduler(sampler or defaults.sampler)
    scheduler.set_timesteps(steps or defaults.steps)
    size = config.size
    x = torch.randn(n, 4, size, size, generator=noise_source).to(device) * scheduler.init_noise_sigma
    if config.classes and labels is None:
        labels = torch.randint(0, len(config.classes), (n,), generator=noise_source)
    classes = None if not config.classes or labels is None else labels.to(device)
    with circular_padding([unet], config.tiling):
        for t in scheduler.timesteps:
            out = unet(scheduler.scale_model_input(x, t), t, class_labels=classes).sample
            x = scheduler.step(out, t, x).prev_sample
    return x


def train(dataset: Dataset, params: DdpmParams, ctx: TrainContext) -> TrainedModel:
    """Train the UNet to predict the velocity v = √ᾱ·ε − √(1−ᾱ)·x (sharper than ε-prediction on pixel art after
    few steps: at low noise it need not find the noise in hard edges); the EMA copy is sampled for grids, the card
    and the folder."""
    from diffusers import DDPMScheduler

    data = prepare(dataset, params, ctx, params.classes)
    network = Network(width=params.width, attention=params.attention)
    config = new_config("ddpm", params, data, network, Sampling(sampler=params.sampler, steps=params.sample_steps))
    unet = build(config)["unet"].to(ctx.device)
    ema = copy.deepcopy(unet).eval()
    noise = DDPMScheduler.from_config(SCHEDULER)
    optimizer = torch.optim.AdamW(unet.parameters(), lr=params.learning_rate, weight_decay=0.0)
    start = 0
    resumed = ctx.resume()
    if resumed is not None:
        start, state = resumed
        unet.load_state_dict(state["unet"])
        ema.load_state_dict(state["ema"])
        optimizer.load_state_dict(state["optimizer"])
    model = SmallModel(config, {"unet": ema}, ctx.device)
    g = ctx.torch_generator()
    conditional = bool(data.pictures.classes)
    with circular_padding([unet, ema], params.tiling):
        for step in range(start + 1, params.steps + 1):
            unet.train()
            x, labels = batch(data, params, ctx)
            eps = torch.randn(x.shape, generator=g).to(ctx.device)
            t = torch.randint(0, TIMESTEPS, (len(x),), generator=g).to(ctx.device)
            pred = unet(noise.add_noise(x, eps, t), t, class_labels=labels if conditional else None).sample
            loss = F.mse_loss(pred, noise.get_velocity(x, eps, t))
            set_learning_rate(optimizer, params, step)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(unet.parameters(), 1.0)
            optimizer.step()
            ema_update(ema, unet, params.ema_decay, step)
            ctx.log(step, float(loss.detach()))
            ctx.checkpoint(
                step, {"unet": unet.state_dict(), "ema": ema.state_dict(), "optimizer": optimizer.state_dict()}
            )
            sample_grid(ctx, step, model)
    return finish_run(ctx, params, data, model, {"final_loss": ctx.losses[-1][1]})
