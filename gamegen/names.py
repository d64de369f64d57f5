"""Validation of asset and file names, so that nothing a generator names can escape its bundle."""

from __future__ import annotations

import re

from .errors import AssetNameError

_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(1, 10)} | {f"LPT{i}" for i in range(1, 10)}
_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


def check_name(name: str, what: str = "asset name") -> str:
    """Return ``name`` if it is one safe path segment, else raise :class:`AssetNameError` saying why."""
    if not isinstance(name, str) or not name:
        raise AssetNameError(f"{what} must be a non-empty string, got {name!r}")
    if "\x00" in name:
        raise AssetNameError(f"{what} {name!r} contains a NUL byte")
    if "/" in name or "\\" in name or name in (".", ".."):
        raise AssetNameError(f"{what} {name!r} would escape the bundle (no '/', '\\', '.' or '..' allowed)")
    if len(name) > 128:
        raise AssetNameError(f"{what} {name!r} is longer than 128 characters")
    if name.split(".")[0].upper() in _WINDOWS_RESERVED:
        raise AssetNameError(f"{what} {name!r} is a reserved file name on Windows")
    if not _SEGMENT.match(name) or name.endswith("."):
        raise AssetNameError(
            f"{what} {name!r} is not portable: use letters, digits, '_', '-' and '.', starting with a letter or digit"
        )
    return name


def check_relpath(path: str, what: str = "file path") -> str:
    """Return ``path`` if it is a relative POSIX path made only of safe segments."""
    if not isinstance(path, str) or not path or path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        raise AssetNameError(f"{what} {path!r} must be a relative path inside the bundle")
    for segment in path.split("/"):
        check_name(segment, what)
    return path
