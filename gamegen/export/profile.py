"""Export profiles: the pluggable layer that turns assets into files for one engine.

A profile names a parent (every profile falls back to ``generic``). Which function exports which asset is
declared, not registered by importing something: each asset type carries an ``exporters`` table (profile name →
``"module:function"``), and a profile may carry its own table (asset type's ``module.QualName`` → function) for
asset types it exports differently. The most specific asset type wins, then the most specific profile. Functions
named as text are imported only when an asset of theirs is exported, so a worker imports what one asset needs.
New profiles arrive through the ``gamegen.profiles`` entry points (an ExportProfile, or a callable returning one).
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..assets import Asset, ExporterRef
from ..errors import GamegenError, ParamError
from ..names import check_relpath
from .png import DEFAULT_COMPRESSION, check_compression

__all__ = [
    "ExportProfile",
    "ExportedFile",
    "ExportContext",
    "Exporter",
    "get_profile",
    "list_profiles",
    "profile_chain",
    "export_asset",
]

PROFILE_ENTRY_POINT_GROUP = "gamegen.profiles"


@dataclass(frozen=True)
class ExportProfile:
    """An engine target: a name, a parent to fall back on, and the conventions exporters consult."""

    name: str
    description: str
    parent: str | None = "generic"
    normal_convention: Literal["opengl", "directx"] = "opengl"
    options: dict[str, Any] = field(default_factory=dict)
    exporters: Mapping[str, ExporterRef] = field(default_factory=dict)  # "module.AssetType" → exporter


@dataclass(frozen=True)
class ExportedFile:
    """One file of a bundle: its path relative to the asset's folder, its bytes and media type."""

    path: str
    data: bytes
    media_type: str
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_relpath(self.path)


@dataclass(frozen=True)
class ExportContext:
    """What an exporter may know besides the asset: the profile, the provenance record to embed, and the PNG
    compression to encode images with (``"fast"`` or ``"small"``: pass it to :func:`~gamegen.export.png.encode_png`)."""

    profile: ExportProfile
    provenance: dict[str, Any]
    compression: str = DEFAULT_COMPRESSION

    def __post_init__(self) -> None:
        check_compression(self.compression)


Exporter = Callable[[Any, ExportContext], list[ExportedFile]]

BUILTIN_PROFILES = (
    ExportProfile("generic", "PNG images, JSON data, UTF-8 text, glTF 2.0 meshes", parent=None),
    ExportProfile("unity", "Unity: RAW 16-bit terrain (2^n+1), OpenGL normal maps, metallic-smoothness and mask maps"),
    ExportProfile(
        "unreal", "Unreal Engine: PNG16 landscapes, DirectX normal maps, ORM masks", normal_convention="directx"
    ),
    ExportProfile("godot", "Godot 4: .r16 terrain, SpriteFrames .tres, OpenGL normal maps, ORM maps"),
)
_PROFILES: dict[str, ExportProfile] = {p.name: p for p in BUILTIN_PROFILES}
_entry_points_loaded = False


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in md.entry_points(group=PROFILE_ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
            profile = obj() if callable(obj) and not isinstance(obj, ExportProfile) else obj
            _PROFILES[profile.name] = profile
        except Exception as exc:
            warnings.warn(f"gamegen: skipping profile plugin {ep.name!r}: {exc}", stacklevel=2)


def list_profiles() -> list[ExportProfile]:
    """Every known profile, sorted by name."""
    _load_entry_points()
    return sorted(_PROFILES.values(), key=lambda p: p.name)


def get_profile(name: str) -> ExportProfile:
    """The profile called ``name``; an unknown name is a ParamError (exit 2) listing the known ones."""
    _load_entry_points()
    try:
        return _PROFILES[name]
    except KeyError:
        known = ", ".join(p.name for p in list_profiles())
        raise ParamError(f"unknown export profile {name!r} (known: {known})") from None


def profile_chain(profile: ExportProfile) -> list[ExportProfile]:
    """``profile``, its parent, its parent's parent… down to ``generic``: the order exporters are looked up in."""
    chain, seen = [], set()
    p: ExportProfile | None = profile
    while p is not None and p.name not in seen:
        chain.append(p)
        seen.add(p.name)
        p = _PROFILES.get(p.parent) if p.parent else None
    return chain


def _exporter(ref: ExporterRef) -> Exporter:
    """The function ``ref`` names (``"module:function"``, imported now), or ``ref`` itself."""
    if callable(ref):
        return ref
    module, _, name = ref.partition(":")
    fn: Exporter = getattr(importlib.import_module(module), name)
    return fn


def export_asset(asset: Asset, ctx: ExportContext) -> list[ExportedFile]:
    """Turn one asset into files with the most specific exporter for its type and the context's profile."""
    chain = profile_chain(ctx.profile)
    for cls in type(asset).__mro__:
        own: Mapping[str, ExporterRef] = vars(cls).get("exporters", {})
        for p in chain:
            ref = p.exporters.get(f"{cls.__module__}.{cls.__qualname__}") or own.get(p.name)
            if ref is not None:
                return _exporter(ref)(asset, ctx)
    raise GamegenError(f"no exporter for {type(asset).__name__} in profile {ctx.profile.name!r}")
