"""Narrative generators: Tracery grammars, quest lines, branching dialogue (Ink, Yarn Spinner), an LLM backend."""

from __future__ import annotations

from ..registry import Registry
from .dialogue import DialogueGenerator
from .grammar import GrammarGenerator
from .llm import LLMGenerator
from .quest import QuestGenerator


def register(registry: Registry) -> None:
    """Register this family's generators."""
    for gen in (GrammarGenerator, QuestGenerator, DialogueGenerator, LLMGenerator):
        registry.register(gen)
