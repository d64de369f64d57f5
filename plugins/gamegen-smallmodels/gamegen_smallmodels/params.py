"""The trainers' parameters: what all three small models share, and each family's own."""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator

from gamegen.assets import TilingAxes
from gamegen.params import Field
from gamegen.training import TrainParams

from .data import ClassSource

__all__ = ["AUGMENTS", "Augment", "DdpmParams", "GanParams", "Sampler", "SmallModelParams", "VaeParams"]

Sampler = Literal["ddim", "dpm"]
Augment = Literal["color", "translation", "cutout"]
AUGMENTS: tuple[Augment, ...] = ("color", "translation", "cutout")


class SmallModelParams(TrainParams):
    """Parameters every small model has."""

    size: Literal[16, 32, 64] = Field(
        32, description="Width and height of the pictures the model makes (items are fitted to it)"
    )
    width: int = Field(
        32, ge=8, le=256, description="Channels at full resolution (a multiple of 8): the model's capacity"
    )
    tiling: TilingAxes = Field(
        "none",
        description="Train for seamless tiles along none, x, y or xy: crops wrap and convolutions pad circularly",
    )
    palette: Literal["dataset", "off"] = Field(
        "dataset", description="Snap made pictures to the data's own colours (pixel art gains no new colours), or not"
    )
    palette_colors: int = Field(
        64, ge=2, le=256, description="Most colours the palette keeps (the data's most typical)"
    )
    warmup_steps: int = Field(100, ge=0, le=1_000_000, description="Steps of linear learning-rate warm-up")
    copy_samples: int = Field(
        1000,
        ge=0,
        le=10_000,
        description="Pictures sampled after training to measure near-copies and diversity (0: none)",
    )
    copy_distance: float | None = Field(
        None,
        gt=0.0,
        le=1.0,
        description="Thumbnail distance under which a picture is a near-copy (unset: half the "
        "median distance between neighbouring training items)",
    )

    @field_validator("width")
    @classmethod
    def _multiple_of_8(cls, v: int) -> int:
        if v % 8:
            raise ValueError("must be a multiple of 8")
        return v


class DdpmParams(SmallModelParams):
    """Parameters of ``image.ddpm``."""

    steps: int = Field(4000, ge=1, le=1_000_000, description="Optimizer steps to train for.")
    learning_rate: float = Field(2e-4, gt=0, le=1.0, description="Peak learning rate.")
    batch_size: int = Field(16, ge=1, le=1024, description="Items per optimizer step.")
    ema_decay: float = Field(0.999, ge=0.0, lt=1.0, description="Decay of the averaged weights used for sampling")
    classes: ClassSource = Field(
        "none", description="Class-conditional on each item's caption or folder (none: unconditional)"
    )
    attention: bool = Field(False, description="Self-attention at the lowest resolution (better shapes, slower)")
    sampler: Sampler = Field("dpm", description="Sampler the model uses by default: DDIM or DPM-Solver++")
    sample_steps: int = Field(25, ge=1, le=1000, description="Denoising steps when sampling (20–50 is usual)")


class GanParams(SmallModelParams):
    """Parameters of ``image.gan``."""

    steps: int = Field(
        4000, ge=1, le=1_000_000, description="Optimizer steps (one for D and one for G each) to train for."
    )
    learning_rate: float = Field(2e-4, gt=0, le=1.0, description="Peak learning rate of both networks.")
    batch_size: int = Field(32, ge=2, le=1024, description="Items per optimizer step.")
    ema_decay: float = Field(0.999, ge=0.0, lt=1.0, description="Decay of the averaged weights used for sampling")
    latent: int = Field(64, ge=2, le=1024, description="Size of the generator's random input")
    augment: tuple[Augment, ...] = Field(
        AUGMENTS, description="Differentiable augmentations of real and fake pictures: color, translation, cutout"
    )

    @field_validator("augment")
    @classmethod
    def _unique(cls, v: tuple[Augment, ...]) -> tuple[Augment, ...]:
        if len(set(v)) != len(v):
            raise ValueError("values must not repeat")
        return v


class VaeParams(SmallModelParams):
    """Parameters of ``image.vae``."""

    steps: int = Field(3000, ge=1, le=1_000_000, description="Optimizer steps to train for.")
    learning_rate: float = Field(1e-3, gt=0, le=1.0, description="Peak learning rate.")
    batch_size: int = Field(32, ge=1, le=1024, description="Items per optimizer step.")
    latent: int = Field(32, ge=2, le=1024, description="Size of the latent code")
    kl_weight: float = Field(
        0.01,
        ge=0.0,
        le=10.0,
        description="Weight of the KL term per pixel value (lower: sharper, less regular latents)",
    )
