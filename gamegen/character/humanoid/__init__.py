"""``character.humanoid``: layered, part-based pixel-art people with LPC-compatible sprite sheets."""

from __future__ import annotations

from .generator import HumanoidGenerator, HumanoidParams

__all__ = ["HumanoidGenerator", "HumanoidParams"]
