"""``gamegen view``: the gallery's files, its page model, picks.json and the --serve server, without a browser
(test_gallery_browser.py opens the pages in Chromium)."""

from __future__ import annotations

import hashlib
import json
import shlex
import threading
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import gamegen
from gamegen.cli import main
from gamegen.errors import OutputFolderError, ParamError
from gamegen.gallery import check_picks, write_gallery
from gamegen.gallery.model import collect
from gamegen.gallery.server import make_server

TINY = """
name = "tiny"
seed = 7

[[asset]]
name = "coin"
generator = "audio.sfx"
params = { preset = "coin" }

[[asset]]
name = "hero"
generator = "character.sprite"
variations = 2
params = { size = 16, animations = ["idle", "walk"], character_sheet = true }

[[asset]]
name = "talk"
generator = "narrative.dialogue"

[[asset]]
name = "stone"
generator = "texture.material"
params = { size = 64 }

[[asset]]
name = "hills"
generator = "landscape.heightmap"
params = { size = 65 }
"""


def tree(folder: Path, skip: str = "gallery") -> dict[str, str]:
    """Every file under ``folder`` but ``skip/`` and hidden ones, by relative path: its sha256."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).parts[0] != skip and not p.name.startswith(".")
    }


@pytest.fixture(scope="module")
def recipe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("recipe") / "gamegen.toml"
    path.write_text(TINY)
    return path


@pytest.fixture(scope="module")
def bundle(recipe: Path) -> Path:
    out = recipe.parent / "bundle"
    gamegen.build(recipe, out=out, cache=recipe.parent / "cache")
    return out


@pytest.fixture(scope="module")
def variations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("variations") / "stone"
    gamegen.generate_variations("texture.material", 3, seed=5, out=out, params={"size": 64})
    return out


def model_of(index: Path) -> dict:
    html = index.read_text()
    start = html.index('<script id="gg-model" type="application/json">') + len(
        '<script id="gg-model" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_the_gallery_reads_the_bundle_and_writes_only_its_own_folder(bundle: Path):
    before = tree(bundle)
    index = write_gallery(bundle)
    assert index == bundle / "gallery" / "index.html" and tree(bundle) == before
    model = model_of(index)
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert sorted(c["id"] for c in model["cards"]) == sorted(a["id"] for a in manifest["assets"])
    assert {g["name"] for g in model["groups"]} == {"coin", "hero", "talk", "stone", "hills"}
    hero = next(g for g in model["groups"] if g["name"] == "hero")
    assert [model["cards"][i]["id"] for i in hero["cards"]] == ["hero-1", "hero-2"]
    by_id = {c["id"]: c for c in model["cards"]}
    assert all(by_id[i]["thumb"] for i in ("coin", "hero-1", "stone", "hills"))  # a waveform for the sound
    assert by_id["hero-1"]["pixel"] and not by_id["hills"]["pixel"]
    assert by_id["talk"]["thumb"] is None and by_id["talk"]["snippet"]
    assert by_id["stone"]["ai"] is False and any(ok is True for _, _, _, ok, _ in by_id["stone"]["qc"])
    for card in model["cards"]:  # every thumbnail and payload the page names is there
        for name in filter(None, (card["thumb"], card["payload"])):
            assert (bundle / "gallery" / name).is_file()
    payload = (bundle / "gallery" / by_id["hills"]["payload"]).read_text()
    assert payload.startswith("GG.payload(") and '"heights"' in payload
    for vendored in ("three.cjs", "three.LICENSE", "ink-full.js", "inkjs.LICENSE.md"):
        assert (bundle / "gallery" / "static" / "vendor" / vendored).is_file()


def test_writing_again_reuses_thumbnails_and_drops_the_ones_no_card_uses(bundle: Path):
    write_gallery(bundle)
    thumbs = bundle / "gallery" / "thumbs"
    stamps = {p.name: p.stat().st_mtime_ns for p in thumbs.iterdir()}
    (thumbs / "stale.webp").write_bytes(b"old")
    write_gallery(bundle)
    assert {p.name: p.stat().st_mtime_ns for p in thumbs.iterdir()} == stamps


def test_variations_are_one_group_picked_by_seed_folder_as_the_dataset_reader_names_them(variations: Path):
    model = model_of(write_gallery(variations))
    assert [c["id"] for c in model["cards"]] == ["seed-5", "seed-6", "seed-7"]
    assert len(model["groups"]) == 1 and model["bundle_format"] == "gamegen.variations/1"
    assert model["cards"][0]["files"][0]["path"].startswith("seed-5/")
    bundles = pytest.importorskip("gamegen.datasets.bundles")
    assert [a.pick_id for a in bundles.bundle_assets(variations)] == [c["id"] for c in model["cards"]]


def test_the_recreate_command_makes_the_same_files(variations: Path, tmp_path: Path, monkeypatch):
    card = collect(variations).cards[1]
    model = model_of(write_gallery(variations))
    command = next(c["command"] for c in model["cards"] if c["id"] == card.pick_id)
    args = shlex.split(command)
    assert args[:3] == ["gamegen", "generate", "texture.material"] and "--seed" in args
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args[1:] + ["--quiet"])
    assert result.exit_code == 0, result.output
    again = json.loads((tmp_path / card.entry.id / "manifest.json").read_text())["assets"][0]
    assert [f["sha256"] for f in again["files"]] == [f.sha256 for f in card.entry.files]


def test_picks_format_is_checked():
    doc = {"picks": ["a"], "rejects": ["b"], "stars": {"a": 5, "c": 0}}
    assert check_picks(doc, {"a", "b", "c"}) == {"picks": ["a"], "rejects": ["b"], "stars": {"a": 5}}
    assert check_picks({"format": "gamegen.picks/1", "picks": []}) == {"picks": [], "rejects": [], "stars": {}}
    for bad, words in [
        ({"picks": ["a"], "rejects": ["a"]}, "both picked and rejected"),
        ({"picks": [1]}, "list of asset ids"),
        ({"stars": {"a": 6}}, "0 to 5"),
        ({"stars": {"a": True}}, "0 to 5"),
        ({"pick": ["a"]}, "keys"),
        ({"picks": ["zz"]}, "not an asset"),
    ]:
        with pytest.raises(ParamError, match=words):
            check_picks(bad, {"a", "b"})


@pytest.fixture
def server(variations: Path) -> Iterator[str]:
    write_gallery(variations)
    srv = make_server(variations, 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv.origin
    finally:
        srv.shutdown()
        srv.server_close()
        (variations / "picks.json").unlink(missing_ok=True)


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, body, {"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def test_the_server_serves_the_gallery_and_writes_checked_picks_into_the_bundle(
    server: str, variations: Path, tmp_path: Path
):
    with urllib.request.urlopen(server + "/gallery/index.html", timeout=10) as res:
        assert res.status == 200 and b"gg-model" in res.read()
    with urllib.request.urlopen(server + "/gallery/static/vendor/three.cjs", timeout=10) as res:
        assert res.headers["Content-Type"].startswith("text/javascript")
    doc = {"picks": ["seed-6"], "rejects": ["seed-5"], "stars": {"seed-6": 4}}
    status, reply = post(server + "/picks.json", json.dumps(doc).encode())
    assert status == 200 and reply["ok"]
    assert json.loads((variations / "picks.json").read_text()) == doc
    assert post(server + "/picks.json", b'{"picks": ["seed-99"]}')[0] == 400
    assert post(server + "/picks.json", b"not json")[0] == 400
    assert post(server + "/picks.json", b"{}", {"Origin": "https://example.com"})[0] == 403
    assert post(server + "/other", b"{}")[0] == 404
    assert json.loads((variations / "picks.json").read_text()) == doc  # refused posts changed nothing
    datasets = pytest.importorskip("gamegen.datasets")  # the file is what `gamegen dataset from-bundle` reads
    data = datasets.from_bundle(variations, variations / "picks.json", tmp_path / "data")
    assert len(data.items) == 1


def test_view_refuses_what_is_not_a_bundle(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["view", str(tmp_path)])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "manifest.json" in result.output
    assert not (tmp_path / "gallery").exists()
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "gamegen.bundle/1", "generator_sdk": "0",
                                                        "profile": "generic", "assets": [{"id": "x"}]}))  # fmt: skip
    result = CliRunner().invoke(main, ["view", str(tmp_path)])
    assert result.exit_code == 2 and "not a valid gamegen manifest" in result.output


def test_a_manifest_cannot_lead_the_gallery_out_of_the_bundle(variations: Path, tmp_path: Path):
    folder = tmp_path / "b"
    folder.mkdir()
    sub = json.loads((variations / "seed-5" / "manifest.json").read_text())
    sub["assets"][0]["files"][0]["path"] = "../../etc/passwd"
    (folder / "manifest.json").write_text(json.dumps(sub))
    with pytest.raises(OutputFolderError, match="escape the bundle"):
        write_gallery(folder)


def test_generate_and_build_write_the_gallery_after_the_bundle(recipe: Path, tmp_path: Path):
    runner = CliRunner()
    result = runner.invoke(main, ["generate", "audio.sfx", "-o", str(tmp_path / "sfx"), "--gallery", "--quiet"])
    assert result.exit_code == 0 and (tmp_path / "sfx" / "gallery" / "index.html").is_file(), result.output
    out = tmp_path / "built"
    args = ["build", str(recipe), "-o", str(out), "--cache", str(recipe.parent / "cache"), "--only", "coin"]
    for _ in range(2):  # the second build replaces the bundle whole; the gallery is written again after the swap
        result = runner.invoke(main, [*args, "--gallery"])
        assert result.exit_code == 0 and (out / "gallery" / "index.html").is_file(), result.output
    result = runner.invoke(main, [*args, "--json", "--gallery"])
    assert json.loads(result.output)["gallery"] == str(out / "gallery" / "index.html")
    result = runner.invoke(main, ["view", str(out), "--serve", "--serve-seconds", "0.3"])
    assert result.exit_code == 0 and "serving http://127.0.0.1:" in result.output


def test_a_plugin_registers_a_viewer_script(bundle: Path, install_plugin, tmp_path: Path):
    script = tmp_path / "stars_viewer.js"
    script.write_text("GG.registerViewer({name: 'stars', match: () => false, render() {}});\n")
    install_plugin(
        "gallery-stars",
        {"gallery_stars.py": f"from pathlib import Path\nVIEWER = Path({str(script)!r})\nBROKEN = 'nope.txt'\n"},
        {"stars": "gallery_stars:VIEWER", "broken": "gallery_stars:BROKEN"},
        group="gamegen.gallery_viewers",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        index = write_gallery(bundle)
    assert any("gallery viewer 'broken'" in str(w.message) for w in caught)
    assert '<script src="static/plugins/stars.js"></script>' in index.read_text()
    assert (bundle / "gallery" / "static" / "plugins" / "stars.js").read_text() == script.read_text()
