"""What the three trainers share around their own update step: the data as tensors, the palette, batches, the
learning-rate warm-up, EMA weights, sample grids, and the end of a run — weights, copy index, and the card's
copy-check and diversity figures measured on fresh samples."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from gamegen.context import derive_seed
from gamegen.training import TrainContext, TrainedModel

from .copycheck import FEATURE, CopyIndex, auto_limit, mean_pairwise_distance, nearest, thumbnails
from .data import ClassSource, Pictures, load_pictures, to_unit, wrapped_batch
from .folder import Family, ModelConfig, Network, Sampling, SmallModel, save_weights
from .palette import dataset_palette, hex_colours
from .params import SmallModelParams

if TYPE_CHECKING:
    import torch
    from torch import nn

    from gamegen.datasets import Dataset

__all__ = ["Prepared", "batch", "ema_update", "finish_run", "new_config", "prepare", "sample_grid", "set_learning_rate"]

GRID = 16  # pictures in each sample grid


@dataclass
class Prepared:
    """The training set of a run: pictures, their tensor (N, 4, S, S) in [-1, 1], labels, palette."""

    pictures: Pictures
    x: torch.Tensor
    labels: torch.Tensor
    palette: list[str] | None


def prepare(dataset: Dataset, params: SmallModelParams, ctx: TrainContext, classes: ClassSource = "none") -> Prepared:
    """Fit every item to the model's size and find the data's palette (from a stream of its own)."""
    import torch

    pictures = load_pictures(dataset, params.size, params.tiling, classes)
    palette = None
    if params.palette == "dataset":
        rng = np.random.Generator(np.random.PCG64(derive_seed(ctx.seed, "palette")))
        palette = hex_colours(dataset_palette(pictures.pixels, params.palette_colors, rng))
    return Prepared(pictures, to_unit(pictures.pixels), torch.from_numpy(pictures.labels), palette)


def batch(data: Prepared, params: SmallModelParams, ctx: TrainContext) -> tuple[torch.Tensor, torch.Tensor]:
    """A random batch (with replacement) and its labels, crops wrapped on the tiled axes, on the run's device."""
    import torch

    g = ctx.torch_generator()
    index = torch.randint(0, len(data.x), (params.batch_size,), generator=g)
    x = wrapped_batch(data.x, index, params.tiling, g)
    return x.to(ctx.device), data.labels.index_select(0, index).to(ctx.device)


def set_learning_rate(optimizer: torch.optim.Optimizer, params: SmallModelParams, step: int) -> None:
    """The peak learning rate after a linear warm-up over the first ``warmup_steps`` steps."""
    scale = min(1.0, step / params.warmup_steps) if params.warmup_steps else 1.0
    for group in optimizer.param_groups:
        group["lr"] = params.learning_rate * scale


def ema_update(ema: nn.Module, net: nn.Module, decay: float, step: int) -> None:
    """Move the EMA copy towards ``net``; the decay ramps up as (1 + step) / (10 + step), so short runs follow the
    weights instead of staying at their random start."""
    import torch

    d = min(decay, (1.0 + step) / (10.0 + step))
    with torch.no_grad():
        for averaged, weight in zip(ema.parameters(), net.parameters(), strict=True):
            averaged.lerp_(weight, 1.0 - d)
        for kept, buffer in zip(ema.buffers(), net.buffers(), strict=True):
            kept.copy_(buffer)


def _grid_source(ctx: TrainContext) -> torch.Generator:
    """The same noise for every grid of a run (progress shows on the same pictures), never the training stream."""
    import torch

    return torch.Generator("cpu").manual_seed(derive_seed(ctx.seed, "grid"))


def sample_grid(ctx: TrainContext, step: int, model: SmallModel) -> None:
    """Draw the sample grid of ``step`` when one is due."""
    if ctx.due(step, ctx.sample_every):
        for net in model.nets.values():
            net.eval()
        ctx.samples(step, list(model.finish(model.sample(GRID, _grid_source(ctx)))), columns=4)


def finish_run(
    ctx: TrainContext, params: SmallModelParams, data: Prepared, model: SmallModel, metrics: dict[str, float]
) -> TrainedModel:
    """Write the weights, config and copy index into the model folder; sample ``copy_samples`` pictures to measure
    the near-copy share and diversity for the card."""
    import torch

    for net in model.nets.values():
        net.eval()
    files = save_weights(ctx.out_dir, model.config, model.nets)
    rng = np.random.Generator(np.random.PCG64(derive_seed(ctx.seed, "copy-check")))
    thumbs = thumbnails(data.pictures.pixels)
    limit = params.copy_distance if params.copy_distance is not None else auto_limit(thumbs, params.tiling, rng)
    index = CopyIndex(data.pictures.ids, thumbs, params.tiling, limit)
    files.append(index.save(ctx.out_dir))
    figures = dict(metrics)
    copy: dict[str, Any] = {"feature": FEATURE, "index": files[-1], "items": len(thumbs), "near_copy_distance": limit}
    if params.copy_samples:
        source = torch.Generator("cpu").manual_seed(derive_seed(ctx.seed, "copy-samples"))
        made = thumbnails(model.finish(model.sample(params.copy_samples, source)))
        found = nearest(made, thumbs, params.tiling)
        figures.update(
            {
                "near_copy_share": float((found.distance < limit).mean()),
                "nearest_distance_median": float(np.median(found.distance)),
                "diversity_samples": mean_pairwise_distance(made, rng),
                "diversity_training": mean_pairwise_distance(thumbs, rng),
            }
        )
        training = figures["diversity_training"]
        figures["diversity_ratio"] = figures["diversity_samples"] / training if training > 0 else 0.0
        copy["samples"] = params.copy_samples
    extra = {"family": model.config.family, "config": model.config.to_json(), "copy_check": copy}
    return TrainedModel(files, figures, extra=extra)


def new_config(
    family: Family, params: SmallModelParams, data: Prepared, network: Network, sampling: Sampling | None = None
) -> ModelConfig:
    """The config of a ``family`` model (trainer ``image.<family>``) trained on ``data`` with ``params``."""
    return ModelConfig(
        family=family,
        trainer=f"image.{family}",
        size=params.size,
        tiling=params.tiling,
        alpha=data.pictures.alpha,
        palette=data.palette,
        classes=data.pictures.classes,
        network=network,
        sampling=sampling,
    )
