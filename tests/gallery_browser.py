"""A real browser for the gallery tests: Debian's Chromium, headless, driven by Playwright's Python package pointed at
the system browser (never a browser download), with SwiftShader so WebGL draws without a GPU.

In CI (``CI`` set) a missing Chromium or Playwright is a failure, never a skip. Screenshots go to
``$GAMEGEN_SCREENSHOTS`` (CI keeps that folder as an artefact), else to the test's temporary folder.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

CHROMIUM_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox", "--disable-gpu-sandbox",
                 "--disable-dev-shm-usage", "--mute-audio", "--autoplay-policy=no-user-gesture-required"]  # fmt: skip


def chromium_path() -> str:
    """Debian's Chromium, or a skip (a failure in CI) naming how to install it."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        raise RuntimeError("Chromium is required in CI (scripts/setup.sh --dev installs the Debian package chromium)")
    pytest.skip("Chromium not installed (apt-get install chromium)")


@contextmanager
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright ``Browser``) with WebGL on SwiftShader."""
    sync_api = pytest.importorskip("playwright.sync_api")
    path = chromium_path()
    with sync_api.sync_playwright() as pw:
        chrome = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chrome
        finally:
            chrome.close()


class Page:
    """A gallery page with every console error and page error collected (``errors``)."""

    def __init__(self, chrome: Any, url: str, shots: Path, viewport: tuple[int, int] = (1280, 800)):
        self.context = chrome.new_context(viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.shots = shots
        self.page.goto(url)
        self.page.wait_for_selector("body[data-ready='1']", timeout=15_000)

    def shot(self, name: str, selector: str | None = None) -> bytes:
        """Save a screenshot (of ``selector``'s element, or the viewport) as ``<shots>/<name>.png``; its bytes."""
        self.shots.mkdir(parents=True, exist_ok=True)
        target = self.page.locator(selector).first if selector else self.page
        data: bytes = target.screenshot(path=str(self.shots / f"{name}.png"))
        return data

    def close(self) -> None:
        self.context.close()


def pixels(png: bytes) -> np.ndarray:
    """A screenshot or data URL's PNG bytes as an RGB array."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(np.int16)


def canvas_pixels(page: Any, selector: str) -> np.ndarray:
    """What a canvas holds, read back from the page (``toDataURL``; a WebGL canvas keeps its drawing buffer)."""
    import base64

    url = page.eval_on_selector(selector, "c => c.toDataURL('image/png')")
    return pixels(base64.b64decode(url.split(",", 1)[1]))


def screenshots_dir(tmp: Path) -> Path:
    """Where screenshots go: ``$GAMEGEN_SCREENSHOTS`` or ``tmp``."""
    return Path(os.environ.get("GAMEGEN_SCREENSHOTS") or tmp)
