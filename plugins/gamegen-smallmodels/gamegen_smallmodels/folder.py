"""A small model's folder: ``smallmodel.json`` (what it is: family, size, tiling, alpha rule, palette, classes,
network and sampler settings), ``model.safetensors`` (the weights used for sampling) and the copy-check index.

:func:`load_model` reads one back for the generators (once per process and weights hash) and refuses anything that
is not such a folder with a one-line :class:`~gamegen.errors.ParamError` naming the ``model`` parameter.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol, cast

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from gamegen.assets import TilingAxes
from gamegen.errors import ParamError

from .copycheck import INDEX_FILE, CopyIndex
from .data import AlphaRule
from .palette import finish, parse_colours
from .params import Sampler

if TYPE_CHECKING:
    import torch
    from torch import nn

__all__ = [
    "CONFIG_FILE",
    "FORMAT",
    "WEIGHTS_FILE",
    "Family",
    "ModelConfig",
    "Network",
    "Sampling",
    "SmallModel",
    "load_model",
    "save_weights",
]

FORMAT = "gamegen-smallmodels/1"
CONFIG_FILE = "smallmodel.json"
WEIGHTS_FILE = "model.safetensors"
Family = Literal["ddpm", "gan", "vae"]
_BATCH = 64  # pictures sampled per network call: a fixed size, so a sample does not depend on how many are asked for


class FamilyModule(Protocol):
    """What each family module (:mod:`.ddpm`, :mod:`.gan`, :mod:`.vae`) provides for sampling."""

    def build(self, config: ModelConfig) -> dict[str, nn.Module]: ...

    def sample(
        self, nets: dict[str, nn.Module], config: ModelConfig, noise_source: torch.Generator, n: int, **options: Any
    ) -> torch.Tensor: ...


def family_module(family: Family) -> FamilyModule:
    """The module that builds and samples ``family`` (imported on use: it needs torch)."""
    return cast(FamilyModule, importlib.import_module(f".{family}", __package__))


class Network(BaseModel):
    """The networks' shape: channels at full resolution, latent size (GAN, VAE), attention (DDPM)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    width: int = Field(ge=8, le=256, multiple_of=8)
    latent: int = Field(0, ge=0, le=1024)
    attention: bool = False


class Sampling(BaseModel):
    """A diffusion model's default sampler and steps."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sampler: Sampler = "dpm"
    steps: int = Field(25, ge=1, le=1000)


class ModelConfig(BaseModel):
    """Everything needed to rebuild and sample a model besides its weights; validated when read, so a doctored
    ``smallmodel.json`` cannot ask for a huge network."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    family: Family
    trainer: str = Field(max_length=100)
    size: Literal[16, 32, 64]
    tiling: TilingAxes
    alpha: AlphaRule
    palette: list[Annotated[str, StringConstraints(pattern=r"^#[0-9a-f]{6}$")]] | None = Field(max_length=256)
    classes: list[Annotated[str, StringConstraints(max_length=1000)]] = Field(max_length=1024)
    network: Network
    sampling: Sampling | None = None

    def to_json(self) -> dict[str, Any]:
        """The config as the JSON document ``smallmodel.json`` holds."""
        return {"format": FORMAT, **self.model_dump(mode="json")}

    @classmethod
    def read(cls, folder: Path, param: str = "model") -> ModelConfig:
        """The config in ``folder``; a ParamError naming ``param`` when it is not a small model's folder."""
        try:
            doc = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise ParamError(
                f"{param}={str(folder)!r}: not a model folder made by image.ddpm, image.gan or image.vae "
                f"(no readable {CONFIG_FILE})"
            ) from None
        if not isinstance(doc, dict) or doc.pop("format", None) != FORMAT:
            raise ParamError(f"{param}={str(folder)!r}: {CONFIG_FILE} is not a {FORMAT} document")
        try:
            return cls.model_validate(doc)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ParamError(f"{param}={str(folder)!r}: {CONFIG_FILE} is damaged ({where}: {first['msg']})") from None


