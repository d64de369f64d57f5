"""The manifest's types: what a bundle records about each asset and file, shared by writers, the cache and readers.

``manifest.json`` is a :class:`Manifest`; each asset is a :class:`ManifestEntry` whose files (:class:`FileRecord`)
lie under ``<id>/`` in the bundle. :meth:`ManifestEntry.for_asset` is the one place an entry moves to another id
(the cache stores entries once and hands them out under each asset id that needs them).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .names import check_relpath

__all__ = ["FileRecord", "Manifest", "ManifestEntry"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class FileRecord(_Record):
    """One file of the bundle: where it is, its digest and size, its media type, and whether AI made it."""

    path: str = Field(description="POSIX path relative to the bundle, under the asset's folder")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: int = Field(ge=0)
    media_type: str
    ai_generated: bool
    meta: dict[str, Any] | None = Field(None, description="What the asset and exporter record about the file")


class ManifestEntry(_Record):
    """One asset: the generator, version, seed and parameters that made it, its files and provenance."""

    id: str
    generator: str
    generator_version: str
    kind: str
    seed: int = Field(ge=0)
    params: dict[str, Any]
    files: list[FileRecord]
    provenance: dict[str, Any]

    def relative_paths(self) -> list[str]:
        """Each file's path inside the asset's folder (``<id>/`` taken off)."""
        return [f.path.removeprefix(f"{self.id}/") for f in self.files]

    def for_asset(self, asset_id: str) -> ManifestEntry:
        """This entry as asset ``asset_id``: the same files, moved under ``<asset_id>/``."""
        files = [
            f.model_copy(update={"path": check_relpath(f"{asset_id}/{rel}")})
            for f, rel in zip(self.files, self.relative_paths(), strict=True)
        ]
        return self.model_copy(update={"id": asset_id, "files": files})

    def document(self) -> dict[str, Any]:
        """The JSON form written to ``manifest.json`` (files without ``meta`` omit the key)."""
        return self.model_dump(mode="json", exclude={"files"}) | {
            "files": [f.model_dump(mode="json", exclude_none=True) for f in self.files]
        }


class Manifest(_Record):
    """A bundle's ``manifest.json``: the format tag (:data:`gamegen.output.BUNDLE_FORMAT`), the SDK version, the
    export profile and the assets by id."""

    format: Literal["gamegen.bundle/1"] = "gamegen.bundle/1"
    generator_sdk: str
    profile: str
    assets: list[ManifestEntry]

    def document(self) -> dict[str, Any]:
        """The JSON form written to ``manifest.json``."""
        return self.model_dump(mode="json", exclude={"assets"}) | {"assets": [a.document() for a in self.assets]}
