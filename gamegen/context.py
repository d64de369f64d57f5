"""The context a generator runs in: its seed, its random streams, progress, and what it used (models, inputs)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from .errors import ParamError

if TYPE_CHECKING:  # torch is optional and heavy: never import it here at run time
    import torch

    from .assets import Asset
    from .export import ExportProfile

ProgressCallback = Callable[[int, int, str], None]
A = TypeVar("A", bound="Asset")
MAX_SEED = 2**63 - 1

__all__ = ["MAX_SEED", "Context", "ModelUse", "derive_seed"]


def derive_seed(seed: int, *labels: str | int) -> int:
    """A stable 63-bit seed from ``seed`` and labels; the same inputs give the same seed on every machine."""
    h = hashlib.sha256(repr((int(seed),) + tuple(labels)).encode()).digest()
    return int.from_bytes(h[:8], "little") >> 1


@dataclass(frozen=True)
class ModelUse:
    """A trained model a generator used: recorded in the manifest and the files' provenance."""

    model_id: str
    weights_sha256: str
    extra: dict[str, Any] = field(default_factory=dict)


class Context:
    """Everything a generator may draw on besides its parameters.

    ``rng`` is the only source of randomness a generator may use; ``torch_generator()`` gives a seeded CPU
    ``torch.Generator`` for neural backends (created on CPU so seeds reproduce across devices). ``read_input``
    reads the files a user named.
    """

    def __init__(
        self,
        seed: int,
        *,
        profile: ExportProfile | None = None,
        progress: ProgressCallback | None = None,
        device: str | None = None,
        input_root: str | Path | None = None,
        on_ready: Callable[[Asset], None] | None = None,
    ) -> None:
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
            raise ParamError(f"seed={seed!r}: must be an integer from 0 to {MAX_SEED} (2⁶³ − 1)")
        self.seed = int(seed)
        if profile is None:
            from .export import get_profile

            profile = get_profile("generic")
        self.profile: ExportProfile = profile  # what the files will be written for, resolved before generate()
        self.device = device
        self.input_root = Path(os.path.realpath(input_root)) if input_root is not None else None
        self.rng = np.random.Generator(np.random.PCG64(self.seed))
        self._progress = progress
        self._on_ready = on_ready
        self._torch_generator: torch.Generator | None = None
        self.models: list[ModelUse] = []
        self.inputs: dict[str, str] = {}

    def child(self, *labels: str | int) -> np.random.Generator:
        """An independent random stream for a sub-task (a tile, a frame) that does not depend on call order."""
        return np.random.Generator(np.random.PCG64(derive_seed(self.seed, *labels)))

    def torch_generator(self) -> torch.Generator:
        """A ``torch.Generator`` on the CPU seeded from the request's seed (created on first use)."""
        if self._torch_generator is None:
            import torch

            self._torch_generator = torch.Generator("cpu").manual_seed(self.seed)
        return self._torch_generator

    def progress(self, done: int, total: int, message: str = "") -> None:
        """Report progress on long work (the CLI shows it; build scripts may pass their own callback)."""
        if self._progress is not None:
            self._progress(done, total, message)

    def ready(self, asset: A) -> A:
        """Say that ``asset`` is final (the generator will not change it or its arrays again) and return it.

        Optional: where the call's files are being written and a core is spare, gamegen starts encoding the asset's
        files now, while the generator goes on, instead of after it returns. The asset must still be in the list
        ``generate`` returns; the files are the same bytes either way.
        """
        if self._on_ready is not None:
            self._on_ready(asset)
        return asset

    def use_model(self, model_id: str, weights_sha256: str, **extra: Any) -> None:
        """Record that a trained model made (part of) the output: the assets become AI-generated."""
        use = ModelUse(model_id, weights_sha256, dict(extra))
        if use not in self.models:
            self.models.append(use)

    def read_input(self, path: str | Path) -> bytes:
        """Read an input file the user named, recording its hash for provenance and caching.

        With an ``input_root`` (a build reading its recipe's inputs), a file outside that folder is refused.
        """
        if self.input_root is not None:
            real = Path(os.path.realpath(path))
            if real != self.input_root and self.input_root not in real.parents:
                raise ParamError(
                    f"{path}: input file is outside the recipe's folder {self.input_root} "
                    "(pass --allow-outside-inputs to read it anyway)"
                )
        data = Path(path).read_bytes()
        self.inputs[Path(path).name] = hashlib.sha256(data).hexdigest()
        return data

    @property
    def neural(self) -> bool:
        """True once any trained model has been used in this run."""
        return bool(self.models)
