"""audio.sfx: the conformance kit, then WAV files read back with the standard library's ``wave`` module and with
libsndfile (``soundfile``, the plugin's ``test`` extra): format, length, pitch, DC offset, ending and loudness."""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
import os
import subprocess
import sys
import wave

import numpy as np
import pytest
from gamegen_sfx.master import FADE_S, SILENCE_S
from gamegen_sfx.synth import render
from gamegen_sfx.voice import PRESETS, Voice

import gamegen

SAMPLE_RATE = 44100
TAIL = round(0.005 * SAMPLE_RATE)  # the last 5 ms
SEEDS = range(5)
# Every synth parameter: a value other than sfxr's reset, and the settings under which it is audible.
VARIED = {
    "wave": ("sawtooth", {}),
    "base_freq": (0.5, {}),
    "freq_limit": (0.25, {"freq_ramp": -0.3}),
    "freq_ramp": (0.2, {}),
    "freq_dramp": (0.5, {}),
    "duty": (0.5, {}),
    "duty_ramp": (0.5, {}),
    "vib_strength": (0.5, {"vib_speed": 0.5}),
    "vib_speed": (0.8, {"vib_strength": 0.5}),
    "env_attack": (0.2, {}),
    "env_sustain": (0.5, {}),
    "env_punch": (0.5, {}),
    "env_decay": (0.2, {}),
    "lpf_freq": (0.5, {}),
    "lpf_ramp": (0.5, {"lpf_freq": 0.3}),
    "lpf_resonance": (0.8, {"lpf_freq": 0.3}),
    "hpf_freq": (0.3, {}),
    "hpf_ramp": (0.5, {"hpf_freq": 0.1}),
    "pha_offset": (0.3, {}),
    "pha_ramp": (0.3, {}),
    "repeat_speed": (0.6, {"freq_ramp": 0.3}),
    "arp_speed": (0.7, {"arp_mod": 0.5}),
    "arp_mod": (0.5, {}),
}


def _read(asset: gamegen.BytesAsset) -> tuple[np.ndarray, wave._wave_params]:
    with wave.open(io.BytesIO(asset.data)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), "<i2"), w.getparams()


def _soundfile():
    """soundfile (libsndfile), from the plugin's ``test`` extra: required in CI, skipped elsewhere when missing."""
    if os.environ.get("CI"):
        import soundfile
    else:
        soundfile = pytest.importorskip("soundfile", reason="pip install -e 'plugins/gamegen-sfx[test]'")
    return soundfile


def _read_sf(asset: gamegen.BytesAsset) -> tuple[np.ndarray, np.ndarray]:
    """The WAV as libsndfile reads it: (int16 samples, float samples in [-1, 1))."""
    sf = _soundfile()
    pcm, rate = sf.read(io.BytesIO(asset.data), dtype="int16")
    assert rate == SAMPLE_RATE and pcm.ndim == 1
    return pcm, pcm / 32768.0


def _dbfs(level: float) -> float:
    return 20 * np.log10(max(level, 1e-12))


def _sfx(seed: int = 0, **params) -> gamegen.BytesAsset:
    (asset,) = gamegen.generate("audio.sfx", seed=seed, **params)
    return asset


def _band_energies(pcm: np.ndarray) -> np.ndarray:
    """Share of spectral energy in 24 log-spaced bands between 50 Hz and Nyquist."""
    power = np.abs(np.fft.rfft(pcm.astype(float), n=1 << 16)) ** 2
    freqs = np.fft.rfftfreq(1 << 16, 1 / SAMPLE_RATE)
    band = np.digitize(freqs, np.geomspace(50, SAMPLE_RATE / 2, 25)) - 1
    energies = np.bincount(band[(band >= 0) & (band < 24)], power[(band >= 0) & (band < 24)], minlength=24)
    return energies / energies.sum()


