"""``check_trainer``: run one trainer through the trainer contract on a tiny dataset and report each broken rule.

It trains at ``quick_params`` three times (seed a, a again, b) and once more interrupted after its first
checkpoint and resumed, and checks the declaration, the schema, determinism, the model folder's layout and card,
and that a resumed run ends with the same weights as an uninterrupted one.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image

from ..errors import TrainingError
from ..output import MODEL_CARD
from ..registry import trainers
from ..training import Trainer, read_card, train
from .conformance import ConformanceError, ConformanceReport
from .params_checks import check_defaults, check_out_of_range, check_schema, check_strict_numbers

__all__ = ["TRAINER_CHECKS", "check_trainer"]

TRAINER_CHECKS = (
    "declaration",
    "schema",
    "defaults",
    "quick_params",
    "out_of_range",
    "strict_numbers",
    "run",
    "layout",
    "card",
    "same_seed",
    "seeds",
    "resume",
)


class _Interrupted(Exception):
    """Raised from the progress callback to stop a run the way a kill would (after a checkpoint)."""


def _weights(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.safetensors"))}


def _check_layout(folder: Path) -> None:
    card = read_card(folder)
    if card is None:
        raise AssertionError(f"{MODEL_CARD} is missing or not a gamegen model card")
    if not isinstance(card.get("dataset"), dict) or not card["dataset"].get("fingerprint"):
        raise AssertionError("the card has no dataset.fingerprint")
    if not card.get("weights"):
        raise AssertionError("the card lists no weights")
    others = [p.name for p in folder.rglob("*") if p.suffix in (".bin", ".pt", ".pth", ".ckpt", ".pkl")]
    if others:
        raise AssertionError(f"pickle files in the model folder: {', '.join(others)}")
    for rel in card["weights"]:
        if not (folder / rel).is_file():
            raise AssertionError(f"the card lists {rel}, which is not in the folder")
    with Image.open(folder / "loss.png") as im:
        im.verify()


def check_trainer(
    trainer: str | type[Trainer[Any]],
    data: str | Path,
    *,
    params: dict[str, Any] | None = None,
    seeds: tuple[int, int] = (1, 2),
    workdir: str | Path | None = None,
    raise_on_failure: bool = True,
) -> ConformanceReport:
    """Check a trainer (class or registered name) on the tiny dataset ``data`` at its ``quick_params`` (updated with
    ``params``, e.g. ``{"base": tiny_model_folder}``). Raises ConformanceError listing every failed check unless
    ``raise_on_failure`` is False."""
    cls = trainers.get(trainer) if isinstance(trainer, str) else trainer
    report = ConformanceReport(getattr(cls, "name", cls.__qualname__))
    values = {**cls.quick_params, **(params or {})}
    with report.check("declaration"):
        cls.check_declaration()
        if not cls.summary():
            raise AssertionError(f"{cls.__name__} has no docstring: its first line is what `gamegen list --trainers` shows")
    with report.check("schema"):
        schema = check_schema(cls)
    if "schema" in report.passed:
        with report.check("defaults"):
            check_defaults(cls, schema)
    with report.check("quick_params"):
        cls.validate(values)
        if values.get("steps", 0) < 2:
            raise AssertionError("quick_params must train at least 2 steps (the resume check interrupts after step 1)")
    with report.check("out_of_range"):
        check_out_of_range(cls, values)
    with report.check("strict_numbers"):
        check_strict_numbers(cls, values)
    if report.failures:
        return _finish(report, raise_on_failure)
    with contextlib.ExitStack() as stack:
        root = Path(workdir) if workdir is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        folders = {label: root / label for label in ("a", "a-again", "b", "resumed")}
        try:
            for label, seed in (("a", seeds[0]), ("a-again", seeds[0]), ("b", seeds[1])):
                train(cls, data, folders[label], values, seed=seed)
        except Exception as exc:
            report.fail("run", exc)
            return _finish(report, raise_on_failure)
        report.passed.append("run")
        with report.check("layout"):
            _check_layout(folders["a"])
        with report.check("card"):
            if not (folders["a"] / "README.md").is_file():
                raise AssertionError("the model folder has no README.md model card")
        a, again, b = (_weights(folders[k]) for k in ("a", "a-again", "b"))
        with report.check("same_seed"):
            if a != again:
                raise AssertionError(f"seed {seeds[0]} twice gave different weights")
        with report.check("seeds"):
            if a == b:
                raise AssertionError(f"seeds {seeds[0]} and {seeds[1]} gave identical weights")
        with report.check("resume"):
            _check_resume(cls, data, folders["resumed"], {**values, "checkpoint_every": 1}, seeds[0], a)
    return _finish(report, raise_on_failure)


def _check_resume(
    cls: type[Trainer[Any]], data: str | Path, out: Path, values: dict[str, Any], seed: int, expected: dict[str, bytes]
) -> None:
    """Interrupt a run after its first checkpoint, resume it, and compare the weights with an uninterrupted run."""

    def stop_after_first(done: int, total: int, message: str = "") -> None:
        if done >= 2:
            raise _Interrupted()

    try:
        train(cls, data, out, values, seed=seed, progress=stop_after_first)
    except TrainingError as exc:
        if not isinstance(exc.__cause__, _Interrupted):
            raise
    else:
        raise AssertionError("the run was not interrupted: does the trainer call ctx.log() every step?")
    report = train(cls, data, out, values, seed=seed, resume=True)
    if report.resumed_from < 1:
        raise AssertionError("--resume started from step 0: does the trainer call ctx.resume() and ctx.checkpoint()?")
    if _weights(out) != expected:
        raise AssertionError(f"resumed at step {report.resumed_from}, it ended with other weights than a run without a stop")


def _finish(report: ConformanceReport, raise_on_failure: bool) -> ConformanceReport:
    if raise_on_failure and report.failures:
        raise ConformanceError(report)
    return report
