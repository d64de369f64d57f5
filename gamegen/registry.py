"""The registries: generators and trainers, built-ins and plugins, discovered through entry points
(``gamegen.generators`` and ``gamegen.trainers``)."""

from __future__ import annotations

import importlib
import inspect
import types
import warnings
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from .errors import UnknownGeneratorError

if TYPE_CHECKING:  # the contract (pydantic, numpy) loads only when a generator is registered
    from .generator import Generator
    from .training.trainer import Trainer

__all__ = ["Registry", "registry", "trainers", "ENTRY_POINT_GROUP", "TRAINER_ENTRY_POINT_GROUP", "PluginWarning"]

ENTRY_POINT_GROUP = "gamegen.generators"
TRAINER_ENTRY_POINT_GROUP = "gamegen.trainers"


class Registrable(Protocol):
    """What a registry needs of a class: its name, its kind and a check of its declaration."""

    name: ClassVar[str]
    kind: ClassVar[str]

    @classmethod
    def check_declaration(cls) -> None: ...


C = TypeVar("C", bound=Registrable)


class PluginWarning(UserWarning):
    """A plugin could not be loaded; the others still are."""


class Registry(Generic[C]):
    """Name → generator (or trainer) class. Entry points are loaded lazily on first look-up.

    An entry point names one of two things: a subclass of the contract (``stars = "my_stars:Stars"``), or a module
    whose ``register(registry)`` function registers several (``mine = "my_package"``). Nothing else.
    ``contract`` is ``module:Class`` of the base class (imported only when something is registered).
    """

    def __init__(
        self, group: str = ENTRY_POINT_GROUP, contract: str = "gamegen.generator:Generator", noun: str = "generator"
    ) -> None:
        self.group = group
        self.noun = noun
        self._contract_path = contract
        self._generators: dict[str, type[C]] = {}
        self._origin: dict[str, str] = {}
        self._loaded = False
        self._loading_origin: str | None = None  # the entry point whose register hook is running
        self.broken: dict[str, str] = {}

    def register(self, generator: type[C], origin: str | None = None) -> type[C]:
        """Add a generator class; a second class under the same name is an error (usable as a decorator).

        ``origin`` defaults to the entry point being loaded (when a plugin's register hook calls this), else 'code'.
        """
        origin = origin or self._loading_origin or "code"
        contract = self._contract()
        if not (inspect.isclass(generator) and issubclass(generator, contract)):
            raise TypeError(f"{generator!r} is not a gamegen.{contract.__name__} subclass")
        generator.check_declaration()
        existing = self._generators.get(generator.name)
        if existing is not None and existing is not generator:
            raise ValueError(
                f"{self.noun} name {generator.name!r} from {origin} is already taken by {self._origin[generator.name]}"
            )
        self._generators[generator.name] = generator
        self._origin[generator.name] = origin
        return generator

    def unregister(self, name: str) -> None:
        """Remove a generator (tests and interactive sessions)."""
        self._generators.pop(name, None)
        self._origin.pop(name, None)

    def _contract(self) -> type[Any]:
        """The base class every registered class must subclass (Generator, or Trainer)."""
        module, _, name = self._contract_path.partition(":")
        contract: type[Any] = getattr(importlib.import_module(module), name)
        return contract

    def _register_object(self, obj: Any, origin: str) -> None:
        contract = self._contract()
        if inspect.isclass(obj) and issubclass(obj, contract):
            self.register(obj, origin)  # type: ignore[arg-type]  # checked against the contract just above
            return
        hook: Callable[[Registry], Any] | None = getattr(obj, "register", None)
        if not (isinstance(obj, types.ModuleType) and callable(hook)):
            raise TypeError(
                f"{obj!r} is neither a gamegen.{contract.__name__} subclass nor a module with a register(registry) function"
            )
        self._call_hook(hook, origin)

    def _call_hook(self, hook: Callable[[Registry], Any], origin: str) -> None:
        """Run a plugin's register hook so that what it registers is credited to its entry point."""
        self._loading_origin = origin
        try:
            hook(self)
        finally:
            self._loading_origin = None

    def load_entry_points(self) -> None:
        """Load every entry point of the group once; a broken plugin warns (naming it) and is skipped."""
        import importlib.metadata as md  # read only when a generator is first looked up

        if self._loaded:
            return
        self._loaded = True
        for ep in sorted(md.entry_points(group=self.group), key=lambda e: (e.value, e.name)):
            dist = getattr(ep.dist, "name", None) or "?"
            origin = f"plugin {ep.name!r} ({ep.value}, from {dist})"
            try:
                self._register_object(ep.load(), origin)
            except Exception as exc:  # a broken plugin must not break the others
                self.broken[ep.name] = f"{type(exc).__name__}: {exc}"
                warnings.warn(f"gamegen: skipping {origin}: {type(exc).__name__}: {exc}", PluginWarning, stacklevel=2)

    def reload(self) -> None:
        """Forget entry-point state and load again (after installing a plugin in the same process)."""
        self._loaded = False
        self.broken.clear()
        self.load_entry_points()

    def get(self, name: str) -> type[C]:
        """The class registered as ``name``; raises UnknownGeneratorError listing close names."""
        self.load_entry_points()
        try:
            return self._generators[name]
        except KeyError:
            import difflib

            close = difflib.get_close_matches(name, self._generators, n=3)
            listing = "gamegen list" if self.noun == "generator" else f"gamegen list --{self.noun}s"
            hint = f" (did you mean {', '.join(close)}?)" if close else f" (see `{listing}`)"
            raise UnknownGeneratorError(f"unknown {self.noun} {name!r}{hint}") from None

    def origin(self, name: str) -> str:
        """Where the generator came from (an entry point and its distribution, or 'code')."""
        self.get(name)
        return self._origin[name]

    def kinds(self) -> list[str]:
        """Every kind the registered generators have (built-ins add four; plugins add their own, e.g. ``audio``)."""
        return sorted({g.kind for g in self.list()})

    def list(self, kind: str | None = None) -> list[type[C]]:
        """All generators, sorted by name, optionally only those of one kind."""
        self.load_entry_points()
        gens = sorted(self._generators.values(), key=lambda g: g.name)
        return [g for g in gens if kind is None or g.kind == kind]

    def __contains__(self, name: object) -> bool:
        self.load_entry_points()
        return name in self._generators

    def __iter__(self) -> Iterator[str]:
        return iter(g.name for g in self.list())

    def __len__(self) -> int:
        return len(self.list())


registry: Registry[Generator] = Registry()
trainers: Registry[Trainer[Any]] = Registry(TRAINER_ENTRY_POINT_GROUP, contract="gamegen.training.trainer:Trainer", noun="trainer")
"""The trainer registry: ``trainers.get("image.lora")``."""
