"""``texture.diffusion``: text- or image-to-texture with Stable Diffusion, seamless by circular padding, as a PBR set."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from pydantic import field_validator

from ..assets import Asset
from ..context import Context
from ..errors import ParamError
from ..generator import Generator
from ..inputs import input_label
from ..ml.lora import LoraParams, lora_files, lora_inputs
from ..ml.tiling import TilingAxes
from ..params import Field, InputFile, ModelRef
from .pbr import PbrParams, from_image, set_assets

__all__ = ["TextureDiffusionParams", "TextureDiffusion", "DEFAULT_MODEL", "resize_tiling"]

DEFAULT_MODEL = "stable-diffusion-v1-5/stable-diffusion-v1-5"


def resize_tiling(rgb: np.ndarray, size: int | tuple[int, int], tiling: TilingAxes) -> np.ndarray:
    """``rgb`` (uint8 HxWx3) resized to ``size``² (or ``(width, height)``) by Lanczos, reading across the edges of
    the tiled axes.

    A plain resize clamps at the borders and so puts a seam into a tiling image; here the filter sees the wrapped
    neighbours instead (the image is wrap-padded by the filter's reach and only its own region is resampled).
    """
    from PIL import Image

    width, height = (size, size) if isinstance(size, int) else size
    h, w = rgb.shape[:2]
    # Lanczos reads 3 source pixels each way, 3 × the shrink factor when shrinking
    my, mx = (
        math.ceil(3 * max(1.0, n / to)) + 1 if axis in tiling else 0 for n, to, axis in ((h, height, "y"), (w, width, "x"))
    )
    padded = Image.fromarray(np.pad(rgb, ((my, my), (mx, mx), (0, 0)), mode="wrap"))
    return np.asarray(padded.resize((width, height), Image.Resampling.LANCZOS, box=(mx, my, mx + w, my + h)))


class TextureDiffusionParams(PbrParams, LoraParams):
    """Parameters of ``texture.diffusion``."""

    model: ModelRef = Field(
        DEFAULT_MODEL,
        min_length=1,
        description="diffusers folder or hub id, org/name[@revision] (SD 1.x/2.x/XL layout)",
    )
    prompt: str = Field("stone wall texture, top-down, even lighting", min_length=1, description="What to paint")
    negative_prompt: str = Field("text, watermark, blurry, perspective, shadows", description="What to avoid")
    steps: int = Field(30, ge=1, le=150, description="Denoising steps")
    guidance: float = Field(7.5, ge=0.0, le=30.0, description="Classifier-free guidance scale (≤ 1 disables it)")
    size: int = Field(512, ge=64, le=2048, description="Width and height in pixels (a multiple of 64)")
    tiling: TilingAxes = Field("xy", description="Seamless axes: none, x, y or xy")
    init_image: InputFile | None = Field(None, description="Image file to make variations of (image-to-texture)")
    strength: float = Field(0.6, gt=0.0, le=1.0, description="How far variations move from init_image")
    count: int = Field(1, ge=1, le=8, description="Variations generated in one batch")
    metallic: float = Field(0.0, ge=0.0, le=1.0, description="Metallic value of the whole set")

    @field_validator("size")
    @classmethod
    def _multiple_of_64(cls, v: int) -> int:
        if v % 64:
            raise ValueError("must be a multiple of 64")
        return v


class TextureDiffusion(Generator[TextureDiffusionParams]):
    """Seamless texture from a Stable Diffusion model (text or image prompt), as the same PBR set as texture.material.

    Tiling pads every convolution of the UNet and the VAE circularly for the call, per axis.
    """

    name = "texture.diffusion"
    version = "1.3.0"  # 1.3: lora, lora_scale. 1.2: engine-profile map sets, the preview clamps untiled axes. 1.1: wrapped resize/VAE
    quick_params: ClassVar[dict[str, Any]] = {"size": 64, "steps": 2}
    time_budget_s = 120.0

    def _check(self, params: TextureDiffusionParams) -> None:
        """Rules across parameters, checked before any model is loaded."""
        lora_files(params.lora, self.name)
        if params.init_image is None:
            return
        if not Path(params.init_image).is_file():
            raise ParamError(f"init_image={params.init_image!r}: no such file", generator=self.name)
        if int(params.steps * params.strength) < 1:
            raise ParamError(
                f"strength={params.strength}: with steps={params.steps} no denoising step would run "
                "(allowed: steps × strength ≥ 1)",
                generator=self.name,
            )

    def input_files(self, params: TextureDiffusionParams) -> list[Path]:
        """The model, init image and every LoRA adapter the run reads (their hashes join the build cache key)."""
        return lora_inputs(params, super().input_files(params))

    def _init_image(self, path: str, params: TextureDiffusionParams, ctx: Context) -> np.ndarray:
        """The image file ``path`` (``params.init_image``) as RGB, resized to the texture size across tiled edges."""
        from PIL import Image

        with Image.open(io.BytesIO(ctx.read_input(path))) as img:
            rgb = np.asarray(img.convert("RGB"))
        return resize_tiling(rgb, params.size, params.tiling)

    def generate(self, params: TextureDiffusionParams, ctx: Context) -> list[Asset]:
        from ..ml import load_diffusers_pipeline
        from ..ml.diffusion import image_to_image, scheduler_name, text_to_image
        from ..ml.lora import apply_lora
        from ..ml.tiling import circular_padding

        self._check(params)
        loaded = load_diffusers_pipeline(params.model, ctx=ctx)
        pipe = loaded.obj
        if params.tiling != "none" and getattr(pipe, "unet", None) is None:
            raise ParamError(
                f"tiling={params.tiling!r}: {params.model} has no UNet (transformer models cannot tile by "
                "circular padding); use tiling=none",
                generator=self.name,
            )
        with (
            apply_lora(pipe, params, ctx, self.name) as adapters,
            circular_padding([pipe.unet, pipe.vae], params.tiling),
        ):
            if params.init_image is None:
                images = text_to_image(
                    pipe,
                    ctx,
                    params.prompt,
                    width=params.size,
                    height=params.size,
                    negative_prompt=params.negative_prompt,
                    steps=params.steps,
                    guidance=params.guidance,
                    count=params.count,
                )
            else:
                images = image_to_image(
                    pipe,
                    ctx,
                    self._init_image(params.init_image, params, ctx),
                    params.prompt,
                    strength=params.strength,
                    negative_prompt=params.negative_prompt,
                    steps=params.steps,
                    guidance=params.guidance,
                    count=params.count,
                )
        record = {
            "model": input_label(params.model),
            "weights_sha256": loaded.weights_sha256,
            "prompt": params.prompt,
            "negative_prompt": params.negative_prompt,
            "steps": params.steps,
            "guidance": params.guidance,
            "scheduler": scheduler_name(pipe),
            **({"strength": params.strength} if params.init_image else {}),
            **({"lora": adapters} if adapters else {}),
        }
        assets: list[Asset] = []
        for i, image in enumerate(images):
            prefix = f"v{i}_" if len(images) > 1 else ""
            pbr = from_image(image, params, metallic=params.metallic)
            assets += set_assets(pbr, params, tiling=params.tiling, prefix=prefix, meta={"diffusion": record})
        return assets
