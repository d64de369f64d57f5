"""image.lora on a tiny Stable Diffusion saved with save_pretrained, and its adapters in texture.diffusion and
character.diffusion: training writes a loadable LoRA, scale 0 is the base model, tiling survives, runs repeat and
resume byte for byte, bad bases and adapters are refused in one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from click.testing import CliRunner  # noqa: E402
from PIL import Image  # noqa: E402
from tiny_models import make_tiny_sd  # noqa: E402

import gamegen  # noqa: E402
from gamegen.character.diffusion import CharacterDiffusion  # noqa: E402
from gamegen.cli import main  # noqa: E402
from gamegen.digests import file_sha256  # noqa: E402
from gamegen.errors import ModelLoadError, ParamError, TrainingError  # noqa: E402
from gamegen.ml import load_diffusers_pipeline  # noqa: E402
from gamegen.ml.lora import LORA_WEIGHTS  # noqa: E402
from gamegen.ml.tiling import circular_padding  # noqa: E402
from gamegen.testing import check_trainer  # noqa: E402
from gamegen.texture.diffusion import TextureDiffusion  # noqa: E402
from gamegen.texture.quality import SEAM_LIMIT  # noqa: E402
from gamegen.training import read_card, train  # noqa: E402
from gamegen.training.image.images import crop_offsets, wrap_crop  # noqa: E402

QUICK = {"steps": 3, "resolution": 32, "sample_count": 2, "sample_steps": 2, "learning_rate": 5e-2}
GEN = {"size": 64, "steps": 2, "preview": "none", "seed": 4}


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny models train fastest on one thread (several threads spin against each other on a busy machine)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def tiny_sd(tmp_path_factory) -> str:
    return str(make_tiny_sd(tmp_path_factory.mktemp("models") / "tiny-sd"))


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """Four 48² pictures (wavy stripes that tile) with captions from the tiny tokenizer's words."""
    folder = tmp_path_factory.mktemp("data")
    yy, xx = np.mgrid[0:48, 0:48] / 48 * 2 * np.pi
    for i, caption in enumerate(["stone wall", "brick wall", "moss stone", "a brick"]):
        rgb = np.stack([np.sin(xx * (i + 1)), np.cos(yy * 2), np.sin(xx + yy * (i % 2 + 1))], -1) * 120 + 128
        Image.fromarray(rgb.astype(np.uint8)).save(folder / f"tile{i}.png")
        (folder / f"tile{i}.txt").write_text(caption)
    return folder


@pytest.fixture(scope="module")
def tiling_lora(tiny_sd, data, tmp_path_factory) -> Path:
    """A LoRA trained for seamless tiles (and strongly, so that it visibly changes pictures)."""
    out = tmp_path_factory.mktemp("lora") / "stone"
    train("image.lora", data, out, {**QUICK, "base": tiny_sd, "tiling": "xy", "heldout": 0.25}, seed=1)
    return out


def test_a_trained_lora_folder_holds_diffusers_weights_card_and_samples(tiling_lora, tiny_sd):
    card = read_card(tiling_lora)
    assert card is not None and card["trainer"] == {"name": "image.lora", "version": "1.0.0"}
    assert card["base"]["model"] == "tiny-sd" and card["base"]["sha256"] == load_diffusers_pipeline(tiny_sd).weights_sha256
    assert card["dataset"]["fingerprint"] and card["dataset"]["items"] == 4
    assert card["weights"] == {LORA_WEIGHTS: file_sha256(tiling_lora / LORA_WEIGHTS)}
    assert set(card["metrics"]) == {"final_loss", "heldout_loss", "heldout_loss_before"}
    assert card["extra"]["tiling"] == "xy" and card["extra"]["train_items"] == 3 and card["extra"]["heldout_items"] == 1
    from safetensors import safe_open

    with safe_open(tiling_lora / LORA_WEIGHTS, "pt") as f:
        keys = list(f.keys())
    assert keys and all(k.startswith("unet.") and ".lora." in k for k in keys)
    assert any(".attn1.to_q." in k for k in keys) and any(".to_out.0." in k for k in keys)
    with Image.open(tiling_lora / "samples.png") as grid:  # two samples, each shown 2 × 2 (tiling xy)
        assert grid.width > grid.height >= 2 * 32
    assert (tiling_lora / "loss.png").is_file() and (tiling_lora / "README.md").is_file()


