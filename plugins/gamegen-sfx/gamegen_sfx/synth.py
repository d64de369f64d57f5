"""sfxr synthesis, vectorised: a Voice becomes float samples at 44.1 kHz with sfxr's 8x supersampling.

Control signals (pitch slide, arpeggio, vibrato, duty sweep, envelope, phaser, repeat) are closed-form numpy
arrays; only the recursive filters run sample by sample (see :mod:`gamegen_sfx.filters`). The oscillator uses a
continuous phase accumulator where sfxr counts integer sub-samples, so pitches match sfxr's up to that rounding.
"""

from __future__ import annotations

import numpy as np

from .voice import Voice

__all__ = ["SAMPLE_RATE", "SFXR_GAIN", "render", "synthesize"]

SAMPLE_RATE = 44100
SUPERSAMPLE = 8
SFXR_GAIN = 0.05 * 2.0 * 4.0  # sfxr: master volume 0.05, x2 sound-volume scale, x4 WAV-export gain


def _envelope(v: Voice) -> np.ndarray:
    """Attack ramp, sustain with punch, linear decay: one volume per output sample (its length is the sound's)."""
    attack, sustain, decay = (int(x * x * 100_000) for x in (v.env_attack, v.env_sustain, v.env_decay))
    return np.concatenate(
        [
            np.arange(1, attack + 1) / max(attack, 1),
            1.0 + (1.0 - np.arange(sustain + 1) / max(sustain, 1)) * 2.0 * v.env_punch,
            1.0 - np.arange(decay + 1) / max(decay, 1),
        ]
    )


def _steps(v: Voice, n: int) -> np.ndarray:
    """Slide steps since the last (re)start for each sample: the repeat control restarts pitch, duty and arpeggio."""
    i = np.arange(n)
    if v.repeat_speed == 0.0:
        return i + 1
    return i % int((1.0 - v.repeat_speed) ** 2 * 20_000 + 32) + 1


def _period(v: Voice, steps: np.ndarray) -> tuple[np.ndarray, int]:
    """Oscillator period in sub-samples per output sample, and the sample where a frequency limit ends the sound."""
    slide = 1.0 - v.freq_ramp**3 * 0.01 - v.freq_dramp**3 * 1e-6 * np.arange(1, steps.max() + 1)
    log_period = np.log(100.0 / (v.base_freq**2 + 0.001)) + np.cumsum(np.log(np.maximum(slide, 1e-9)))[steps - 1]
    if v.arp_speed < 1.0:
        arp = 1.0 - v.arp_mod**2 * 0.9 if v.arp_mod >= 0 else 1.0 + v.arp_mod**2 * 10.0
        log_period += np.where(steps >= int((1.0 - v.arp_speed) ** 2 * 20_000 + 32), np.log(arp), 0.0)
    log_max = np.log(100.0 / (v.freq_limit**2 + 0.001))
    over = np.flatnonzero(log_period > log_max)
    end = int(over[0]) if v.freq_limit > 0 and over.size else steps.size
    period = np.exp(np.minimum(log_period, log_max))
    if v.vib_strength > 0:
        period *= 1.0 + np.sin(v.vib_speed**2 * 0.01 * np.arange(1, steps.size + 1)) * v.vib_strength * 0.5
    return np.maximum(period.astype(np.int64), 8)[:end], end


def _oscillator(v: Voice, period: np.ndarray, steps: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The raw waveform at the supersampled rate; noise draws 32 fresh values per cycle from ``rng``."""
    cycles = np.cumsum(np.repeat(1.0 / period, SUPERSAMPLE))
    frac = cycles - np.floor(cycles)
    if v.wave == "square":
        duty = np.clip(0.5 - v.duty * 0.5 - steps * v.duty_ramp * 0.00005, 0.0, 0.5)
        return np.where(frac < np.repeat(duty, SUPERSAMPLE), 0.5, -0.5)
    if v.wave == "sawtooth":
        return 1.0 - 2.0 * frac
    if v.wave == "sine":
        return np.sin(2 * np.pi * frac)
    slot = np.floor(cycles).astype(np.int64) * 32 + (frac * 32).astype(np.int64)
    segment = np.concatenate([[0], np.cumsum(np.diff(slot) != 0)])
    return rng.uniform(-1.0, 1.0, int(segment[-1]) + 1)[segment]


def _filtered(v: Voice, x: np.ndarray) -> np.ndarray:
    """sfxr's low-pass/high-pass pair with their cutoff sweeps (geometric, clamped as sfxr clamps them)."""
    from .filters import lowpass_highpass

    n_out = x.size // SUPERSAMPLE
    lp_w0 = v.lpf_freq**3 * 0.1
    lp_w = np.minimum(lp_w0 * np.exp(np.minimum(np.arange(1, x.size + 1) * np.log1p(v.lpf_ramp * 1e-4), 50.0)), 0.1)
    lp_damp = min(5.0 / (1.0 + v.lpf_resonance**2 * 20.0) * (0.01 + lp_w0), 0.8)
    hp_d = 1.0 + v.hpf_ramp * 0.0003
    hp_first = np.clip(v.hpf_freq**2 * 0.1 * hp_d, 1e-5, 0.1)
    hp_k = np.clip(hp_first * np.exp(np.minimum(np.arange(n_out) * np.log(hp_d), 50.0)), 1e-5, 0.1)
    return lowpass_highpass(x, lp_w, v.lpf_freq != 1.0, lp_damp, np.repeat(hp_k, SUPERSAMPLE))


def _phaser(v: Voice, x: np.ndarray) -> np.ndarray:
    """Add the signal delayed by the phaser offset (0..1023 sub-samples, swept per output sample)."""
    n_out = x.size // SUPERSAMPLE
    offset = np.copysign(v.pha_offset**2 * 1020.0, v.pha_offset)
    ramp = np.copysign(v.pha_ramp**2, v.pha_ramp)
    delay = np.minimum(np.abs((offset + ramp * np.arange(1, n_out + 1)).astype(np.int64)), 1023)
    source = np.arange(x.size) - np.repeat(delay, SUPERSAMPLE)
    return x + np.where(source >= 0, x[np.maximum(source, 0)], 0.0)


def synthesize(voice: Voice, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Synthesize ``voice`` at :data:`SAMPLE_RATE` before any output gain: ``(samples, envelope)``, the envelope being
    the volume applied to each sample. Both are empty when the frequency limit cuts the sound off before its first
    sample. ``samples * SFXR_GAIN * volume`` is sfxr's exported signal, before its clipping.
    """
    envelope = _envelope(voice)
    steps = _steps(voice, envelope.size)
    period, end = _period(voice, steps)
    if end == 0:
        return np.zeros(0), np.zeros(0)
    steps, envelope = steps[:end], envelope[:end]
    sub = _phaser(voice, _filtered(voice, _oscillator(voice, period, steps, rng)))
    return sub.reshape(-1, SUPERSAMPLE).mean(axis=1) * envelope, envelope


def render(voice: Voice, rng: np.random.Generator, volume: float = 0.5) -> np.ndarray:
    """sfxr's raw output: float samples in [-1, 1] at :data:`SAMPLE_RATE`, scaled and clipped like sfxr's export
    (no DC removal, fade or normalisation: see :mod:`gamegen_sfx.master`). Empty when the frequency limit cuts the
    sound off before its first sample.
    """
    samples, _ = synthesize(voice, rng)
    return np.clip(samples * SFXR_GAIN * volume, -1.0, 1.0)
