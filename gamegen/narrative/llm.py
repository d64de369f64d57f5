"""``narrative.llm``: lore, item texts, NPC lines, quest lines with dialogue, or NPC talk, from a causal language model.

The model is a local folder or a hub id the user names, loaded through :func:`gamegen.ml.load_causal_lm` (so
the manifest labels the output AI-generated) and decoded by :mod:`gamegen.ml.sampling`. Sampling is seeded from
the run (temperature, top-k, top-p, a token budget, or greedy). Quests and dialogue use the same structures as
``narrative.quest`` and ``narrative.dialogue``, enforced, not hoped for: the structure is fixed and only values are
decoded, under token masks and closed choices (:mod:`gamegen.ml.constrained`). Prompts are templates users can
replace. Torch and transformers are imported only when a model is used, so ``gamegen list`` stays light.

Each task takes the shared parameters (:class:`LLMCommon`) and its own (:data:`TASK_OPTIONS`): one ``LLMParams``
model holds them all, and refuses a parameter of another task that is not left at its default.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from string import Formatter
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, TypeAdapter, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from ..assets import Asset, DataAsset, TextAsset
from ..content_filter import FilterParams, FilterReport, first_clean
from ..context import Context
from ..errors import ParamError
from ..generator import Generator
from ..inputs import is_file
from ..params import AdapterRef, Field, InputFile, ModelRef, Params
from .dialogue.assets import DialogueAsset
from .dialogue.builder import (
    GIVER_NPC_SLOTS,
    GIVER_PLAYER_SLOTS,
    LLM_GIVER_SLOTS,
    LLM_QUEST_SLOTS,
    NPC_PLAYER_SLOTS,
    NPC_SLOTS,
    QUEST_NPC_SLOTS,
    QUEST_PLAYER_SLOTS,
    Writer,
    npc_dialogue,
    npc_voice,
    quest_voice,
    questline_dialogues,
    resolve_npc,
    speak,
    speak_fresh,
)
from .dialogue.graph import Dialogue
from .dialogue.ink import InkOptions
from .quest.generator import QuestLineOptions, prepare_world, questline_assets
from .quest.questline import Cast, Quest, QuestLine, build_questline, cast_quest, quest_texts, target_pool
from .quest.world import StoryWorld

if TYPE_CHECKING:
    from ..ml.sampling import Decoder

__all__ = [
    "DEFAULT_MODEL",
    "LLMTask",
    "FreeTextOptions",
    "QuestTaskOptions",
    "TalkTaskOptions",
    "TASK_OPTIONS",
    "LLMCommon",
    "LLMParams",
    "LLMGenerator",
    "load_template",
]

DEFAULT_MODEL = "HuggingFaceTB/SmolLM2-360M-Instruct"
_PLACEHOLDERS = {
    "lore": {"subject"},
    "item": {"subject"},
    "npc_line": {"subject"},
    "text": {"subject"},
    "quest": {"subject", "world", "previous"},
    "dialogue": {"subject", "giver", "title", "motivation", "summary", "gold"},
    "npc_dialogue": {"subject", "npc", "role", "place"},
}

LLMTask = Literal["lore", "item", "npc_line", "text", "quest", "dialogue"]


class _WrittenLines(Params):
    max_chars: int = Field(
        200, ge=8, le=400, description="Tasks quest, dialogue: longest title, motivation or line the model writes"
    )


class FreeTextOptions(Params):
    """The parameters of the free-text tasks (lore, item, npc_line, text)."""

    count: int = Field(3, ge=1, le=100, description="Free-text tasks: how many samples")


class QuestTaskOptions(InkOptions, QuestLineOptions, _WrittenLines):
    """The parameters of ``task=quest``: narrative.quest's quest-line ones, the givers' prompt and a length limit."""

    dialogue_prompt: InputFile | None = Field(
        None,
        description=(
            "Template for the givers' lines (task=quest): {giver} {title} {motivation} {summary} {gold} {subject}"
        ),
    )


class TalkTaskOptions(InkOptions, _WrittenLines):
    """The parameters of ``task=dialogue``: the NPC, a length limit and the ink dialect."""

    npc: dict[str, Any] | None = Field(
        None, description="Task dialogue: the NPC to chat with, {name, role, place}; invented when not given"
    )


TASK_OPTIONS: dict[LLMTask, type[Params]] = {
    "lore": FreeTextOptions,
    "item": FreeTextOptions,
    "npc_line": FreeTextOptions,
    "text": FreeTextOptions,
    "quest": QuestTaskOptions,
    "dialogue": TalkTaskOptions,
}
"""The parameters each task takes besides the shared ones (:class:`LLMCommon`)."""


def _task_help() -> str:
    """The ``task`` parameter's description: what each task writes and which parameters it takes."""
    kinds: dict[type[Params], str] = {
        FreeTextOptions: "free text",
        QuestTaskOptions: "a quest line with its givers' dialogue",
        TalkTaskOptions: "a conversation with an NPC",
    }
    tasks = [
        f"{what} ({', '.join(t for t, o in TASK_OPTIONS.items() if o is options)}; also takes "
        f"{', '.join(options.model_fields)})"
        for options, what in kinds.items()
    ]
    return f"What to write: {'; '.join(tasks)}. A parameter of another task must keep its default"


