"""The plugin contract: generators arrive through real ``gamegen.generators`` entry-point metadata."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

import gamegen
from gamegen.registry import PluginWarning

STARS = '''
from gamegen.plugin import Asset, Context, Field, Generator, ImageAsset, Params


class StarsParams(Params):
    size: int = Field(64, ge=8, le=4096, description="Width and height in pixels")
    density: float = Field(0.01, gt=0, le=1, description="Fraction of lit pixels")


class Stars(Generator[StarsParams]):
    """A starfield: lit pixels on black."""

    name, version = "texture.stars", "1.0.0"

    def generate(self, params: StarsParams, ctx: Context) -> list[Asset]:
        img = (ctx.rng.random((params.size, params.size)) < params.density).astype("uint8") * 255
        return [ImageAsset("stars", img)]
'''

MULTI = '''
from gamegen.plugin import DataAsset, Generator, Params


class _Base(Generator[Params]):
    version = "0.2.0"

    def generate(self, params, ctx):
        return [DataAsset("value", {"x": float(ctx.rng.random())})]


class Sparks(_Base):
    """Sparks."""
    name = "fx.sparks"


class Smoke(_Base):
    """Smoke."""
    name = "fx.smoke"


def register(registry):
    registry.register(Sparks)
    registry.register(Smoke)
'''


def test_class_entry_point_is_listed_and_generates(install_plugin, tmp_path):
    install_plugin("stars-plugin", {"stars_plugin.py": STARS}, {"stars": "stars_plugin:Stars"})
    assert "texture.stars" in gamegen.registry
    assert "stars-plugin" in gamegen.registry.origin("texture.stars")
    assets = gamegen.generate("texture.stars", seed=1, out=tmp_path / "b", size=16)
    assert assets[0].array.shape == (16, 16)
    assert (tmp_path / "b" / "texture.stars" / "stars.png").is_file()


def test_module_entry_point_registers_several(install_plugin):
    install_plugin("fx-plugin", {"fx_plugin.py": MULTI}, {"fx": "fx_plugin"})
    names = [g.name for g in gamegen.registry.list(kind="fx")]
    assert names == ["fx.smoke", "fx.sparks"]
    assert "fx-plugin" in gamegen.registry.origin("fx.sparks")  # credited to the entry point, not "code"


@pytest.mark.parametrize(
    "target", ["stars_mod", "stars_mod:StarsParams", "stars_mod:make"], ids=["module", "not-a-generator", "function"]
)
def test_an_entry_point_is_a_generator_class_or_a_module_with_register(install_plugin, target):
    source = STARS + "\n\ndef make():\n    return Stars\n"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        install_plugin("stars-plugin", {"stars_mod.py": source}, {"stars": target})
    assert any("nor a module with a register(registry) function" in str(w.message) for w in caught)
    assert "texture.stars" not in gamegen.registry


def test_params_come_from_the_type_argument_and_kind_from_the_name(install_plugin):
    install_plugin("stars-plugin", {"stars_plugin.py": STARS}, {"stars": "stars_plugin:Stars"})
    stars = gamegen.registry.get("texture.stars")
    assert stars.kind == "texture" and stars.params.__name__ == "StarsParams"
    assert "texture" in gamegen.registry.kinds() and "audio" in gamegen.registry.kinds()


def test_broken_plugin_warns_and_others_still_load(install_plugin):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        install_plugin(
            "mixed",
            {"good_plugin.py": STARS, "bad_plugin.py": "raise ImportError('missing dependency frobnicate')\n"},
            {"good": "good_plugin:Stars", "bad": "bad_plugin:Thing"},
        )
    messages = [str(w.message) for w in caught if issubclass(w.category, PluginWarning)]
    assert any("'bad'" in m and "frobnicate" in m for m in messages)
    assert "texture.stars" in gamegen.registry
    assert "bad" in gamegen.registry.broken


def test_plugin_clashing_with_existing_name_is_reported(install_plugin):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        install_plugin("dup", {"dup_a.py": STARS, "dup_b.py": STARS}, {"a": "dup_a:Stars", "b": "dup_b:Stars"})
    assert any("already taken" in str(w.message) for w in caught)
    assert "texture.stars" in gamegen.registry


def test_bad_declarations_are_refused(isolated_registry):
    class NoKindPrefix(gamegen.Generator):
        name = "texture.thing"
        kind = "landscape"
        version = "1"

        def generate(self, params, ctx):
            return []

    with pytest.raises(TypeError, match="differs from its name's prefix"):
        isolated_registry.register(NoKindPrefix)


def test_gamegen_list_in_a_real_process_sees_the_plugin(install_plugin):
    install_plugin("stars-plugin", {"stars_plugin.py": STARS}, {"stars": "stars_plugin:Stars"})
    out = subprocess.run([sys.executable, "-m", "gamegen", "list"], capture_output=True, text=True, check=True).stdout
    assert "texture.stars" in out and "A starfield" in out


def test_unknown_generator_suggests_close_names(install_plugin):
    install_plugin("stars-plugin", {"stars_plugin.py": STARS}, {"stars": "stars_plugin:Stars"})
    with pytest.raises(gamegen.UnknownGeneratorError, match="did you mean texture.stars"):
        gamegen.registry.get("texture.star")


@pytest.mark.filterwarnings("ignore::gamegen.registry.PluginWarning")
def test_cli_list_reports_a_broken_plugin_in_one_line(install_plugin):
    install_plugin(
        "mixed",
        {"good_plugin.py": STARS, "bad_plugin.py": "raise ImportError('missing dependency frobnicate')\n"},
        {"good": "good_plugin:Stars", "bad": "bad_plugin:Thing"},
    )
    res = subprocess.run([sys.executable, "-m", "gamegen", "list"], capture_output=True, text=True)
    assert res.returncode == 0 and "texture.stars" in res.stdout
    warning_lines = [line for line in res.stderr.splitlines() if "frobnicate" in line]
    assert len(warning_lines) == 1 and warning_lines[0].startswith("warning: gamegen: skipping plugin 'bad'")
