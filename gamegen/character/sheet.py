"""``character.sheet``: a game character's data — name, class, level-scaled stats, traits, inventory, backstory.

Stats follow a JSON rule set (``data/rules/default.json``; pass your own with ``rules``): per class a base value and
a growth per level for each stat, derived values (hp, mp, …) as ``base + per_level × (level − 1) + stat_factor ×
stat``, starting gear and traits. The output JSON follows :class:`CharacterSheet`, whose schema (``gamegen info
character.sheet --json``) only changes with its ``format`` tag. The backstory is procedural unless a language model
is named; that path uses the narrative family's LLM backend and is imported only then. The generated text (name and
backstory) passes the narrative content filter, whose term lists users extend (``filter_terms``): on a hit it is
drawn again from fresh sub-seeds, and the manifest records what the filter saw.
"""

from __future__ import annotations

import re
import string
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from ..assets import Asset, DataAsset
from ..content_filter import FilterParams, FilterReport, first_clean
from ..context import Context
from ..errors import GenerationError, ParamError
from ..generator import Generator
from ..params import Field, InputFile, ModelRef
from .names import Culture, NameModel, load_culture, parse_name_list

__all__ = [
    "RULES_FORMAT",
    "SHEET_FORMAT",
    "RuleSet",
    "CharacterSheet",
    "SheetParams",
    "SheetGenerator",
    "build_sheet",
    "sheet_asset",
    "load_rules",
]

RULES_FORMAT = "gamegen.character.rules/1"
SHEET_FORMAT: Final = "gamegen.character.sheet/1"
_BUILTIN_WORDS = ("name", "role", "level", "trait", "culture")
_MAX_FORMAT_NUMBER = 64  # the widest width or precision a backstory template's format spec may ask for
_MAX_NAME_LENGTH = 100  # the longest name a user's name list may hold (a name model's walk is bounded by it)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class Formula(_Strict):
    """A level-scaled value: ``base + per_level × (level − 1) + stat_factor × stats[stat]``."""

    base: float = 0.0
    per_level: float = 0.0
    stat: str | None = None
    stat_factor: float = 0.0


class FormulaOverride(_Strict):
    """A class's changes to a derived value's formula (fields left out keep the rule set's)."""

    base: float | None = None
    per_level: float | None = None
    stat: str | None = None
    stat_factor: float | None = None


class Item(_Strict):
    item: str
    count: int = Field(1, ge=1)


class CharacterClass(_Strict):
    """A class (role): base stats, their growth per level, derived-value overrides, traits and starting gear."""

    base: dict[str, float]
    growth: dict[str, float] = {}
    derived: dict[str, FormulaOverride] = {}
    traits: list[str] = []
    inventory: list[Item] = []


class Gold(_Strict):
    base: float = 0.0
    per_level: float = 0.0
    spread: float = Field(0.0, ge=0.0, le=1.0)


class Backstory(_Strict):
    """Backstory templates with ``{placeholders}``: name, role, level, trait, culture, or a key of ``words``."""

    templates: list[str] = Field(min_length=1)
    words: dict[str, list[str]] = {}


class RuleSet(_Strict):
    """A replaceable rule set (``format`` ``gamegen.character.rules/1``)."""

    format: Literal["gamegen.character.rules/1"]
    stats: list[str] = Field(min_length=1)
    stat_spread: float = Field(0.0, ge=0.0)
    stat_max: int = Field(99, ge=1)
    derived: dict[str, Formula] = {}
    gold: Gold = Gold()
    classes: dict[str, CharacterClass] = Field(min_length=1)
    traits: list[str] = []
    loot: list[str] = []
    backstory: Backstory

    @model_validator(mode="after")
    def _consistent(self) -> RuleSet:
        known = set(self.stats)
        named = [(f"derived.{k}.stat", f.stat) for k, f in self.derived.items()]
        for cname, c in self.classes.items():
            missing = known - set(c.base)
            if missing:
                raise ValueError(f"classes.{cname}.base lacks {', '.join(sorted(missing))}")
            named += [(f"classes.{cname}.base", s) for s in c.base] + [(f"classes.{cname}.growth", s) for s in c.growth]
            named += [(f"classes.{cname}.derived.{k}.stat", o.stat) for k, o in c.derived.items()]
            unknown = set(c.derived) - set(self.derived)
            if unknown:
                raise ValueError(f"classes.{cname}.derived names undefined values {', '.join(sorted(unknown))}")
        for where, stat in named:
            if stat is not None and stat not in known:
                raise ValueError(f"{where}: unknown stat {stat!r} (stats: {', '.join(self.stats)})")
        empty = sorted(k for k, v in self.backstory.words.items() if not v)
        if empty:
            raise ValueError(f"backstory.words.{empty[0]} is empty")
        words = set(_BUILTIN_WORDS) | set(self.backstory.words)
        for template in self.backstory.templates:
            _check_template(template, words)
        return self


