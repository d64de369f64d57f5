"""Texture speed: the procedural PBR set at 1024², and the diffusion backend's overhead, as ratios in one run.
Texture memory: the peak a 4096² material adds to its process, against the size of the maps it returns.

    .venv/bin/python benchmarks/bench_texture.py                      # all three parts, as in the issue
    .venv/bin/python benchmarks/bench_texture.py --skip-diffusion --skip-peak --families stone brick
    .venv/bin/python benchmarks/bench_texture.py --skip-procedural --diffusion-size 256 --steps 8
    .venv/bin/python benchmarks/bench_texture.py --skip-procedural --skip-diffusion   # peak memory only

Procedural: seconds for the whole ``texture.material`` run per family and the split per map (the family's
authored surface — albedo, height, roughness, metallic together — then normal, AO, ORM, the whole derived set,
quality checks and the glTF preview mesh; PNG encoding at export time is not included). Diffusion (CPU, the tiny test pipeline built in tests/tiny_models.py):
gamegen's text-to-image call vs a bare diffusers call with the same pipeline, prompt, steps and size (target
≤ 1.05×), and with seamless tiling vs without (target ≤ 1.10×). Medians and minima of interleaved repeats (the minimum is the steadier figure on a busy machine).
Peak: for each Worley family (stone, dirt, ice, lava, mud) at 4096², a fresh child process warmed up by a 64² run
records its peak resident set (VmHWM, the image's own ``ru_maxrss``) before and after ``gamegen.run_generator``
(generation only, no export); the memory added is compared with the bytes of the returned assets' arrays
(target ≤ 2.5×).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from peak_memory import peak_ratio

import gamegen
from gamegen.texture import pbr
from gamegen.texture.material import MaterialParams
from gamegen.texture.materials import FAMILIES, build_surface
from gamegen.texture.preview import material_preview


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def _split(family: str, size: int) -> list[float]:
    """Seconds for each stage of one set, in the order of SPLIT."""
    marks = [time.perf_counter()]
    params = MaterialParams(family=family, size=size, preview="none")
    surface = build_surface(family, np.random.default_rng(0), size, params.scale)
    marks.append(time.perf_counter())
    pbr.normal_map(surface.height, params.normal_strength)
    marks.append(time.perf_counter())
    ao = pbr.ambient_occlusion(surface.height)
    marks.append(time.perf_counter())
    pbr.pack_orm(ao, surface.roughness, surface.metallic)
    marks.append(time.perf_counter())
    maps = pbr.from_surface(surface, params)
    marks.append(time.perf_counter())
    pbr.set_assets(maps, params, tiling="xy")
    marks.append(time.perf_counter())
    material_preview("preview", maps.albedo, maps.normal, maps.orm, "sphere", {})
    marks.append(time.perf_counter())
    return list(np.diff(marks))


SPLIT = ["surface", "normal", "ao", "orm", "all maps", "quality", "preview"]


def procedural(families: list[str], size: int) -> None:
    """Whole-run seconds per family at ``size``² and where the time goes, map by map.

    ``surface`` builds albedo, height, roughness and metallic together; ``all maps`` is the whole derived set
    (normal, AO, ORM and the 8/16-bit quantisation of every map); ``quality`` the checks of every map.
    """
    print(f"## texture.material, {size}² full PBR set (seconds)")
    print(" ".join(f"{h:>9}" for h in ["family", "run", *SPLIT]))
    gamegen.run_generator("texture.material", {"size": 64})  # warm-up: imports and registry
    for family in families:
        run, _ = _timed(lambda f=family: gamegen.run_generator("texture.material", {"family": f, "size": size}))
        print(f"{family:>9} " + " ".join(f"{v:9.3f}" for v in [run, *_split(family, size)]))


def diffusion(size: int, steps: int, repeats: int, threads: int | None) -> None:
    """gamegen's call vs a bare diffusers call, and seamless vs plain, on the same loaded tiny pipeline."""
    import torch

    if threads:
        torch.set_num_threads(threads)

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from tiny_models import make_tiny_sd

    from gamegen.ml import load_diffusers_pipeline
    from gamegen.ml.diffusion import text_to_image
    from gamegen.ml.tiling import circular_padding

    model = make_tiny_sd(Path(tempfile.mkdtemp()) / "tiny-sd")
    pipe = load_diffusers_pipeline(str(model)).obj
    prompt, negative, guidance = "stone wall", "moss", 7.5

    def bare() -> object:
        return pipe(
            prompt,
            negative_prompt=negative,
            num_inference_steps=steps,
            guidance_scale=guidance,
            height=size,
            width=size,
            generator=torch.Generator("cpu").manual_seed(0),
            output_type="np",
        ).images

    def ours(tiling: str) -> Callable[[], object]:
        def call() -> object:
            with circular_padding([pipe.unet, pipe.vae], tiling):
                return text_to_image(
                    pipe,
                    gamegen.Context(0),
                    prompt,
                    negative_prompt=negative,
                    steps=steps,
                    guidance=guidance,
                    width=size,
                    height=size,
                )

        return call

    def generator(tiling: str) -> Callable[[], object]:
        params = {
            "model": str(model),
            "prompt": prompt,
            "negative_prompt": negative,
            "steps": steps,
            "guidance": guidance,
            "size": size,
            "tiling": tiling,
            "preview": "none",
        }
        return lambda: gamegen.run_generator("texture.diffusion", params)

    cases = {
        "bare diffusers": bare,
        "gamegen call": ours("none"),
        "gamegen call, seamless xy": ours("xy"),
        "texture.diffusion run": generator("none"),
        "texture.diffusion run, xy": generator("xy"),
    }
    for fn in cases.values():  # warm-up: first-call allocations and lazy imports
        fn()
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(repeats):
        for name, fn in cases.items():  # interleaved so drift hits every case alike
            times[name].append(_timed(fn)[0])
    print(
        f"\n## texture.diffusion, CPU, tiny SD, {size}², {steps} steps, {repeats} interleaved repeats (torch threads: "
        f"{torch.get_num_threads()})"
    )
    print(f"{'':>28}  {'median':>8} {'min':>8}")
    for name, ts in times.items():
        print(f"{name:>28}: {statistics.median(ts):8.3f} {min(ts):8.3f} s")
    ratios = [
        ("gamegen call / bare diffusers", "gamegen call", "bare diffusers", "≤ 1.05"),
        ("seamless / plain (gamegen call)", "gamegen call, seamless xy", "gamegen call", "≤ 1.10"),
        ("generator run / bare diffusers", "texture.diffusion run", "bare diffusers", "PBR set + checks on top"),
        ("seamless / plain (generator run)", "texture.diffusion run, xy", "texture.diffusion run", "≤ 1.10"),
    ]
    for label, num, den, target in ratios:
        by_median = statistics.median(times[num]) / statistics.median(times[den])
        by_min = min(times[num]) / min(times[den])
        print(f"{label:>34} = {by_median:.3f}× (median), {by_min:.3f}× (min)  [{target}]")


