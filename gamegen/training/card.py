"""The model card: ``gamegen-model.json`` (what made the weights, from what data, how well it trained) and a
README a person reads, written beside the weights in every trained model folder."""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ..output import MODEL_CARD, MODEL_FORMAT

if TYPE_CHECKING:
    from ..datasets import Dataset
    from .trainer import TrainedModel

__all__ = ["CardFacts", "model_card", "read_card", "write_card"]


@dataclass(frozen=True)
class CardFacts:
    """How a run went, besides what the trainer returned: the settings and the machine."""

    trainer: str
    trainer_version: str
    params: dict[str, Any]
    seed: int
    steps: int
    resumed_from: int
    wall_seconds: float
    device: str
    threads: int
    data_label: str


def model_card(
    facts: CardFacts,
    model: TrainedModel,
    dataset: Dataset,
    weights: dict[str, str],
    weights_sha256: str,
    pictures: dict[str, Any],
) -> dict[str, Any]:
    """The JSON card of a trained model (the ``dataset`` object's ``fingerprint`` is a name scripts rely on)."""
    import torch

    summary = dataset.summary()
    return {
        "format": MODEL_FORMAT,
        "gamegen_version": __version__,
        "trainer": {"name": facts.trainer, "version": facts.trainer_version},
        "base": None if model.base is None else {"model": model.base.model_id, "sha256": model.base.weights_sha256},
        "dataset": {
            "fingerprint": dataset.fingerprint,
            "path": facts.data_label,
            "kind": dataset.kind,
            "items": len(dataset.items),
            "summary": summary,
        },
        "licenses": dataset.licenses(),
        "params": facts.params,
        "seed": facts.seed,
        "steps": facts.steps,
        "resumed_from_step": facts.resumed_from,
        "metrics": {k: float(v) for k, v in sorted(model.metrics.items())},
        "weights": weights,
        "weights_sha256": weights_sha256,
        "pictures": pictures,
        "trained_with": {
            "wall_seconds": round(facts.wall_seconds, 3),
            "device": facts.device,
            "threads": facts.threads,
            "torch": torch.__version__,
            "python": platform.python_version(),
            "machine": platform.machine(),
        },
        "extra": model.extra,
    }


def write_card(folder: Path, card: dict[str, Any]) -> None:
    """Write ``gamegen-model.json`` and ``README.md`` into ``folder``."""
    (folder / MODEL_CARD).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (folder / "README.md").write_text(_readme(card), encoding="utf-8")


def read_card(folder: str | Path) -> dict[str, Any] | None:
    """The card of the model in ``folder``, or None when it holds no gamegen model card."""
    path = Path(folder) / MODEL_CARD
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return card if isinstance(card, dict) and card.get("format") == MODEL_FORMAT else None


def _readme(card: dict[str, Any]) -> str:
    """A model card a person reads: what it is, how it was made, how to use it."""
    trainer = card["trainer"]
    base = card["base"]
    data = card["dataset"]
    metrics = "\n".join(f"| {k} | {v:.4g} |" for k, v in card["metrics"].items()) or "| (none) | |"
    licences = ", ".join(f"{k} ({n})" for k, n in card["licenses"].items()) or "none recorded"
    params = "\n".join(f"| `{k}` | `{json.dumps(v)}` |" for k, v in card["params"].items())
    pictures = card["pictures"]
    lines = [
        f"# Model trained with gamegen's `{trainer['name']}` {trainer['version']}",
        "",
        "Machine-learned weights. Files generated with them are labelled as AI-made by gamegen.",
        "",
        f"- Base model: {'`' + base['model'] + '` (sha256 ' + base['sha256'][:12] + '…)' if base else 'none (trained from scratch)'}",
        f"- Data: `{data['path']}`: {data['items']} {data['kind']} items, fingerprint `{data['fingerprint'][:16]}…`",
        f"- Licences found in the data: {licences}",
        f"- Seed {card['seed']}, {card['steps']} steps on {card['trained_with']['device']} "
        f"({card['trained_with']['threads']} threads) in {card['trained_with']['wall_seconds']:.1f} s",
        "",
        "| metric | value |",
        "|---|---|",
        metrics,
        "",
        "| parameter | value |",
        "|---|---|",
        params,
        "",
    ]
    if pictures.get("loss_curve"):
        lines += [f"![loss curve]({pictures['loss_curve']})", ""]
    if pictures.get("samples"):
        lines += [f"![samples]({pictures['samples']})", ""]
    return "\n".join(lines)
