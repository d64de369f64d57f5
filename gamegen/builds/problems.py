"""Where a recipe's problems are: TOML line numbers for key paths, and problems collected as ``file:line: message``."""

from __future__ import annotations

import re

from ..errors import GamegenError

__all__ = ["KeyPath", "Problems", "RecipeError", "SourceLines"]

KeyPath = tuple[str | int, ...]


class RecipeError(GamegenError, ValueError):
    """A recipe has problems; ``problems`` holds one ``file:line: message`` line each, in file order."""

    exit_code = 2

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class SourceLines:
    """Line numbers of keys in TOML text, found by a light scan (tomllib reports none)."""

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*=\s*(.*)$")
    _INLINE_KEY = re.compile(r"([A-Za-z0-9_\-]+)\s*=")

    def __init__(self, text: str) -> None:
        self._lines: dict[KeyPath, int] = {}
        counts: dict[str, int] = {}
        table: KeyPath = ()
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(line)
            if header:
                parts: list[str | int] = list(header.group(2).split("."))
                if header.group(1) == "[[":
                    counts[header.group(2)] = counts.get(header.group(2), -1) + 1
                    parts.append(counts[header.group(2)])
                elif str(parts[0]) in counts:  # a sub-table of the latest array element: [asset.params]
                    parts.insert(1, counts[str(parts[0])])
                table = tuple(parts)
                self._lines.setdefault(table, number)
                continue
            key = self._KEY.match(line)
            if key:
                path = table + tuple(key.group(1).split("."))
                self._lines.setdefault(path, number)
                if key.group(2).startswith("{"):
                    for inner in self._INLINE_KEY.findall(key.group(2)):
                        self._lines.setdefault(path + (inner,), number)

    def line(self, path: KeyPath) -> int | None:
        """The line of ``path``, else of its closest enclosing key that was found."""
        for end in range(len(path), 0, -1):
            if path[:end] in self._lines:
                return self._lines[path[:end]]
        return None


class Problems:
    """Collects problems with the key path they concern, then formats them as ``file:line: message``."""

    def __init__(self, source: str, lines: SourceLines | None) -> None:
        self.source = source
        self.lines = lines
        self.items: list[tuple[int, int, str]] = []

    def add(self, path: KeyPath, message: str) -> None:
        line = self.lines.line(path) if self.lines else None
        self.items.append((line or 0, len(self.items), message))

    def raise_if_any(self) -> None:
        if self.items:
            raise RecipeError(
                [
                    f"{self.source}:{line}: {msg}" if line else f"{self.source}: {msg}"
                    for line, _, msg in sorted(self.items)
                ]
            )
