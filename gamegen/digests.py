"""The content digest of a file, shared by provenance (model weights) and build cache keys (inputs).

A file is read once per process for a given (path, size, mtime, inode), whichever layer asks first; the build
cache adds an on-disk memo on top, so multi-gigabyte weights are not read again by the next build either.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["file_sha256"]

_MEMO: dict[tuple[str, int, int, int], str] = {}


def file_sha256(path: str | Path) -> str:
    """The sha256 of a file's bytes (hex), remembered for this process while the file is unchanged."""
    real = os.path.realpath(path)
    st = os.stat(real)
    key = (real, st.st_size, st.st_mtime_ns, st.st_ino)
    if key not in _MEMO:
        with open(real, "rb") as fh:
            _MEMO[key] = hashlib.file_digest(fh, "sha256").hexdigest()
    return _MEMO[key]
