"""``character.learned`` and ``texture.learned``: sprites and tiles sampled from a small model a studio trained
(``image.ddpm``, ``image.gan`` or ``image.vae``), registered under the ``gamegen.generators`` entry point.

A model folder is given as ``model`` (a local path, or ``"@name"`` of a recipe's ``[[model]]``). New pictures, or
with a VAE variations of ``init_image`` and in-betweens of ``interpolate=A,B,steps``; seeded, deterministic on the
CPU, labelled AI-made with the model's weights hash, and each checked against the model's training items.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import field_validator, model_validator

from gamegen.errors import ParamError, QualityError
from gamegen.inputs import input_label
from gamegen.plugin import Asset, Context, Field, Generator, InputFile, ModelRef, Params, Registry

if TYPE_CHECKING:
    from .folder import SmallModel

__all__ = ["LearnedParams", "LearnedSprites", "LearnedTiles", "register"]

MAX_INTERPOLATION = 64


class LearnedParams(Params):
    """Parameters of ``character.learned`` and ``texture.learned``."""

    model: ModelRef = Field(
        "", description='Model folder made by image.ddpm, image.gan or image.vae ("@name" in a recipe)'
    )
    count: int = Field(8, ge=1, le=256, description="Pictures to make (with interpolate: ignored, steps decide)")
    init_image: InputFile | None = Field(
        None, description='VAE: make variations of this picture ("more like this one") instead of new pictures'
    )
    variation: float = Field(
        0.5,
        ge=0.0,
        le=4.0,
        description="VAE with init_image: how far variations stray, in the latent spread of the data",
    )
    interpolate: str | None = Field(
        None, description="VAE: 'A,B,STEPS': STEPS pictures (2–64) from the picture file A to B, both ends included"
    )
    label: str | None = Field(
        None, description="Class-conditional DDPM: the class to draw (a caption or folder of its data)"
    )
    sampler: Literal["model", "ddim", "dpm"] = Field(
        "model", description="DDPM sampler (model: the one it was trained with)"
    )
    sample_steps: int | None = Field(None, ge=1, le=1000, description="DDPM denoising steps (unset: the model's)")
    palette: Literal["model", "off"] = Field(
        "model", description="Snap colours to the model's palette (its data's colours)"
    )
    copy_check: Literal["fail", "flag", "off"] = Field(
        "flag", description="Near-copies of a training item: fail the run, flag them in the manifest, or do not check"
    )

    @field_validator("interpolate")
    @classmethod
    def _interpolation(cls, v: str | None) -> str | None:
        if v is not None:
            _split_interpolation(v)
        return v

    @model_validator(mode="after")
    def _one_source(self) -> LearnedParams:
        if self.init_image is not None and self.interpolate is not None:
            raise ValueError("give init_image (variations) or interpolate (in-betweens), not both")
        return self


def _split_interpolation(value: str) -> tuple[str, str, int]:
    """``'A,B,STEPS'`` → (A, B, STEPS); ValueError naming the form otherwise."""
    parts = [p.strip() for p in value.rsplit(",", 2)]
    if len(parts) != 3 or not parts[0] or not parts[1] or not parts[2].isdigit():
        raise ValueError("must be 'A,B,STEPS': two picture files and a whole number of steps")
    steps = int(parts[2])
    if not 2 <= steps <= MAX_INTERPOLATION:
        raise ValueError(f"STEPS must be from 2 to {MAX_INTERPOLATION}")
    return parts[0], parts[1], steps


@dataclass(frozen=True)
class Made:
    """What a run made: the model, uint8 RGBA pictures, what they are (samples, variations, interpolation), each
    picture's copy check (None when off) and the metadata every file records."""

    model: SmallModel
    pictures: np.ndarray
    what: str
    checks: list[dict[str, Any]] | None
    meta: dict[str, Any]