def save_weights(folder: Path, config: ModelConfig, nets: dict[str, nn.Module]) -> list[str]:
    """Write ``smallmodel.json`` and the nets' weights (``<net>.<parameter>`` keys) into ``folder``."""
    from safetensors.torch import save_file

    tensors = {
        f"{name}.{k}": v.detach().to("cpu").contiguous()
        for name, net in nets.items()
        for k, v in net.state_dict().items()
    }
    save_file(tensors, str(folder / WEIGHTS_FILE), {"format": FORMAT})  # one key: safetensors orders several by chance
    (folder / CONFIG_FILE).write_text(json.dumps(config.to_json(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return [WEIGHTS_FILE]


@dataclass
class SmallModel:
    """A model ready to sample: its config, networks (in eval mode, on ``device``) and copy-check index."""

    config: ModelConfig
    nets: dict[str, nn.Module]
    device: str
    index: CopyIndex | None = None
    weights_sha256: str = ""

    @property
    def palette(self) -> np.ndarray | None:
        """The data's palette the pictures snap to (None: the model was trained without one)."""
        return None if self.config.palette is None else parse_colours(self.config.palette)

    def sample(self, n: int, noise_source: torch.Generator, **options: Any) -> np.ndarray:
        """``n`` new pictures as floats in [-1, 1] (n, S, S, 4), drawn ``_BATCH`` at a time with ``noise_source``.
        Options are the family's (``labels``, ``sampler``, ``steps`` for the DDPM)."""
        import torch

        module = family_module(self.config.family)
        labels = options.pop("labels", None)
        out = []
        with torch.no_grad():
            for start in range(0, n, _BATCH):
                count = min(_BATCH, n - start)
                part = None if labels is None else labels[start : start + count]
                x = module.sample(self.nets, self.config, noise_source, count, labels=part, **options)
                out.append(x.float().clamp(-1, 1).permute(0, 2, 3, 1).cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, self.config.size, self.config.size, 4), np.float32)

    def finish(self, x: np.ndarray, palette: bool = True) -> np.ndarray:
        """Floats from :meth:`sample` (or a decoder) → uint8 RGBA pictures by the data's alpha rule and palette."""
        return finish(x, self.config.alpha, self.palette if palette else None)


_LOADED: dict[tuple[str, str, str], SmallModel] = {}


def load_model(path: str, device: str, param: str = "model") -> SmallModel:
    """The model in the folder ``path``, built on ``device`` (cached per process by folder, weights and device).

    Building the networks draws their throw-away initial weights from a forked global torch RNG, so sampling
    leaves the global random state as it found it.
    """
    import torch
    from safetensors.torch import load_file

    from gamegen.ml.runtime import weights_sha256

    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise ParamError(f"{param}={path!r}: no such model folder (train one with `gamegen train image.vae` ...)")
    config = ModelConfig.read(folder, param)
    digest = weights_sha256(folder)
    key = (str(folder.resolve()), digest + config.model_dump_json(), device)
    if key in _LOADED:
        return _LOADED[key]
    try:
        tensors = load_file(str(folder / WEIGHTS_FILE))
    except (OSError, ValueError) as exc:
        raise ParamError(f"{param}={path!r}: cannot read {WEIGHTS_FILE}: {exc}") from None
    with torch.random.fork_rng(devices=[]):
        nets = family_module(config.family).build(config)
    for name, net in nets.items():
        prefix = name + "."
        try:
            net.load_state_dict({k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)})
        except RuntimeError:
            raise ParamError(
                f"{param}={path!r}: {WEIGHTS_FILE} does not fit the networks {CONFIG_FILE} describes"
            ) from None
        net.to(device).eval()
    try:
        index = CopyIndex.load(folder) if (folder / INDEX_FILE).is_file() else None
    except (OSError, ValueError, KeyError, TypeError):
        raise ParamError(f"{param}={path!r}: {INDEX_FILE} is damaged") from None
    model = SmallModel(config, nets, device, index, digest)
    _LOADED[key] = model
    return model
