"""Asset types: what generators return. They hold data only; export profiles decide the file formats."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, get_args

import numpy as np

from .names import check_name

__all__ = [
    "TILING_AXES",
    "TilingAxes",
    "ExporterRef",
    "Asset",
    "ImageAsset",
    "NormalMapAsset",
    "TextAsset",
    "DataAsset",
    "BytesAsset",
    "MeshAsset",
    "MeshPart",
    "Material",
]


def _checked_suffix(suffix: str) -> str:
    """``suffix`` with its leading dot, checked to be a portable file-name ending."""
    suffix = suffix if suffix.startswith(".") else "." + suffix
    check_name("x" + suffix, "suffix")
    return suffix


TilingAxes = Literal["none", "x", "y", "xy"]
"""The axes along which an image or texture set repeats seamlessly (``meta["tiling"]``)."""
TILING_AXES: tuple[TilingAxes, ...] = get_args(TilingAxes)

ExporterRef = Callable[..., Any] | str
"""An exporter: ``fn(asset, ExportContext) -> list[ExportedFile]``, or its ``"module:function"`` name."""


@dataclass
class Asset:
    """One output of a generator. ``meta`` is copied into the manifest entry of every file it becomes.

    ``neural`` says whether a trained model made it; None means "as the run says" (any model used → neural).
    ``exporters`` maps profile names to the functions that export this type (subclasses inherit them unless they
    declare their own); see :mod:`gamegen.export.profile`.
    """

    exporters: ClassVar[Mapping[str, ExporterRef]] = {}

    name: str
    meta: dict[str, Any] = field(default_factory=dict, kw_only=True)
    neural: bool | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        check_name(self.name)

    def preview_text(self) -> str | None:
        """Text a person reads to judge this asset (contact sheets of text-only variations); None if it has none."""
        return None


@dataclass
class ImageAsset(Asset):
    """A raster image: uint8 HxW (grey), HxWx3 (RGB), HxWx4 (RGBA), or uint16 HxW for 16-bit data."""

    exporters = {"generic": "gamegen.export.generic:export_image"}

    array: np.ndarray

    def __post_init__(self) -> None:
        super().__post_init__()
        a = np.asarray(self.array)
        ok = (a.dtype == np.uint8 and (a.ndim == 2 or (a.ndim == 3 and a.shape[2] in (3, 4)))) or (
            a.dtype == np.uint16 and a.ndim == 2
        )
        if not ok:
            raise TypeError(
                f"ImageAsset {self.name!r}: need uint8 HxW/HxWx3/HxWx4 or uint16 HxW, got {a.dtype} {a.shape}"
            )
        if a.shape[0] == 0 or a.shape[1] == 0:
            raise ValueError(f"ImageAsset {self.name!r} is empty ({a.shape})")
        self.array = np.ascontiguousarray(a)


@dataclass
class NormalMapAsset(ImageAsset):
    """A tangent-space normal map stored in the OpenGL convention (Y+, uint8 RGB).

    Exporters convert it to the profile's convention (DirectX flips green) and record which one in the manifest.
    """

    exporters = {"generic": "gamegen.export.generic:export_normal_map"}

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.array.dtype != np.uint8 or self.array.ndim != 3 or self.array.shape[2] != 3:
            raise TypeError(f"NormalMapAsset {self.name!r} must be uint8 HxWx3")


@dataclass
class TextAsset(Asset):
    """UTF-8 text written with the given file suffix (``.txt``, ``.ink``, ``.yarn``, ``.csv`` ...)."""

    exporters = {"generic": "gamegen.export.generic:export_text"}

    text: str
    suffix: str = ".txt"

    def __post_init__(self) -> None:
        super().__post_init__()
        self.suffix = _checked_suffix(self.suffix)

    def preview_text(self) -> str | None:
        return self.text


@dataclass
class DataAsset(Asset):
    """A JSON-serialisable object, written as sorted, indented JSON."""

    exporters = {"generic": "gamegen.export.generic:export_data"}

    obj: Any


@dataclass
class BytesAsset(Asset):
    """Pre-encoded bytes (a .wav, a .glb, a .tmj ...) written as they are under ``name + suffix``."""

    exporters = {"generic": "gamegen.export.generic:export_bytes"}

    data: bytes
    suffix: str
    media_type: str = "application/octet-stream"

    def __post_init__(self) -> None:
        super().__post_init__()
        self.suffix = _checked_suffix(self.suffix)


@dataclass
class Material:
    """A glTF metallic-roughness material. Textures are uint8 arrays (RGB/RGBA); ``orm`` packs O/R/M in R/G/B."""

    name: str = "material"
    base_color: np.ndarray | None = None
    normal: np.ndarray | None = None
    orm: np.ndarray | None = None
    base_color_factor: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
    metallic: float = 0.0
    roughness: float = 1.0
    uv_repeat: float = 1.0


@dataclass
class MeshPart:
    """One triangle list: float32 positions (N,3), uint32 indices (M,3), optional normals (N,3) and uvs (N,2)."""

    positions: np.ndarray
    indices: np.ndarray
    normals: np.ndarray | None = None
    uvs: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.positions = np.ascontiguousarray(self.positions, dtype=np.float32).reshape(-1, 3)
        self.indices = np.ascontiguousarray(self.indices, dtype=np.uint32).reshape(-1, 3)
        if self.normals is not None:
            self.normals = np.ascontiguousarray(self.normals, dtype=np.float32).reshape(-1, 3)
        if self.uvs is not None:
            self.uvs = np.ascontiguousarray(self.uvs, dtype=np.float32).reshape(-1, 2)
        n = len(self.positions)
        if self.indices.size and int(self.indices.max()) >= n:
            raise ValueError(f"mesh index {int(self.indices.max())} out of range for {n} vertices")
        for label, arr in (("normals", self.normals), ("uvs", self.uvs)):
            if arr is not None and len(arr) != n:
                raise ValueError(f"mesh {label} has {len(arr)} rows for {n} vertices")


@dataclass
class MeshAsset(Asset):
    """A triangle mesh made of one or more parts (chunks) sharing one material; exported as glTF 2.0."""

    exporters = {"generic": "gamegen.export.generic:export_mesh"}

    parts: list[MeshPart]
    material: Material | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.parts:
            raise ValueError(f"MeshAsset {self.name!r} has no parts")
