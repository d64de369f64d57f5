"""The context a trainer runs in: its seed and random streams, progress, loss log, checkpoints and sample grids."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..context import ProgressCallback, derive_seed
from ..errors import ParamError
from .checkpoint import read_checkpoint, write_checkpoint

if TYPE_CHECKING:
    import torch
    from PIL import Image

__all__ = ["TrainContext"]


class TrainContext:
    """Everything a trainer may draw on besides its data and parameters.

    ``out_dir`` is the new model folder (weights go there); ``work_dir`` outlives a killed run (checkpoints and
    sample grids wait there until the run ends).

    ``rng`` and ``torch_generator()`` are the only sources of randomness a trainer may use (the global torch RNG,
    which dropout layers draw from, is seeded and saved in checkpoints by the run around the trainer). Call
    :meth:`log` every step, :meth:`checkpoint` every step (it writes only every ``checkpoint_every`` steps and at
    the last one) and :meth:`resume` once before the loop: it gives back the state of the last checkpoint.
    """

    def __init__(
        self,
        seed: int,
        *,
        out_dir: Path,
        work_dir: Path,
        steps: int,
        checkpoint_every: int,
        sample_every: int = 0,
        device: str = "cpu",
        progress: ProgressCallback | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.seed = seed
        self.out_dir = out_dir
        self.work_dir = work_dir
        self.checkpoint_dir = work_dir / "checkpoint"
        self.steps = steps
        self.checkpoint_every = checkpoint_every
        self.sample_every = sample_every
        self.device = device
        self.rng = np.random.Generator(np.random.PCG64(seed))
        self.losses: list[tuple[int, float]] = []
        self.heldout_losses: list[tuple[int, float]] = []
        self.sample_files: list[str] = []
        self.resumed_from = 0
        self._progress = progress
        self._meta = dict(meta or {})
        self._torch_generator: torch.Generator | None = None
        self._started = time.perf_counter()
        self._first_step: int | None = None

    def torch_generator(self) -> torch.Generator:
        """A CPU ``torch.Generator`` seeded from the run's seed (noise, timesteps, batch order on the torch side)."""
        if self._torch_generator is None:
            import torch

            self._torch_generator = torch.Generator("cpu").manual_seed(derive_seed(self.seed, "torch"))
        return self._torch_generator

    def progress(self, done: int, total: int, message: str = "") -> None:
        """Report progress (the CLI shows it; scripts may pass their own callback)."""
        if self._progress is not None:
            self._progress(done, total, message)

    def log(self, step: int, loss: float, heldout: float | None = None) -> None:
        """Record the loss after optimizer step ``step`` (1-based) and report step, loss and steps/s (the
        progress display adds the ETA)."""
        self.losses.append((step, float(loss)))
        if heldout is not None:
            self.heldout_losses.append((step, float(heldout)))
        if self._first_step is None:  # the rate counts from the first step logged (loading is not training)
            self._first_step, self._started = step, time.perf_counter()
        done = step - self._first_step
        rate = done / max(time.perf_counter() - self._started, 1e-9)
        self.progress(step, self.steps, f"loss {loss:.4f}" + (f" · {rate:.2f} steps/s" if done else ""))

    def due(self, step: int, every: int) -> bool:
        """True at every ``every``-th step and at the last step."""
        return step == self.steps or (every > 0 and step % every == 0)

    def checkpoint(self, step: int, state: dict[str, Any]) -> None:
        """Save ``state`` (model, optimizer, scheduler, data order...: tensors and plain values) when it is due.

        The global torch RNG, the trainer's generators and the loss log are saved with it, so a resumed run
        continues exactly where this one stopped.
        """
        if not self.due(step, self.checkpoint_every):
            return
        import torch

        full = {
            "trainer": state,
            "torch_global": torch.get_rng_state(),
            "torch_generator": self.torch_generator().get_state(),
            "numpy": _bitgen_state(self.rng),
            "losses": [list(x) for x in self.losses],
            "heldout_losses": [list(x) for x in self.heldout_losses],
            "sample_files": list(self.sample_files),
        }
        write_checkpoint(self.checkpoint_dir, step, full, self._meta)

    def resume(self) -> tuple[int, dict[str, Any]] | None:
        """The (step, state) of the last checkpoint, with the random streams and loss log restored; None to start
        from scratch. The run decides whether a checkpoint may be used (``--resume``, same settings)."""
        found = read_checkpoint(self.checkpoint_dir) if self._meta.get("resume") else None
        if found is None:
            return None
        step, full, meta = found
        changed = sorted(k for k in set(meta) | set(self._meta) if k != "resume" and meta.get(k) != self._meta.get(k))
        if changed:
            raise ParamError(
                f"--resume: the checkpoint in {self.checkpoint_dir} was made with another {', '.join(changed)}; "
                "run without --resume to start over"
            )
        import torch

        torch.set_rng_state(full["torch_global"])
        self.torch_generator().set_state(full["torch_generator"])
        self.rng.bit_generator.state = _from_json_state(full["numpy"])
        self.losses = [(int(s), float(v)) for s, v in full["losses"]]
        self.heldout_losses = [(int(s), float(v)) for s, v in full["heldout_losses"]]
        self.sample_files = list(full["sample_files"])
        self.resumed_from = step
        return step, full["trainer"]

    def samples(self, step: int, images: Sequence[Image.Image | np.ndarray], columns: int | None = None) -> None:
        """Save a grid of sample images for ``step`` (``samples/step-NNNNNN.png``) when a sample is due."""
        if not self.due(step, self.sample_every):
            return
        from .pictures import image_grid

        name = f"samples/step-{step:06d}.png"
        (self.work_dir / "samples").mkdir(parents=True, exist_ok=True)
        image_grid(images, columns).save(self.work_dir / name)
        if name not in self.sample_files:
            self.sample_files.append(name)

    def text_samples(self, step: int, texts: Sequence[str]) -> None:
        """Save sample texts for ``step`` (``samples/step-NNNNNN.md``) when a sample is due."""
        if not self.due(step, self.sample_every):
            return
        name = f"samples/step-{step:06d}.md"
        (self.work_dir / "samples").mkdir(parents=True, exist_ok=True)
        body = "\n\n".join(f"## Sample {i + 1}\n\n{text.strip()}" for i, text in enumerate(texts))
        (self.work_dir / name).write_text(f"# Samples after step {step}\n\n{body}\n", encoding="utf-8")
        if name not in self.sample_files:
            self.sample_files.append(name)


def _bitgen_state(rng: np.random.Generator) -> dict[str, Any]:
    """numpy's bit-generator state with its 128-bit integers as strings (JSON and safetensors take no bigints)."""

    def conv(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: conv(v) for k, v in value.items()}
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    return conv(rng.bit_generator.state)


def _from_json_state(state: dict[str, Any]) -> dict[str, Any]:
    def conv(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: conv(v) for k, v in value.items()}
        return int(value) if isinstance(value, str) and value.lstrip("-").isdigit() else value

    return conv(state)
