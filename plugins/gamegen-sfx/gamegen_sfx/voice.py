"""The sfxr parameter set (a "voice") and the presets that roll one at random, as sfxr's buttons do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

__all__ = ["Voice", "Wave", "WAVES", "PRESETS", "preset_voice"]

Wave = Literal["square", "sawtooth", "sine", "noise"]
WAVES: tuple[Wave, ...] = ("square", "sawtooth", "sine", "noise")


@dataclass(frozen=True)
class Voice:
    """Every sfxr synth parameter, on sfxr's 0..1 (or -1..1 for ramps) slider scales; defaults are sfxr's reset."""

    wave: Wave = "square"
    base_freq: float = 0.3
    freq_limit: float = 0.0
    freq_ramp: float = 0.0
    freq_dramp: float = 0.0
    duty: float = 0.0
    duty_ramp: float = 0.0
    vib_strength: float = 0.0
    vib_speed: float = 0.0
    env_attack: float = 0.0
    env_sustain: float = 0.3
    env_punch: float = 0.0
    env_decay: float = 0.4
    lpf_freq: float = 1.0
    lpf_ramp: float = 0.0
    lpf_resonance: float = 0.0
    hpf_freq: float = 0.0
    hpf_ramp: float = 0.0
    pha_offset: float = 0.0
    pha_ramp: float = 0.0
    repeat_speed: float = 0.0
    arp_speed: float = 0.0
    arp_mod: float = 0.0


class _Dice:
    """sfxr's two random helpers over a numpy Generator: ``frnd(r)`` uniform in [0, r], ``rnd(n)`` integer 0..n."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def frnd(self, high: float) -> float:
        return float(self.rng.uniform(0.0, high))

    def rnd(self, n: int) -> int:
        return int(self.rng.integers(0, n + 1))


def _coin(d: _Dice) -> dict[str, Any]:
    v: dict[str, Any] = {
        "base_freq": 0.4 + d.frnd(0.5),
        "env_sustain": d.frnd(0.1),
        "env_decay": 0.1 + d.frnd(0.4),
        "env_punch": 0.3 + d.frnd(0.3),
    }
    if d.rnd(1):
        v |= {"arp_speed": 0.5 + d.frnd(0.2), "arp_mod": 0.2 + d.frnd(0.4)}
    return v


def _laser(d: _Dice) -> dict[str, Any]:
    wave = d.rnd(2)
    if wave == 2 and d.rnd(1):
        wave = d.rnd(1)
    base = 0.5 + d.frnd(0.5)
    v: dict[str, Any] = {
        "wave": WAVES[wave],
        "base_freq": base,
        "freq_limit": max(base - 0.2 - d.frnd(0.6), 0.2),
        "freq_ramp": -0.15 - d.frnd(0.2),
    }
    if d.rnd(2) == 0:
        v |= {"base_freq": 0.3 + d.frnd(0.6), "freq_limit": d.frnd(0.1), "freq_ramp": -0.35 - d.frnd(0.3)}
    if d.rnd(1):
        v |= {"duty": d.frnd(0.5), "duty_ramp": d.frnd(0.2)}
    else:
        v |= {"duty": 0.4 + d.frnd(0.5), "duty_ramp": -d.frnd(0.7)}
    v |= {"env_sustain": 0.1 + d.frnd(0.2), "env_decay": d.frnd(0.4)}
    if d.rnd(1):
        v["env_punch"] = d.frnd(0.3)
    if d.rnd(2) == 0:
        v |= {"pha_offset": d.frnd(0.2), "pha_ramp": -d.frnd(0.2)}
    if d.rnd(1):
        v["hpf_freq"] = d.frnd(0.3)
    return v


