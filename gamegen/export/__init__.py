"""Exporters: turning assets into the files an engine imports, per export profile."""

from . import generic  # noqa: F401  (registers the built-in profiles and the generic exporters)
from .profile import (
    ExportContext,
    ExportedFile,
    ExportProfile,
    export_asset,
    get_profile,
    list_profiles,
    register_exporter,
    register_profile,
)

__all__ = [
    "ExportContext",
    "ExportedFile",
    "ExportProfile",
    "export_asset",
    "get_profile",
    "list_profiles",
    "register_exporter",
    "register_profile",
]
