"""The gallery in a real browser: headless Chromium opens the starter bundle's and a variations folder's gallery from
file:// (and once through ``gamegen view --serve``) and the tests check what a person would see: no console
errors, every asset's card, WebGL views that really drew, a sprite animation that moves, an Ink conversation
played to its end, a tiled texture without a seam, and keyboard picks that come out in picks.json.

Screenshots are saved (``$GAMEGEN_SCREENSHOTS``, in CI ``build/test-artifacts/gallery``) for people to look at.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gallery_browser import Page, browser, canvas_pixels, pixels

import gamegen
from gamegen.gallery import write_gallery
from gamegen.gallery.server import make_server

STARTER = Path(__file__).parents[1] / "examples" / "starter" / "gamegen.toml"


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("GAMEGEN_SCREENSHOTS"):
        return Path(os.environ["GAMEGEN_SCREENSHOTS"])
    if os.environ.get("CI"):
        return Path(__file__).parents[1] / "build" / "test-artifacts" / "gallery"
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def chrome() -> Iterator[Any]:
    with browser() as b:
        yield b


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("starter")
    gamegen.build(STARTER, out=root / "starter-bundle", cache=root / "cache")
    write_gallery(root / "starter-bundle")
    return root / "starter-bundle"


@pytest.fixture(scope="module")
def variations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("variations") / "cobble"
    gamegen.generate_variations("texture.material", 6, seed=40, out=out, params={"size": 128, "family": "stone"})
    write_gallery(out)
    return out


@pytest.fixture(scope="module")
def page(chrome: Any, starter: Path, shots: Path) -> Iterator[Page]:
    p = Page(chrome, (starter / "gallery" / "index.html").as_uri(), shots)
    yield p
    p.close()
    assert not p.errors, p.errors  # no console error in the whole session on the starter page


def open_asset(p: Page, asset_id: str, tab: str) -> Any:
    """Open an asset's detail on ``tab`` by clicking its card and the tab, as a person would; the pane."""
    p.page.keyboard.press("Escape")
    p.page.wait_for_selector("#detail.open", state="hidden")
    p.page.click(f'.card[data-id="{asset_id}"] .thumb')
    try:
        p.page.wait_for_function("id => GG.state.detail !== null && GG.cards[GG.state.detail].id === id", arg=asset_id)
        p.page.click(f'.tab[data-tab="{tab}"]')
    except Exception:
        p.shot("failed-" + asset_id)
        raise
    return p.page.locator(f'.pane[data-viewer="{tab}"]')


def drew(p: Page, pane: str, name: str) -> np.ndarray:
    """Wait until the pane's WebGL canvas drew its content; its pixels (screenshot saved as ``name``)."""
    p.page.wait_for_selector(f'.pane[data-viewer="{pane}"] canvas[data-ready="1"]', timeout=30_000)
    p.shot(name)
    return canvas_pixels(p.page, f'.pane[data-viewer="{pane}"] canvas[data-ready="1"]')


def test_every_asset_has_its_card(page: Page, starter: Path):
    manifest = json.loads((starter / "manifest.json").read_text())
    shown = page.page.eval_on_selector_all(".card", "cards => cards.map(c => c.dataset.id)")
    assert sorted(shown) == sorted(a["id"] for a in manifest["assets"])
    assert page.page.eval_on_selector_all(".card .thumb img", "imgs => imgs.length") >= 17  # all with a picture
    page.page.wait_for_function("Array.from(document.images).slice(0, 6).every(i => i.complete && i.naturalWidth)")
    page.shot("starter-grid")


def test_texture_sphere_and_plane_drew_with_the_pbr_maps(page: Page):
    open_asset(page, "cobblestone", "material")
    rgb = drew(page, "material", "texture-3d")
    assert rgb.std() > 8 and len(np.unique(rgb.reshape(-1, 3), axis=0)) > 500
    maps = page.page.locator(".pane .hint").first.inner_text()
    assert all(m in maps for m in ("albedo", "normal", "ao", "height", "metallic_smoothness"))


def test_the_tiled_view_shows_no_seam(page: Page):
    pane = open_asset(page, "planks", "tiling")
    page.page.wait_for_selector('.pane[data-viewer="tiling"][data-ready="1"]')
    assert pane.get_attribute("data-seam-ok") == "1" and float(pane.get_attribute("data-seam-x")) <= 1.5
    tiled = pixels(page.shot("texture-tiled-2x2", ".tile4"))[..., :3].astype(float)
    steps = np.abs(np.diff(tiled, axis=1)).mean(axis=(0, 2))  # per column pair, across the whole 2x2 view
    middle = tiled.shape[1] // 2
    assert steps[middle - 2 : middle + 1].max() <= 1.5 * np.percentile(steps, 99)  # the tile edge is not a line
    seam = page.page.evaluate(  # the page's own check does see a seam where there is one: a left-to-right ramp
        """async () => { const c = document.createElement('canvas'); c.width = c.height = 64;
        const g = c.getContext('2d'); const grad = g.createLinearGradient(0, 0, 64, 0);
        grad.addColorStop(0, '#000'); grad.addColorStop(1, '#fff'); g.fillStyle = grad; g.fillRect(0, 0, 64, 64);
        return GG.seamRatio(await GG.loadImage(c.toDataURL())); }"""
    )
    assert seam["x"] > 10 and seam["y"] < 1.5


