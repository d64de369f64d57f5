"""The conformance kit: a correct generator passes every check; each way of breaking the contract is caught."""

from __future__ import annotations

import enum
import json
import os
import random
import types
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pytest
from pydantic import ConfigDict, field_validator

import gamegen
import gamegen.testing.conformance as conformance
from gamegen.plugin import Asset, Context, ExportContext, ExportedFile, Field, Generator, Params
from gamegen.testing import (
    CHECKS,
    ConformanceError,
    GlobalRandomError,
    InvalidBundleError,
    check_bundle,
    check_generator,
    forbid_global_rng,
    out_of_range_values,
    wrong_type_values,
)
from gamegen.testing.params_checks import NOT_A_CHOICE


class DotsParams(Params):
    size: int = Field(16, ge=4, le=256, description="Width and height in pixels")
    density: float = Field(0.5, gt=0, lt=1, description="Chance that a pixel is lit")
    colour: Literal["grey", "red"] = Field("grey", description="Colour of the lit pixels")


class Dots(Generator[DotsParams]):
    """Random dots: the reference good generator."""

    name, version = "texture.kit_dots", "1.0.0"
    quick_params = {"size": 8}
    time_budget_s = 5.0

    def generate(self, params: DotsParams, ctx: Context) -> list[Asset]:
        lit = ctx.rng.random((params.size, params.size)) < params.density
        rgb = np.stack([lit, lit & (params.colour == "grey"), lit & (params.colour == "grey")], axis=-1)
        return [
            gamegen.ImageAsset("dots", rgb.astype(np.uint8) * 255),
            gamegen.DataAsset("stats", {"lit": int(lit.sum())}),
        ]


class ClampedParams(DotsParams):
    """Declares 4 ≤ size ≤ 256 but clamps instead of refusing."""

    @field_validator("size", mode="before")
    @classmethod
    def _clamp(cls, value: int) -> int:
        return min(max(value, 4), 256)


def _variant(name: str, generate=None, **attrs) -> type[Dots]:
    """A Dots subclass named ``texture.<name>`` with a replaced ``generate`` and/or class attributes."""
    body = {"__doc__": f"Variant {name}.", "name": f"texture.{name}", **attrs}
    if generate is not None:
        body["generate"] = generate
    return type(name.title(), (Dots,), body)


def _failures(gen: type[Generator], **options) -> dict[str, str]:
    return check_generator(gen, raise_on_failure=False, **options).failures


def test_good_generator_passes_every_check(tmp_path):
    report = check_generator(Dots, workdir=tmp_path)
    assert report.ok and set(report.passed) == set(CHECKS) - {"registered"}
    assert len(report.seconds) == 3 and report.bundle == tmp_path / "seed-1"
    manifest = check_bundle(report.bundle)
    assert manifest["assets"][0]["generator"] == "texture.kit_dots"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".gamegen-lock")) == [
        "profile-godot",
        "profile-unity",
        "profile-unreal",
        "seed-1",
        "seed-1-again",
        "seed-2",
    ]
    assert str(report) == "texture.kit_dots: 14 checks passed, 0 failed"


def test_fixture_keeps_bundles_in_tmp_path(gamegen_conformance, tmp_path):
    report = gamegen_conformance(Dots, params={"colour": "red"}, profiles=["generic"])
    assert report.bundle == tmp_path / "conformance" / "seed-1"
    assert json.loads((report.bundle / "manifest.json").read_text())["assets"][0]["params"]["colour"] == "red"


def test_failure_raises_assertion_error_listing_each_failed_check():
    def global_rng(self, params, ctx):
        return [gamegen.ImageAsset("dots", (np.random.rand(4, 4) * 255).astype(np.uint8))]

    with pytest.raises(AssertionError) as failed:
        check_generator(_variant("kit_global", global_rng, params=ClampedParams))
    assert isinstance(failed.value, ConformanceError)
    assert set(failed.value.report.failures) == {"out_of_range", "strict_numbers", "global_rng"}
    assert "\n  [out_of_range] size=3 was accepted; size=257 was accepted\n" in str(failed.value)
    assert (
        "[global_rng] texture.kit_global called numpy.random.rand(), which uses the global random state; draw from "
        "ctx.rng" in str(failed.value)
    )


