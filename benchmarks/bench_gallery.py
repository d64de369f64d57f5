"""The gallery at scale: writing it for 1000 assets and opening it in Chromium, against the baseline ``20 assets``.

    .venv/bin/python benchmarks/bench_gallery.py [--count 1000] [--out DIR]

Makes ``--count`` variations of ``texture.material`` (64 px, six maps each: the heaviest payloads per asset) and a
20-variation folder, writes both galleries cold (thumbnails and payloads made) and warm (all reused), reports the
page weight without the bundle's own files, and opens each page headless from file:// (Debian's chromium) to time
it until the cards are on screen, the first thumbnails are painted, a scroll to the bottom and keyboard moves.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import gamegen
from gamegen.gallery import write_gallery

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))


# the thumbnails of the cards in the window have loaded (a card's own box: its image is not laid out off screen)
VISIBLE_THUMBS_LOADED = """Array.from(document.querySelectorAll('.card')).filter(c => {
  const r = c.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; })
  .every(c => { const i = c.querySelector('img'); return !i || (i.complete && i.naturalWidth > 0); })"""


def make(out: Path, count: int) -> Path:
    if not (out / "manifest.json").is_file():
        gamegen.generate_variations("texture.material", count, seed=0, out=out, params={"size": 64})
    return out


def sizes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def write_times(bundle: Path) -> tuple[float, float]:
    shutil.rmtree(bundle / "gallery", ignore_errors=True)
    start = time.perf_counter()
    write_gallery(bundle)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    write_gallery(bundle)
    return cold, time.perf_counter() - start


def weight(bundle: Path) -> dict[str, int]:
    gallery = bundle / "gallery"
    static = gallery / "static"
    vendor = sizes(static / "vendor")
    return {
        "index.html (model inline)": (gallery / "index.html").stat().st_size,
        "scripts and styles loaded at once": sizes(static) - vendor,
        "thumbnails (all cards)": sizes(gallery / "thumbs"),
        "three.js + inkjs (loaded by the first 3D view / dialogue)": vendor,
        "payloads (one per asset, loaded when it is opened)": sizes(gallery / "data"),
    }


def open_page(chrome: object, bundle: Path) -> dict[str, float]:
    from gallery_browser import Page

    start = time.perf_counter()
    page = Page(chrome, (bundle / "gallery" / "index.html").as_uri(), Path(tempfile.gettempdir()))
    ready = time.perf_counter() - start
    p = page.page
    p.wait_for_function(VISIBLE_THUMBS_LOADED)
    painted = time.perf_counter() - start
    t = time.perf_counter()
    p.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    p.wait_for_function(VISIBLE_THUMBS_LOADED)
    scrolled = time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(40):
        p.keyboard.press("ArrowRight")
    p.keyboard.press("p")
    p.evaluate("GG.picks.document()")
    keys = (time.perf_counter() - t) / 41
    out = {"ready_s": ready, "start_ms": p.evaluate("GG.startMs"), "first_paint_s": painted, "scroll_s": scrolled,
           "key_ms": keys * 1000}  # fmt: skip
    assert not page.errors, page.errors
    page.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--out", type=Path, help="keep the variation folders here (reused when present)")
    args = ap.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="bench-gallery-"))
    root.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    big = make(root / f"v{args.count}", args.count)
    small = make(root / "v20", 20)
    print(f"made the variations in {time.perf_counter() - start:.1f} s")
    for bundle in (small, big):
        cold, warm = write_times(bundle)
        n = len(list(bundle.glob("seed-*")))
        print(f"write_gallery, {n} assets: cold {cold:.2f} s ({cold / n * 1000:.1f} ms/asset), warm {warm:.2f} s")
    print(f"page weight without the bundle's own files, {args.count} assets:")
    for what, n in weight(big).items():
        print(f"  {n / 1024:9.1f} KiB  {what}")
    from gallery_browser import browser

    with browser() as chrome:
        base = open_page(chrome, small)
        ours = open_page(chrome, big)
    for key, label in [("ready_s", "cards on screen (s)"), ("start_ms", "page script (ms)"),
                       ("first_paint_s", "first thumbnails painted (s)"), ("scroll_s", "scroll to the end, painted (s)"),
                       ("key_ms", "one key press (ms)")]:  # fmt: skip
        print(
            f"{label:32s} 20 assets {base[key]:8.2f}   {args.count} assets {ours[key]:8.2f}   {ours[key] / max(base[key], 1e-9):5.2f}×"
        )
    if args.out is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
