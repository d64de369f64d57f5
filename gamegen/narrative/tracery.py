"""A Tracery-compatible grammar engine: ``#symbol.modifier#`` expansion, push/pop actions, seeded choices.

Semantics follow Kate Compton's tracery.js: a rule is text with ``#tags#`` and ``[actions]``; ``[key:a,b]``
expands ``a`` and ``b`` and pushes them as the rules of ``key``, ``[key:POP]`` pops them; actions at the start
of a tag are undone after it (``#[hero:#name#]story#``); ``\\`` escapes the next character; the English
modifiers are ``capitalize capitalizeAll s a ed firstS replace(a,b)``. Where tracery.js prints ``((symbol))``
and carries on, this engine raises :class:`GrammarError`, and it bounds depth, steps and output length so a
self-recursive grammar fails clearly instead of hanging. The length limit holds for every intermediate text (a
rule's text as it grows, each modifier's result, checked before a ``replace`` builds it), and all the text one
expansion produces is at most ``2 × max_length × (max_depth + 1)`` characters, so no grammar (say, a chain of
``.replace`` that multiplies the text, or pushes of long texts) takes more than bounded time and memory. The
expansion runs on an explicit stack, not Python recursion, so any ``max_depth`` works. Two tracery.js slips are
fixed: ``.ed`` after a vowel and ``y`` gives "played" (not "playd"), and ``.firstS`` of a single word adds no
trailing space.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Generator, Mapping
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..context import Context
from ..errors import GenerationError, ParamError

__all__ = ["Grammar", "GrammarError", "GrammarLengthError", "MODIFIERS", "builtin_grammars", "load_grammar"]

_TEXT, _TAG, _ACTION = 0, 1, 2
_ESCAPE = re.compile(r"\\(.?)", re.S)
_Task = Generator[Any, Any, Any]
"""One step of an expansion: it yields the sub-steps whose results it needs and returns its own result."""


class GrammarError(GenerationError):
    """A grammar is malformed, names a missing symbol or modifier, or expands too deep or too long."""


class GrammarLengthError(GrammarError):
    """An expansion outgrew ``max_length`` (or, in all, ``2 × max_length × (max_depth + 1)`` characters)."""


def _is_vowel(c: str) -> bool:
    return c.lower() in ("a", "e", "i", "o", "u")


def _capitalize_all(s: str) -> str:
    out, cap_next = [], True
    for c in s:
        if not (c.isascii() and c.isalnum()):
            cap_next = True
            out.append(c)
        else:
            out.append(c.upper() if cap_next else c)
            cap_next = False
    return "".join(out)


def _article(s: str) -> str:
    if s[:1].lower() == "u" and s[2:3].lower() == "i":
        return "a " + s
    return ("an " if _is_vowel(s[:1]) else "a ") + s


def _plural(s: str) -> str:
    last = s[-1:]
    if last in ("s", "h", "x"):
        return s + "es"
    if last == "y" and not _is_vowel(s[-2:-1]):
        return s[:-1] + "ies"
    return s + "s"


def _past(s: str) -> str:
    last = s[-1:]
    if last == "e":
        return s + "d"
    if last == "y" and not _is_vowel(s[-2:-1]):
        return s[:-1] + "ied"
    return s + "ed"


def _first_plural(s: str) -> str:
    first, sep, rest = s.partition(" ")
    return _plural(first) + sep + rest


def _replace(s: str, old: str = "", new: str = "") -> str:
    return s.replace(old, new) if old else s


def _replace_length(s: str, old: str = "", new: str = "") -> int:
    """The length of ``_replace(s, old, new)``, counted without building it (so a growing replace is refused first)."""
    return len(s) + s.count(old) * (len(new) - len(old)) if old else len(s)


MODIFIERS: dict[str, Callable[..., str]] = {
    "capitalize": lambda s: s[:1].upper() + s[1:],
    "capitalizeAll": _capitalize_all,
    "a": _article,
    "s": _plural,
    "ed": _past,
    "firstS": _first_plural,
    "replace": _replace,
}
"""Tracery's English modifiers by name: ``fn(text, *params) -> text``."""


