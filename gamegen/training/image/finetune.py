"""The ``image.lora`` training run: LoRA adapters on a Stable Diffusion UNet (and text encoder), AdamW, a
learning-rate schedule, checkpoints that resume to the same bytes, held-out loss and sample grids.

Shaped like diffusers' ``train_text_to_image_lora.py`` (its LoraConfig and step), with gamegen's rules: the base
model loads through :mod:`gamegen.ml.runtime` (safetensors only, hashed, offline-aware), randomness comes only
from ``ctx.rng`` (crops, batch order) and ``ctx.torch_generator()`` (noise, timesteps, VAE samples), and under
``tiling`` every convolution pads circularly for the whole run (:func:`gamegen.ml.tiling.circular_padding`).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ...context import ModelUse, derive_seed
from ...datasets import Dataset, DatasetItem
from ...errors import ParamError
from ...inputs import input_label
from ...ml.lora import LORA_WEIGHTS
from ...ml.runtime import LoadedModel, load_diffusers_pipeline, quiet_diffusers
from ...ml.tiling import circular_padding
from ..context import TrainContext
from ..trainer import TrainedModel
from .data import Frozen, LatentData, TextConditioning, sample_latents
from .lora import ImageLoraParams
from .objective import PREDICTIONS, denoising_loss, heldout_timesteps
from .samples import sample_images, sample_prompts

__all__ = ["TEXT_TARGETS", "UNET_TARGETS", "fine_tune", "lora_config"]

UNET_TARGETS = ["to_k", "to_q", "to_v", "to_out.0"]
TEXT_TARGETS = ["q_proj", "k_proj", "v_proj", "out_proj"]
_DTYPES = {"no": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
_MAX_GRAD_NORM = 1.0
_NAME = "image.lora"


def lora_config(rank: int, targets: list[str]) -> Any:
    """The adapter of diffusers' LoRA scripts: alpha = rank, Gaussian A, zero B (the base model to start with)."""
    from peft import LoraConfig

    return LoraConfig(r=rank, lora_alpha=rank, init_lora_weights="gaussian", target_modules=targets)


@dataclass
class BatchOrder:
    """Items in epochs, each a fresh permutation from the run's ``rng``; where it stands is saved in checkpoints."""

    size: int
    order: list[int] = field(default_factory=list)
    cursor: int = 0

    def take(self, count: int, rng: np.random.Generator) -> list[int]:
        taken: list[int] = []
        while len(taken) < count:
            if self.cursor >= len(self.order):
                self.order, self.cursor = [int(i) for i in rng.permutation(self.size)], 0
            taken.append(self.order[self.cursor])
            self.cursor += 1
        return taken


def _check(params: ImageLoraParams, device: str) -> None:
    """Settings that cannot work here, refused before the model loads."""
    if params.warmup_steps > params.steps:
        raise ParamError(f"warmup_steps={params.warmup_steps}: must not exceed steps={params.steps}", generator=_NAME)
    if params.mixed_precision != "no" and device == "cpu":
        raise ParamError(
            f"mixed_precision={params.mixed_precision!r}: only on a GPU (this run is on the CPU; use mixed_precision=no)",
            generator=_NAME,
        )


def _load(params: ImageLoraParams, device: str) -> LoadedModel:
    """The base pipeline, a private float32 copy (the per-process cache must not see the adapters)."""
    from diffusers import StableDiffusionPipeline

    with quiet_diffusers():  # it warns that the safety checker is left out
        loaded = load_diffusers_pipeline(
            params.base,
            pipeline_class=StableDiffusionPipeline,
            device=device,
            dtype="float32",
            without=("safety_checker", "feature_extractor"),
        )
    unet_config = loaded.obj.unet.config
    extra = unet_config.get("addition_embed_type") or unet_config.get("class_embed_type")
    if extra:
        raise ParamError(
            f"base={params.base!r}: its UNet needs {extra!r} conditioning (SDXL and the like); "
            "image.lora fine-tunes Stable Diffusion 1.x/2.x models",
            generator=_NAME,
        )
    prediction = loaded.obj.scheduler.config.get("prediction_type", "epsilon")
    if prediction not in PREDICTIONS:
        raise ParamError(
            f"base={params.base!r}: predicts {prediction!r}; image.lora trains epsilon or v_prediction models",
            generator=_NAME,
        )
    return loaded


