"""Exporters: turning assets into the files an engine imports, per export profile."""

from .profile import (
    ExportContext,
    ExportedFile,
    ExportProfile,
    export_asset,
    get_profile,
    list_profiles,
    profile_chain,
)

__all__ = [
    "ExportContext",
    "ExportedFile",
    "ExportProfile",
    "export_asset",
    "get_profile",
    "list_profiles",
    "profile_chain",
]
