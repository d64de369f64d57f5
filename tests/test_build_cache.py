"""Incremental builds: cache hits and misses on every key part, damaged entries, failures, the output lock."""

from __future__ import annotations

import hashlib
import json
import threading

import build_gens
import pytest
from build_gens import tree

import gamegen
from gamegen.builds import BuildCache, BuildError, BuildLockedError, build
from gamegen.builds import cache as cache_module
from gamegen.lock import output_lock
from gamegen.manifest import ManifestEntry


@pytest.fixture(autouse=True)
def gens(isolated_registry):
    build_gens.register(isolated_registry)


def recipe(**overrides):
    """A three-part recipe (variations, a tile matrix, a model-reading asset); overrides merge into assets' params."""
    model = overrides.pop("model")
    assets = [
        {"name": "rock", "generator": "buildtest.speckle", "variations": 2, "params": {"size": 8}},
        {"name": "world", "generator": "buildtest.tile", "params": {"grid": 2}, "matrix": {"tile_x": [0, 1]}},
        {"name": "crate", "generator": "buildtest.model", "params": {"model": str(model)}},
    ]
    for asset in assets:
        change = overrides.pop(asset["name"], {})
        asset.update({**change, "params": {**asset["params"], **change.get("params", {})}})
    return {"name": "test", "seed": 1, "asset": assets, **overrides}