@pytest.mark.parametrize(
    "draw, culprit",
    [
        (lambda: random.random(), "random.random()"),
        (lambda: np.random.normal(), "numpy.random.normal()"),
        (lambda: np.random.seed(1), "numpy.random.seed()"),
        (lambda: np.random.default_rng().random(), "numpy.random.default_rng() without a seed"),
    ],
    ids=["random", "numpy", "numpy-seed", "unseeded-default-rng"],
)
def test_global_rng_calls_are_caught(draw, culprit):
    def generate(self, params, ctx):
        draw()
        return Dots.generate(self, params, ctx)

    assert culprit in _failures(_variant("kit_rng", generate))["global_rng"]


def test_global_state_change_through_a_prebound_function_is_caught():
    prebound = np.random.random  # bound before the guard patches the module: only the state snapshot sees it

    def generate(self, params, ctx):
        prebound()
        return Dots.generate(self, params, ctx)

    reason = _failures(_variant("kit_prebound", generate))["global_rng"]
    assert "changed the global random state of numpy.random" in reason


def test_guard_restores_module_functions_even_after_an_error():
    with pytest.raises(GlobalRandomError), forbid_global_rng("probe"):
        random.choice([1, 2])
    assert random.choice([7]) == 7 and np.random.default_rng(0).integers(10) >= 0


def test_nondeterministic_output_fails_same_seed():
    def generate(self, params, ctx):
        return [gamegen.DataAsset("entropy", {"bytes": os.urandom(8).hex()})]

    failures = _failures(_variant("kit_entropy", generate))
    assert set(failures) == {"same_seed"}
    assert "seed 1 twice gave different bytes in texture.kit_entropy/entropy.json" in failures["same_seed"]


def test_seed_free_output_must_declare_it():
    def generate(self, params, ctx):
        return [gamegen.DataAsset("constant", {"size": params.size})]

    assert "gave identical files (declare seeded = False" in _failures(_variant("kit_const", generate))["seeds"]
    assert check_generator(_variant("kit_const", generate, seeded=False)).ok
    assert "declares seeded = False but seeds 1 and 2 differ" in _failures(_variant("kit_liar", seeded=False))["seeds"]


def test_unenforced_range_fails_out_of_range():
    reason = _failures(_variant("kit_clamped", params=ClampedParams))["out_of_range"]
    assert reason == "size=3 was accepted; size=257 was accepted"


class CoercingParams(DotsParams):
    """Turns text into numbers before validation, which gamegen's strict numbers forbid."""

    @field_validator("size", "density", mode="before")
    @classmethod
    def _parse(cls, value):
        return float(value) if isinstance(value, str) else value


def test_numbers_given_as_booleans_or_text_must_be_refused():
    assert check_generator(Dots, profiles=["generic"]).ok
    assert wrong_type_values(DotsParams, {"size": 8}) == {"size": [True, "8"], "density": [True, "0.5"]}
    reason = _failures(_variant("kit_coercing", params=CoercingParams))["strict_numbers"]
    assert reason == (
        "density='0.5' was accepted (numbers are strict: a boolean or text is not a number; do not convert it in a "
        "mode='before' validator)"
    )


class Shape(enum.Enum):
    ROUND = "round"
    SQUARE = "square"


def test_out_of_range_values_come_from_the_declared_bounds():
    class P(Params):
        count: int = Field(3, ge=1, le=9)
        ratio: float = Field(0.5, gt=0.0, lt=1.0)
        scale: float | None = Field(None, ge=-2.0, le=10.0)
        mode: Literal["a", "b"] | None = None
        shape: Shape = Shape.ROUND
        free: str = "x"

    assert out_of_range_values(P) == {
        "count": [0, 10],
        "ratio": [0.0, 1.0],
        "scale": [-3.0, 15.0],
        "mode": [NOT_A_CHOICE],
        "shape": [NOT_A_CHOICE],
    }


