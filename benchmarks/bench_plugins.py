"""Speed of the first-party plugins and of the conformance kit, each as a ratio against a named baseline.

    .venv/bin/python benchmarks/bench_plugins.py

- ``audio.sfx``: the vectorised synth vs ``scalar-sfxr``, a line-by-line Python port of sfxr's per-sample loop
  (the same voice and noise), per preset.
- ``dungeon.layout``: map sizes vs the ``quick`` configuration, per 1000 tiles.
- the conformance kit vs one plain run of the same generator (baseline ``single-run``).

Needs both plugins installed (``pip install -e plugins/gamegen-sfx -e plugins/gamegen-dungeon``).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable

import numpy as np
from gamegen_sfx.synth import render
from gamegen_sfx.voice import PRESETS, Voice, preset_voice

import gamegen
from gamegen.testing import check_generator


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Fastest of ``repeat`` calls, in seconds (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def scalar_sfxr(v: Voice, rng: np.random.Generator, volume: float = 0.5) -> np.ndarray:
    """sfxr's SynthSample loop, one sample and sub-sample at a time (the baseline; no repeat control)."""
    fperiod = 100.0 / (v.base_freq**2 + 0.001)
    fmaxperiod = 100.0 / (v.freq_limit**2 + 0.001)
    fslide, fdslide = 1.0 - v.freq_ramp**3 * 0.01, -(v.freq_dramp**3) * 1e-6
    duty, duty_slide = 0.5 - v.duty * 0.5, -v.duty_ramp * 0.00005
    arp = 1.0 - v.arp_mod**2 * 0.9 if v.arp_mod >= 0 else 1.0 + v.arp_mod**2 * 10.0
    arp_limit = 0 if v.arp_speed == 1.0 else int((1.0 - v.arp_speed) ** 2 * 20000 + 32)
    lengths = [int(x * x * 100000) for x in (v.env_attack, v.env_sustain, v.env_decay)]
    fltw, fltw_d = v.lpf_freq**3 * 0.1, 1.0 + v.lpf_ramp * 0.0001
    fltdmp = min(5.0 / (1.0 + v.lpf_resonance**2 * 20.0) * (0.01 + fltw), 0.8)
    flthp, flthp_d = v.hpf_freq**2 * 0.1, 1.0 + v.hpf_ramp * 0.0003
    fphase = math.copysign(v.pha_offset**2 * 1020.0, v.pha_offset)
    fdphase = math.copysign(v.pha_ramp**2, v.pha_ramp)
    fltp = fltdp = fltphp = vib_phase = 0.0
    phase, env_stage, env_time, arp_time, ipp = 0, 0, 0, 0, 0
    buffer, noise, out = [0.0] * 1024, list(rng.uniform(-1, 1, 32)), []
    while env_stage < 3:
        arp_time += 1
        if arp_limit and arp_time >= arp_limit:
            arp_limit, fperiod = 0, fperiod * arp
        fslide += fdslide
        fperiod *= fslide
        if fperiod > fmaxperiod:
            fperiod = fmaxperiod
            if v.freq_limit > 0:
                break
        rfperiod = fperiod
        if v.vib_strength > 0:
            vib_phase += v.vib_speed**2 * 0.01
            rfperiod = fperiod * (1.0 + math.sin(vib_phase) * v.vib_strength * 0.5)
        period = max(int(rfperiod), 8)
        duty = min(max(duty + duty_slide, 0.0), 0.5)
        env_time += 1
        if env_time > lengths[env_stage]:
            env_time, env_stage = 0, env_stage + 1
        env = [
            env_time / max(lengths[0], 1),
            1.0 + (1.0 - env_time / max(lengths[1], 1)) * 2.0 * v.env_punch,
            1.0 - env_time / max(lengths[2], 1),
            0.0,
        ][env_stage]
        fphase += fdphase
        iphase = min(abs(int(fphase)), 1023)
        flthp = min(max(flthp * flthp_d, 1e-5), 0.1)
        total = 0.0
        for _ in range(8):
            phase += 1
            if phase >= period:
                phase %= period
                if v.wave == "noise":
                    noise = list(rng.uniform(-1, 1, 32))
            fp = phase / period
            sample = {
                "square": 0.5 if fp < duty else -0.5,
                "sawtooth": 1.0 - fp * 2,
                "sine": math.sin(fp * 2 * math.pi),
                "noise": noise[phase * 32 // period],
            }[v.wave]
            pp = fltp
            fltw = min(max(fltw * fltw_d, 0.0), 0.1)
            if v.lpf_freq != 1.0:
                fltdp += (sample - fltp) * fltw
                fltdp -= fltdp * fltdmp
            else:
                fltp, fltdp = sample, 0.0
            fltp += fltdp
            fltphp += fltp - pp
            fltphp -= fltphp * flthp
            buffer[ipp & 1023] = fltphp
            total += (fltphp + buffer[(ipp - iphase + 1024) & 1023]) * env
            ipp = (ipp + 1) & 1023
        out.append(total / 8 * 0.4 * volume)
    return np.clip(np.array(out), -1.0, 1.0)


def band_shares(samples: np.ndarray) -> np.ndarray:
    """Share of spectral energy in 24 log-spaced bands from 50 Hz to Nyquist."""
    power = np.abs(np.fft.rfft(samples, n=1 << 16)) ** 2
    band = np.digitize(np.fft.rfftfreq(1 << 16, 1 / 44100), np.geomspace(50, 22050, 25)) - 1
    keep = (band >= 0) & (band < 24)
    energy = np.bincount(band[keep], power[keep], minlength=24)
    return energy / energy.sum()


def bench_sfx() -> None:
    print("audio.sfx: vectorised synth vs baseline scalar-sfxr (pure-Python per-sample loop), seed 0;")
    print("  'spectrum' = 1 - half the L1 distance of 24-band energy shares (1.0: same spectrum)")
    for preset in PRESETS:
        voice = preset_voice(preset, np.random.default_rng(0))
        if voice.repeat_speed:
            voice = dataclasses.replace(voice, repeat_speed=0.0)  # the baseline has no repeat control
        fast = best_of(lambda v=voice: render(v, np.random.default_rng(1)))
        slow = best_of(lambda v=voice: scalar_sfxr(v, np.random.default_rng(1)), repeat=1)
        ours, theirs = render(voice, np.random.default_rng(1)), scalar_sfxr(voice, np.random.default_rng(1))
        match = 1 - 0.5 * np.abs(band_shares(ours) - band_shares(theirs)).sum()
        print(
            f"  {preset:<10} {ours.size / 44100:5.2f} s (scalar {theirs.size / 44100:5.2f} s)  spectrum {match:4.2f}  "
            f"vectorised {fast * 1e3:6.2f} ms  scalar-sfxr {slow * 1e3:7.1f} ms  speed-up {slow / fast:5.1f}x"
        )


def bench_dungeon() -> None:
    print("dungeon.layout: whole generate() vs baseline quick (32x24, depth 3), per 1000 tiles")
    configs = {
        "quick": {"width": 32, "height": 24, "tile_size": 8, "depth": 3},
        "default": {},
        "large": {"width": 128, "height": 96, "depth": 6},
        "huge": {"width": 256, "height": 256, "depth": 8},
    }
    per_tile = {}
    for label, params in configs.items():
        values = gamegen.registry.get("dungeon.layout").validate(params)
        seconds = best_of(lambda p=params: gamegen.run_generator("dungeon.layout", p, seed=3), repeat=3)
        per_tile[label] = seconds * 1e3 / (values.width * values.height / 1000)
        print(
            f"  {label:<8} {values.width}x{values.height}  {seconds * 1e3:7.1f} ms  "
            f"{per_tile[label]:6.3f} ms/1000 tiles  ({per_tile[label] / per_tile['quick']:4.2f}x quick)"
        )


def bench_kit() -> None:
    print("conformance kit (3 runs, 6 bundles, all checks) vs baseline single-run of the same generator")
    for name in ("audio.sfx", "dungeon.layout"):
        gen = gamegen.registry.get(name)
        single = best_of(lambda g=gen: gamegen.run_generator(g, g.quick_params, seed=1), repeat=3)
        kit = best_of(lambda g=gen: check_generator(g), repeat=3)
        print(f"  {name:<15} single-run {single * 1e3:6.1f} ms  kit {kit * 1e3:7.1f} ms  ({kit / single:5.1f}x)")


if __name__ == "__main__":
    bench_sfx()
    bench_dungeon()
    bench_kit()