def test_the_lora_changes_texture_diffusion_and_scale_zero_is_the_base_model(tiny_sd, tiling_lora, tmp_path):
    plain = gamegen.generate("texture.diffusion", model=tiny_sd, **GEN)[0].array
    run = gamegen.generate("texture.diffusion", model=tiny_sd, lora=str(tiling_lora), out=tmp_path / "b", **GEN)
    zero = gamegen.generate("texture.diffusion", model=tiny_sd, lora=str(tiling_lora), lora_scale=0.0, **GEN)[0].array
    after = gamegen.generate("texture.diffusion", model=tiny_sd, **GEN)[0].array  # the cached pipeline is clean again
    assert np.abs(run[0].array.astype(int) - plain).mean() > 2.0
    assert np.array_equal(zero, plain) and np.array_equal(after, plain)
    entry = json.loads((tmp_path / "b/manifest.json").read_text())["assets"][0]
    digest = file_sha256(tiling_lora / LORA_WEIGHTS)
    models = {m["model_id"]: m for m in entry["provenance"]["models"]}
    assert models["stone"]["weights_sha256"] == digest and models["stone"]["kind"] == "lora"
    assert "tiny-sd" in models and all(f["ai_generated"] for f in entry["files"])
    assert run[0].meta["diffusion"]["lora"] == [{"adapter": "stone", "sha256": digest, "scale": 1.0}]


def test_a_tiling_lora_keeps_textures_seamless(tiny_sd, tiling_lora):
    asset = gamegen.generate("texture.diffusion", model=tiny_sd, lora=str(tiling_lora), tiling="xy", **GEN)[0]
    assert max(asset.meta["quality"]["seam_x"], asset.meta["quality"]["seam_y"]) <= SEAM_LIMIT
    pipe = load_diffusers_pipeline(tiny_sd).obj
    latents = torch.randn(1, 4, 32, 32, generator=torch.Generator().manual_seed(0))
    rolled = torch.roll(latents, (4, 6), dims=(2, 3))

    def image(lat: torch.Tensor) -> np.ndarray:
        return pipe("stone wall", num_inference_steps=2, height=64, width=64, latents=lat, output_type="np").images[0]

    pipe.load_lora_weights(str(tiling_lora), adapter_name="t")
    try:
        scales = {m.scaling["t"] for m in pipe.unet.modules() if hasattr(m, "scaling") and "t" in m.scaling}
        assert scales == {1.0}  # alpha = rank, as trained
        with circular_padding([pipe.unet, pipe.vae], "xy"):
            tiled, tiled_rolled = image(latents), image(rolled)
    finally:
        pipe.unload_lora_weights()
    assert np.abs(np.roll(tiled, (8, 12), axis=(0, 1)) - tiled_rolled).max() < 1e-4


def test_a_resumed_run_ends_with_the_same_weights(tiny_sd, data, tmp_path):
    """Every piece of state in play: tiling crops, uncached latents, accumulation, SNR, warm-up and cosine (the
    conformance kit below checks same seed → same bytes, and resuming at the quick parameters)."""
    params = {
        **QUICK,
        "base": tiny_sd,
        "steps": 4,
        "checkpoint_every": 2,
        "sample_count": 0,
        "tiling": "x",
        "cache_latents": False,
        "gradient_accumulation": 2,
        "snr_gamma": 5.0,
        "lr_schedule": "cosine",
        "warmup_steps": 1,
    }
    weights = lambda name: (tmp_path / name / LORA_WEIGHTS).read_bytes()  # noqa: E731
    train("image.lora", data, tmp_path / "a", params, seed=7)

    class Killed(Exception):
        pass

    def kill_in_step_3(done: int, total: int, message: str) -> None:
        if done == 3 and message.startswith("loss"):
            raise Killed

    with pytest.raises(TrainingError) as err:
        train("image.lora", data, tmp_path / "b", params, seed=7, progress=kill_in_step_3)
    assert isinstance(err.value.__cause__, Killed) and not (tmp_path / "b").exists()
    report = train("image.lora", data, tmp_path / "b", params, seed=7, resume=True)
    assert report.resumed_from == 2 and weights("b") == weights("a")


def test_image_lora_passes_the_trainer_conformance_kit(tiny_sd, data, tmp_path):
    report = check_trainer("image.lora", data, params={"base": tiny_sd}, workdir=tmp_path / "kit")
    assert report.ok, str(report)


def test_a_text_encoder_lora_loads_into_character_diffusion(tiny_sd, data, tmp_path):
    out = tmp_path / "knight"
    train("image.lora", data, out, {**QUICK, "base": tiny_sd, "steps": 2, "train_text_encoder": True}, seed=2)
    from safetensors import safe_open

    with safe_open(out / LORA_WEIGHTS, "pt") as f:
        assert any(k.startswith("text_encoder.") for k in f.keys())
    sprite = {"model": tiny_sd, "steps": 2, "resolution": 64, "size": 16, "seed": 1}
    plain = gamegen.generate("character.diffusion", **sprite)[-1]
    tuned = gamegen.generate("character.diffusion", lora=str(out), **sprite)[-1]
    assert tuned.name == "sprite_source" and not np.array_equal(plain.array, tuned.array)
    assert tuned.meta["lora"][0]["sha256"] == file_sha256(out / LORA_WEIGHTS)