def _check_template(template: str, words: set[str]) -> None:
    """Refuse a backstory template that ``str.format`` could not fill safely and in bounded time and memory.

    Fields must be plain known names (no ``{name.attr}`` or ``{name[0]}``), conversions ``!r``, ``!s`` or ``!a``,
    and format specs without nested fields, asking for no width or precision over 64, and valid for the value's
    type (``level`` is a number, every other placeholder text), so a rule set that loads always fills.
    """
    try:
        # spec is "" (never None) wherever there is a field name
        fields = [(n, s or "", c) for _, n, s, c in string.Formatter().parse(template) if n is not None]
    except ValueError as exc:
        raise ValueError(
            f"backstory template {template!r} is not valid ({exc}; write literal braces as {{{{ and }}}})"
        ) from None
    for name, spec, conversion in fields:
        field = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        field = field if len(field) <= 60 else field[:58] + "…}"
        if re.search(r"[.\[]", name):
            raise ValueError(f"backstory template field {field}: attribute and index access are not allowed")
        if name not in words:
            raise ValueError(f"backstory template uses {{{name}}} (known: {', '.join(sorted(words))})")
        if conversion not in (None, "r", "s", "a"):
            raise ValueError(
                f"backstory template field {field}: unknown conversion !{conversion} (allowed: !r, !s, !a)"
            )
        if "{" in spec:
            raise ValueError(f"backstory template field {field}: fields nested in a format spec are not allowed")
        for number in re.findall(r"\d+", spec):
            if len(number.lstrip("0")) > 2 or int(number) > _MAX_FORMAT_NUMBER:
                shown = number if len(number) <= 12 else f"of {len(number)} digits"
                raise ValueError(
                    f"backstory template field {field}: width or precision {shown} is over {_MAX_FORMAT_NUMBER}"
                )
        sample = string.Formatter().convert_field(1 if name == "level" else "text", conversion)
        try:
            format(sample, spec)
        except ValueError as exc:
            raise ValueError(f"backstory template field {field}: {exc}") from None


class InventoryEntry(BaseModel):
    item: str
    count: int


class CharacterSheet(BaseModel):
    """A game character (JSON format ``gamegen.character.sheet/1``)."""

    format: Literal["gamegen.character.sheet/1"] = SHEET_FORMAT
    name: str
    culture: str
    role: str
    level: int
    stats: dict[str, int]
    derived: dict[str, int]
    traits: list[str]
    inventory: list[InventoryEntry]
    gold: int
    backstory: str
    backstory_source: Literal["procedural", "model"]


class SheetParams(FilterParams):
    culture: Culture = Field("northern", description="Which shipped name model names the character")
    name_file: InputFile | None = Field(
        None, description="A text file of names, one per line, to train the name model on instead"
    )
    role: str = Field("auto", description="The class from the rule set (auto: chosen by the seed)")
    level: int = Field(1, ge=1, le=100, description="Character level; stats, derived values and gold scale with it")
    rules: InputFile | None = Field(
        None, description="A JSON rule set replacing the built-in one (see data/rules/default.json)"
    )
    traits: int = Field(3, ge=0, le=8, description="How many personality traits to pick")
    backstory_model: ModelRef | None = Field(
        None,
        description="A causal language model (folder or hub id, org/name[@revision]) to write the backstory; procedural when unset",
    )


