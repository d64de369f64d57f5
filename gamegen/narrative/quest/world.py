"""World facts quests may name: places, factions, characters, items and creatures.

Users pass them in (a JSON file or object, e.g. assembled from ``character.sheet`` outputs); categories left
empty are filled from the built-in grammars and recorded, so a quest never names anything that is not
defined in the same bundle or in the facts given.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from ...context import Context
from ...errors import GenerationError
from ...inputs import read_model
from ..tracery import load_grammar

__all__ = ["Character", "StoryWorld", "load_world", "complete_world"]

# category → (built-in grammar, how many names to invent when the user gave none)
_INVENTED = {
    "places": ("places", 4),
    "factions": ("factions", 2),
    "characters": ("characters", 5),
    "items": ("items", 4),
    "creatures": ("creatures", 3),
}


class Character(BaseModel):
    """A person quests may name; extra fields (e.g. a whole ``character.sheet`` record) are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str = Field(min_length=1, max_length=80)
    faction: str | None = Field(None, validation_alias=AliasChoices("faction", "allegiance"))
    place: str | None = Field(None, validation_alias=AliasChoices("place", "home", "location"))


class StoryWorld(BaseModel):
    """Everything a quest line may refer to, by name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    places: list[str] = Field(default_factory=list, description="Towns, regions, dungeons")
    factions: list[str] = Field(default_factory=list, description="Guilds, orders, kingdoms")
    characters: list[Character] = Field(default_factory=list, description="People (names, optional faction/place)")
    items: list[str] = Field(default_factory=list, description="Objects that can be fetched, delivered or given")
    creatures: list[str] = Field(default_factory=list, description="Foes that can be defeated")

    @field_validator("characters", mode="before")
    @classmethod
    def _names_as_characters(cls, value: Any) -> Any:
        return [{"name": v} if isinstance(v, str) else v for v in value] if isinstance(value, list) else value

    @property
    def character_names(self) -> list[str]:
        """The characters' names."""
        return [c.name for c in self.characters]

    def names(self) -> set[str]:
        """Every name defined in the world."""
        return {*self.places, *self.factions, *self.character_names, *self.items, *self.creatures}


def load_world(source: str | dict[str, Any] | None, ctx: Context) -> StoryWorld:
    """The world facts a ``world`` parameter gives: None, an inline object, or a JSON file (hash recorded)."""
    return StoryWorld() if source is None else read_model(StoryWorld, source, "world", ctx)


def _invent(grammar: str, count: int, rng: np.random.Generator, symbol: str) -> list[str]:
    g = load_grammar(grammar)
    found: dict[str, None] = {}
    for _ in range(count * 20):
        found[g.expand(symbol, rng)] = None
        if len(found) == count:
            return list(found)
    raise GenerationError(f"built-in grammar {grammar!r} gave only {len(found)} distinct names")


def complete_world(world: StoryWorld, rng: np.random.Generator) -> tuple[StoryWorld, dict[str, list[str]]]:
    """Fill every empty category with invented names; returns the world and what was invented, by category."""
    added: dict[str, list[str]] = {}
    for category, (grammar, count) in _INVENTED.items():
        if not getattr(world, category):
            added[category] = _invent(grammar, count, rng, "name" if grammar == "items" else "origin")
    return world.model_validate({**world.model_dump(), **added}), added
