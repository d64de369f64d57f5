"""Models as build products: a recipe's ``[[model]]`` tables are trained when their cache key changes.

A model's key covers the trainer and its version, gamegen's version, the parameters, the seed, the data's
fingerprint (:attr:`gamegen.datasets.Dataset.fingerprint`) and the base model's files. A trained model lives in
the build cache (``models/<key>``); assets that name it as ``"@name"`` get its folder, whose files join their own
cache keys, so retraining a model regenerates exactly the assets that use it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .._version import __version__
from ..context import ProgressCallback
from ..digests import file_sha256
from ..errors import GamegenError
from ..training import read_card, train
from ..training.run import load_training_data
from .cache import BuildCache, hub_snapshot
from .recipe import BuildJob, ModelJob, model_refs

__all__ = ["ModelResult", "attach_models", "build_models", "model_failures", "model_key", "to_json"]

ModelStatus = Literal["trained", "cached", "failed"]


@dataclass
class ModelResult:
    """How one model of a build went: trained, taken from the cache, or failed (with a reason)."""

    name: str
    trainer: str
    status: ModelStatus
    seconds: float
    key: str | None
    error: str | None = None


def _base_digest(model: ModelJob, store: BuildCache) -> str | None:
    """The base model's files digest (a local folder, or a hub snapshot already downloaded), or its id."""
    base = model.trainer().base_model(model.params)
    if base is None:
        return None
    path = Path(base)
    if path.exists():
        return store.input_digest(path)
    snapshot = hub_snapshot(base)
    return store.input_digest(snapshot) if snapshot is not None else f"hub:{base}"


def model_key(model: ModelJob, fingerprint: str, store: BuildCache) -> str:
    """The cache key of a recipe model: sha256 of the canonical JSON of everything its weights depend on."""
    material = {
        "trainer": model.trainer.name,
        "trainer_version": model.trainer.version,
        "gamegen": __version__,
        "params": model.params.model_dump(mode="json"),
        "seed": model.seed,
        "data": fingerprint,
        "base": _base_digest(model, store),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _intact(folder: Path) -> bool:
    """True when ``folder`` holds a model card whose weight files are all there with the recorded sha256."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    card = read_card(folder)
    weights = card.get("weights") if card else None
    if not isinstance(weights, dict) or not weights:
        return False
    for rel, digest in weights.items():
        path = folder / str(rel)
        if path.is_symlink() or not path.is_file() or folder.resolve() not in path.resolve().parents:
            return False
        if file_sha256(path) != digest:
            return False
    return True


def _discard(folder: Path) -> None:
    """Remove a damaged cache entry (a link is unlinked, never followed)."""
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    elif folder.exists():
        shutil.rmtree(folder)


def build_models(
    models: list[ModelJob],
    store: BuildCache,
    *,
    force: bool = False,
    device: str | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[dict[str, Path], list[ModelResult]]:
    """Train (or take from the cache) each model; returns name → model folder, and a result per model.

    Models train one after another in this process, on ``device`` (the build's first device lane).
    """
    folders: dict[str, Path] = {}
    results: list[ModelResult] = []
    root = store.root / "models"
    root.mkdir(parents=True, exist_ok=True)
    for model in models:
        start = time.perf_counter()
        key: str | None = None
        try:
            dataset = load_training_data(model.trainer, model.data)
            key = model_key(model, dataset.fingerprint, store)
            folder = root / key
            if not force and _intact(folder):
                folders[model.name] = folder
                results.append(ModelResult(model.name, model.trainer.name, "cached", 0.0, key))
                continue
            if folder.exists() or folder.is_symlink():
                if not force:
                    warnings.warn(f"gamegen: model cache entry {folder} is damaged; training again", stacklevel=2)
                _discard(folder)

            def say(done: int, total: int, message: str = "", name: str = model.name) -> None:
                if progress is not None:
                    progress(done, total, f"training model {name}: {message}".rstrip(": "))

            train(
                model.trainer, dataset, folder, model.params.model_dump(mode="json"), seed=model.seed,
                device=device, progress=say,
            )
            folders[model.name] = folder
            results.append(ModelResult(model.name, model.trainer.name, "trained", time.perf_counter() - start, key))
        except GamegenError as exc:
            reason = " ".join(str(exc).split())
            results.append(ModelResult(model.name, model.trainer.name, "failed", time.perf_counter() - start, key, reason))
    return folders, results


def attach_models(job: BuildJob, folders: dict[str, Path]) -> BuildJob:
    """``job`` with each ``"@name"`` parameter pointed at the model's folder (the manifest keeps ``"@name"``)."""
    refs = model_refs(job.generator, job.params.model_dump())
    if not refs:
        return job
    resolved = {param: ",".join(str(folders[name]) for name in names) for param, names in refs.items()}
    inputs = dict(job.inputs) | resolved
    return dataclasses.replace(job, inputs=tuple(sorted(inputs.items())))


def model_failures(job: BuildJob, failed: dict[str, str]) -> str | None:
    """Why ``job`` cannot run (a model it uses failed to train), or None."""
    reasons = [f"model {name!r} failed: {failed[name]}" for name in job.models if name in failed]
    return "; ".join(reasons) or None


def to_json(results: list[ModelResult]) -> list[dict[str, Any]]:
    """The models' results as JSON values (``gamegen build --json``)."""
    return [{**dataclasses.asdict(r), "seconds": round(r.seconds, 3)} for r in results]