@pytest.fixture
def model(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(b"\x01" * 64)
    return folder


@pytest.fixture
def run(tmp_path):
    """``run(recipe, **kw)`` builds into tmp/out with tmp/cache and returns {asset id: status}."""

    def go(spec, **kw):
        report = build(spec, out=kw.pop("out", tmp_path / "out"), cache=tmp_path / "cache", **kw)
        return {a.id: a.status for a in report.assets}

    return go


ALL = ["rock-1", "rock-2", "world-0", "world-1", "crate"]


def test_an_unchanged_recipe_comes_from_the_cache_byte_for_byte(tmp_path, run, model, monkeypatch):
    assert run(recipe(model=model)) == dict.fromkeys(ALL, "built")
    first = tree(tmp_path / "out")
    (tmp_path / "out").rename(tmp_path / "first")
    for gen in (build_gens.Speckle, build_gens.Tile, build_gens.FakeDiffusion):  # a cache hit runs no generator
        monkeypatch.setattr(gen, "generate", lambda *_: pytest.fail("a cached asset was regenerated"))
    assert run(recipe(model=model)) == dict.fromkeys(ALL, "cached")
    assert tree(tmp_path / "out") == first
    manifest = json.loads((tmp_path / "out/manifest.json").read_text())
    assert [a["id"] for a in manifest["assets"]] == sorted(ALL)
    crate = next(a for a in manifest["assets"] if a["id"] == "crate")
    assert crate["provenance"]["ai_generated"] is True and crate["files"][0]["path"] == "crate/result.json"


@pytest.mark.parametrize(
    ("change", "rebuilt"),
    [
        ({"rock": {"params": {"size": 12}}}, ["rock-1", "rock-2"]),
        ({"world": {"seed": 5}}, ["world-0", "world-1"]),
        ({"world": {"matrix": {"tile_x": [0, 1], "tile_y": [1]}}}, ["world-0-1", "world-1-1"]),
        ({"crate": {"params": {"prompt": "a barrel"}}}, ["crate"]),
        ({"seed": 2}, ALL),
        ({"profile": "godot"}, ALL),
    ],
)
def test_changing_one_key_part_rebuilds_exactly_what_it_touches(run, model, change, rebuilt):
    run(recipe(model=model))
    statuses = run(recipe(model=model, **change))
    assert sorted(k for k, v in statuses.items() if v == "built") == sorted(rebuilt)
    assert all(v == "cached" for k, v in statuses.items() if k not in rebuilt)


@pytest.mark.parametrize(("attribute", "value"), [("version", "1.0.1"), ("name", "buildtest.terrain")])
def test_a_new_generator_version_or_id_rebuilds_its_assets(run, model, monkeypatch, attribute, value):
    run(recipe(model=model))
    monkeypatch.setattr(build_gens.Tile, attribute, value)
    assert [k for k, v in run(recipe(model=model)).items() if v == "built"] == ["world-0", "world-1"]


def test_a_new_gamegen_version_rebuilds_everything(run, model, monkeypatch):
    run(recipe(model=model))
    monkeypatch.setattr(cache_module, "__version__", "99.0.0")
    assert set(run(recipe(model=model)).values()) == {"built"}


def test_changed_model_weights_or_input_files_rebuild_the_assets_that_read_them(tmp_path, run, model):
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("a crate")
    run(recipe(model=model, crate={"params": {"prompt": str(prompt)}}))
    (model / "weights.bin").write_bytes(b"\x02" * 64)
    assert [
        k for k, v in run(recipe(model=model, crate={"params": {"prompt": str(prompt)}})).items() if v == "built"
    ] == ["crate"]
    prompt.write_text("a barrel")
    statuses = run(recipe(model=model, crate={"params": {"prompt": str(prompt)}}))
    assert [k for k, v in statuses.items() if v == "built"] == ["crate"]
    assert json.loads((tmp_path / "out/crate/result.json").read_text())["prompt"] == "a barrel"


def test_typed_inputs_are_the_input_files_without_a_word_from_the_generator(model, tmp_path):
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("a barrel")
    gen = build_gens.FakeDiffusion
    assert gen().input_files(gen.validate({"model": str(model), "prompt": str(prompt)})) == [model, prompt]
    assert gen().input_files(gen.validate({"model": "org/crates", "prompt": "inline words"})) == []


def test_a_hub_model_is_keyed_by_its_downloaded_files(tmp_path, run, monkeypatch):
    download = build_gens.offline_hub(monkeypatch, tmp_path / "hf")
    snapshot = download("org/crates", b"\x01" * 64)
    statuses = run(recipe(model="org/crates"))
    assert statuses["crate"] == "built" and run(recipe(model="org/crates"))["crate"] == "cached"
    (snapshot / "model.safetensors").write_bytes(b"\x02" * 64)  # the same id, other weights (a newer revision)
    assert [k for k, v in run(recipe(model="org/crates")).items() if v == "built"] == ["crate"]
    crate = next(a for a in json.loads((tmp_path / "out/manifest.json").read_text())["assets"] if a["id"] == "crate")
    assert crate["provenance"]["ai_generated"] is True and "org/crates" in json.dumps(crate["provenance"])


def test_a_pinned_hub_revision_keeps_its_cache_entry_when_the_hub_moves_on(tmp_path, run, monkeypatch):
    download = build_gens.offline_hub(monkeypatch, tmp_path / "hf")
    first = download("org/crates", b"\x01" * 64)
    pinned = f"org/crates@{first.name}"
    assert run(recipe(model=pinned))["crate"] == "built"
    download("org/crates", b"\x02" * 64)  # a newer revision becomes main
    assert run(recipe(model=pinned))["crate"] == "cached"
    assert run(recipe(model="org/crates"))["crate"] == "built"  # unpinned: follows main


def test_a_hub_model_not_downloaded_yet_is_built_then_cached_under_its_weights(tmp_path, run, monkeypatch):
    """Planning never downloads: the job fetches the model, and its entry is keyed by what it fetched."""
    import huggingface_hub

    download = build_gens.offline_hub(monkeypatch, tmp_path / "hf")
    real = huggingface_hub.snapshot_download
    fetched = []

    def hub_client(repo_id, **kw):
        if not kw.get("local_files_only") and not fetched:  # the generator's fetch: "download" it
            fetched.append(download(repo_id, b"\x03" * 64))
        return real(repo_id, **kw)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", hub_client)
    build(recipe(model="org/fresh"), out=tmp_path / "out", cache=tmp_path / "cache", only=["crate"])
    assert len(fetched) == 1
    report = build(recipe(model="org/fresh"), out=tmp_path / "out", cache=tmp_path / "cache", only=["crate"])
    assert report.cached == ["crate"] and report.assets[0].key is not None and len(fetched) == 1


def test_the_key_ignores_the_asset_name(run, model):
    run(recipe(model=model, rock={"seed": 9}))
    renamed = recipe(model=model, rock={"seed": 9})
    renamed["asset"][0]["name"] = "stone"
    assert run(renamed)["stone-1"] == "cached"


def test_force_rebuilds_and_a_damaged_entry_is_a_miss(tmp_path, run, model):
    run(recipe(model=model))
    assert set(run(recipe(model=model), force=True).values()) == {"built"}
    victim = next((tmp_path / "cache").rglob("speckle.png"))
    victim.write_bytes(b"not a png")
    statuses = run(recipe(model=model))
    assert list(statuses.values()).count("built") == 1
    assert set(run(recipe(model=model)).values()) == {"cached"}


def test_a_failure_keeps_the_previous_bundle_and_stops(tmp_path, run, model):
    run(recipe(model=model))
    before = tree(tmp_path / "out")
    with pytest.raises(
        BuildError,
        match=r"1 of 4 assets failed \(rock: buildtest.speckle failed: "
        r"RuntimeError: the speckles caught fire\); the previous bundle at .* is unchanged",
    ):
        run(recipe(model=model, seed=3, rock={"params": {"fail": True}, "variations": 1}, world={"seed": 3}))
    assert tree(tmp_path / "out") == before
    with pytest.raises(BuildError) as info:
        run(recipe(model=model, seed=3, rock={"params": {"fail": True}, "variations": 1}, world={"seed": 3}))
    assert {a.id: a.status for a in info.value.report.assets} == {
        "rock": "failed",
        "world-0": "cancelled",
        "world-1": "cancelled",
        "crate": "cached",
    }


def test_keep_going_builds_and_caches_the_rest(tmp_path, run, model):
    failing = recipe(model=model, rock={"params": {"fail": True}, "variations": 1})
    with pytest.raises(BuildError) as info:
        run(failing, keep_going=True)
    report = info.value.report
    assert report.failed == ["rock"] and sorted(report.built) == ["crate", "world-0", "world-1"]
    assert not (tmp_path / "out").exists()
    fixed = recipe(model=model)
    assert run(fixed) == {
        "rock-1": "built",
        "rock-2": "built",
        "world-0": "cached",
        "world-1": "cached",
        "crate": "cached",
    }


def test_only_builds_and_writes_just_those_assets(tmp_path, run, model):
    assert run(recipe(model=model), only=["world", "rock-2"]) == {
        "rock-2": "built",
        "world-0": "built",
        "world-1": "built",
    }
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["manifest.json", "rock-2", "world-0", "world-1"]


def test_every_cache_entry_matches_its_manifest_entry(tmp_path, run, model):
    run(recipe(model=model))
    entries = list((tmp_path / "cache").rglob("entry.json"))
    assert len(entries) == 5
    for entry_file in entries:
        entry = ManifestEntry.model_validate_json(entry_file.read_bytes())  # the same type the manifest uses
        for record, rel in zip(entry.files, entry.relative_paths(), strict=True):
            data = (entry_file.parent / "files" / rel).read_bytes()
            assert hashlib.sha256(data).hexdigest() == record.sha256 and len(data) == record.bytes


def test_abandoned_temporaries_of_dead_builds_are_removed(tmp_path, run, model):
    cache = BuildCache(tmp_path / "cache")
    dead = cache.root / "tmp" / "999999999-abc"
    (dead / "files").mkdir(parents=True)
    beside = tmp_path / ".out.gamegen-tmp-dead"
    beside.mkdir()
    run(recipe(model=model))
    assert not dead.exists() and not beside.exists()


def test_a_second_build_of_the_same_output_fails_clearly_or_waits(tmp_path, run, model):
    with output_lock(tmp_path / "out"):
        with pytest.raises(
            BuildLockedError, match=r"another gamegen run \(pid \d+\) is writing .*out; gave up after 0 s"
        ):
            run(recipe(model=model), lock_timeout=0)
    messages = []
    held, waiting = threading.Event(), threading.Event()

    def hold():
        with output_lock(tmp_path / "out"):
            held.set()
            waiting.wait(60)  # release only once the build has said it waits

    def progress(done, total, message):
        messages.append(message)
        if message.startswith("waiting for"):
            waiting.set()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    run(recipe(model=model), progress=progress)
    holder.join()
    assert messages[0].startswith("waiting for another gamegen run") and (tmp_path / "out/manifest.json").is_file()


def test_progress_names_each_asset_as_it_starts_and_ends(run, model):
    events = []
    run(recipe(model=model), progress=lambda done, total, message: events.append((done, total, message)))
    assert events == [  # the neural lane and one ordinary job start together
        (0, 5, "0 cached, 5 to build; building crate, rock-1"),
        (2, 5, "crate built; rock-1 built; building rock-2"),
        (3, 5, "rock-2 built; building world-0"),
        (4, 5, "world-0 built; building world-1"),
        (5, 5, "world-1 built"),
    ]
    events.clear()
    run(recipe(model=model), progress=lambda done, total, message: events.append((done, total, message)))
    assert events == [(5, 5, "5 cached, 0 to build")]


def test_a_folder_that_is_not_a_bundle_is_never_replaced(tmp_path, run, model):
    project = tmp_path / "project"
    project.mkdir()
    (project / "main.py").write_text("print('precious')\n")
    with pytest.raises(gamegen.GamegenError, match="not a gamegen bundle"):
        run(recipe(model=model), out=project)
    assert (project / "main.py").read_text() == "print('precious')\n"
