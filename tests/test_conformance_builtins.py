"""Every built-in generator passes the same conformance kit that plugin authors run on theirs.

Parametrised over the registry at collection time, so a new built-in is checked without editing this file;
first-party plugins run the kit in their own tests (plugins/*/tests). Neural built-ins take their model through a
``model`` parameter whose default is a hub id; offline, they run on a tiny model of their kind instead.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import pytest
from tiny_models import make_tiny_gpt2, make_tiny_sd

import gamegen

BUILTINS = [g for g in gamegen.registry.list() if g.__module__.startswith("gamegen.")]


def _hub_model(generator: type[gamegen.Generator]) -> bool:
    field = generator.params.model_fields.get("model")
    return field is not None and isinstance(field.default, str) and not Path(field.default).expanduser().exists()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], str]:
    """``tiny_model(kind)``: a tiny offline language model for narrative, else an image model; built once."""
    root = tmp_path_factory.mktemp("conformance-models")

    @functools.cache
    def build(language: bool) -> str:
        return str(make_tiny_gpt2(root / "tiny-gpt2") if language else make_tiny_sd(root / "tiny-sd"))

    return lambda kind: build(kind == "narrative")


@pytest.mark.parametrize("generator", BUILTINS, ids=[g.name for g in BUILTINS])
def test_builtin_generator_conforms(gamegen_conformance, generator, request):
    params = {"model": request.getfixturevalue("tiny_model")(generator.kind)} if _hub_model(generator) else {}
    gamegen_conformance(generator, params=params)
