"""``character.diffusion``: sprites and portraits from a prompt with diffusers, then the pixel-art pass.

The model is the user's (a local ``save_pretrained`` folder or a hub id), loaded through gamegen's ML runtime so
the run is labelled AI-generated with the weights' hash. The painterly result becomes pixel art by
:func:`gamegen.character.pixelart.pixelate`: background removed, per-cell dominant colours, a small palette, an
outline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import field_validator, model_validator

from ..assets import Asset, ImageAsset
from ..context import Context
from ..generator import Generator
from ..ml.lora import LoraParams, lora_files, lora_inputs
from ..params import Field, ModelRef
from .palettes import ColourSpec, KeyColourSpec, PaletteSpec, parse_hex, resolve_palette
from .pixelart import Dither, pixelate, upscale_nearest

__all__ = ["SpriteDiffusionParams", "CharacterDiffusion"]

DEFAULT_MODEL = "stable-diffusion-v1-5/stable-diffusion-v1-5"
_SUBJECT_PROMPT = {
    "sprite": "full body, centered, plain white background, game sprite",
    "portrait": "head and shoulders portrait, centered, plain white background, game character portrait",
}


class SpriteDiffusionParams(LoraParams):
    model: ModelRef = Field(
        DEFAULT_MODEL,
        min_length=1,
        description="Diffusers text-to-image model: a local folder or a hub id (org/name[@revision])",
    )
    prompt: str = Field("a brave knight with a sword", description="What to draw")
    subject: Literal["sprite", "portrait"] = Field(
        "sprite", description="Full-body sprite or head-and-shoulders portrait"
    )
    negative_prompt: str = Field("blurry, busy background, text, watermark", description="What to avoid")
    steps: int = Field(25, ge=1, le=200, description="Denoising steps")
    guidance: float = Field(7.5, ge=0.0, le=30.0, description="Classifier-free guidance scale")
    resolution: int = Field(512, ge=64, le=2048, description="Width and height of the diffusion image (multiple of 8)")
    size: int = Field(32, ge=16, le=128, description="Width of the pixel art in pixels")
    palette: PaletteSpec | None = Field(
        None, description="Quantise to this palette (a name or hex colours); unset: find `colors` colours"
    )
    colors: int = Field(16, ge=2, le=64, description="Colours to find when no palette is given")
    background: Literal["key", "none"] = Field(
        "key", description="Remove the background by colour key (the picture has no alpha channel), or keep it"
    )
    key_color: KeyColourSpec = Field(
        "auto", description="Background colour for the key: auto (the border's median) or hex"
    )
    key_tolerance: float = Field(0.1, ge=0.0, le=1.0, description="How far (Oklab) a colour may be from the key")
    dither: Dither = Field("none", description="Ordered dithering when quantising (none by default)")
    outline: ColourSpec = Field(
        "auto", description="Outline colour: auto (the palette's darkest), none, or a hex colour"
    )
    upscale: tuple[Literal[2, 4], ...] = Field((), description="Also write nearest-neighbour upscales (2 and/or 4)")

    @field_validator("resolution")
    @classmethod
    def _multiple_of_8(cls, v: int) -> int:
        if v % 8:
            raise ValueError("must be a multiple of 8")
        return v

    @model_validator(mode="after")
    def _downscale(self) -> SpriteDiffusionParams:
        if self.size > self.resolution:
            raise ValueError(
                f"size={self.size} must not exceed resolution={self.resolution}: the pass only scales down"
            )
        return self


class CharacterDiffusion(Generator[SpriteDiffusionParams]):
    """Pixel-art sprites and portraits from a prompt with a diffusion model you name (neural).

    Generates a picture with diffusers, then turns it into game pixel art: background removal by colour key,
    downscale by per-cell dominant colour, quantisation to k colours or a named palette (no dithering by default)
    and an outline. Writes the pixel art, optional 2×/4× upscales and the source picture.
    """

    name = "character.diffusion"
    version = "1.1.0"  # 1.1: lora, lora_scale
    quick_params = {"steps": 2, "resolution": 64, "size": 16}

    def input_files(self, params: SpriteDiffusionParams) -> list[Path]:
        """The model and every LoRA adapter the run reads (their hashes join the build cache key)."""
        return lora_inputs(params, super().input_files(params))

    def generate(self, params: SpriteDiffusionParams, ctx: Context) -> list[Asset]:
        from ..ml import load_diffusers_pipeline
        from ..ml.diffusion import scheduler_name, text_to_image
        from ..ml.lora import apply_lora

        lora_files(params.lora, self.name)  # bad adapter names fail before the model loads
        pipe = load_diffusers_pipeline(params.model, ctx=ctx).obj
        prompt = f"{params.prompt}, {_SUBJECT_PROMPT[params.subject]}"
        with apply_lora(pipe, params, ctx, self.name) as adapters:
            picture = text_to_image(
                pipe,
                ctx,
                prompt,
                negative_prompt=params.negative_prompt,
                steps=params.steps,
                guidance=params.guidance,
                width=params.resolution,
                height=params.resolution,
            )[0]
        palette = resolve_palette(params.palette) if params.palette is not None else None
        key = None if params.key_color == "auto" else np.array(parse_hex(params.key_color), dtype=np.uint8)
        outline: Literal["auto", "none"] | np.ndarray
        if params.outline == "auto":
            outline = "auto"
        elif params.outline == "none":
            outline = "none"
        else:
            outline = np.array(parse_hex(params.outline), np.uint8)
        art = pixelate(
            picture,
            params.size,
            rng=ctx.child("palette"),
            palette=palette,
            colors=params.colors,
            background=params.background,
            key=key,
            tolerance=params.key_tolerance,
            dither=params.dither,
            outline=outline,
        )
        meta = {
            "prompt": prompt,
            "negative_prompt": params.negative_prompt,
            "steps": params.steps,
            "guidance": params.guidance,
            "scheduler": scheduler_name(pipe),
            "size": [art.shape[1], art.shape[0]],
            **({"lora": adapters} if adapters else {}),
        }
        assets: list[Asset] = [ImageAsset(params.subject, art, meta={**meta, "preview": True})]
        assets += [
            ImageAsset(f"{params.subject}_{f}x", upscale_nearest(art, f), meta={**meta, "scale": f})
            for f in params.upscale
        ]
        assets.append(ImageAsset(f"{params.subject}_source", picture, meta={**meta, "stage": "diffusion"}))
        return assets
