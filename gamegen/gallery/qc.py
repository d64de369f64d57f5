"""QC results from a manifest entry: the checks its files' metadata records, as rows the page shows.

Generators record what they checked in each file's ``meta`` (``quality`` numbers with a ``seam_limit``, a dialogue's
``valid``, the content filter's ``flagged``, a WAV's ``clipped_samples``...). A row says pass or fail only where the
manifest says what passes; other numbers are shown as they are.
"""

from __future__ import annotations

from typing import Any

from ..manifest import ManifestEntry

__all__ = ["qc_rows"]


def _row(file: str, check: str, value: Any, ok: bool | None, limit: Any = None) -> dict[str, Any]:
    return {"file": file, "check": check, "value": value, "ok": ok, "limit": limit}


def _quality(name: str, quality: dict[str, Any]) -> list[dict[str, Any]]:
    limit = quality.get("seam_limit")
    rows = []
    for key, value in sorted(quality.items()):
        if key == "seam_limit" or isinstance(value, dict | list):
            continue
        seam = key.startswith("seam_") and isinstance(limit, int | float) and isinstance(value, int | float)
        rows.append(_row(name, key.replace("_", " "), value, value <= limit if seam else None, limit if seam else None))
    return rows


def qc_rows(entry: ManifestEntry) -> list[dict[str, Any]]:
    """One row per recorded check: ``{file, check, value, ok (True/False/None), limit}``."""
    rows: list[dict[str, Any]] = []
    for record in entry.files:
        meta = record.meta or {}
        name = record.path.rsplit("/", 1)[-1]
        if isinstance(meta.get("quality"), dict):
            rows += _quality(name, meta["quality"])
        dialogue = meta.get("dialogue")
        if isinstance(dialogue, dict) and "valid" in dialogue:
            rows.append(_row(name, "dialogue graph valid", dialogue["valid"], bool(dialogue["valid"])))
        flt = meta.get("content_filter")
        if isinstance(flt, dict) and "flagged" in flt:
            rows.append(_row(name, f"content filter ({flt.get('rating', 'default')})", "flagged" if flt["flagged"]
                             else "clean", not flt["flagged"]))  # fmt: skip
        if "clipped_samples" in meta:
            rows.append(_row(name, "clipped samples", meta["clipped_samples"], meta["clipped_samples"] == 0, 0))
        if "peak_dbfs" in meta:
            rows.append(_row(name, "peak dBFS", meta["peak_dbfs"], None))
        if "connected" in meta:
            rows.append(_row(name, "all rooms connected", meta["connected"], bool(meta["connected"])))
    return rows
