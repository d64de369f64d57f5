"""The command that recreates an asset: ``gamegen generate`` with the manifest's generator, seed, profile and every
parameter, quoted for a POSIX shell so it can be pasted as it is."""

from __future__ import annotations

import json
import shlex
from typing import Any

from ..manifest import ManifestEntry

__all__ = ["recreate_command"]


def _set_value(value: Any) -> str:
    """``--set`` reads a value as JSON when it parses, else as text: text that would parse is written as JSON."""
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def recreate_command(entry: ManifestEntry, profile: str) -> str:
    """``gamegen generate GEN -o ID --seed N --profile P --set k=v ...`` for ``entry``."""
    args = ["gamegen", "generate", entry.generator, "-o", entry.id, "--seed", str(entry.seed), "--profile", profile]
    for key, value in entry.params.items():
        args += ["--set", f"{key}={_set_value(value)}"]
    return shlex.join(args)