def load_rules(path: str | None, ctx: Context | None = None) -> RuleSet:
    """The built-in rule set, or the user's JSON file at ``path`` (read through ``ctx`` so its hash is recorded)."""
    if path is None:
        text = (resources.files("gamegen.character") / "data" / "rules" / "default.json").read_text(encoding="utf-8")
    else:
        try:
            text = (ctx.read_input(path) if ctx is not None else Path(path).read_bytes()).decode("utf-8")
        except OSError as exc:
            raise ParamError(f"rules={path!r}: cannot read the file ({exc.strerror})") from None
    try:
        return RuleSet.model_validate_json(text)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '(rules)'}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        raise ParamError(f"rules={path or 'built-in'!r}: {problems}") from None


def _name_model(params: SheetParams, ctx: Context) -> NameModel:
    if params.name_file is None:
        return load_culture(params.culture)
    try:
        names = parse_name_list(ctx.read_input(params.name_file).decode("utf-8"))
        longest = max(names, key=len, default="")
        if len(longest) > _MAX_NAME_LENGTH:
            raise ValueError(
                f"the name {longest[:20]!r}… is {len(longest)} characters long (at most {_MAX_NAME_LENGTH})"
            )
        return NameModel.train(names)
    except OSError as exc:
        raise ParamError(f"name_file={params.name_file!r}: cannot read the file ({exc.strerror})") from None
    except ValueError as exc:
        raise ParamError(f"name_file={params.name_file!r}: {exc}") from None


def _model_backstory(model: str, sheet: dict[str, Any], ctx: Context) -> str:
    """A backstory written by the narrative family's LLM backend (imported only on this path)."""
    try:
        from ..ml.sampling import generate_text
    except ImportError as exc:
        raise GenerationError(f"backstory_model needs gamegen's narrative LLM backend: {exc}") from exc
    prompt = (
        f"{sheet['name']} is a level {sheet['level']} {sheet['role']}, "
        f"{', '.join(sheet['traits']) or 'unremarkable'}. The story of {sheet['name']}:"
    )
    text = " ".join(generate_text(model, prompt, ctx, max_new_tokens=120).split())
    if not text:
        raise GenerationError(f"backstory_model={model!r} produced no text for the backstory")
    return text


def _role(params: SheetParams, rules: RuleSet, ctx: Context) -> str:
    classes = sorted(rules.classes)
    if params.role == "auto":
        return classes[int(ctx.child("sheet", "role").integers(len(classes)))]
    if params.role not in rules.classes:
        raise ParamError(f"role={params.role!r}: not a class of the rule set (allowed: auto, {', '.join(classes)})")
    return params.role


def _derived(rules: RuleSet, cls: CharacterClass, level: int, stats: dict[str, int]) -> dict[str, int]:
    """Each derived value by its formula, with the class's overrides applied."""
    out = {}
    for name, formula in rules.derived.items():
        if name in cls.derived:
            formula = formula.model_copy(update=cls.derived[name].model_dump(exclude_none=True))
        stat = stats[formula.stat] if formula.stat is not None else 0
        out[name] = max(0, round(formula.base + formula.per_level * (level - 1) + formula.stat_factor * stat))
    return out


def _picks(rng: np.random.Generator, pool: list[str], count: int) -> list[str]:
    """``count`` different entries of ``pool`` (fewer if it is smaller), in pool order."""
    return [pool[i] for i in sorted(rng.choice(len(pool), min(count, len(pool)), replace=False))] if pool else []


def _procedural_backstory(rules: RuleSet, sheet: dict[str, Any], rng: np.random.Generator) -> str:
    template = rules.backstory.templates[int(rng.integers(len(rules.backstory.templates)))]
    words: dict[str, Any] = {k: v[int(rng.integers(len(v)))] for k, v in sorted(rules.backstory.words.items())}
    words.update(
        name=sheet["name"],
        role=sheet["role"],
        level=sheet["level"],
        culture=sheet["culture"],
        trait=sheet["traits"][0] if sheet["traits"] else "quiet",
    )
    return template.format_map(words)