PEAK_FAMILIES = ("stone", "dirt", "ice", "lava", "mud")  # the Worley families the memory target names
def peak(families: list[str], size: int) -> None:
    """Peak resident memory each family's run adds (fresh child per family) against its returned arrays."""
    one, five, _ = os.getloadavg()
    print(
        f"\n## texture.material {size}², peak memory added by the run (fresh child, peak RSS: VmHWM / ru_maxrss, no export)"
    )
    print(f"load {one:.1f} (1 min), {five:.1f} (5 min); {os.cpu_count()} cores")
    print(f"{'family':>9} {'baseline GB':>11} {'added GB':>9} {'maps GB':>8} {'ratio':>6} {'seconds':>8}")
    for family in families:
        params = {"family": family, "size": size}
        t = time.perf_counter()
        f = peak_ratio("texture.material", params, {**params, "size": 64})
        ratio = f["added"] / f["final"]
        print(
            f"{family:>9} {f['baseline'] / 1e9:11.3f} {f['added'] / 1e9:9.3f} {f['final'] / 1e9:8.3f} {ratio:5.2f}× "
            f"{time.perf_counter() - t:8.1f}"
        )
    print("(target: added ≤ 2.5× the maps)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1024, help="procedural texture size")
    ap.add_argument("--families", nargs="*", default=sorted(FAMILIES))
    ap.add_argument("--diffusion-size", type=int, default=128)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--threads", type=int, help="torch CPU threads (1 is steadier on a busy machine)")
    ap.add_argument("--skip-procedural", action="store_true")
    ap.add_argument("--skip-diffusion", action="store_true")
    ap.add_argument("--skip-peak", action="store_true")
    ap.add_argument("--peak-size", type=int, default=4096)
    ap.add_argument("--peak-families", nargs="*", default=list(PEAK_FAMILIES))
    args = ap.parse_args()
    if not args.skip_procedural:
        procedural(args.families, args.size)
    if not args.skip_diffusion:
        diffusion(args.diffusion_size, args.steps, args.repeats, args.threads)
    if not args.skip_peak:
        peak(args.peak_families, args.peak_size)


if __name__ == "__main__":
    main()