def test_params_that_do_not_export_as_json_schema_fail_the_schema_check():
    class ArrayParams(DotsParams):
        model_config = ConfigDict(arbitrary_types_allowed=True)
        kernel: np.ndarray | None = None

    reason = _failures(_variant("kit_schema", params=ArrayParams))["schema"]
    assert reason.startswith("PydanticInvalidForJsonSchema: Cannot generate a JsonSchema") and "ndarray" in reason


@pytest.mark.parametrize(
    "size, problem",
    [
        (Field(2, ge=4, le=256), "size=2: input should be greater than or equal to 4"),
        (Field(ge=4, le=256), "size: required parameter is missing"),
    ],
    ids=["out-of-range", "missing"],
)
def test_defaults_that_do_not_validate_fail_the_defaults_check(size, problem):
    broken = type("BrokenDefaults", (DotsParams,), {"__annotations__": {"size": int}, "size": size})
    reason = _failures(_variant("kit_defaults", params=broken))["defaults"]
    assert reason.startswith("the defaults alone do not validate (texture.kit_defaults: ") and problem in reason
    assert reason.endswith("; give every parameter a valid default")


def test_schema_default_that_validation_changes_fails_the_defaults_check():
    class Rounded(DotsParams):
        @field_validator("size")
        @classmethod
        def _even(cls, value: int) -> int:
            return value + value % 2

    rounded = type("OddDefault", (Rounded,), {"__annotations__": {"size": int}, "size": Field(15, ge=4, le=256)})
    assert _failures(_variant("kit_rounded", params=rounded)) == {
        "defaults": "schema defaults differ from validated defaults: size (schema 15, model 16)"
    }


def test_bad_declaration_stops_before_running():
    report = check_generator(_variant("kit_bad", kind="landscape", version="one"), raise_on_failure=False)
    assert report.failures["declaration"] == (
        "Kit_Bad.kind 'landscape' differs from its name's prefix (leave kind out: it is derived); "
        "version 'one' is not a version number such as '1.0.0'"
    )
    assert not {"run", "bundle"} & set(report.passed)
    report = check_generator(_variant("kit_bad", version="one"), raise_on_failure=False)
    assert report.failures == {"declaration": "version 'one' is not a version number such as '1.0.0'"}


def test_kind_is_derived_from_the_name_and_may_be_any_word():
    weather = type("Rain", (Dots,), {"__doc__": "Rain.", "name": "weather.kit_rain"})
    assert weather.kind == "weather" and check_generator(weather, profiles=["generic"]).ok
    assert check_generator(_variant("kit_said", kind="texture"), profiles=["generic"]).ok  # the same as derived


@pytest.mark.parametrize(
    "attrs, problem",
    [
        ({"name": "Texture.Dots"}, "Variant.name 'Texture.Dots' must look like '<kind>.<name>' (lowercase)"),
        ({"name": "dots"}, "Variant.name 'dots' must look like '<kind>.<name>' (lowercase)"),
        ({"version": 1}, "Variant must set version as a string"),
        ({"__doc__": None}, "Variant has no docstring: its first line is the summary `gamegen list` shows"),
        ({"time_budget_s": True}, "time_budget_s must be a positive number of seconds, got True"),
        ({"params": dict}, "Variant.params must be a gamegen.Params subclass (write Generator[MyParams])"),
    ],
    ids=["uppercase", "no-kind", "version-type", "docstring", "budget", "params"],
)
def test_each_declaration_rule_has_its_own_reason(attrs, problem):
    variant = type("Variant", (Dots,), {"__doc__": "Variant.", "name": "texture.kit_variant", **attrs})
    assert problem in _failures(variant)["declaration"]