def _write(
    params: SheetParams, rules: RuleSet, names: NameModel, facts: dict[str, Any], ctx: Context, attempt: int
) -> dict[str, Any]:
    """The sheet's generated text for one content-filter attempt: a name, then a backstory about that character.

    Attempt 0 draws on the ``sheet`` streams; a retry on streams of its own, so a run still reproduces from its seed.
    """
    streams = ("sheet",) if attempt == 0 else ("sheet", "retry", attempt)
    sheet = {**facts, "name": names.sample(ctx.child(*streams, "name"))}
    if params.backstory_model:
        return {**sheet, "backstory": _model_backstory(params.backstory_model, sheet, ctx), "backstory_source": "model"}
    story = _procedural_backstory(rules, sheet, ctx.child(*streams, "backstory"))
    return {**sheet, "backstory": story, "backstory_source": "procedural"}


def build_sheet(params: SheetParams, ctx: Context) -> tuple[dict[str, Any], FilterReport]:
    """One character sheet as a JSON-ready dict, with the content filter's report on its name and backstory.

    Every part draws on its own random stream of ``ctx``, so changing the level keeps the name, role and traits.
    """
    rules = load_rules(params.rules, ctx)
    names = _name_model(params, ctx)
    role = _role(params, rules, ctx)
    cls, level = rules.classes[role], params.level
    jitter = ctx.child("sheet", "stats").uniform(-rules.stat_spread, rules.stat_spread, len(rules.stats))
    stats = {
        s: int(np.clip(round(cls.base[s] + cls.growth.get(s, 0.0) * (level - 1) + j), 1, rules.stat_max))
        for s, j in zip(rules.stats, jitter, strict=True)
    }
    luck = ctx.child("sheet", "gold").uniform(-rules.gold.spread, rules.gold.spread)
    loot = _picks(ctx.child("sheet", "inventory"), rules.loot, 1 + level // 10)
    facts: dict[str, Any] = {
        "format": SHEET_FORMAT,
        "culture": "custom" if params.name_file else params.culture,
        "role": role,
        "level": level,
        "stats": stats,
        "derived": _derived(rules, cls, level, stats),
        "traits": _picks(ctx.child("sheet", "traits"), list(dict.fromkeys(cls.traits + rules.traits)), params.traits),
        "inventory": [i.model_dump() for i in cls.inventory] + [{"item": item, "count": 1} for item in loot],
        "gold": max(0, round((rules.gold.base + rules.gold.per_level * (level - 1)) * (1 + luck))),
    }
    report = FilterReport.from_params(params, ctx)
    sheet = first_clean(
        lambda attempt: _write(params, rules, names, facts, ctx, attempt),
        lambda s: [s["name"], s["backstory"]],
        report,
        params.filter_attempts,
    )
    return CharacterSheet.model_validate(sheet).model_dump(mode="json"), report


def sheet_asset(params: SheetParams, ctx: Context) -> DataAsset:
    """The character sheet as a ``character`` JSON asset; its meta records the content filter's findings."""
    sheet, report = build_sheet(params, ctx)
    meta = {"format": SHEET_FORMAT, "role": sheet["role"], "content_filter": report.meta()}
    return DataAsset("character", sheet, meta=meta)


class SheetGenerator(Generator[SheetParams]):
    """Character sheets: a culture's name, a class, level-scaled stats, traits, inventory and a backstory (JSON).

    Names come from per-culture Markov name models (or one trained on your own list); stats follow a JSON rule
    set you can replace; the backstory is procedural, or written by a language model you name.
    """

    name = "character.sheet"
    version = "1.0.0"
    quick_params = {"level": 5}

    @classmethod
    def output_schema(cls) -> dict[str, Any]:
        """JSON Schema of the sheet (format ``gamegen.character.sheet/1``)."""
        return CharacterSheet.model_json_schema()

    def input_files(self, params: SheetParams) -> list[Path]:
        """The name list, the rule set, the filter's term file and a local backstory model folder, when given."""
        paths = [Path(p) for p in (params.name_file, params.rules, params.filter_terms) if p]
        if params.backstory_model and Path(params.backstory_model).expanduser().is_dir():
            paths.append(Path(params.backstory_model).expanduser())
        return paths

    def generate(self, params: SheetParams, ctx: Context) -> list[Asset]:
        return [sheet_asset(params, ctx)]
