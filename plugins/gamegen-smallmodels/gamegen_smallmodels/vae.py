"""``image.vae``'s model: a small convolutional VAE. Its latent space gives smooth interpolation between two
pictures and variations around one ("more like this").

Trained on MSE plus ``kl_weight`` × the KL divergence per pixel value (``kl_weight`` plays 2σ² of a Gaussian
decoder). New pictures decode codes drawn from a Gaussian fitted to the training items' codes (their means'
covariance plus the mean posterior variance, stored with the weights), which matches the data better than the
unit prior a lightly regularised VAE drifts from.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gamegen.datasets import Dataset
from gamegen.training import TrainContext, TrainedModel

from .folder import ModelConfig, Network, SmallModel
from .loop import Prepared, batch, finish_run, new_config, prepare, sample_grid, set_learning_rate
from .nets import Decoder, Encoder
from .params import VaeParams

__all__ = ["LatentPrior", "build", "decode", "encode", "sample", "train"]


class LatentPrior(nn.Module):
    """The Gaussian new codes are drawn from: ``mean`` and the Cholesky factor ``chol`` of its covariance."""

    def __init__(self, latent: int) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(latent))
        self.register_buffer("chol", torch.eye(latent))

    def draw(self, n: int, noise_source: torch.Generator) -> torch.Tensor:
        """``n`` codes."""
        mean, chol = self.get_buffer("mean"), self.get_buffer("chol")
        eps = torch.randn(n, len(mean), generator=noise_source).to(mean.device)
        return mean + eps @ chol.T


def build(config: ModelConfig) -> dict[str, nn.Module]:
    """Encoder, decoder and the fitted prior."""
    net = config.network
    return {
        "encoder": Encoder(net.latent, config.size, net.width, config.tiling),
        "decoder": Decoder(net.latent, config.size, net.width, config.tiling),
        "prior": LatentPrior(net.latent),
    }


def encode(nets: dict[str, nn.Module], x: torch.Tensor) -> torch.Tensor:
    """The code (posterior mean) of each picture in ``x`` (N, 4, S, S) in [-1, 1]."""
    mean, _ = nets["encoder"](x.to(next(nets["encoder"].parameters()).device))
    out: torch.Tensor = mean
    return out


def decode(nets: dict[str, nn.Module], z: torch.Tensor) -> torch.Tensor:
    """The pictures of the codes ``z``."""
    out: torch.Tensor = nets["decoder"](z.to(next(nets["decoder"].parameters()).device))
    return out


def sample(
    nets: dict[str, nn.Module], config: ModelConfig, noise_source: torch.Generator, n: int, **_: object
) -> torch.Tensor:
    """``n`` pictures decoded from codes drawn from the fitted prior."""
    prior = nets["prior"]
    assert isinstance(prior, LatentPrior)
    return decode(nets, prior.draw(n, noise_source))


@torch.no_grad()
def _fit_prior(prior: LatentPrior, encoder: nn.Module, data: Prepared, device: str) -> None:
    """Fit ``prior`` to the codes of every training item (their means' covariance + mean posterior variance)."""
    means, variances = [], []
    for start in range(0, len(data.x), 256):
        mean, logvar = encoder(data.x[start : start + 256].to(device))
        means.append(mean.double())
        variances.append(logvar.double().exp())
    mu = torch.cat(means)
    centred = mu - mu.mean(0)
    spread = torch.diag(torch.cat(variances).mean(0) + 1e-4)
    cov = centred.T @ centred / max(1, len(mu) - 1) + spread
    prior.get_buffer("mean").copy_(mu.mean(0).float())
    prior.get_buffer("chol").copy_(torch.linalg.cholesky(cov).float())


def train(dataset: Dataset, params: VaeParams, ctx: TrainContext) -> TrainedModel:
    """Train encoder and decoder together (reparameterised codes drawn with the run's generator), then fit the prior."""
    data = prepare(dataset, params, ctx)
    config = new_config("vae", params, data, Network(width=params.width, latent=params.latent))
    nets = {name: net.to(ctx.device) for name, net in build(config).items()}
    encoder, decoder, prior = nets["encoder"], nets["decoder"], nets["prior"]
    assert isinstance(prior, LatentPrior)
    trained = list(encoder.parameters()) + list(decoder.parameters())
    optimizer = torch.optim.Adam(trained, lr=params.learning_rate)
    start = 0
    resumed = ctx.resume()
    if resumed is not None:
        start, state = resumed
        encoder.load_state_dict(state["encoder"])
        decoder.load_state_dict(state["decoder"])
        optimizer.load_state_dict(state["optimizer"])
    model = SmallModel(config, nets, ctx.device)
    g = ctx.torch_generator()
    values = 4 * params.size * params.size
    for step in range(start + 1, params.steps + 1):
        encoder.train()
        decoder.train()
        x, _ = batch(data, params, ctx)
        mean, logvar = encoder(x)
        z = mean + torch.randn(mean.shape, generator=g).to(ctx.device) * (0.5 * logvar).exp()
        recon = F.mse_loss(decoder(z), x)
        kl = 0.5 * (mean.pow(2) + logvar.exp() - 1.0 - logvar).sum(1).mean() / values
        loss = recon + params.kl_weight * kl
        set_learning_rate(optimizer, params, step)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        ctx.log(step, float(loss.detach()))
        ctx.checkpoint(
            step,
            {"encoder": encoder.state_dict(), "decoder": decoder.state_dict(), "optimizer": optimizer.state_dict()},
        )
        if ctx.due(step, ctx.sample_every):  # a grid shows what sampling gives: codes from the prior fitted so far
            _fit_prior(prior, encoder, data, ctx.device)
        sample_grid(ctx, step, model)
    _fit_prior(prior, encoder, data, ctx.device)
    with torch.no_grad():
        recon_error = float(F.mse_loss(decode(model.nets, encode(model.nets, data.x[:256])).cpu(), data.x[:256]))
    return finish_run(ctx, params, data, model, {"final_loss": ctx.losses[-1][1], "reconstruction_mse": recon_error})