def test_parameters_come_from_the_type_argument_that_generate_takes():
    class Forgetful(Generator):  # no [DotsParams]: the parameters are the empty Params
        """Dots without their parameters."""

        name, version = "texture.kit_forgetful", "1.0.0"
        generate = Dots.generate

    assert Forgetful.params is Params
    assert _failures(Forgetful) == {
        "declaration": "generate() takes DotsParams but the parameters are Params: declare "
        "`class Forgetful(Generator[DotsParams])`"
    }


def test_declared_params_must_not_contradict_the_type_argument():
    class Both(Generator[DotsParams]):
        """Declares its parameters twice, differently."""

        name, version, params = "texture.kit_both", "1.0.0", ClampedParams
        quick_params = {"size": 8}

        def generate(self, params, ctx):
            return Dots.generate(self, params, ctx)

    reason = _failures(Both)["declaration"]
    assert reason == (
        "Both declares params = ClampedParams but subclasses Generator[DotsParams]: leave params out "
        "(it comes from the type argument)"
    )


def test_generators_written_against_gamegen_0_2_still_conform():
    class Old(gamegen.Generator):
        """Declares kind and params as attributes, as gamegen 0.2 asked."""

        name, kind, version, params = "texture.kit_old", "texture", "1.0.0", DotsParams
        quick_params = {"size": 8}
        generate = Dots.generate

    assert check_generator(Old, profiles=["generic"]).ok


def test_failing_run_is_reported_with_its_reason():
    def generate(self, params, ctx):
        raise ZeroDivisionError("dots divided by zero")

    assert _failures(_variant("kit_crash", generate)) == {
        "run": "texture.kit_crash failed: ZeroDivisionError: dots divided by zero"
    }


def test_slow_quick_run_fails_the_time_budget(monkeypatch):
    clock = types.SimpleNamespace(now=0.0)  # the kit's clock: each run takes exactly what generate() adds
    monkeypatch.setattr(conformance, "time", types.SimpleNamespace(perf_counter=lambda: clock.now))

    def generate(self, params, ctx):
        clock.now += 0.25
        return Dots.generate(self, params, ctx)

    reason = _failures(_variant("kit_slow", generate, time_budget_s=0.125))["time_budget"]
    assert reason == "fastest quick run took 0.25 s, over time_budget_s=0.125"
    assert check_generator(_variant("kit_slow", generate, time_budget_s=0.125), time_factor=2).ok


def test_file_that_does_not_parse_as_its_media_type_fails_the_bundle_check():
    def generate(self, params, ctx):
        return [gamegen.BytesAsset("picture", b"not a png", ".png", media_type="image/png")]

    assert (
        "'texture.kit_fake/picture.png': does not parse as image/png"
        in _failures(_variant("kit_fake", generate))["bundle"]
    )


def _export_kit_asset_for_unreal(asset: KitAsset, ctx: ExportContext) -> list[ExportedFile]:
    if asset.obj["unreal"] == "param":
        raise gamegen.ParamError("size=3: not a valid unreal size (allowed: 127, 253)")
    if asset.obj["unreal"] == "crash":
        raise ValueError("unreal exporter bug")
    return [ExportedFile(f"{asset.name}.json", b"{}", "application/json")]


@dataclass
class KitAsset(gamegen.DataAsset):
    """JSON everywhere; the unreal exporter refuses ``obj["unreal"]`` values other than "ok"."""

    exporters = {"unreal": _export_kit_asset_for_unreal}


@pytest.mark.parametrize(
    "outcome, failures", [("ok", {}), ("param", {}), ("crash", {"profiles": "ValueError: unreal exporter bug"})]
)
def test_profiles_may_refuse_parameters_but_not_crash(outcome, failures):
    def generate(self, params, ctx):
        return [KitAsset("kit", {"unreal": outcome, "x": float(ctx.rng.random())})]

    assert _failures(_variant(f"kit_profile_{outcome}", generate)) == failures


def test_asset_renamed_after_creation_fails_asset_names():
    def generate(self, params, ctx):
        (dots, stats) = Dots.generate(self, params, ctx)
        dots.name = "../dots"
        return [dots, stats]

    failures = _failures(_variant("kit_escape", generate))
    assert failures["asset_names"] == (
        "asset name '../dots' would escape the bundle (no '/', '\\', '.' or '..' allowed)"
    )