class _Learned(Generator[LearnedParams]):
    """Shared by both generators: load the model, make the pictures, check them against the training items."""

    quick_params = {"count": 2}
    time_budget_s = 20.0

    def input_files(self, params: LearnedParams) -> list[Path]:
        """The model folder, ``init_image`` and both pictures of ``interpolate`` (their hashes join cache keys)."""
        found = super().input_files(params)
        if params.interpolate:
            a, b, _ = _split_interpolation(params.interpolate)
            found += [Path(p) for p in (a, b) if Path(p).is_file()]
        return found

    def make(self, params: LearnedParams, ctx: Context) -> Made:
        """Load the model, make the pictures (samples, variations or an interpolation) and check them."""
        from gamegen.ml.runtime import select_device

        from .folder import load_model

        if not params.model:
            raise ParamError(
                'model: name a model folder made by image.ddpm, image.gan or image.vae (or "@name" in a recipe)'
            )
        model = load_model(params.model, select_device(ctx.device))
        config = model.config
        ctx.use_model(input_label(params.model), model.weights_sha256, trainer=config.trainer)
        _check_family(params, model)
        meta: dict[str, Any] = {"model": input_label(params.model), "trainer": config.trainer, "family": config.family}
        if params.interpolate:
            a, b, steps = _split_interpolation(params.interpolate)
            ends = self._read(a, "interpolate", model, ctx), self._read(b, "interpolate", model, ctx)
            floats, what = _interpolation(model, *ends, steps), "interpolation"
        elif params.init_image:
            start = self._read(params.init_image, "init_image", model, ctx)
            floats, what = _variations(model, start, params.count, params.variation, ctx), "variations"
        else:
            options = _sampling_options(params, model)
            floats, what = model.sample(params.count, ctx.torch_generator(), **options), "samples"
            meta.update({k: v for k, v in options.items() if k != "labels"})
        pictures = model.finish(floats, palette=params.palette == "model")
        checks = None if params.copy_check == "off" else _copy_checks(params, model, pictures)
        meta.update(
            {"size": [config.size, config.size], "made": what, **({"label": params.label} if params.label else {})}
        )
        return Made(model, pictures, what, checks, meta)

    def _read(self, path: str, param: str, model: SmallModel, ctx: Context) -> np.ndarray:
        """A picture file the user named, fitted to the model's size (uint8 RGBA)."""
        from gamegen.datasets.reading import Unreadable, decode_image

        from .data import fit_picture

        try:
            data = ctx.read_input(path)
        except OSError as exc:
            raise ParamError(f"{param}={path!r}: cannot read it ({exc.strerror or exc})") from None
        try:
            image = decode_image(data)
        except Unreadable as exc:
            raise ParamError(f"{param}={path!r}: not a picture gamegen reads ({exc})") from None
        return fit_picture(image, model.config.size, model.config.tiling)


def _check_family(params: LearnedParams, model: SmallModel) -> None:
    """Refuse options the model's family does not have, in one line naming the parameter."""
    family = model.config.family
    if (params.init_image or params.interpolate) and family != "vae":
        what = "init_image" if params.init_image else "interpolate"
        raise ParamError(
            f"{what}: only a VAE (image.vae) model makes variations and in-betweens; this one is image.{family}"
        )
    if params.label is not None and not model.config.classes:
        raise ParamError("label: this model is not class-conditional (train image.ddpm with classes=caption or folder)")
    if params.label is not None and params.label not in model.config.classes:
        shown = ", ".join(repr(c) for c in model.config.classes[:10])
        raise ParamError(f"label={params.label!r}: not a class of this model (classes: {shown})")
    if (params.sampler != "model" or params.sample_steps is not None) and family != "ddpm":
        raise ParamError(
            f"sampler, sample_steps: only a diffusion model (image.ddpm) has them; this one is image.{family}"
        )
    if params.copy_check != "off" and model.index is None:
        raise ParamError("copy_check: this model folder has no copy index (copy_index.safetensors); set copy_check=off")


