"""Parameter validation: every problem names the parameter, the value and what is allowed."""

from __future__ import annotations

from typing import Literal

import pydantic
import pytest

import gamegen
from gamegen import Field, Generator, Params


class P(Params):
    size: int = Field(64, ge=8, le=4096, description="Side")
    density: float = Field(0.5, gt=0, lt=1, description="Fraction")
    mode: Literal["fbm", "ridged"] = "fbm"


class G(Generator):
    """Test generator."""

    name = "texture.testparams"
    kind = "texture"
    version = "1.0.0"
    params = P

    def generate(self, params, ctx):
        return [gamegen.DataAsset("p", params.model_dump())]


def test_out_of_range_names_parameter_value_and_range():
    with pytest.raises(gamegen.ParamError) as exc:
        G.validate({"size": 0})
    assert exc.value.problems == ["size=0: input should be greater than or equal to 8 (allowed: 8 ≤ size ≤ 4096)"]
    assert "texture.testparams" in str(exc.value)


def test_all_problems_are_reported_at_once():
    with pytest.raises(gamegen.ParamError) as exc:
        G.validate({"size": -3, "density": float("nan"), "colour": "red", "mode": "billow"})
    text = str(exc.value)
    assert len(exc.value.problems) == 4
    assert "size=-3" in text and "density=nan" in text and "0 < density < 1" in text
    assert "unknown parameter 'colour'" in text and "known: density, mode, size" in text
    assert "mode='billow'" in text and "'fbm' or 'ridged'" in text


def test_numbers_are_strict_booleans_and_text_are_not_numbers():
    assert G.validate({"size": 128, "density": 1 / 4}).size == 128
    for bad in ({"size": True}, {"density": False}, {"size": "128"}, {"size": 128.0}, {"density": "0.25"}):
        with pytest.raises(gamegen.ParamError, match=f"{next(iter(bad))}="):
            G.validate(bad)


def test_values_nested_too_deeply_are_refused_without_recursion():
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(gamegen.ParamError, match="size: value nested too deeply"):
        G.validate({"size": deep})


def test_params_are_immutable_and_complete_in_dumps():
    p = G.validate({})
    assert p.model_dump() == {"size": 64, "density": 0.5, "mode": "fbm"}
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        p.size = 3  # type: ignore[misc]


def test_context_rejects_negative_seed():
    with pytest.raises(gamegen.ParamError, match="seed=-1: must be an integer from 0 to"):
        gamegen.Context(-1)


def test_context_streams_are_deterministic_and_independent():
    a, b = gamegen.Context(7), gamegen.Context(7)
    assert a.rng.random() == b.rng.random()
    assert a.child("tile", 1, 2).random() == b.child("tile", 1, 2).random()
    assert a.child("tile", 1, 2).random() != a.child("tile", 2, 1).random()
    assert gamegen.Context(8).rng.random() != gamegen.Context(7).rng.random()


def test_param_errors_carry_structured_problems():
    with pytest.raises(gamegen.ParamError) as exc:
        G.validate({"size": 0, "bogus": 1})
    by_param = {p.param: p for p in exc.value.problems}
    assert by_param["size"].value == 0 and by_param["size"].constraint == "8 ≤ size ≤ 4096"
    assert by_param["bogus"].constraint.startswith("one of: ") and str(by_param["bogus"]).startswith("unknown parameter")
