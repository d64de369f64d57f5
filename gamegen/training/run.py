"""Running a trainer: validate, load the data, train in a seeded and deterministic scope, write the model folder.

The model folder is replaced whole and only at the end (like a bundle), so a failed or killed run leaves the
previous model intact. Checkpoints and sample grids wait beside it in ``.NAME.gamegen-train`` until the run ends; ``resume``
continues from the last one when the trainer, its version, the parameters, the seed and the data are the same.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import time
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import atomic_directory
from ..context import ProgressCallback, derive_seed
from ..errors import GamegenError, ParamError, TrainingError
from ..inputs import input_label
from ..machine import thread_budget
from ..output import claim_output, resolve_output
from ..registry import trainers
from .card import CardFacts, model_card, write_card
from .checkpoint import remove_checkpoint
from .context import TrainContext
from .pictures import loss_curve
from .trainer import Trainer, TrainParams

if TYPE_CHECKING:
    from ..datasets import Dataset

__all__ = ["TrainReport", "load_training_data", "train", "work_folder"]

_ACCEPTS = {"image": ("image", "sprite"), "sprite": ("sprite", "image"), "text": ("text",)}


@dataclass(frozen=True)
class TrainReport:
    """What a training run did: where the model is, how far it trained, its figures and its card."""

    trainer: str
    out: Path
    steps: int
    resumed_from: int
    metrics: dict[str, float]
    wall_seconds: float
    card: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The report as plain JSON values (``gamegen train --json`` prints it)."""
        doc = asdict(self)
        doc["out"] = str(self.out)
        return doc


def work_folder(out: Path) -> Path:
    """Where checkpoints and samples of a model bound for ``out`` wait while it trains: ``.NAME.gamegen-train``."""
    return out.with_name(f".{out.name}.gamegen-train")


@contextlib.contextmanager
def deterministic_scope(seed: int, device: str) -> Iterator[None]:
    """Seed the global torch RNG (dropout draws from it) and ask for deterministic kernels; restore both after."""
    import torch

    was_deterministic = torch.are_deterministic_algorithms_enabled()
    with torch.random.fork_rng(devices=[] if device == "cpu" else None):
        torch.manual_seed(derive_seed(seed, "torch-global"))
        torch.use_deterministic_algorithms(True, warn_only=device != "cpu")
        try:
            yield
        finally:
            torch.use_deterministic_algorithms(was_deterministic)


def load_training_data(cls: type[Trainer[Any]], data: str | Path | Dataset) -> Dataset:
    """``data`` loaded as the dataset kind ``cls`` trains on; a ParamError/DatasetError names what is wrong."""
    from ..datasets import Dataset, load_dataset

    dataset = data if isinstance(data, Dataset) else load_dataset(data, kind="text" if cls.data_kind == "text" else None)
    if dataset.kind not in _ACCEPTS[cls.data_kind]:
        raise ParamError(f"--data {dataset.root}: {cls.name} trains on {cls.data_kind} data, this is {dataset.kind} data")
    return dataset