def test_two_assets_writing_the_same_file_fail_the_bundle_check():
    def generate(self, params, ctx):
        return [gamegen.DataAsset("stats", {"n": 1}), gamegen.DataAsset("stats", {"x": float(ctx.rng.random())})]

    reason = _failures(_variant("kit_twice", generate))["bundle"]
    assert reason == "ValueError: texture.kit_twice: two files would be written to 'texture.kit_twice/stats.json'"


def test_torch_global_state_change_is_caught():
    torch = pytest.importorskip("torch")

    def generate(self, params, ctx):
        torch.rand(1)
        return Dots.generate(self, params, ctx)

    assert _failures(_variant("kit_torch", generate)) == {
        "global_rng": "texture.kit_torch changed the global random state of torch; draw from ctx.rng or "
        "ctx.child(...) instead"
    }


def test_empty_output_fails_asset_names():
    assert (
        _failures(_variant("kit_empty", lambda self, params, ctx: []))["asset_names"] == "generate() returned no assets"
    )


def test_unregistered_name_explains_how_to_register():
    with pytest.raises(
        ConformanceError,
        match=r"\[registered\] generator 'texture.nowhere' is not registered: is its "
        r"package installed \(pip install -e \.\)",
    ):
        check_generator("texture.nowhere")


def test_registered_name_is_resolved(isolated_registry):
    isolated_registry.register(Dots)
    assert check_generator("texture.kit_dots", profiles=[]).ok


@pytest.fixture
def bundle(tmp_path):
    out = tmp_path / "bundle"
    gamegen.write_bundle(out, [gamegen.export_run(gamegen.run_generator(Dots, seed=3), "dots")], "generic")
    return out


def test_check_bundle_accepts_a_written_bundle(bundle):
    assert [f["path"] for f in check_bundle(bundle)["assets"][0]["files"]] == ["dots/dots.png", "dots/stats.json"]


def _rewrite_manifest(root, change):
    manifest = json.loads((root / "manifest.json").read_text())
    change(manifest)
    (root / "manifest.json").write_text(json.dumps(manifest))


def _first_file(manifest):
    return manifest["assets"][0]["files"][0]


@pytest.mark.parametrize(
    "tamper, problem",
    [
        (
            lambda b: (b / "dots/stats.json").write_bytes((b / "dots/stats.json").read_bytes().replace(b"lit", b"lat")),
            "'dots/stats.json': sha256 does not match the manifest",
        ),
        (lambda b: (b / "dots/stats.json").write_text("{}"), "'dots/stats.json': size 2 != manifest bytes"),
        (lambda b: (b / "dots/stats.json").unlink(), "'dots/stats.json': listed in the manifest but missing"),
        (
            lambda b: (b / "dots/extra.txt").write_text("x"),
            "file 'dots/extra.txt' is in the bundle but not in the manifest",
        ),
        (
            lambda b: _rewrite_manifest(b, lambda m: _first_file(m).update(path="../escape.png")),
            "would escape the bundle",
        ),
        (
            lambda b: _rewrite_manifest(b, lambda m: _first_file(m).update(path="other/dots.png")),
            "lies outside the asset's folder dots/",
        ),
        (
            lambda b: _rewrite_manifest(b, lambda m: m.update(format="other/9")),
            "format is 'other/9', expected 'gamegen.bundle/1'",
        ),
        (
            lambda b: _rewrite_manifest(b, lambda m: _first_file(m).pop("sha256")),
            "field 'files.0.sha256': Field required",
        ),
    ],
    ids=["content", "size", "missing", "unlisted", "escape", "foreign-folder", "format", "field"],
)
def test_check_bundle_reports_each_defect(bundle, tamper, problem):
    tamper(bundle)
    with pytest.raises(InvalidBundleError) as failed:
        check_bundle(bundle)
    assert any(problem in p for p in failed.value.problems), failed.value.problems
