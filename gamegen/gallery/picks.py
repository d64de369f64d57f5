"""``picks.json``: the assets an artist kept, rejected and starred in the gallery.

``{"picks": [id, ...], "rejects": [id, ...], "stars": {id: 1-5}}`` where an id is a manifest asset id, or inside a
variations folder ``seed-N`` (``seed-N/<asset id>`` when a variation holds several assets). It is what
``gamegen dataset from-bundle`` reads instead of ``--pick`` (which also accepts the optional ``format`` and
``bundle`` keys read here). The gallery's server writes it with :func:`write_picks`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection
from pathlib import Path
from typing import Any

from ..errors import ParamError

__all__ = ["PICKS_FILE", "PICKS_MAX_BYTES", "check_picks", "write_picks"]

PICKS_FILE = "picks.json"
PICKS_FORMAT = "gamegen.picks/1"
PICKS_MAX_BYTES = 4 << 20


def check_picks(doc: Any, known: Collection[str] | None = None) -> dict[str, Any]:
    """``doc`` as a canonical picks document (the three keys, ids in the order given, no duplicates, no zero
    stars); ParamError naming the first problem: an unknown key, an id that is not a string (or, with ``known``,
    not an asset of the bundle), an id both picked and rejected, a star outside 0–5."""
    if not isinstance(doc, dict) or set(doc) - {"picks", "rejects", "stars", "format", "bundle"}:
        raise ParamError(f"{PICKS_FILE}: expected an object with keys picks, rejects and stars")
    if doc.get("format", PICKS_FORMAT) != PICKS_FORMAT:
        raise ParamError(f"{PICKS_FILE}: format {doc['format']!r} is not {PICKS_FORMAT!r}")
    out: dict[str, Any] = {}
    for key in ("picks", "rejects"):
        ids = doc.get(key, [])
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ParamError(f"{PICKS_FILE}: {key} must be a list of asset ids")
        out[key] = list(dict.fromkeys(ids))
    stars = doc.get("stars", {})
    if not isinstance(stars, dict) or not all(type(v) is int and 0 <= v <= 5 for v in stars.values()):
        raise ParamError(f"{PICKS_FILE}: stars must map asset ids to whole numbers from 0 to 5")
    out["stars"] = {k: v for k, v in stars.items() if v}
    both = sorted(set(out["picks"]) & set(out["rejects"]))
    if both:
        raise ParamError(f"{PICKS_FILE}: {both[0]!r} is both picked and rejected")
    if known is not None:
        unknown = [i for i in [*out["picks"], *out["rejects"], *out["stars"]] if i not in known]
        if unknown:
            raise ParamError(f"{PICKS_FILE}: {unknown[0]!r} is not an asset of this bundle")
    return out


def write_picks(bundle: Path, doc: Any, known: Collection[str] | None = None) -> Path:
    """Check ``doc`` and write it to ``bundle/picks.json`` atomically (a reader never sees half a file)."""
    data = json.dumps(check_picks(doc, known), indent=2, ensure_ascii=False).encode() + b"\n"
    if len(data) > PICKS_MAX_BYTES:
        raise ParamError(f"{PICKS_FILE}: larger than {PICKS_MAX_BYTES >> 20} MiB")
    target = bundle / PICKS_FILE
    tmp = bundle / f".{PICKS_FILE}.{os.getpid()}.tmp"
    tmp.write_bytes(data)
    tmp.replace(target)
    return target
