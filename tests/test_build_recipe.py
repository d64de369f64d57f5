"""Recipes: parsing, every problem reported at once with file and line, seeds that survive edits."""

from __future__ import annotations

import textwrap

import build_gens
import pytest

from gamegen.builds import RecipeError, build, load_recipe, parse_recipe
from gamegen.context import derive_seed


@pytest.fixture(autouse=True)
def gens(isolated_registry):
    build_gens.register(isolated_registry)


def _write(tmp_path, text, name="gamegen.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


GOOD = """
name = "demo"
seed = 42
profile = "unity"

[[asset]]
name = "rock"
generator = "buildtest.speckle"
variations = 3

[[asset]]
name = "sky"
generator = "buildtest.speckle"
seed = 7
[asset.params]
size = 16

[[asset]]
name = "world"
generator = "buildtest.tile"
params = { grid = 2, tile_size = 5 }
matrix = { tile_x = [0, 1], tile_y = [0, 1] }
"""


def test_a_recipe_expands_to_jobs_with_derived_seeds(tmp_path):
    recipe = load_recipe(_write(tmp_path, GOOD))
    assert (recipe.name, recipe.seed, recipe.profile) == ("demo", 42, "unity")
    jobs = {j.asset_id: j for j in recipe.jobs}
    assert list(jobs) == ["rock-1", "rock-2", "rock-3", "sky", "world-0-0", "world-0-1", "world-1-0", "world-1-1"]
    rock = derive_seed(42, "rock")
    assert [jobs[f"rock-{i}"].seed for i in (1, 2, 3)] == [rock, rock + 1, rock + 2]
    assert jobs["sky"].seed == 7 and jobs["sky"].params.size == 16
    world = jobs["world-1-0"]
    assert (world.params.tile_x, world.params.tile_y, world.params.grid) == (1, 0, 2)
    assert {j.seed for j in recipe.jobs if j.asset == "world"} == {derive_seed(42, "world")}
    assert world.generator is build_gens.Tile


def test_a_folder_means_its_gamegen_toml(tmp_path):
    _write(tmp_path, GOOD)
    assert load_recipe(tmp_path).name == "demo"


def test_seeds_are_stable_when_other_assets_are_added_removed_or_reordered(tmp_path):
    before = {j.asset_id: j.seed for j in load_recipe(_write(tmp_path, GOOD)).jobs}
    edited = """
    name = "demo"
    seed = 42
    profile = "unity"

    [[asset]]
    name = "world"
    generator = "buildtest.tile"
    params = { grid = 2, tile_size = 5 }
    matrix = { tile_x = [0, 1], tile_y = [0, 1] }

    [[asset]]
    name = "new-thing"
    generator = "buildtest.speckle"

    [[asset]]
    name = "rock"
    generator = "buildtest.speckle"
    variations = 3
    """
    after = {j.asset_id: j.seed for j in load_recipe(_write(tmp_path, edited, "edited.toml")).jobs}
    assert all(after[k] == before[k] for k in after if k in before)
    assert after["new-thing"] not in before.values()


def test_every_problem_is_reported_at_once_with_its_line(tmp_path):
    path = _write(
        tmp_path,
        """
        name = "broken"
        seeds = 3

        [[asset]]
        name = "rock"
        generator = "buildtest.speckel"

        [[asset]]
        name = "sky"
        generator = "buildtest.speckle"
        colour = "blue"
        [asset.params]
        size = 2
        shape = "round"

        [[asset]]
        name = "rock"
        generator = "buildtest.speckle"

        [[asset]]
        name = "many"
        generator = "buildtest.speckle"
        variations = 0
        """,
    )
    with pytest.raises(RecipeError) as info:
        load_recipe(path)
    problems = info.value.problems
    expected = [
        (2, "unknown key 'seeds' (allowed: name, seed, profile, compression, asset, model)"),
        (6, "asset 'rock': unknown generator 'buildtest.speckel' (did you mean buildtest.speckle"),
        (11, "asset 'sky': unknown key 'colour'"),
        (
            13,
            "asset 'sky': buildtest.speckle: size=2: input should be greater than or equal to 4 (allowed: 4 ≤ size ≤ 256)",
        ),
        (14, "asset 'sky': buildtest.speckle: unknown parameter 'shape'"),
        (17, "asset 'rock': the name is used by an earlier asset"),
        (23, "asset 'many': variations=0: must be an integer from 1 to 100000"),
    ]
    assert len(problems) == len(expected), problems
    for problem, (line, text) in zip(problems, expected, strict=True):
        assert problem.startswith(f"{path}:{line}: "), problem
        assert text in problem, problem


def test_inline_params_and_matrix_values_point_at_their_line(tmp_path):
    path = _write(
        tmp_path,
        """
        name = "w"

        [[asset]]
        name = "world"
        generator = "buildtest.tile"
        params = { grid = 2, tile_size = 500 }
        matrix = { tile_x = [0, 99] }
        """,
    )
    with pytest.raises(RecipeError) as info:
        load_recipe(path)
    assert [p.split(": ", 1)[0] for p in info.value.problems] == [f"{path}:6", f"{path}:7"]
    assert "tile_size=500" in info.value.problems[0] and "tile_x=99" in info.value.problems[1]


def test_values_are_data_never_evaluated(tmp_path):
    path = _write(
        tmp_path,
        """
        name = "x"

        [[asset]]
        name = "a"
        generator = "buildtest.speckle"
        params = { size = "__import__('os').getpid()" }
        """,
    )
    with pytest.raises(RecipeError) as info:
        load_recipe(path)
    (problem,) = info.value.problems
    assert problem.startswith(f"{path}:6: asset 'a': buildtest.speckle: size=\"__import__('os').getpid()\": ")
    assert "input should be a valid integer" in problem


def test_invalid_toml_names_file_and_line(tmp_path):
    path = _write(tmp_path, 'name = "x"\n\n[[asset]]\nname = \n')
    with pytest.raises(RecipeError, match=rf"^{path}:4: invalid TOML: "):
        load_recipe(path)


def test_missing_file_is_a_recipe_error(tmp_path):
    with pytest.raises(RecipeError, match="cannot read the recipe"):
        load_recipe(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"asset": [{"name": "a", "generator": "buildtest.speckle"}]}, "'name' (the bundle's name) is required"),
        ({"name": "x"}, "at least one [[asset]]"),
        (
            {"name": "x", "profile": "cryengine", "asset": [{"name": "a", "generator": "buildtest.speckle"}]},
            "unknown export profile 'cryengine'",
        ),
        ({"name": "x", "seed": -1, "asset": [{"name": "a", "generator": "buildtest.speckle"}]}, "seed=-1"),
        ({"name": "x", "asset": [{"name": "../up", "generator": "buildtest.speckle"}]}, "would escape the bundle"),
        ({"name": "x", "asset": [{"name": "a", "generator": "buildtest.speckle", "seed": True}]}, "seed=True"),
        ({"name": "x", "asset": [{"generator": "buildtest.speckle"}]}, "asset #1: 'name' is required"),
        (
            {
                "name": "x",
                "asset": [{"name": "a", "generator": "buildtest.tile", "variations": 2, "matrix": {"tile_x": [0]}}],
            },
            "cannot be combined",
        ),
        (
            {"name": "x", "asset": [{"name": "a", "generator": "buildtest.tile", "matrix": {"tile_x": []}}]},
            "non-empty lists",
        ),
        (
            {
                "name": "x",
                "asset": [
                    {"name": "a-1", "generator": "buildtest.speckle"},
                    {"name": "a", "generator": "buildtest.speckle", "variations": 2},
                ],
            },
            "its id 'a-1' is also an id of asset 'a-1'",
        ),
    ],
)
def test_dict_recipes_are_checked_the_same_way(data, message):
    with pytest.raises(RecipeError) as info:
        parse_recipe(data)
    assert any(message in p and p.startswith("<recipe>: ") for p in info.value.problems), info.value.problems


def test_only_names_unknown_assets(tmp_path):
    path = _write(tmp_path, GOOD)
    with pytest.raises(
        RecipeError, match=r"only='moon': no asset or asset id of that name \(assets: rock, sky, world\)"
    ):
        build(path, out=tmp_path / "out", only=["moon"], cache=tmp_path / "cache")
