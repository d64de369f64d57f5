"""Narrative generators: Tracery grammars, quest lines, branching dialogue (Ink, Yarn Spinner), an LLM backend.

:mod:`.dialogue` holds the dialogue graph, its builder, validator, Ink and Yarn writers, asset and generator;
:mod:`.quest` the quest-line schema, the world facts quests name, and the quest generator. The content filter
(:mod:`gamegen.content_filter`) and the language-model decoding (:mod:`gamegen.ml.sampling`) are core modules.
"""

from __future__ import annotations

from ..registry import Registry
from .dialogue.generator import DialogueGenerator
from .grammar import GrammarGenerator
from .llm import LLMGenerator
from .quest.generator import QuestGenerator


def register(registry: Registry) -> None:
    """Register this family's generators."""
    for gen in (GrammarGenerator, QuestGenerator, DialogueGenerator, LLMGenerator):
        registry.register(gen)
