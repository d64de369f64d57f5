"""The dialogue asset: a validated :class:`~.graph.Dialogue` that exports as Ink, Yarn Spinner and a JSON graph."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...assets import Asset
from .graph import Dialogue
from .ink import INK_VERSIONS, to_ink
from .validate import validate_dialogue

__all__ = ["DialogueAsset"]


@dataclass
class DialogueAsset(Asset):
    """A validated dialogue; the exporters write it as Ink, Yarn Spinner (+ string table CSV) and a JSON graph.

    ``ink_version`` picks the ink dialect of the .ink file: ``"1.1"`` (tags in choices) or ``"1.0"``.
    """

    exporters = {"generic": "gamegen.narrative.dialogue.export:export_dialogue"}

    dialogue: Dialogue
    ink_version: str = field(default="1.1", kw_only=True)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.ink_version not in INK_VERSIONS:
            raise ValueError(f"ink_version={self.ink_version!r}: must be one of {', '.join(INK_VERSIONS)}")
        self.meta = {**self.meta, "dialogue": validate_dialogue(self.dialogue)}

    def preview_text(self) -> str | None:
        """The conversation as Ink, which reads like a script."""
        return to_ink(self.dialogue, self.ink_version)
