"""The three trainers, registered under the ``gamegen.trainers`` entry point: ``image.ddpm``, ``image.gan`` and
``image.vae``. Declarations only; each family's torch code is imported when a run starts, so ``gamegen list``
stays fast and works without the ML extra."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, ClassVar

from gamegen.errors import TrainingError
from gamegen.plugin import Registry
from gamegen.training import TrainedModel, Trainer

from .params import DdpmParams, GanParams, SmallModelParams, VaeParams

if TYPE_CHECKING:
    from gamegen.datasets import Dataset
    from gamegen.training import TrainContext

__all__ = ["DdpmTrainer", "GanTrainer", "VaeTrainer", "register"]

_QUICK: dict[str, Any] = {
    "steps": 4,
    "batch_size": 2,
    "size": 16,
    "width": 8,
    "warmup_steps": 0,
    "checkpoint_every": 2,
    "sample_every": 2,
    "copy_samples": 8,
}


def _family_train(family: str, dataset: Dataset, params: SmallModelParams, ctx: TrainContext) -> TrainedModel:
    """Run ``family``'s training loop (its module imports torch and diffusers)."""
    try:
        module = importlib.import_module(f".{family}", __package__)
    except ImportError as exc:
        raise TrainingError(
            f"image.{family} needs the ML extra: pip install 'gamegen-smallmodels[ml]' ({exc})"
        ) from exc
    result: TrainedModel = module.train(dataset, params, ctx)
    return result


class DdpmTrainer(Trainer[DdpmParams]):
    """A small diffusion model (diffusers UNet2DModel) from scratch: EMA weights, DDIM/DPM-Solver sampling.

    Optionally class-conditional on each item's caption or folder. Sample it with ``character.learned`` or
    ``texture.learned``.
    """

    name = "image.ddpm"
    version = "1.0.0"
    data_kind = "image"
    quick_params: ClassVar[dict[str, Any]] = {**_QUICK, "sample_steps": 2}

    def train(self, dataset: Dataset, params: DdpmParams, ctx: TrainContext) -> TrainedModel:
        return _family_train("ddpm", dataset, params, ctx)


class GanTrainer(Trainer[GanParams]):
    """A data-efficient GAN from scratch: small generator and discriminator with differentiable augmentation.

    Colour, translation and cutout are applied to real and fake pictures alike, which lets a GAN learn from a
    few hundred sprites. Sample it with ``character.learned`` or ``texture.learned``.
    """

    name = "image.gan"
    version = "1.0.0"
    data_kind = "image"
    quick_params: ClassVar[dict[str, Any]] = {**_QUICK, "latent": 8}

    def train(self, dataset: Dataset, params: GanParams, ctx: TrainContext) -> TrainedModel:
        return _family_train("gan", dataset, params, ctx)


class VaeTrainer(Trainer[VaeParams]):
    """A small convolutional VAE from scratch: new sprites, variations of one, interpolation between two.

    Sample it with ``character.learned`` or ``texture.learned`` (``init_image`` for variations,
    ``interpolate=A,B,steps`` for in-betweens).
    """

    name = "image.vae"
    version = "1.0.0"
    data_kind = "image"
    quick_params: ClassVar[dict[str, Any]] = {**_QUICK, "latent": 8}

    def train(self, dataset: Dataset, params: VaeParams, ctx: TrainContext) -> TrainedModel:
        return _family_train("vae", dataset, params, ctx)


def register(registry: Registry[Any]) -> None:
    """Entry-point hook of the ``gamegen.trainers`` group."""
    for trainer in (DdpmTrainer, GanTrainer, VaeTrainer):
        registry.register(trainer)