def test_installed_plugin_shows_in_gamegen_list():
    """A fresh ``gamegen list`` finds the generator through the package's entry point."""
    listed = subprocess.run(
        [sys.executable, "-m", "gamegen", "list", "--kind", "audio", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert [(g["name"], g["origin"]) for g in json.loads(listed.stdout)] == [
        ("audio.sfx", "plugin 'sfx' (gamegen_sfx, from gamegen-sfx)")
    ]


@pytest.mark.parametrize("preset", PRESETS)
def test_conformance(gamegen_conformance, preset):
    gamegen_conformance("audio.sfx", params={"preset": preset})


def test_custom_voice_depends_on_the_seed_only_through_noise(gamegen_conformance):
    gamegen_conformance("audio.sfx", params={"preset": "custom", "wave": "noise"})
    with pytest.raises(AssertionError, match=r"\[seeds\] seeds 1 and 2 gave identical files"):
        gamegen_conformance("audio.sfx", params={"preset": "custom", "wave": "square"})


@pytest.mark.parametrize("preset", PRESETS)
def test_wav_is_16bit_mono_44k_and_does_not_clip(preset):
    asset = _sfx(seed=3, preset=preset)
    pcm, info = _read(asset)
    assert (info.nchannels, info.sampwidth, info.framerate, info.comptype) == (1, 2, SAMPLE_RATE, "NONE")
    assert info.nframes == pcm.size == asset.meta["frames"] > 0
    assert asset.meta["duration_s"] == pytest.approx(pcm.size / SAMPLE_RATE, abs=1e-6)
    assert asset.meta["clipped_samples"] == 0 and np.abs(pcm.astype(int)).max() < 32767
    assert np.abs(pcm).max() > 0.05 * 32767, "audible"
    assert (asset.name, asset.suffix, asset.media_type) == (preset, ".wav", "audio/wav")


def test_length_follows_the_envelope():
    # sfxr stage lengths are slider² x 100000 samples; sustain and decay each include their end sample
    pcm, _ = _read(_sfx(preset="custom", env_attack=0.25, env_sustain=0.5, env_decay=0.25))
    assert pcm.size == 6250 + 25001 + 6251


def test_frequency_limit_ends_a_falling_sound_early():
    full, _ = _read(_sfx(preset="custom", freq_ramp=-0.6))
    limited, _ = _read(_sfx(preset="custom", freq_ramp=-0.6, freq_limit=0.25))
    assert 0 < limited.size < full.size


def test_pitch_matches_sfxr_frequency_scale():
    pcm, _ = _read(_sfx(preset="custom", wave="sine", base_freq=0.5))
    peak = np.fft.rfftfreq(pcm.size, 1 / SAMPLE_RATE)[np.abs(np.fft.rfft(pcm)).argmax()]
    period = int(100 / (0.5**2 + 0.001))  # sfxr: period in 8x-supersampled steps
    assert peak == pytest.approx(SAMPLE_RATE * 8 / period, rel=0.01)


def test_presets_sound_different():
    spectra = {p: _band_energies(_read(_sfx(seed=1, preset=p))[0]) for p in PRESETS}
    for a, b in itertools.combinations(spectra, 2):
        assert np.abs(spectra[a] - spectra[b]).sum() > 0.3, f"{a} and {b} have near-identical spectra"


def test_set_parameters_override_the_preset_and_are_recorded():
    asset = _sfx(seed=5, preset="laser", wave="sine", hpf_freq=0.0)
    assert asset.meta["synth"]["wave"] == "sine" and asset.meta["synth"]["hpf_freq"] == 0.0
    rolled = _sfx(seed=5, preset="laser").meta["synth"]
    assert asset.meta["synth"]["base_freq"] == rolled["base_freq"]


def test_every_synth_parameter_is_settable_and_changes_the_sound():
    assert set(VARIED) == {f.name for f in dataclasses.fields(Voice)}
    for name, (value, context) in VARIED.items():
        base, _ = _read(_sfx(preset="custom", **context))
        asset = _sfx(preset="custom", **context, **{name: value})
        changed, _ = _read(asset)
        assert asset.meta["synth"][name] == value
        assert base.size != changed.size or not np.array_equal(base, changed), f"{name}={value} changes nothing"


def test_volume_scales_the_samples_without_normalisation():
    loud, _ = _read(_sfx(preset="custom", normalize=False, volume=0.5))
    quiet, _ = _read(_sfx(preset="custom", normalize=False, volume=0.25))
    assert np.abs(quiet - loud.astype(float) / 2).max() <= 1.0


def test_full_volume_clipping_is_reported():
    asset = _sfx(preset="custom", normalize=False, volume=1.0, env_punch=1.0, lpf_freq=0.3, lpf_resonance=1.0)
    pcm, _ = _read(asset)
    assert asset.meta["clipped_samples"] > 0
    assert asset.meta["clipped_samples"] == np.count_nonzero(np.abs(pcm.astype(int)) == 32767)


def test_frequency_limit_above_the_start_frequency_is_a_parameter_error():
    with pytest.raises(gamegen.ParamError, match=r"freq_limit=0\.6: the sound starts below .*\(base_freq=0\.3\)"):
        _sfx(preset="custom", freq_limit=0.6)


def test_out_of_range_and_unknown_choices_name_the_parameter():
    with pytest.raises(gamegen.ParamError, match=r"base_freq=1\.5.*0\.0 ≤ base_freq ≤ 1\.0"):
        _sfx(base_freq=1.5)
    with pytest.raises(gamegen.ParamError, match="preset"):
        _sfx(preset="boom")


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_is_centred_ends_silent_and_peaks_at_minus_1_dbfs(preset):
    """Read back with libsndfile, for several seeds: |mean| < 0.5% of full scale, the last 5 ms below -40 dBFS (RMS),
    no sample at full scale, and the peak within 0.1 dB of -1 dBFS."""
    for seed in SEEDS:
        asset = _sfx(seed=seed, preset=preset)
        pcm, x = _read_sf(asset)
        where = f"{preset} seed {seed}"
        assert abs(x.mean()) < 0.005, f"{where}: DC offset {x.mean():+.2%} of full scale"
        assert _dbfs(np.sqrt(np.mean(x[-TAIL:] ** 2))) < -40.0, f"{where}: the last 5 ms are not silent"
        assert np.abs(pcm.astype(int)).max() < 32767 and pcm.min() > -32768, f"{where}: a sample at full scale"
        assert _dbfs(np.abs(x).max()) == pytest.approx(-1.0, abs=0.1), where
        assert asset.meta["peak_dbfs"] == pytest.approx(-1.0, abs=1e-3) and asset.meta["clipped_samples"] == 0
        assert abs(asset.meta["dc_offset"]) < 1e-4 and asset.meta["loudness"] == "peak -1 dBFS"


@pytest.mark.parametrize(("preset", "seed"), [("laser", 3), ("laser", 4), ("blip", 2)])
def test_a_sound_cut_off_mid_wave_fades_out_instead_of_clicking(preset, seed):
    """These voices stop at full level (a frequency limit, or no decay), which raw sfxr ends with a click. The release
    is a raised-cosine fade over 10 ms, then 5 ms of silence, within the envelope's length."""
    asset = _sfx(seed=seed, preset=preset)
    raw = render(Voice(**asset.meta["synth"]), np.random.default_rng(0))
    assert raw.size == asset.meta["frames"] and np.sqrt(np.mean(raw[-TAIL:] ** 2)) > 0.05, "raw sfxr ends loud"
    pcm, x = _read_sf(asset)
    fade, silence = round(FADE_S * SAMPLE_RATE), round(SILENCE_S * SAMPLE_RATE)
    assert (pcm[-silence:] == 0).all() and abs(x[-silence - 1]) < 1e-3
    quarters = [np.abs(q).max() for q in np.array_split(x[-silence - fade : -silence], 4)]
    assert quarters == sorted(quarters, reverse=True) and quarters[3] < 0.25 * quarters[0], quarters


def test_normalisation_can_be_turned_off_or_retargeted():
    quiet = _sfx(seed=2, preset="powerup", peak_dbfs=-6.0)
    assert _dbfs(np.abs(_read_sf(quiet)[1]).max()) == pytest.approx(-6.0, abs=0.1)
    assert quiet.meta["loudness"] == "peak -6 dBFS"
    raw = _sfx(seed=2, preset="powerup", normalize=False)
    pcm, x = _read_sf(raw)
    assert raw.meta["loudness"] == "sfxr volume 0.5" and _dbfs(np.abs(x).max()) < -6.0
    assert abs(x.mean()) < 0.005 and (pcm[-TAIL:] == 0).all(), "DC removal and the release apply without it too"


def test_volume_with_normalisation_is_a_parameter_error():
    with pytest.raises(gamegen.ParamError, match=r"volume=0\.25: .*only with normalize=false"):
        _sfx(preset="coin", volume=0.25)
    assert _sfx(preset="coin", volume=0.5).meta["peak_dbfs"] == pytest.approx(-1.0, abs=1e-3)


def test_mastering_is_deterministic_per_seed():
    assert _sfx(seed=7, preset="explosion").data == _sfx(seed=7, preset="explosion").data
    assert _sfx(seed=7, preset="explosion").data != _sfx(seed=8, preset="explosion").data
