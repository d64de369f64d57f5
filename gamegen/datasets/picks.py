"""The picks file a gallery writes: which assets of a bundle a person kept, turned down and rated.

``{"format": "gamegen.picks/1", "bundle": "heroes", "picks": ["seed-3", "seed-7"], "rejects": ["seed-4"],
"stars": {"seed-3": 5}}``. ``picks`` (at least one) are kept; ``rejects`` were seen and turned down; ``stars`` rate
any of them from 0 to 5. Ids are the bundle's asset ids, or ``seed-N`` for a folder of variations. ``format`` and
``bundle`` (a note of where the ids come from) are optional; any other key is refused, so a typo is not ignored.
The gallery writes the file as ``picks.json`` inside the bundle.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import DatasetError
from .reading import Unreadable, read_text

__all__ = ["PICKS_FILE", "PICKS_FORMAT", "Picks", "as_picks"]

PICKS_FILE = "picks.json"  # where the gallery (``gamegen view``) writes them, inside the bundle
PICKS_FORMAT = "gamegen.picks/1"
_MAX_PICKS_BYTES = 16 << 20


class Picks(BaseModel):
    """Ids kept (``picks``), turned down (``rejects``) and rated 0–5 (``stars``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    format: Literal["gamegen.picks/1"] = "gamegen.picks/1"
    bundle: str | None = None
    picks: list[str] = Field(min_length=1)
    rejects: list[str] = Field(default_factory=list)
    stars: dict[str, Annotated[int, Field(ge=0, le=5)]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Picks:
        repeated = sorted({i for i in self.picks if self.picks.count(i) > 1})
        if repeated:
            raise ValueError(f"picked more than once: {', '.join(repeated)}")
        both = sorted(set(self.picks) & set(self.rejects))
        if both:
            raise ValueError(f"both picked and rejected: {', '.join(both)}")
        return self

    def document(self) -> dict[str, Any]:
        """The JSON form (what a gallery writes)."""
        return self.model_dump(mode="json", exclude_none=True)


def _one_line(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(map(str, first["loc"]))
    return f"{where + ': ' if where else ''}{first['msg']}"


def as_picks(value: Picks | Mapping[str, Any] | Iterable[str] | str | Path) -> Picks:
    """Picks from a :class:`Picks`, its JSON form, a list of ids, or the path of a picks file (``str``/``Path``);
    DatasetError naming what is wrong."""
    if isinstance(value, Picks):
        return value
    where = "picks"
    try:
        if isinstance(value, str | Path):
            where = str(value)
            doc = json.loads(read_text(Path(value), _MAX_PICKS_BYTES))
            return Picks.model_validate(doc)
        if isinstance(value, Mapping):
            return Picks.model_validate(dict(value))
        return Picks(picks=list(value))
    except Unreadable as exc:
        raise DatasetError(f"{where}: {exc}") from None
    except (ValueError, RecursionError) as exc:
        reason = _one_line(exc) if isinstance(exc, ValidationError) else f"not JSON ({exc})"
        raise DatasetError(f"{where}: {reason}") from None