def train(
    trainer: str | type[Trainer[Any]],
    data: str | Path | Dataset,
    out: str | Path,
    params: dict[str, Any] | None = None,
    *,
    seed: int = 0,
    resume: bool = False,
    progress: ProgressCallback | None = None,
    device: str | None = None,
) -> TrainReport:
    """Train ``trainer`` on ``data`` and write the model folder ``out`` (weights, card, loss curve, samples).

    Raises ParamError (bad parameters), DatasetError (unusable data), OutputFolderError (``out`` is not a model
    folder gamegen may replace) before any training; a failure inside the trainer becomes TrainingError.
    """
    from ..ml.runtime import select_device, weights_sha256

    cls = trainers.get(trainer) if isinstance(trainer, str) else trainer
    values = cls.validate(params)
    assert isinstance(values, TrainParams)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
        raise ParamError(f"seed={seed!r}: must be an integer from 0 to 2⁶³ − 1")
    dataset = load_training_data(cls, data)
    if dataset.problems:
        first = dataset.problems[0]
        more = f" and {len(dataset.problems) - 1} more (gamegen dataset inspect)" if len(dataset.problems) > 1 else ""
        warnings.warn(f"training without {len(dataset.problems)} unusable file(s): {first}{more}", stacklevel=2)
    folder = resolve_output(out)
    dev = select_device(device)
    work = work_folder(folder)
    settings: dict[str, Any] = {
        "trainer": cls.name,
        "version": cls.version,
        "params": values.model_dump(mode="json"),
        "seed": seed,
        "dataset": dataset.fingerprint,
        "resume": resume,
    }
    started = time.perf_counter()
    with claim_output(folder) as folder:
        if not resume:
            remove_checkpoint(work)
        with atomic_directory(folder) as tmp:
            ctx = TrainContext(
                seed,
                out_dir=tmp,
                work_dir=work,
                steps=values.steps,
                checkpoint_every=values.checkpoint_every,
                sample_every=values.sample_every,
                device=dev,
                progress=progress,
                meta=settings,
            )
            try:
                with deterministic_scope(seed, dev):
                    model = cls().train(dataset, values, ctx)
            except GamegenError:
                raise
            except Exception as exc:
                raise TrainingError(f"{cls.name} failed: {type(exc).__name__}: {exc}") from exc
            weights = _check_weights(tmp, model.files, cls.name)
            pictures = _write_pictures(tmp, ctx)
            wall = time.perf_counter() - started
            facts = CardFacts(
                cls.name, cls.version, settings["params"], seed, values.steps, ctx.resumed_from, wall, dev,
                thread_budget(), input_label(str(dataset.root)),
            )
            card = model_card(facts, model, dataset, weights, weights_sha256(tmp), pictures)
            write_card(tmp, card)
        remove_checkpoint(work)
    return TrainReport(cls.name, folder, values.steps, ctx.resumed_from, card["metrics"], wall, card)


def _check_weights(folder: Path, files: list[str], name: str) -> dict[str, str]:
    """The weight files a trainer wrote, with their sha256; safetensors only, inside the model folder."""
    from ..digests import file_sha256

    if not files:
        raise TrainingError(f"{name} wrote no weights")
    found: dict[str, str] = {}
    for rel in files:
        path = (folder / rel).resolve()
        if folder.resolve() not in path.parents or not path.is_file():
            raise TrainingError(f"{name}: weights file {rel!r} is missing or outside the model folder")
        if path.suffix != ".safetensors":
            raise TrainingError(f"{name}: weights file {rel!r} is not a .safetensors file (no pickles)")
        found[rel] = file_sha256(path)
    return found


def _write_pictures(folder: Path, ctx: TrainContext) -> dict[str, Any]:
    """The loss curve, the last sample grid as ``samples.png``, and the list of sample files (every N steps)."""
    pictures: dict[str, Any] = {"loss_curve": "loss.png", "sample_steps": list(ctx.sample_files)}
    loss_curve(ctx.losses, ctx.heldout_losses).save(folder / "loss.png")
    rows = ["step,loss,heldout_loss"]
    heldout = dict(ctx.heldout_losses)
    rows += [f"{s},{v:.6g},{heldout[s]:.6g}" if s in heldout else f"{s},{v:.6g}," for s, v in ctx.losses]
    (folder / "loss.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    for name in ctx.sample_files:
        (folder / name).parent.mkdir(exist_ok=True)
        shutil.copyfile(ctx.work_dir / name, folder / name)
    grids = [f for f in ctx.sample_files if f.endswith(".png")]
    if grids:
        shutil.copyfile(folder / grids[-1], folder / "samples.png")
        pictures["samples"] = "samples.png"
    texts = [f for f in ctx.sample_files if f.endswith(".md")]
    if texts:
        shutil.copyfile(folder / texts[-1], folder / "samples.md")
        pictures["samples_text"] = "samples.md"
    pictures["loss_log"] = "loss.csv"
    return json.loads(json.dumps(pictures))
