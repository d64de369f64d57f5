"""``audio.sfx``: sfxr-style game sound effects, rolled from a preset and/or set parameter by parameter."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import numpy as np
from pydantic import ValidationInfo, field_validator

import gamegen
from gamegen import Field, Params

from .master import PEAK_DBFS, master, normalize_peak
from .synth import SAMPLE_RATE, SFXR_GAIN, synthesize
from .voice import Voice, Wave, preset_voice
from .wav import encode_wav

__all__ = ["Sfx", "SfxParams"]

Preset = Literal["jump", "coin", "hit", "explosion", "powerup", "laser", "blip", "custom"]
_FROM_PRESET = "; unset: the preset decides"


def _unit(description: str) -> Any:
    return Field(None, ge=0.0, le=1.0, description=description + _FROM_PRESET)


def _signed(description: str) -> Any:
    return Field(None, ge=-1.0, le=1.0, description=description + _FROM_PRESET)


class SfxParams(Params):
    """A preset rolled with the seed, then any synth parameter you set (sfxr's slider scales) overrides it."""

    preset: Preset = Field("coin", description="Sound family; 'custom' starts from sfxr's neutral defaults")
    normalize: bool = Field(
        True,
        description="Scale the sound so its highest sample is at peak_dbfs (default -1 dBFS); "
        "false: sfxr's own loudness, set by volume (loud sounds may clip)",
    )
    peak_dbfs: float = Field(PEAK_DBFS, ge=-40.0, le=0.0, description="Peak level in dBFS when normalize is true")
    volume: float = Field(
        0.5, ge=0.0, le=1.0, description="sfxr's sound volume, used only when normalize is false (0.5: sfxr's default)"
    )
    wave: Wave | None = Field(None, description="Oscillator waveform" + _FROM_PRESET)
    base_freq: float | None = _unit("Start frequency")
    freq_limit: float | None = _unit("Minimum frequency: the sound stops when a downward slide reaches it")
    freq_ramp: float | None = _signed("Frequency slide (negative: down)")
    freq_dramp: float | None = _signed("Change of the slide over time")
    duty: float | None = _unit("Square wave duty cycle")
    duty_ramp: float | None = _signed("Duty cycle sweep")
    vib_strength: float | None = _unit("Vibrato depth")
    vib_speed: float | None = _unit("Vibrato speed")
    env_attack: float | None = _unit("Attack time")
    env_sustain: float | None = _unit("Sustain time")
    env_punch: float | None = _unit("Sustain punch (a volume boost fading over the sustain)")
    env_decay: float | None = _unit("Decay time")
    lpf_freq: float | None = _unit("Low-pass filter cutoff (1: off)")
    lpf_ramp: float | None = _signed("Low-pass cutoff sweep")
    lpf_resonance: float | None = _unit("Low-pass resonance")
    hpf_freq: float | None = _unit("High-pass filter cutoff")
    hpf_ramp: float | None = _signed("High-pass cutoff sweep")
    pha_offset: float | None = _signed("Phaser offset")
    pha_ramp: float | None = _signed("Phaser sweep")
    repeat_speed: float | None = _unit("Repeat speed: restarts pitch, duty and arpeggio (0: off)")
    arp_speed: float | None = _unit("Arpeggio: when the pitch jump happens (1: never)")
    arp_mod: float | None = _signed("Arpeggio: size of the pitch jump (positive: up)")

    @field_validator("volume")
    @classmethod
    def _volume_needs_raw_loudness(cls, value: float, info: ValidationInfo) -> float:
        if value != 0.5 and info.data.get("normalize", True):
            raise ValueError(
                "applies only with normalize=false (sfxr's raw loudness); a normalised sound peaks at "
                "peak_dbfs, so set peak_dbfs for a quieter one"
            )
        return value


class Sfx(gamegen.Generator[SfxParams]):
    """Game sound effects in the sfxr tradition (jump, coin, hit, explosion, ...) as 16-bit 44.1 kHz WAV.

    The seed rolls the preset's random choices (as sfxr's buttons do) and the noise; every synth parameter you set
    overrides the rolled value. The manifest records the final synth parameters, so a sound can be re-made or tweaked.

    Every sound is mastered: a 20 Hz high-pass and an exact mean correction remove DC offset, and it ends with a
    10 ms raised-cosine fade then 5 ms of silence (no click). Loudness: peak-normalised to -1 dBFS by default
    (``peak_dbfs``), never clipped; ``normalize=false`` keeps sfxr's own level (``volume``), which may clip.
    """

    name = "audio.sfx"
    version = "1.1.0"
    quick_params = {"preset": "blip"}
    time_budget_s = 10.0

    def generate(self, params: SfxParams, ctx: gamegen.Context) -> list[gamegen.Asset]:
        """Roll the voice, apply overrides, synthesize, and encode one WAV asset named after the preset."""
        rolled = preset_voice(params.preset, ctx.child("preset"))
        overrides = {f.name: getattr(params, f.name) for f in dataclasses.fields(Voice)}
        voice = dataclasses.replace(rolled, **{k: v for k, v in overrides.items() if v is not None})
        raw, envelope = synthesize(voice, ctx.child("noise"))
        samples = master(raw, envelope, SAMPLE_RATE)
        if params.normalize:
            samples = normalize_peak(samples, params.peak_dbfs)
        else:
            samples = samples * SFXR_GAIN * params.volume
        clipped = int(np.count_nonzero(np.abs(samples) >= 1.0))
        samples = np.clip(samples, -1.0, 1.0)
        if samples.size == 0:
            raise gamegen.ParamError(
                f"freq_limit={voice.freq_limit:g}: the sound starts below this minimum frequency "
                f"(base_freq={voice.base_freq:g}) and would end before its first sample (allowed: freq_limit < base_freq)",
                generator=self.name,
            )
        peak = float(np.abs(samples).max())
        meta = {
            "sample_rate": SAMPLE_RATE,
            "channels": 1,
            "bits_per_sample": 16,
            "frames": int(samples.size),
            "duration_s": round(samples.size / SAMPLE_RATE, 6),
            "peak": round(peak, 6),
            "peak_dbfs": round(20.0 * np.log10(peak), 3) if peak > 0 else None,
            "loudness": f"peak {params.peak_dbfs:g} dBFS" if params.normalize else f"sfxr volume {params.volume:g}",
            "dc_offset": round(float(samples.mean()), 6),
            "clipped_samples": clipped,
            "synth": {k: round(v, 6) if isinstance(v, float) else v for k, v in dataclasses.asdict(voice).items()},
        }
        data = encode_wav(samples, SAMPLE_RATE)
        return [gamegen.BytesAsset(params.preset, data, ".wav", media_type="audio/wav", meta=meta)]