def _sampling_options(params: LearnedParams, model: SmallModel) -> dict[str, Any]:
    """A diffusion model's sampler, steps and class labels from the parameters (the model's defaults filled in)."""
    import torch

    from .folder import Sampling

    if model.config.family != "ddpm":
        return {}
    defaults = model.config.sampling or Sampling()
    options: dict[str, Any] = {
        "sampler": defaults.sampler if params.sampler == "model" else params.sampler,
        "steps": params.sample_steps or defaults.steps,
    }
    if params.label is not None:
        options["labels"] = torch.full((params.count,), model.config.classes.index(params.label), dtype=torch.long)
    return options


def _variations(model: SmallModel, start: np.ndarray, count: int, spread: float, ctx: Context) -> np.ndarray:
    """``count`` decodings of the code of ``start`` plus ``spread`` × noise shaped like the data's latent spread."""
    import torch

    from .data import to_unit
    from .vae import LatentPrior, decode, encode

    prior = model.nets["prior"]
    assert isinstance(prior, LatentPrior)
    with torch.no_grad():
        code = encode(model.nets, to_unit(start[None]))
        eps = torch.randn(count, code.shape[1], generator=ctx.torch_generator()).to(code.device)
        z = code + spread * eps @ prior.get_buffer("chol").T
        out = decode(model.nets, z)
    return out.float().clamp(-1, 1).permute(0, 2, 3, 1).cpu().numpy()


def _interpolation(model: SmallModel, a: np.ndarray, b: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` decodings along the straight line between the codes of ``a`` and ``b`` (ends included)."""
    import torch

    from .data import to_unit
    from .vae import decode, encode

    with torch.no_grad():
        codes = encode(model.nets, to_unit(np.stack([a, b])))
        t = torch.linspace(0.0, 1.0, steps, device=codes.device)[:, None]
        out = decode(model.nets, (1 - t) * codes[0] + t * codes[1])
    return out.float().clamp(-1, 1).permute(0, 2, 3, 1).cpu().numpy()


def _copy_checks(params: LearnedParams, model: SmallModel, pictures: np.ndarray) -> list[dict[str, Any]]:
    """Each picture's nearest training item and distance; ``copy_check=fail`` raises on a near-copy."""
    assert model.index is not None
    checks = model.index.check(pictures)
    if params.copy_check == "fail":
        for i, check in enumerate(checks):
            if check["near_copy"]:
                raise QualityError(
                    f"picture {i} is a near-copy of training item {check['nearest_training_item']} (distance "
                    f"{check['nearest_distance']} < {check['near_copy_limit']}); copy_check=flag keeps it, flagged"
                )
    return checks


class LearnedSprites(_Learned):
    """Sprites sampled from a small model you trained (image.ddpm, image.gan or image.vae), with a copy check.

    Writes one sprite sheet (TexturePacker, Aseprite and Godot atlases) and each sprite on its own. With a VAE:
    variations of ``init_image`` or an interpolation ``A,B,steps`` (its frames are an animation in the sheet).
    """

    name = "character.learned"
    version = "1.0.0"

    def generate(self, params: LearnedParams, ctx: Context) -> list[Asset]:
        from .assets import sprite_assets

        made = self.make(params, ctx)
        return sprite_assets(made.pictures, made.checks, made.what, made.meta)


class LearnedTiles(_Learned):
    """Tiles sampled from a small model you trained (image.ddpm, image.gan or image.vae), with seam QC and a copy check.

    A model trained with ``tiling`` makes seamless tiles; the seam score on each promised axis is checked. Writes
    each tile and a 2×2 preview of the first.
    """

    name = "texture.learned"
    version = "1.0.0"

    def generate(self, params: LearnedParams, ctx: Context) -> list[Asset]:
        from .assets import tile_assets

        made = self.make(params, ctx)
        return tile_assets(made.pictures, made.checks, made.model.config.tiling, made.meta)


def register(registry: Registry[Any]) -> None:
    """Entry-point hook of the ``gamegen.generators`` group."""
    registry.register(LearnedSprites)
    registry.register(LearnedTiles)