class LLMCommon(FilterParams):
    """The parameters every task of ``narrative.llm`` takes: the model, the prompt and how tokens are sampled."""

    model: ModelRef = Field(
        DEFAULT_MODEL,
        min_length=1,
        description="transformers causal LM: a local folder or a hub id (org/name, or org/name@revision to pin it)",
    )
    lora: AdapterRef | None = Field(
        None,
        description="LoRA adapters for the model: a folder made by text.lm (method=lora), a peft adapter folder or "
        "hub id; several as PATH,PATH",
    )
    lora_scale: float = Field(1.0, ge=0, le=2, description="How strongly the LoRA adapters apply (0: not at all)")
    task: LLMTask = Field("lore", description=_task_help())
    subject: str = Field("", max_length=500, description="What to write about: fills {subject} in the prompt")
    prompt: InputFile | None = Field(
        None,
        description=(
            "Prompt template (text, or a .txt file) replacing the task's default; placeholders: {subject}, and for "
            "quest {world} {previous}, for dialogue {npc} {role} {place}"
        ),
    )
    max_new_tokens: int = Field(
        120, ge=1, le=4096, description="Token budget per sample (quest, dialogue: per JSON value)"
    )
    temperature: float = Field(0.8, ge=0, le=5, description="Sampling temperature; 0 is greedy")
    top_p: float = Field(0.95, gt=0, le=1, description="Nucleus sampling: keep the most likely tokens up to this mass")
    top_k: int = Field(50, ge=0, le=1_000_000, description="Keep only the k most likely tokens (0: all)")
    greedy: bool = Field(False, description="Always take the most likely token (ignores temperature, top-p, top-k)")


class LLMParams(FreeTextOptions, QuestTaskOptions, TalkTaskOptions, LLMCommon):
    """Parameters of ``narrative.llm``: the shared ones (:class:`LLMCommon`) and those of each task
    (:data:`TASK_OPTIONS`); a parameter that does not apply to the chosen task must keep its default."""

    @model_validator(mode="after")
    def _task_options(self) -> LLMParams:
        takes = set(LLMCommon.model_fields) | set(TASK_OPTIONS[self.task].model_fields)
        stray = [
            name
            for name, field in type(self).model_fields.items()
            if name not in takes and getattr(self, name) != field.get_default(call_default_factory=True)
        ]
        if stray:
            own = ", ".join(TASK_OPTIONS[self.task].model_fields)
            error = PydanticCustomError(
                "task_option",
                "does not apply to task={task} (its own parameters: {own})",
                {"task": self.task, "own": own},
            )
            details = [InitErrorDetails(type=error, loc=(name,), input=getattr(self, name)) for name in stray]
            raise ValidationError.from_exception_data(type(self).__name__, details)
        return self