def _explosion(d: _Dice) -> dict[str, Any]:
    if d.rnd(1):
        base, ramp = 0.1 + d.frnd(0.4), -0.1 + d.frnd(0.4)
    else:
        base, ramp = 0.2 + d.frnd(0.7), -0.2 - d.frnd(0.2)
    v: dict[str, Any] = {"wave": "noise", "base_freq": base * base, "freq_ramp": ramp}
    if d.rnd(4) == 0:
        v["freq_ramp"] = 0.0
    if d.rnd(2) == 0:
        v["repeat_speed"] = 0.3 + d.frnd(0.5)
    v |= {"env_sustain": 0.1 + d.frnd(0.3), "env_decay": d.frnd(0.5)}
    if d.rnd(1) == 0:
        v |= {"pha_offset": -0.3 + d.frnd(0.9), "pha_ramp": -d.frnd(0.3)}
    v["env_punch"] = 0.2 + d.frnd(0.6)
    if d.rnd(1):
        v |= {"vib_strength": d.frnd(0.7), "vib_speed": d.frnd(0.6)}
    if d.rnd(2) == 0:
        v |= {"arp_speed": 0.6 + d.frnd(0.3), "arp_mod": 0.8 - d.frnd(1.6)}
    return v


def _powerup(d: _Dice) -> dict[str, Any]:
    v: dict[str, Any] = {"wave": "sawtooth"} if d.rnd(1) else {"duty": d.frnd(0.6)}
    if d.rnd(1):
        v |= {"base_freq": 0.2 + d.frnd(0.3), "freq_ramp": 0.1 + d.frnd(0.4), "repeat_speed": 0.4 + d.frnd(0.4)}
    else:
        v |= {"base_freq": 0.2 + d.frnd(0.3), "freq_ramp": 0.05 + d.frnd(0.2)}
        if d.rnd(1):
            v |= {"vib_strength": d.frnd(0.7), "vib_speed": d.frnd(0.6)}
    return v | {"env_sustain": d.frnd(0.4), "env_decay": 0.1 + d.frnd(0.4)}


def _hit(d: _Dice) -> dict[str, Any]:
    wave = ("square", "sawtooth", "noise")[d.rnd(2)]
    v: dict[str, Any] = {"wave": wave}
    if wave == "square":
        v["duty"] = d.frnd(0.6)
    v |= {
        "base_freq": 0.2 + d.frnd(0.6),
        "freq_ramp": -0.3 - d.frnd(0.4),
        "env_sustain": d.frnd(0.1),
        "env_decay": 0.1 + d.frnd(0.2),
    }
    if d.rnd(1):
        v["hpf_freq"] = d.frnd(0.3)
    return v


def _jump(d: _Dice) -> dict[str, Any]:
    v: dict[str, Any] = {
        "duty": d.frnd(0.6),
        "base_freq": 0.3 + d.frnd(0.3),
        "freq_ramp": 0.1 + d.frnd(0.2),
        "env_sustain": 0.1 + d.frnd(0.3),
        "env_decay": 0.1 + d.frnd(0.2),
    }
    if d.rnd(1):
        v["hpf_freq"] = d.frnd(0.3)
    if d.rnd(1):
        v["lpf_freq"] = 1.0 - d.frnd(0.6)
    return v


def _blip(d: _Dice) -> dict[str, Any]:
    v: dict[str, Any] = {"wave": WAVES[d.rnd(1)]}
    if v["wave"] == "square":
        v["duty"] = d.frnd(0.6)
    return v | {
        "base_freq": 0.2 + d.frnd(0.4),
        "env_sustain": 0.1 + d.frnd(0.1),
        "env_decay": d.frnd(0.2),
        "hpf_freq": 0.1,
    }


PRESETS: dict[str, Callable[[_Dice], dict[str, Any]]] = {
    "jump": _jump,
    "coin": _coin,
    "hit": _hit,
    "explosion": _explosion,
    "powerup": _powerup,
    "laser": _laser,
    "blip": _blip,
}


def preset_voice(preset: str, rng: np.random.Generator) -> Voice:
    """Roll preset ``preset`` ("custom": sfxr's defaults, no dice) with ``rng``, as sfxr's generator buttons do."""
    if preset == "custom":
        return Voice()
    return replace(Voice(), **PRESETS[preset](_Dice(rng)))
