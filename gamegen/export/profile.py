"""Export profiles: the pluggable layer that turns assets into files for one engine.

A profile names a parent (every profile falls back to ``generic``). Exporters are registered per asset type
and profile; the most specific asset type wins, then the most specific profile. New profiles arrive through
the ``gamegen.profiles`` entry points (an ExportProfile instance or a callable returning one).
"""

from __future__ import annotations

import importlib.metadata as md
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from ..assets import Asset
from ..errors import GamegenError, ParamError
from ..names import check_relpath

__all__ = [
    "ExportProfile",
    "ExportedFile",
    "ExportContext",
    "Exporter",
    "register_exporter",
    "register_profile",
    "get_profile",
    "list_profiles",
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
    """What an exporter may know besides the asset: the profile and the provenance record to embed."""

    profile: ExportProfile
    provenance: dict[str, Any]


Exporter = Callable[[Any, ExportContext], list[ExportedFile]]

_PROFILES: dict[str, ExportProfile] = {}
_EXPORTERS: dict[tuple[str, type], Exporter] = {}
_entry_points_loaded = False


def register_profile(profile: ExportProfile) -> ExportProfile:
    """Add (or replace) a profile."""
    _PROFILES[profile.name] = profile
    return profile


def register_exporter(
    asset_type: type[Asset], profiles: tuple[str, ...] = ("generic",)
) -> Callable[[Exporter], Exporter]:
    """Decorator: ``fn(asset, ctx) -> [ExportedFile]`` exports ``asset_type`` (and subclasses) for ``profiles``."""

    def deco(fn: Exporter) -> Exporter:
        for p in profiles:
            _EXPORTERS[(p, asset_type)] = fn
        return fn

    return deco


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in md.entry_points(group=PROFILE_ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
            register_profile(obj() if callable(obj) and not isinstance(obj, ExportProfile) else obj)
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


def _chain(profile: ExportProfile) -> list[ExportProfile]:
    chain, seen = [], set()
    p: ExportProfile | None = profile
    while p is not None and p.name not in seen:
        chain.append(p)
        seen.add(p.name)
        p = _PROFILES.get(p.parent) if p.parent else None
    return chain


def export_asset(asset: Asset, ctx: ExportContext) -> list[ExportedFile]:
    """Turn one asset into files with the most specific exporter for its type and the context's profile."""
    chain = _chain(ctx.profile)
    for cls in type(asset).__mro__:
        for p in chain:
            fn = _EXPORTERS.get((p.name, cls))
            if fn is not None:
                return fn(asset, ctx)
    raise GamegenError(f"no exporter for {type(asset).__name__} in profile {ctx.profile.name!r}")