def load_template(task: str, override: str | None, param: str, ctx: Context) -> str:
    """The prompt template for ``task``: the user's (text or file) or the built-in one; placeholders are checked."""
    if override is None:
        text = (resources.files(__package__) / "prompts" / f"{task}.txt").read_text("utf-8")
    elif is_file(override):
        text = ctx.read_input(override).decode("utf-8")
    else:
        text = override
    try:
        names = {name for _, name, _, _ in Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise ParamError(f"{param}: not a valid template ({exc}; write literal braces as {{{{ and }}}})") from None
    unknown = names - _PLACEHOLDERS[task]
    if unknown:
        allowed = ", ".join(f"{{{n}}}" for n in sorted(_PLACEHOLDERS[task]))
        raise ParamError(f"{param}: unknown placeholder(s) {', '.join(sorted(unknown))} (allowed: {allowed})")
    return text


def _world_facts(world: StoryWorld) -> str:
    parts = [
        ("places", world.places),
        ("factions", world.factions),
        ("characters", world.character_names),
        ("items", world.items),
        ("creatures", world.creatures),
    ]
    return "; ".join(f"{k}: {', '.join(v)}" for k, v in parts if v)


class FreeText(BaseModel):
    """``<task>.json`` of the free-text tasks (lore, item, npc_line, text): the prompt and the filtered samples."""

    task: str
    prompt: str
    results: list[str]


def _free_text(params: LLMParams, ctx: Context, start: Callable[[str], Decoder], report: FilterReport) -> list[Asset]:
    prompt = load_template(params.task, params.prompt, "prompt", ctx).format(subject=params.subject)
    stop = "\n" if params.task == "npc_line" else None

    def sample(attempt: int) -> str:
        return start(prompt).continue_text(params.max_new_tokens, stop).strip()

    results = [first_clean(sample, lambda t: [t], report, params.filter_attempts, f"{i}.") for i in range(params.count)]
    meta = {"content_filter": report.meta()}
    return [
        DataAsset(params.task, FreeText(task=params.task, prompt=prompt, results=results).model_dump(), meta=meta),
        TextAsset(params.task, "\n\n".join(results) + "\n", ".txt", meta=meta),
    ]


def _written_lines(decoder: Decoder, params: LLMParams, slots: tuple[str, ...]) -> dict[str, str]:
    """What a speaker says at each of ``slots``: one JSON object decoded under the schema's constraints."""
    from ..ml.constrained import JsonWriter

    w = JsonWriter(decoder, params.max_new_tokens)
    return {slot: w.text(slot, params.max_chars) for slot in slots}


def _quest_line(params: LLMParams, ctx: Context, start: Callable[[str], Decoder], report: FilterReport) -> list[Asset]:
    from ..ml.constrained import JsonWriter

    world, invented, objectives = prepare_world(params, ctx)
    quest_prompt = load_template("quest", params.prompt, "prompt", ctx)
    line_prompt = load_template("dialogue", params.dialogue_prompt, "dialogue_prompt", ctx)
    titles: list[str] = []

    def author(index: int, allowed: list[str], rng: np.random.Generator) -> tuple[Cast, str, str]:
        previous = f"Earlier quests in this line: {'; '.join(titles)}.\n" if titles else ""
        w = JsonWriter(
            start(quest_prompt.format(world=_world_facts(world), previous=previous, subject=params.subject)),
            params.max_new_tokens,
        )
        objective = w.choice("objective", allowed)
        giver = w.choice("giver", world.character_names)
        target = w.choice("target", target_pool(world, objective, giver))
        location = target if objective == "explore" else w.choice("location", world.places)
        title, motivation = w.text("title", min(80, params.max_chars)), w.text("motivation", params.max_chars)
        titles.append(title)
        return cast_quest(world, objective, rng, giver, target, location), title, motivation

    def writer(rng: np.random.Generator) -> Writer:
        """The model writes each giver's greeting and goodbye and the main lines of each quest; the grammar the
        short functional lines (welcome back, re-offer, greetings by quest state) and the player's menu."""

        def write(giver: str, quests: list[Quest]) -> tuple[dict[str, str], list[dict[str, str]]]:
            quest_say = []
            giver_say: dict[str, str] = {}
            used: set[str] = set()
            for i, quest in enumerate(quests):
                prompt = line_prompt.format(
                    giver=quest.giver,
                    title=quest.title,
                    motivation=quest.motivation,
                    summary=quest.summary,
                    gold=quest.rewards.gold,
                    subject=params.subject,
                )
                written = _written_lines(start(prompt), params, (LLM_GIVER_SLOTS if i == 0 else ()) + LLM_QUEST_SLOTS)
                voice = quest_voice(quest)
                if i == 0:
                    rest = tuple(s for s in GIVER_NPC_SLOTS if s not in LLM_GIVER_SLOTS)
                    giver_say = {k: written[k] for k in LLM_GIVER_SLOTS}
                    giver_say |= speak_fresh(voice, rest, rng, used) | speak(voice, GIVER_PLAYER_SLOTS, rng)
                rest = tuple(s for s in QUEST_NPC_SLOTS if s not in LLM_QUEST_SLOTS)
                say = {k: written[k] for k in LLM_QUEST_SLOTS}
                quest_say.append(say | speak_fresh(voice, rest, rng, used) | speak(voice, QUEST_PLAYER_SLOTS, rng))
            return giver_say, quest_say

        return write

    def make(attempt: int) -> tuple[QuestLine, list[Dialogue]]:
        rng = ctx.child("questline", attempt)
        titles.clear()
        line = build_questline(
            world, level=params.level, length=params.chain_length, objectives=objectives, author=author, rng=rng
        )
        return line, questline_dialogues(line, writer(rng)) if params.dialogue else []

    line, dialogues = first_clean(
        make, lambda r: [*quest_texts(r[0]), *(t for d in r[1] for t in d.texts())], report, params.filter_attempts
    )
    return questline_assets(line, dialogues, report, invented, params.ink_version)


def _npc_talk(params: LLMParams, ctx: Context, start: Callable[[str], Decoder], report: FilterReport) -> list[Asset]:
    npc = resolve_npc(params.npc, ctx)
    template = load_template("npc_dialogue", params.prompt, "prompt", ctx)
    prompt = template.format(npc=npc.name, role=npc.role, place=npc.place, subject=params.subject)

    def make(attempt: int) -> Dialogue:
        say = _written_lines(start(prompt), params, NPC_SLOTS)
        return npc_dialogue(npc, {**say, **speak(npc_voice(npc), NPC_PLAYER_SLOTS, ctx.child("dialogue", attempt))})

    d = first_clean(make, Dialogue.texts, report, params.filter_attempts)
    return [DialogueAsset(d.id, dialogue=d, meta={"content_filter": report.meta()}, ink_version=params.ink_version)]


def _adapters(value: str | None) -> list[str]:
    """The entries of a ``lora=PATH[,PATH...]`` value."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class LLMGenerator(Generator[LLMParams]):
    """Lore, item descriptions, NPC lines, a quest line or an NPC conversation, from a causal language model (neural).

    ``task=quest`` writes the same questline.json and Ink/Yarn/JSON dialogue as narrative.quest, ``task=dialogue``
    the same conversation files as narrative.dialogue's NPC mode, decoded under the schema's constraints. Seeded:
    the same seed, model and parameters give the same text. ``lora`` applies an adapter ``text.lm`` trained.
    """

    name = "narrative.llm"
    version = "2.1.0"
    quick_params: ClassVar[dict[str, Any]] = {"count": 1, "max_new_tokens": 16}
    time_budget_s = 120.0

    def input_files(self, params: LLMParams) -> list[Path]:
        """The model, prompt files and every LoRA adapter the run reads (their hashes join the build cache key)."""
        named = super().input_files(params)
        adapters = [Path(a).expanduser() for a in _adapters(params.lora)]
        return named + [a for a in adapters if a.exists() and a not in named]

    @classmethod
    def output_schema(cls) -> dict[str, Any]:
        """One JSON Schema per task, as alternatives: QuestLine (quest), Dialogue (dialogue), FreeText (the others)."""
        schema = TypeAdapter(QuestLine | Dialogue | FreeText).json_schema()
        return {"title": "QuestLine, Dialogue or FreeText (by task)", **schema}

    def generate(self, params: LLMParams, ctx: Context) -> list[Asset]:
        from ..ml.sampling import Sampling, open_decoder

        sampling = Sampling(
            temperature=params.temperature, top_k=params.top_k, top_p=params.top_p, greedy=params.greedy
        )
        start = open_decoder(
            params.model, ctx, sampling, lora=_adapters(params.lora), lora_scale=params.lora_scale
        ).restart
        report = FilterReport.from_params(params, ctx)
        task = {"quest": _quest_line, "dialogue": _npc_talk}.get(params.task, _free_text)
        return task(params, ctx, start, report)
