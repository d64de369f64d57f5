"""Sample pictures of a fine-tune in progress: the dataset's first captions drawn with fixed seeds, so grids from
different steps show the same prompts and noise and a person sees what training changed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...assets import TilingAxes
from ...context import derive_seed

__all__ = ["sample_prompts", "sample_images"]


def sample_prompts(captions: Sequence[str], count: int) -> list[str]:
    """Up to ``count`` distinct captions in dataset order (repeated when there are fewer)."""
    distinct = list(dict.fromkeys(captions)) or [""]
    return [distinct[i % len(distinct)] for i in range(count)]


def sample_images(
    pipe: Any, prompts: Sequence[str], *, seed: int, steps: int, resolution: int, tiling: TilingAxes
) -> list[np.ndarray]:
    """One uint8 picture per prompt, each from its own fixed seed (never the training streams); a tiling
    picture is shown twice along each tiled axis, so a seam would show in the middle."""
    import torch

    generators = [torch.Generator("cpu").manual_seed(derive_seed(seed, "sample", i)) for i in range(len(prompts))]
    out = pipe(
        list(prompts),
        num_inference_steps=steps,
        height=resolution,
        width=resolution,
        generator=generators,
        output_type="np",
    )
    pictures = [np.round(np.clip(img, 0.0, 1.0) * 255.0).astype(np.uint8) for img in out.images]
    reps = (2 if "y" in tiling else 1, 2 if "x" in tiling else 1, 1)
    return [np.tile(p, reps) for p in pictures]
