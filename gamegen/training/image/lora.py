"""``image.lora``: LoRA fine-tuning of a Stable Diffusion model on a studio's captioned pictures, tiling-aware.

The parameters and the trainer's declaration; the training itself is :mod:`.finetune` (imported when a run
starts, so listing trainers needs no torch).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import field_validator

from ...assets import TilingAxes
from ...params import Field, ModelRef
from ..trainer import TrainedModel, Trainer, TrainParams

if TYPE_CHECKING:
    from ...datasets import Dataset
    from ..context import TrainContext

__all__ = ["DEFAULT_BASE", "ImageLora", "ImageLoraParams"]

DEFAULT_BASE = "stable-diffusion-v1-5/stable-diffusion-v1-5"


class ImageLoraParams(TrainParams):
    """Parameters of ``image.lora``."""

    base: ModelRef = Field(
        DEFAULT_BASE,
        min_length=1,
        description="Stable Diffusion 1.x/2.x model to fine-tune: a diffusers folder or hub id org/name[@revision]",
    )
    rank: int = Field(4, ge=1, le=256, description="LoRA rank (alpha = rank)")
    tiling: TilingAxes = Field(
        "none", description="Train for seamless tiles along none, x, y or xy: crops wrap and convolutions pad circularly"
    )
    resolution: int = Field(512, ge=16, le=2048, description="Training crop size in pixels (a multiple of 8)")
    gradient_accumulation: int = Field(1, ge=1, le=1024, description="Batches whose gradients make one step")
    gradient_checkpointing: bool = Field(False, description="Recompute UNet activations in the backward pass (less memory)")
    snr_gamma: float | None = Field(None, gt=0.0, le=100.0, description="Min-SNR loss weighting γ (5 is usual; unset: none)")
    lr_schedule: Literal["constant", "cosine", "linear"] = Field("constant", description="Learning-rate schedule")
    warmup_steps: int = Field(0, ge=0, le=1_000_000, description="Steps of linear warm-up before the schedule")
    train_text_encoder: bool = Field(False, description="Also put LoRA on the text encoder's attention")
    cache_latents: bool = Field(True, description="Encode each picture once (crops cut from its latents)")
    mixed_precision: Literal["no", "fp16", "bf16"] = Field("no", description="Half-precision frozen weights (GPU only)")
    heldout: float = Field(0.0, ge=0.0, le=0.5, description="Fraction of the data held out to measure the loss on")
    sample_count: int = Field(4, ge=0, le=16, description="Sample pictures per grid (0: none)")
    sample_steps: int = Field(20, ge=1, le=150, description="Denoising steps of each sample picture")

    @field_validator("resolution")
    @classmethod
    def _multiple_of_8(cls, v: int) -> int:
        if v % 8:
            raise ValueError("must be a multiple of 8")
        return v



class ImageLora(Trainer[ImageLoraParams]):
    """LoRA on a Stable Diffusion UNet (optionally its text encoder) from captioned pictures; tiling-aware.

    With ``tiling`` the random crops wrap around the pictures and every convolution of the UNet and the VAE pads
    circularly while training, so the adapter keeps ``texture.diffusion`` making seamless tiles. Writes
    diffusers-layout ``pytorch_lora_weights.safetensors``; use it with ``lora=MODEL_FOLDER`` in
    ``texture.diffusion`` or ``character.diffusion`` (on the same base model).
    """

    name = "image.lora"
    version = "1.0.0"
    data_kind = "image"
    quick_params: ClassVar[dict[str, Any]] = {
        "steps": 2,
        "rank": 2,
        "resolution": 32,
        "checkpoint_every": 1,
        "sample_count": 2,
        "sample_steps": 2,
    }

    def train(self, dataset: Dataset, params: ImageLoraParams, ctx: TrainContext) -> TrainedModel:
        from .finetune import fine_tune

        return fine_tune(dataset, params, ctx)
