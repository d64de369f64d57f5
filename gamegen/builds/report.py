"""What a build reports: each asset built, taken from the cache, failed or never started, and the models it trained.

Kept apart from the builder so that a build with nothing to do (:mod:`.stamp`) can report without loading it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from ..errors import GamegenError

if TYPE_CHECKING:
    from .models import ModelResult

__all__ = ["STATUSES", "AssetResult", "BuildError", "BuildReport", "Status"]

Status = Literal["built", "cached", "failed", "cancelled"]
STATUSES: tuple[Status, ...] = get_args(Status)


@dataclass
class AssetResult:
    """How one asset of a build went: built, taken from the cache, failed (with a reason) or never started."""

    id: str
    asset: str
    generator: str
    status: Status
    seconds: float
    key: str | None
    error: str | None = None
    started: float | None = None  # seconds after the build began that its job started (None: it did not run)


@dataclass
class BuildReport:
    """The outcome of :func:`gamegen.build`, asset by asset in recipe order."""

    bundle: str
    recipe: str
    out: Path
    profile: str
    assets: list[AssetResult] = field(default_factory=list)
    seconds: float = 0.0
    executor: str = "none (everything was cached)"
    models: list[ModelResult] = field(default_factory=list)

    def ids(self, status: Status) -> list[str]:
        """Ids of the assets that ended with ``status``."""
        return [a.id for a in self.assets if a.status == status]

    @property
    def built(self) -> list[str]:
        return self.ids("built")

    @property
    def cached(self) -> list[str]:
        return self.ids("cached")

    @property
    def failed(self) -> list[str]:
        return self.ids("failed")

    @property
    def ok(self) -> bool:
        """True when every model was trained or cached and every asset built or cached (so the bundle was written)."""
        models_ok = all(m.status != "failed" for m in self.models)
        return models_ok and all(a.status in ("built", "cached") for a in self.assets)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what ``gamegen build --json`` prints)."""
        counts = {s: len(self.ids(s)) for s in STATUSES}
        return {
            "bundle": self.bundle,
            "recipe": self.recipe,
            "out": str(self.out),
            "profile": self.profile,
            "executor": self.executor,
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "counts": counts,
            "assets": [_asset_json(a) for a in self.assets],
            "models": _models_json(self.models),
        }


def _asset_json(asset: AssetResult) -> dict[str, Any]:
    started = None if asset.started is None else round(asset.started, 3)
    return {**asdict(asset), "seconds": round(asset.seconds, 3), "started": started}


def _models_json(models: list[ModelResult]) -> list[dict[str, Any]]:
    """The models' results as JSON values; the models module (trainers and all) loads only when there are some."""
    if not models:
        return []
    from .models import to_json

    return to_json(models)


class BuildError(GamegenError):
    """Some assets failed, so the bundle was not replaced; ``report`` says which and why."""

    def __init__(self, report: BuildReport):
        self.report = report
        failed = [a for a in report.assets if a.status == "failed"]
        models = [m for m in report.models if m.status == "failed"]
        reasons = "; ".join([f"model {m.name}: {m.error}" for m in models] + [f"{a.id}: {a.error}" for a in failed])
        what = f"{len(failed)} of {len(report.assets)} assets"
        if models:
            what = f"{len(models)} of {len(report.models)} models and {what}"
        super().__init__(f"{what} failed ({reasons}); the previous bundle at {report.out} is unchanged")
