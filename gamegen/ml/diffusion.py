"""Text-to-image and image-to-image calls on a loaded diffusers pipeline, the way every gamegen generator makes them.

The call draws its noise from the context's seeded CPU ``torch.Generator`` (so a seed gives the same picture on any
device), reports denoising steps through ``ctx.progress`` and returns uint8 RGB arrays. One loaded pipeline serves
both modes: ``from_pipe`` builds the other mode's pipeline on the same weights.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["text_to_image", "image_to_image", "scheduler_name"]


def _run(pipe: Any, ctx: Context, **kwargs: Any) -> list[np.ndarray]:
    """Call ``pipe`` with the context's generator and progress; images as uint8 HxWx3."""

    def on_step(p: Any, step: int, timestep: Any, tensors: dict[str, Any]) -> dict[str, Any]:
        ctx.progress(step + 1, p.num_timesteps, "denoising")
        return tensors

    pipe.set_progress_bar_config(disable=True)  # from_pipe does not carry the loader's setting over
    out = pipe(**kwargs, generator=ctx.torch_generator(), output_type="np", callback_on_step_end=on_step)
    return [np.round(np.clip(img, 0.0, 1.0) * 255.0).astype(np.uint8) for img in out.images]


def text_to_image(
    pipe: Any,
    ctx: Context,
    prompt: str,
    *,
    negative_prompt: str | None = None,
    steps: int,
    guidance: float,
    width: int,
    height: int,
    count: int = 1,
    **pipeline_kwargs: Any,
) -> list[np.ndarray]:
    """``count`` images for ``prompt`` (extra keywords such as ``latents=`` go to the pipeline as they are)."""
    from diffusers import AutoPipelineForText2Image

    return _run(
        AutoPipelineForText2Image.from_pipe(pipe),
        ctx,
        prompt=prompt,
        negative_prompt=negative_prompt,
        num_inference_steps=steps,
        guidance_scale=guidance,
        width=width,
        height=height,
        num_images_per_prompt=count,
        **pipeline_kwargs,
    )


def image_to_image(
    pipe: Any,
    ctx: Context,
    image: np.ndarray,
    prompt: str,
    *,
    strength: float,
    negative_prompt: str | None = None,
    steps: int,
    guidance: float,
    count: int = 1,
    **pipeline_kwargs: Any,
) -> list[np.ndarray]:
    """``count`` variations of ``image`` (uint8 HxWx3): ``strength`` 0 keeps it, 1 replaces it; ≈ steps × strength run."""
    from diffusers import AutoPipelineForImage2Image
    from PIL import Image

    return _run(
        AutoPipelineForImage2Image.from_pipe(pipe),
        ctx,
        image=[Image.fromarray(image)] * count,  # one per output, as diffusers expects
        prompt=prompt,
        negative_prompt=negative_prompt,
        strength=strength,
        num_inference_steps=steps,
        guidance_scale=guidance,
        num_images_per_prompt=count,
        **pipeline_kwargs,
    )


def scheduler_name(pipe: Any) -> str:
    """The class name of the pipeline's noise scheduler (recorded with the output)."""
    return type(pipe.scheduler).__name__