def test_several_adapters_are_inputs_of_the_run_and_bad_ones_are_named(tiny_sd, tiling_lora, tmp_path):
    single = tmp_path / "copy.safetensors"
    shutil.copyfile(tiling_lora / LORA_WEIGHTS, single)
    params = TextureDiffusion.validate({"model": tiny_sd, "lora": f"{tiling_lora},{single}", "size": 64})
    assert {str(p) for p in TextureDiffusion().input_files(params)} >= {str(tiling_lora), str(single)}
    sprite = CharacterDiffusion.validate({"model": tiny_sd, "lora": str(single)})
    assert str(single) in {str(p) for p in CharacterDiffusion().input_files(sprite)}
    both = gamegen.generate("texture.diffusion", model=tiny_sd, lora=f"{tiling_lora},{single}", lora_scale=0.5, **GEN)
    assert [a["scale"] for a in both[0].meta["diffusion"]["lora"]] == [0.5, 0.5]
    (tmp_path / "empty").mkdir()
    (tmp_path / "old.bin").write_bytes(b"pickle")
    for value, needle in (
        (str(tmp_path / "nope"), "no such file or folder"),
        (str(tmp_path / "empty"), f"has no {LORA_WEIGHTS}"),
        (str(tmp_path / "old.bin"), "only .safetensors adapters"),
    ):
        with pytest.raises(ParamError, match=f"lora=.*{needle}"):
            gamegen.generate("texture.diffusion", model=tiny_sd, lora=value, **GEN)
    from safetensors.torch import save_file

    save_file({"foo.weight": torch.zeros(2, 2)}, tmp_path / "junk.safetensors")
    with pytest.raises(ModelLoadError, match="junk.safetensors: not a LoRA for this model") as err:
        gamegen.generate("texture.diffusion", model=tiny_sd, lora=str(tmp_path / "junk.safetensors"), **GEN)
    assert err.value.exit_code == 1
    with pytest.raises(ParamError, match=r"allowed: 0.0 ≤ lora_scale ≤ 2.0"):
        gamegen.generate("texture.diffusion", model=tiny_sd, lora=str(single), lora_scale=3, **GEN)


def test_a_pickle_only_base_is_refused_in_one_line(tiny_sd, data, tmp_path):
    base = tmp_path / "pickled"
    shutil.copytree(tiny_sd, base)
    for f in base.rglob("*.safetensors"):
        f.rename(f.with_suffix(".bin"))
    with pytest.raises(ModelLoadError, match="has only pickle weights") as err:
        train("image.lora", data, tmp_path / "m", {**QUICK, "base": str(base)})
    assert "\n" not in str(err.value) and not (tmp_path / "m").exists()
    args = ["train", "image.lora", "--data", str(data), "-o", str(tmp_path / "m"), "--set", f"base={base}", "--quiet"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1 and "has only pickle weights" in res.output and "Traceback" not in res.output


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"mixed_precision": "fp16"}, "mixed_precision='fp16': only on a GPU"),
        ({"warmup_steps": 9}, "warmup_steps=9: must not exceed steps=3"),
        ({"resolution": 36}, "resolution=36: value error, must be a multiple of 8"),
        ({"tiling": "z"}, "tiling='z'"),
        ({"rank": 0}, "allowed: 1 ≤ rank ≤ 256"),
    ],
)
def test_bad_settings_are_parameter_errors(tiny_sd, data, tmp_path, params, needle):
    with pytest.raises(ParamError, match=needle) as err:
        train("image.lora", data, tmp_path / "m", {**QUICK, "base": tiny_sd, **params})
    assert err.value.exit_code == 2


def test_an_sdxl_base_is_refused(data, tmp_path):
    xl = make_tiny_sd(tmp_path / "xl", "sdxl")
    with pytest.raises(ParamError, match="'text_time' conditioning .* fine-tunes Stable Diffusion 1.x/2.x"):
        train("image.lora", data, tmp_path / "m", {**QUICK, "base": str(xl)})


def test_crops_wrap_on_tiled_axes_only():
    x = torch.arange(5 * 7).reshape(1, 5, 7)
    assert torch.equal(wrap_crop(x, 3, 5, 4), torch.roll(x, (-3, -5), (1, 2))[:, :4, :4])
    rng = np.random.default_rng(0)
    offsets = np.array([crop_offsets(rng, (5, 7), 4, "x") for _ in range(200)])
    assert offsets[:, 0].max() == 1 and offsets[:, 1].max() == 6  # y stays inside, x goes all the way round