class LoraRun:
    """The models, optimizer, schedule and data of one run, and what it does with them: a step, the held-out
    loss, a sample grid, its state for a checkpoint, the weights at the end."""

    def __init__(self, loaded: LoadedModel, params: ImageLoraParams, ctx: TrainContext) -> None:
        from diffusers import DDPMScheduler
        from diffusers.optimization import get_scheduler

        self.loaded, self.params, self.ctx = loaded, params, ctx
        self.pipe = pipe = loaded.obj
        pipe.set_progress_bar_config(disable=True)
        self.unet, self.vae, self.text_encoder = pipe.unet, pipe.vae, pipe.text_encoder
        dtype = _DTYPES[params.mixed_precision]
        for part in (self.unet, self.vae, self.text_encoder):
            part.requires_grad_(False)
            if dtype != torch.float32:
                part.to(dtype=dtype)
        self.trainable = self._add_adapters()
        self.noise_scheduler = DDPMScheduler.from_config(pipe.scheduler.config)
        self.optimizer = torch.optim.AdamW(list(self.trainable.values()), lr=params.learning_rate, weight_decay=1e-2)
        warmup_only = params.lr_schedule == "constant" and params.warmup_steps
        self.schedule = get_scheduler(
            "constant_with_warmup" if warmup_only else params.lr_schedule,
            self.optimizer,
            num_warmup_steps=params.warmup_steps,
            num_training_steps=params.steps,
        )
        device_type = ctx.device.split(":")[0]
        self.scaler = torch.amp.GradScaler(device_type, enabled=params.mixed_precision == "fp16")
        self.autocast: AbstractContextManager[Any] = (
            torch.autocast(device_type, dtype=dtype) if params.mixed_precision != "no" else nullcontext()
        )
        self.frozen = Frozen(self.vae, self.text_encoder, pipe.tokenizer, dtype, ctx.device)
        self.scaling = float(self.vae.config.scaling_factor)
        self.heldout_before: float | None = None

    def _add_adapters(self) -> dict[str, torch.nn.Parameter]:
        """LoRA on the UNet's attention (and the text encoder's); the trainable parameters by name, in float32."""
        params = self.params
        self.unet.add_adapter(lora_config(params.rank, UNET_TARGETS))
        trainable = {f"unet.{n}": p for n, p in self.unet.named_parameters() if p.requires_grad}
        if params.train_text_encoder:  # through peft itself: transformers' add_adapter wants a newer peft than exists
            from peft import inject_adapter_in_model

            inject_adapter_in_model(lora_config(params.rank, TEXT_TARGETS), self.text_encoder, adapter_name="default")
            trainable |= {f"text_encoder.{n}": p for n, p in self.text_encoder.named_parameters() if p.requires_grad}
        for p in trainable.values():
            p.data = p.data.float()  # the adapters train in float32 whatever the frozen weights are
        if params.gradient_checkpointing:
            self.unet.enable_gradient_checkpointing()
            if params.train_text_encoder:  # transformers 5 renamed it
                te = self.text_encoder
                getattr(te, "activation_checkpointing_enable", te.gradient_checkpointing_enable)()
        return trainable

    def encode(self, items: list[DatasetItem], heldout: list[DatasetItem]) -> None:
        """Prepare the training and held-out pictures and captions (inside the run's tiling)."""
        params, frozen = self.params, self.frozen
        self.data = LatentData(items, frozen, params.resolution, params.tiling, params.cache_latents)
        self.text = TextConditioning([i.caption for i in items], frozen, params.train_text_encoder)
        self.held = LatentData(heldout, frozen, params.resolution, params.tiling, True) if heldout else None
        self.held_text = TextConditioning([i.caption for i in heldout], frozen, False) if heldout else None
        self.order = BatchOrder(len(items))

    def training(self, on: bool) -> None:
        """Switch the trained models between training and evaluation (held-out loss, samples)."""
        self.unet.train(on)
        self.text_encoder.train(on and self.params.train_text_encoder)

    def step(self) -> float:
        """One optimizer step over ``gradient_accumulation`` batches; the mean batch loss."""
        params, ctx = self.params, self.ctx
        total = 0.0
        for _ in range(params.gradient_accumulation):
            index = self.order.take(params.batch_size, ctx.rng)
            with self.autocast:
                latents = sample_latents(self.data.moments(index, ctx.rng), ctx.torch_generator(), self.scaling)
                loss = denoising_loss(
                    self.unet,
                    self.noise_scheduler,
                    latents,
                    self.text(index),
                    ctx.torch_generator(),
                    snr_gamma=params.snr_gamma,
                )
            self.scaler.scale(loss / params.gradient_accumulation).backward()
            total += float(loss.detach())
        self.scaler.unscale_(self.optimizer)
        torch.nn.utils.clip_grad_norm_(list(self.trainable.values()), _MAX_GRAD_NORM)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.schedule.step()
        self.optimizer.zero_grad(set_to_none=True)
        return total / params.gradient_accumulation

    def heldout_loss(self) -> float | None:
        """The loss on the held-out items at fixed noise levels and noise (comparable from step to step)."""
        if self.held is None or self.held_text is None:
            return None
        self.training(False)
        generator = torch.Generator("cpu").manual_seed(derive_seed(self.ctx.seed, "heldout"))
        timesteps = heldout_timesteps(self.noise_scheduler)
        losses = []
        with torch.no_grad(), self.autocast:
            for i in range(len(self.held)):
                moments = self.held.moments([i], None).expand(len(timesteps), -1, -1, -1)
                latents = sample_latents(moments, generator, self.scaling)
                cond = self.held_text([i] * len(timesteps))
                losses.append(denoising_loss(self.unet, self.noise_scheduler, latents, cond, generator, timesteps=timesteps))
        self.training(True)
        return float(torch.stack(losses).mean())

    def samples(self, prompts: list[str]) -> list[np.ndarray]:
        """Sample pictures of ``prompts`` from the model as it is now, with fixed seeds."""
        params = self.params
        self.training(False)
        with self.autocast:
            images = sample_images(
                self.pipe,
                prompts,
                seed=self.ctx.seed,
                steps=params.sample_steps,
                resolution=params.resolution,
                tiling=params.tiling,
            )
        self.training(True)
        return images

    def state(self) -> dict[str, Any]:
        """Everything a resumed run needs besides the context's own streams: weights, optimizer, schedule, order."""
        return {
            "weights": {name: p.detach() for name, p in self.trainable.items()},
            "optimizer": self.optimizer.state_dict(),
            "schedule": self.schedule.state_dict(),
            "scaler": self.scaler.state_dict(),
            "order": self.order.order,
            "cursor": self.order.cursor,
            "heldout_before": self.heldout_before,
        }

    def restore(self, saved: dict[str, Any]) -> None:
        """Take up the :meth:`state` of a checkpoint."""
        with torch.no_grad():
            for name, p in self.trainable.items():
                p.copy_(saved["weights"][name])
        self.optimizer.load_state_dict(saved["optimizer"])
        self.schedule.load_state_dict(saved["schedule"])
        self.scaler.load_state_dict(saved["scaler"])
        self.order.order, self.order.cursor = list(saved["order"]), int(saved["cursor"])
        self.heldout_before = saved["heldout_before"]

    def save(self) -> None:
        """Write the adapters as diffusers-layout ``pytorch_lora_weights.safetensors`` (what ``load_lora_weights``
        reads)."""
        from diffusers import StableDiffusionPipeline
        from diffusers.utils import convert_state_dict_to_diffusers
        from peft.utils import get_peft_model_state_dict

        def layers(model: Any) -> dict[str, torch.Tensor]:
            state = convert_state_dict_to_diffusers(get_peft_model_state_dict(model))
            return {k: v.contiguous() for k, v in state.items()}

        StableDiffusionPipeline.save_lora_weights(
            save_directory=self.ctx.out_dir,
            unet_lora_layers=layers(self.unet),
            text_encoder_lora_layers=layers(self.text_encoder) if self.params.train_text_encoder else None,
            safe_serialization=True,
        )

    def metrics(self) -> dict[str, float]:
        """``final_loss`` (the mean of the last ten steps' losses: one batch is noisy) and the held-out losses."""
        ctx = self.ctx
        metrics = {"final_loss": float(np.mean([loss for _, loss in ctx.losses[-10:]]))}
        if ctx.heldout_losses:
            metrics["heldout_loss"] = ctx.heldout_losses[-1][1]
        if self.heldout_before is not None:
            metrics["heldout_loss_before"] = float(self.heldout_before)
        return metrics