@lru_cache(maxsize=8192)
def _parse(rule: str) -> tuple[tuple[int, str], ...]:
    """Split a rule into (kind, raw) sections the way tracery.js does: plain text, #tags# and [actions]."""
    sections: list[tuple[int, str]] = []
    depth, in_tag, start, i = 0, False, 0, 0
    while i < len(rule):
        c = rule[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            if depth == 0 and not in_tag:
                if start < i:
                    sections.append((_TEXT, rule[start:i]))
                start = i + 1
            depth += 1
        elif c == "]":
            depth -= 1
            if depth < 0:
                raise GrammarError(f"unmatched ']' in rule {rule!r}")
            if depth == 0 and not in_tag:
                sections.append((_ACTION, rule[start:i]))
                start = i + 1
        elif c == "#" and depth == 0:
            if in_tag:
                if start == i:
                    raise GrammarError(f"empty tag '##' in rule {rule!r}")
                sections.append((_TAG, rule[start:i]))
            elif start < i:
                sections.append((_TEXT, rule[start:i]))
            start = i + 1
            in_tag = not in_tag
        i += 1
    if in_tag:
        raise GrammarError(f"unclosed '#' in rule {rule!r}")
    if depth:
        raise GrammarError(f"unclosed '[' in rule {rule!r}")
    if start < len(rule):
        sections.append((_TEXT, rule[start:]))
    return tuple(sections)


@lru_cache(maxsize=8192)
def _parse_tag(raw: str) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    """A tag's leading actions, its symbol and its modifiers: ``[a:b]sym.mod1.mod2``."""
    actions: list[str] = []
    main: list[str] = []
    for kind, text in _parse(raw):
        (actions if kind == _ACTION else main).append(text)
    if len(main) > 1:
        raise GrammarError(f"tag #{raw}# has more than one symbol")
    symbol, *mods = (main[0] if main else "").split(".")
    return tuple(actions), symbol, tuple(mods)


@cache
def _signature(fn: Callable[..., str]) -> inspect.Signature:
    """A modifier's signature, to check the parameters a tag gives it before calling it."""
    return inspect.signature(fn)


def _run(task: _Task) -> Any:
    """Run a nested expansion without Python recursion: each step yields the sub-step it needs, a stack holds them."""
    stack: list[_Task] = [task]
    value: Any = None
    while True:
        try:
            sub = stack[-1].send(value)
        except StopIteration as done:
            stack.pop()
            if not stack:
                return done.value
            value = done.value
        else:
            stack.append(sub)
            value = None


def _as_rules(symbol: str, value: Any) -> list[str]:
    rules = [value] if isinstance(value, str) else value
    if not isinstance(rules, list) or not rules or not all(isinstance(r, str) for r in rules):
        raise GrammarError(f"symbol {symbol!r} must map to a rule string or a non-empty list of rule strings")
    return list(rules)


class Grammar:
    """Tracery rules (symbol → list of rule texts) with bounded, seeded expansion."""

    def __init__(
        self,
        rules: Mapping[str, Any],
        *,
        max_depth: int = 48,
        max_length: int = 20_000,
        max_steps: int = 20_000,
    ) -> None:
        if not isinstance(rules, Mapping):
            raise GrammarError("a grammar must be a JSON object mapping symbols to rules")
        self.rules = {str(k): _as_rules(str(k), v) for k, v in rules.items()}
        self.max_depth, self.max_length, self.max_steps = max_depth, max_length, max_steps

    def with_rules(self, extra: Mapping[str, Any]) -> Grammar:
        """A copy with ``extra`` symbols added or replaced (e.g. world facts injected as rules); only ``extra`` is
        checked again."""
        grammar = Grammar(extra, max_depth=self.max_depth, max_length=self.max_length, max_steps=self.max_steps)
        grammar.rules = {**self.rules, **grammar.rules}
        return grammar

    def flatten(self, rule: str, rng: np.random.Generator) -> str:
        """Expand ``rule`` text (e.g. ``"#origin#"``) with choices drawn from ``rng``; escapes are resolved."""
        return _ESCAPE.sub(r"\1", _run(_Expansion(self, rng).rule(rule, 0, None)))

    def expand(self, symbol: str, rng: np.random.Generator) -> str:
        """Expand one symbol; an unknown start symbol is an error listing the grammar's symbols."""
        if symbol not in self.rules:
            known = ", ".join(sorted(self.rules)[:20])
            raise GrammarError(f"start symbol {symbol!r} is not in the grammar (symbols: {known})")
        return self.flatten(f"#{symbol}#", rng)


class _Expansion:
    """The state of one top-level expansion: rule stacks (for push/pop), step count, text produced, random stream.

    ``rule``, ``action``, ``tag`` and ``symbol`` are steps for :func:`_run`: they yield the sub-steps they need.
    """

    def __init__(self, grammar: Grammar, rng: np.random.Generator) -> None:
        self.grammar = grammar
        self.rng = rng
        self.stacks: dict[str, list[list[str]]] = {}  # made per symbol on first use (see _stack)
        self.steps = 0
        self.produced = 0
        self.max_produced = 2 * grammar.max_length * (grammar.max_depth + 1)
        self.path: list[str] = []

    def check_length(self, size: int, where: str) -> None:
        """Refuse a text of ``size`` characters longer than ``max_length`` (before it is built where possible)."""
        if size > self.grammar.max_length:
            raise GrammarLengthError(f"expansion is longer than {self.grammar.max_length} characters ({where})")

    def produce(self, size: int, where: str) -> None:
        """Count a new text of ``size`` characters against the length limit and the expansion's total."""
        self.check_length(size, where)
        self.produced += size
        if self.produced > self.max_produced:
            raise GrammarLengthError(
                f"expansion produced more than {self.max_produced} characters in all (2 × max_length × "
                f"(max_depth + 1)): the grammar builds far more text than it returns ({where})"
            )

    def rule(self, rule: str, depth: int, owner: str | None) -> _Task:
        g = self.grammar
        if depth > g.max_depth:
            loop = " → ".join(self.path[-6:])
            raise GrammarError(f"expansion is deeper than {g.max_depth} levels: the grammar recurses ({loop} → …)")
        where = f"symbol {owner or rule!r}"
        out: list[str] = []
        size = 0
        for kind, raw in _parse(rule):
            if kind == _ACTION:
                yield self.action(raw, depth, owner)
                continue
            text = raw if kind == _TEXT else (yield self.tag(raw, depth, rule, owner))
            size += len(text)
            self.check_length(size, where)
            out.append(text)
        self.produce(size, where)
        return "".join(out)

    def _stack(self, name: str) -> list[list[str]] | None:
        """The rule stack of ``name``, made from the grammar's rules the first time it is used; None if unknown."""
        stack = self.stacks.get(name)
        if stack is None and name in self.grammar.rules:
            stack = self.stacks[name] = [self.grammar.rules[name]]
        return stack

    def action(self, raw: str, depth: int, owner: str | None) -> _Task:
        """Run ``[key:rules]`` (push, returns key) or ``[key:POP]`` (pop); function actions are not supported."""
        target, colon, body = raw.partition(":")
        if not colon:
            raise GrammarError(f"unsupported action [{raw}] (use [key:#rule#] or [key:POP])")
        if body == "POP":
            stack = self._stack(target)
            if not stack:
                raise GrammarError(f"[{target}:POP] pops symbol {target!r}, which has no rules to pop")
            stack.pop()
            return None
        rules: list[str] = []
        for part in body.split(","):
            rules.append((yield self.rule(part, depth + 1, owner)))
        stack = self._stack(target)
        if stack is None:
            stack = self.stacks[target] = []
        stack.append(rules)
        return target

    def tag(self, raw: str, depth: int, rule: str, owner: str | None) -> _Task:
        actions, symbol, mods = _parse_tag(raw)
        pushed: list[str] = []
        for action in actions:
            target = yield self.action(action, depth, owner)
            if target is not None:
                pushed.append(target)
        text = (yield self.symbol(symbol, depth, rule, owner)) if symbol else ""
        for mod in mods:
            text = self.modify(text, mod, raw, symbol)
        for target in reversed(pushed):
            self.stacks[target].pop()
        return text

    def symbol(self, symbol: str, depth: int, rule: str, owner: str | None) -> _Task:
        stack = self._stack(symbol)
        where = f"rule {rule!r}" + (f" of symbol {owner!r}" if owner else "")
        if stack is None:
            raise GrammarError(f"missing symbol {symbol!r}, used in {where}")
        if not stack:
            raise GrammarError(f"symbol {symbol!r} has no rules left (popped more often than pushed), used in {where}")
        self.steps += 1
        if self.steps > self.grammar.max_steps:
            raise GrammarError(
                f"expansion took more than {self.grammar.max_steps} steps (symbol {symbol!r} keeps recursing)"
            )
        rules = stack[-1]
        self.path.append(symbol)
        text = yield self.rule(rules[int(self.rng.integers(len(rules)))], depth + 1, symbol)
        self.path.pop()
        return text

    def modify(self, text: str, mod: str, tag: str, symbol: str) -> str:
        """Apply modifier ``mod`` of ``tag``; its result is checked against the limits, a replace's before it is built."""
        name, paren, params = mod.partition("(")
        fn = MODIFIERS.get(name)
        if fn is None:
            raise GrammarError(f"unknown modifier .{name} in tag #{tag}# (known: {', '.join(MODIFIERS)})")
        args = params.rstrip(")").split(",") if paren else []
        try:
            _signature(fn).bind(text, *args)
        except TypeError as exc:
            raise GrammarError(
                f"modifier .{name} in tag #{tag}# does not take {len(args)} parameter(s): {exc}"
            ) from None
        where = f"modifier .{mod} on symbol {symbol!r}"
        if fn is _replace:
            self.check_length(_replace_length(text, *args), where)
        text = fn(text, *args)
        self.produce(len(text), where)
        return text


@lru_cache(maxsize=1)
def _builtin_names() -> tuple[str, ...]:
    root = resources.files(__package__) / "grammars"
    return tuple(sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".json")))


@lru_cache(maxsize=32)
def _builtin_text(name: str) -> str:
    return (resources.files(__package__) / "grammars" / f"{name}.json").read_text("utf-8")


def builtin_grammars() -> list[str]:
    """Names of the grammars shipped with gamegen (``gamegen/narrative/grammars/*.json``)."""
    return list(_builtin_names())


def load_grammar(source: str, ctx: Context | None = None, **limits: int) -> Grammar:
    """A built-in grammar by name, or a user's Tracery JSON file (read through ``ctx`` so its hash is recorded)."""
    if source in _builtin_names():
        data = _builtin_text(source)
    elif Path(source).is_file():
        data = (ctx.read_input(source) if ctx is not None else Path(source).read_bytes()).decode("utf-8")
    else:
        names = ", ".join(_builtin_names())
        raise ParamError(f"grammar={source!r}: neither a built-in grammar ({names}) nor a JSON file")
    try:
        rules = json.loads(data)
    except ValueError as exc:
        raise GrammarError(f"grammar {source!r} is not valid JSON: {exc}") from None
    return Grammar(rules, **limits)
