"""``image.gan``'s model: a small generator and a spectrally normalised discriminator trained with the hinge loss,
with differentiable augmentation of real and fake pictures (what lets a GAN learn from a few hundred), and EMA
generator weights for sampling."""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn

from gamegen.datasets import Dataset
from gamegen.training import TrainContext, TrainedModel

from .augment import diff_augment
from .folder import ModelConfig, Network, SmallModel
from .loop import batch, ema_update, finish_run, new_config, prepare, sample_grid, set_learning_rate
from .nets import Decoder, Discriminator
from .params import GanParams

__all__ = ["build", "sample", "train"]


def build(config: ModelConfig) -> dict[str, nn.Module]:
    """The generator (its EMA weights are what the folder stores)."""
    return {"generator": Decoder(config.network.latent, config.size, config.network.width, config.tiling)}


def sample(
    nets: dict[str, nn.Module], config: ModelConfig, noise_source: torch.Generator, n: int, **_: object
) -> torch.Tensor:
    """``n`` pictures from latent vectors drawn with ``noise_source``."""
    g = nets["generator"]
    device = next(g.parameters()).device
    z = torch.randn(n, config.network.latent, generator=noise_source).to(device)
    out: torch.Tensor = g(z)
    return out


def train(dataset: Dataset, params: GanParams, ctx: TrainContext) -> TrainedModel:
    """Alternate a discriminator and a generator step per optimizer step (Adam, β = 0.5, 0.99)."""
    data = prepare(dataset, params, ctx)
    config = new_config("gan", params, data, Network(width=params.width, latent=params.latent))
    gen = build(config)["generator"].to(ctx.device)
    disc = Discriminator(params.size, params.width, params.tiling).to(ctx.device)
    ema = copy.deepcopy(gen).eval()
    opt_g = torch.optim.Adam(gen.parameters(), lr=params.learning_rate, betas=(0.5, 0.99))
    opt_d = torch.optim.Adam(disc.parameters(), lr=params.learning_rate, betas=(0.5, 0.99))
    start = 0
    resumed = ctx.resume()
    if resumed is not None:
        start, state = resumed
        for net, key in ((gen, "generator"), (disc, "discriminator"), (ema, "ema")):
            net.load_state_dict(state[key])
        opt_g.load_state_dict(state["opt_g"])
        opt_d.load_state_dict(state["opt_d"])
    model = SmallModel(config, {"generator": ema}, ctx.device)
    g = ctx.torch_generator()

    def augmented(x: torch.Tensor) -> torch.Tensor:
        return diff_augment(x, params.augment, g, params.tiling)

    for step in range(start + 1, params.steps + 1):
        gen.train()
        disc.train()
        real, _ = batch(data, params, ctx)
        z = torch.randn(len(real), params.latent, generator=g).to(ctx.device)
        fake = gen(z)
        loss_d = F.relu(1.0 - disc(augmented(real))).mean() + F.relu(1.0 + disc(augmented(fake.detach()))).mean()
        set_learning_rate(opt_d, params, step)
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        loss_g = -disc(augmented(fake)).mean()
        set_learning_rate(opt_g, params, step)
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        ema_update(ema, gen, params.ema_decay, step)
        ctx.log(step, float(loss_d.detach()))  # the discriminator's hinge loss: 2 at the start, lower as it learns
        ctx.checkpoint(
            step,
            {
                "generator": gen.state_dict(),
                "discriminator": disc.state_dict(),
                "ema": ema.state_dict(),
                "opt_g": opt_g.state_dict(),
                "opt_d": opt_d.state_dict(),
            },
        )
        sample_grid(ctx, step, model)
    return finish_run(ctx, params, data, model, {"final_loss": ctx.losses[-1][1]})