def fine_tune(dataset: Dataset, params: ImageLoraParams, ctx: TrainContext) -> TrainedModel:
    """Train LoRA adapters for ``params.steps`` optimizer steps and write them into ``ctx.out_dir``."""
    _check(params, ctx.device)
    items, heldout = dataset.split(params.heldout, ctx.seed)
    ctx.progress(0, params.steps, f"loading {params.base}")
    run = LoraRun(_load(params, ctx.device), params, ctx)
    prompts = sample_prompts([i.caption for i in dataset.items], params.sample_count)
    with circular_padding([run.unet, run.vae], params.tiling):
        ctx.progress(0, params.steps, f"encoding {len(dataset.items)} pictures")
        run.encode(items, heldout)
        run.training(True)
        found = ctx.resume()
        if found is None:
            start, run.heldout_before = 0, run.heldout_loss()
        else:
            start, saved = found
            run.restore(saved)
        for step in range(start + 1, params.steps + 1):
            loss = run.step()
            due = ctx.due(step, ctx.sample_every)
            ctx.log(step, loss, run.heldout_loss() if due else None)
            if due and prompts:
                ctx.samples(step, run.samples(prompts))
            ctx.checkpoint(step, run.state())
    run.save()
    targets = {"unet": UNET_TARGETS, **({"text_encoder": TEXT_TARGETS} if params.train_text_encoder else {})}
    return TrainedModel(
        files=[LORA_WEIGHTS],
        metrics=run.metrics(),
        base=ModelUse(input_label(params.base), run.loaded.weights_sha256),
        extra={
            "adapter": "lora",
            "rank": params.rank,
            "lora_alpha": params.rank,
            "target_modules": targets,
            "prediction_type": run.noise_scheduler.config.prediction_type,
            "tiling": params.tiling,
            "resolution": params.resolution,
            "train_items": len(items),
            "heldout_items": len(heldout),
            "use_with": "texture.diffusion or character.diffusion: --set model=BASE --set lora=THIS_FOLDER",
        },
    )
