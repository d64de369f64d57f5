"""``narrative.grammar``: names and short texts from a Tracery grammar, built-in or the user's own JSON file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from ..assets import Asset, DataAsset, TextAsset
from ..content_filter import FilterParams, FilterReport
from ..context import Context
from ..errors import ParamError
from ..generator import Generator
from ..inputs import input_label
from ..params import Field, InputFile
from .tracery import GrammarError, GrammarLengthError, load_grammar

__all__ = ["GrammarParams", "GrammarGenerator"]


class GrammarParams(FilterParams):
    """Parameters of ``narrative.grammar``."""

    grammar: InputFile = Field(
        "taverns",
        min_length=1,
        description=(
            "A built-in grammar (places, taverns, shops, items, rumours, barks, characters, factions, creatures, "
            "quests, dialogue) or a path to a Tracery JSON file"
        ),
    )
    start: str = Field("origin", min_length=1, description="The symbol to expand")
    count: int = Field(10, ge=1, le=10_000, description="How many results")
    unique: bool = Field(True, description="Every result different (fails if the grammar cannot give that many)")
    max_depth: int = Field(48, ge=1, le=500, description="Deepest nesting of symbols before the expansion fails")
    max_length: int = Field(2_000, ge=1, le=1_000_000, description="Longest result, in characters, before it fails")


class GrammarGenerator(Generator[GrammarParams]):
    """Names and texts from a Tracery grammar (built-in or your JSON): taverns, shops, places, items, rumours, barks.

    Writes ``<grammar>.json`` (``{"grammar", "start", "results"}``) and ``<grammar>.txt`` (one result a line).
    Seeded; batch mode gives ``count`` unique results; every result passes the content filter.
    """

    name = "narrative.grammar"
    version = "1.0.0"
    quick_params: ClassVar[dict[str, Any]] = {"grammar": "taverns", "count": 5}

    def generate(self, params: GrammarParams, ctx: Context) -> list[Asset]:
        grammar = load_grammar(params.grammar, ctx, max_depth=params.max_depth, max_length=params.max_length)
        if params.start not in grammar.rules:
            symbols = ", ".join(sorted(grammar.rules))
            raise ParamError(
                f"start={params.start!r}: grammar {params.grammar!r} has no such symbol (symbols: {symbols})"
            )
        report = FilterReport.from_params(params, ctx)
        budget = params.count * (20 if params.unique else 1) + params.count * params.filter_attempts
        texts: list[str] = []
        seen: set[str] = set()
        for draw in range(budget):
            try:
                text = grammar.expand(params.start, ctx.child("sample", draw))
            except GrammarLengthError as exc:  # the user's grammar and max_length do not fit together
                raise ParamError(
                    f"max_length={params.max_length}: grammar {params.grammar!r} outgrows it: {exc}"
                ) from None
            if (params.unique and text in seen) or not report.review([text], str(draw)):
                continue
            texts.append(text)
            seen.add(text)
            ctx.progress(len(texts), params.count, "expanding")
            if len(texts) == params.count:
                break
        else:
            raise GrammarError(
                f"grammar {params.grammar!r} gave {len(texts)} acceptable results in {budget} tries "
                f"(asked for count={params.count}, unique={params.unique}; {len(report.hits)} content-filter hits): "
                "lower count, allow repeats, or extend the grammar"
            )
        stem = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(params.grammar).stem).strip("_") or "grammar"
        meta = {"content_filter": report.meta(), "draws": draw + 1}
        return [
            DataAsset(stem, {"grammar": input_label(params.grammar), "start": params.start, "results": texts}, meta=meta),
            TextAsset(stem, "\n".join(texts) + "\n", ".txt", meta=meta),
        ]