def test_terrain_and_the_world_tiles_drew_in_3d(page: Page):
    open_asset(page, "terrain", "terrain")
    rgb = drew(page, "terrain", "terrain-3d")
    assert rgb.std() > 8
    page.page.check('input[data-mask="slope"]')  # a mask layer toggled onto the terrain
    page.page.wait_for_timeout(300)
    page.shot("terrain-3d-slope")
    open_asset(page, "world-0-1", "world")
    assert drew(page, "world", "world-3d").std() > 8


def test_a_sprite_animation_plays_at_its_frame_durations(page: Page):
    open_asset(page, "hero", "sprite")
    page.page.wait_for_selector('.pane[data-viewer="sprite"][data-ready="1"]')
    walk = '.pane canvas.anim[data-anim="walk_down"]'
    first = (page.page.get_attribute(walk, "data-frame"), pixels(page.page.locator(walk).screenshot()))
    # walk frames last 100 ms: the frame changes soon (waited for, not slept on: a loaded machine draws late)
    page.page.wait_for_function(
        "([sel, frame]) => document.querySelector(sel).dataset.frame !== frame", arg=[walk, first[0]], timeout=10_000
    )
    second = (page.page.get_attribute(walk, "data-frame"), pixels(page.page.locator(walk).screenshot()))
    assert first[0] != second[0] and np.abs(first[1] - second[1]).max() > 0
    page.shot("sprite-animations")
    page.page.click("text=step ▶")  # paused and stepped one frame
    stepped = int(page.page.get_attribute(walk, "data-frame"))
    page.page.wait_for_timeout(250)
    assert int(page.page.get_attribute(walk, "data-frame")) == stepped


def test_an_ink_conversation_is_played_to_its_end(page: Page):
    pane = open_asset(page, "tavern-talk", "ink")
    page.page.wait_for_selector(".ink-choice")
    met = '.ink-vars tr[data-var="npc_ione_oakheart_met"] input'
    assert not page.page.is_checked(met)
    for _ in range(20):
        if pane.get_attribute("data-ended") == "1":
            break
        page.page.locator(".ink-choice").last.click()  # "Goodbye." / "Thanks." leads to the end
    assert pane.get_attribute("data-ended") == "1" and page.page.is_visible(".ink-end")
    assert page.page.is_checked(met)  # the variable the conversation set is shown
    assert "Take care out there." in page.page.inner_text(".ink-transcript")
    page.shot("dialogue-ink")
    open_asset(page, "main-quest", "quests")
    assert page.page.locator(".quest").count() == 3
    page.shot("questline")


def test_sound_has_a_player_and_its_waveform(page: Page):
    open_asset(page, "coin", "audio")
    page.page.wait_for_selector('.pane[data-viewer="audio"][data-ready="1"]')
    assert canvas_pixels(page.page, "canvas.wave").std() > 8
    assert page.page.get_attribute("audio", "src").endswith("coin/coin.wav")
    page.shot("audio")


def test_provenance_and_the_command_that_recreates_the_asset(page: Page):
    open_asset(page, "hero", "info")
    text = page.page.inner_text(".pane")
    generator = page.page.evaluate("GG.cards.find(c => c.id === 'hero').generator")
    assert f"gamegen generate {generator} -o hero --seed" in text and "procedural" in text
    page.shot("provenance")
    page.page.keyboard.press("Escape")


def test_keyboard_picks_download_as_picks_json(page: Page):
    page.page.keyboard.press("Escape")
    page.page.evaluate("localStorage.clear()")
    page.page.reload()
    page.page.wait_for_selector("body[data-ready='1']")
    keys = ["p", "ArrowRight", "x", "ArrowRight", "3", "ArrowDown", "p", "5"]
    for key in keys:
        page.page.keyboard.press(key)
    below = page.page.evaluate("GG.cards[GG.state.focus].id")
    with page.page.expect_download() as download:
        page.page.click("#export-btn")
    doc = json.loads(Path(download.value.path()).read_text())
    assert doc == {"picks": ["terrain", below], "rejects": ["world-0-0"], "stars": {"world-0-1": 3, below: 5}}
    page.shot("starter-picked")


def test_variations_compare_and_picks_written_by_the_server(chrome: Any, variations: Path, shots: Path):
    p = Page(chrome, (variations / "gallery" / "index.html").as_uri(), shots)
    assert p.page.eval_on_selector_all(".card", "cs => cs.map(c => c.dataset.id)") == [
        f"seed-{s}" for s in range(40, 46)
    ]
    for key in ["c", "ArrowRight", "ArrowRight", "c", "v"]:  # mark seed-40 and seed-42, compare them
        p.page.keyboard.press(key)
    p.page.wait_for_selector("#compare.open .cmp-stack.slider img.cmp-top")
    p.shot("variations-compare-slider")
    p.page.keyboard.press("m")
    assert p.page.get_attribute("#compare", "data-mode") == "difference"
    p.shot("variations-compare-difference")
    p.page.keyboard.press("Escape")
    p.shot("variations-grid")
    p.close()
    assert not p.errors, p.errors

    server = make_server(variations, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        p = Page(chrome, server.url, shots)
        for key in ["ArrowRight", "p", "ArrowRight", "ArrowRight", "x", "2"]:
            p.page.keyboard.press(key)
        p.page.evaluate("GG.picks.flushed()")
        want = {"picks": ["seed-41"], "rejects": ["seed-43"], "stars": {"seed-43": 2}}
        written = variations / "picks.json"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (written.is_file() and json.loads(written.read_text()) == want):
            time.sleep(0.05)
        assert json.loads(written.read_text()) == want
        p.page.wait_for_selector("#save-status.ok", timeout=10_000)
        p.shot("variations-served")
        p.close()
        assert not p.errors, p.errors
    finally:
        server.shutdown()
        server.server_close()
