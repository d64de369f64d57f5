"""texture.diffusion on a tiny Stable Diffusion saved with save_pretrained: true tiling, PBR set, provenance."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from build_gens import offline_hub  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from PIL import Image  # noqa: E402
from tiny_models import make_tiny_sd  # noqa: E402

import gamegen  # noqa: E402
from gamegen.cli import main  # noqa: E402
from gamegen.ml import load_diffusers_pipeline  # noqa: E402
from gamegen.ml.diffusion import text_to_image  # noqa: E402
from gamegen.ml.tiling import circular_padding  # noqa: E402
from gamegen.texture.diffusion import resize_tiling  # noqa: E402
from gamegen.texture.noise import spectral_noise  # noqa: E402
from gamegen.texture.quality import SEAM_LIMIT  # noqa: E402

FAST = {"size": 64, "steps": 2}


@pytest.fixture(scope="module")
def tiny_sd(tmp_path_factory):
    return str(make_tiny_sd(tmp_path_factory.mktemp("models") / "tiny-sd"))


@pytest.fixture(scope="module")
def pipe(tiny_sd):
    return load_diffusers_pipeline(tiny_sd).obj


def _image(pipe, latents: torch.Tensor) -> np.ndarray:
    """A float image from fixed initial latents (no randomness left in the call)."""
    return pipe("stone wall", num_inference_steps=3, height=64, width=64, latents=latents, output_type="np").images[0]


@pytest.mark.parametrize("axes", ["x", "y", "xy"])
def test_rolling_the_latents_rolls_the_image_only_with_circular_padding(pipe, axes):
    latents = torch.randn(1, 4, 32, 32, generator=torch.Generator().manual_seed(0))
    dy, dx = (4 if "y" in axes else 0), (6 if "x" in axes else 0)  # latent pixels; the VAE doubles them
    rolled = torch.roll(latents, (dy, dx), dims=(2, 3))
    with circular_padding([pipe.unet, pipe.vae], axes):
        tiled, tiled_rolled = _image(pipe, latents), _image(pipe, rolled)
    plain, plain_rolled = _image(pipe, latents), _image(pipe, rolled)
    shift = (2 * dy, 2 * dx)
    assert np.abs(np.roll(tiled, shift, axis=(0, 1)) - tiled_rolled).max() < 1e-4
    assert np.abs(np.roll(plain, shift, axis=(0, 1)) - plain_rolled).max() > 1e-2


@pytest.mark.parametrize("axes", ["x", "y", "xy"])
def test_the_vae_encoder_wraps_too_so_image_to_image_keeps_tiling(pipe, axes):
    """The encoder's downsampler zero-pads one trailing row and column itself; tiling must wrap those as well."""
    image = torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(2)) * 2 - 1
    dy, dx = (6 if "y" in axes else 0), (10 if "x" in axes else 0)  # image pixels; the latents move half as far

    def errors() -> tuple[float, float]:
        """How far encoding is from commuting with a roll along the tiled axes, and along the others."""
        with torch.no_grad():
            encode = lambda x: pipe.vae.encode(x).latent_dist.mean  # noqa: E731
            latents = encode(image)
            tiled = encode(torch.roll(image, (dy, dx), (2, 3))) - torch.roll(latents, (dy // 2, dx // 2), (2, 3))
            other = (6, 0) if axes == "x" else (0, 10)
            untiled = encode(torch.roll(image, other, (2, 3))) - torch.roll(
                latents, (other[0] // 2, other[1] // 2), (2, 3)
            )
        return tiled.abs().max().item(), untiled.abs().max().item()

    with circular_padding([pipe.unet, pipe.vae], axes):
        tiled, untiled = errors()
    assert tiled < 1e-4
    assert untiled > 1e-3 or axes == "xy"  # the other axis keeps its zero padding
    assert errors()[0] > 1e-3  # and plain zero padding again afterwards


def test_padding_is_restored_so_one_pipeline_serves_both(pipe):
    latents = torch.randn(1, 4, 32, 32, generator=torch.Generator().manual_seed(1))
    convs = [m for part in (pipe.unet, pipe.vae) for m in part.modules() if isinstance(m, torch.nn.Conv2d)]
    saved = [(m.padding, m.padding_mode) for m in convs]
    before = _image(pipe, latents)
    with circular_padding([pipe.unet, pipe.vae], "xy") as patched:
        tiled = _image(pipe, latents)
    assert patched > 40 and not np.array_equal(tiled, before)
    assert [(m.padding, m.padding_mode) for m in convs] == saved
    assert all(not m._forward_pre_hooks for m in convs)
    assert np.array_equal(_image(pipe, latents), before)


def test_helper_uses_the_context_generator_and_returns_uint8(pipe):
    a = text_to_image(pipe, gamegen.Context(5), "stone", steps=2, guidance=7.5, width=64, height=64, count=2)
    b = text_to_image(pipe, gamegen.Context(5), "stone", steps=2, guidance=7.5, width=64, height=64, count=2)
    assert len(a) == 2 and a[0].dtype == np.uint8 and a[0].shape == (64, 64, 3)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True)) and not np.array_equal(a[0], a[1])


def test_text_to_texture_bundle_records_the_model_and_the_prompt(tiny_sd, tmp_path):
    steps = []
    gamegen.generate(
        "texture.diffusion",
        model=tiny_sd,
        prompt="brick wall",
        negative_prompt="moss",
        guidance=5.0,
        seed=3,
        out=tmp_path / "a",
        progress=lambda d, t, m: steps.append((d, t, m)),
        **FAST,
    )
    assert (2, 2, "denoising") in steps
    manifest = json.loads((tmp_path / "a/manifest.json").read_text())
    entry = manifest["assets"][0]
    files = {f["path"].split("/")[-1]: f for f in entry["files"]}
    assert set(files) == {"albedo.png", "normal.png", "roughness.png", "height.png", "ao.png", "orm.png", "preview.glb"}
    record = files["albedo.png"]["meta"]["diffusion"]
    assert record["prompt"] == "brick wall" and record["negative_prompt"] == "moss"
    assert record["steps"] == 2 and record["guidance"] == 5.0 and record["scheduler"] == "DDIMScheduler"
    model = entry["provenance"]["models"][0]
    assert model["model_id"] == Path(tiny_sd).name and record["weights_sha256"] == model["weights_sha256"]
    assert all(f["ai_generated"] for f in files.values())
    quality = files["albedo.png"]["meta"]["quality"]
    assert quality["seam_x"] <= SEAM_LIMIT and quality["seam_y"] <= SEAM_LIMIT
    assert files["normal.png"]["meta"]["normal_convention"] == "opengl"
    assert Image.open(tmp_path / "a/texture.diffusion/albedo.png").size == (64, 64)


def test_same_seed_same_bytes_other_seed_differs(tiny_sd, tmp_path):
    for out, seed in (("a", 1), ("b", 1), ("c", 2)):
        gamegen.generate("texture.diffusion", model=tiny_sd, seed=seed, out=tmp_path / out, preview="none", **FAST)
    read = lambda b: (tmp_path / b / "texture.diffusion/albedo.png").read_bytes()  # noqa: E731
    assert read("a") == read("b") != read("c")


def test_cli_tiles_one_axis_for_the_unreal_profile(tiny_sd, tmp_path):
    res = CliRunner().invoke(
        main,
        [
            "generate",
            "texture.diffusion",
            "-o",
            str(tmp_path / "b"),
            "--set",
            f"model={tiny_sd}",
            "--set",
            "size=64",
            "--set",
            "steps=2",
            "--set",
            "tiling=x",
            "--profile",
            "unreal",
        ],
    )
    assert res.exit_code == 0, res.output
    files = {f["path"]: f for f in json.loads((tmp_path / "b/manifest.json").read_text())["assets"][0]["files"]}
    normal = files["texture.diffusion/normal.png"]["meta"]
    assert normal["normal_convention"] == "directx" and normal["tiling"] == "x"
    assert normal["quality"]["seam_x"] <= SEAM_LIMIT


def test_tiled_output_wraps_like_interior_and_untiled_is_left_alone(tiny_sd):
    tiled = gamegen.generate("texture.diffusion", model=tiny_sd, tiling="xy", preview="none", **FAST)[0]
    plain = gamegen.generate("texture.diffusion", model=tiny_sd, tiling="none", preview="none", **FAST)[0]
    assert tiled.meta["tiling"] == "xy" and plain.meta["tiling"] == "none"
    assert max(tiled.meta["quality"]["seam_x"], tiled.meta["quality"]["seam_y"]) <= SEAM_LIMIT
    assert not np.array_equal(tiled.array, plain.array)


def test_image_to_texture_variations(tiny_sd, tmp_path):
    source = gamegen.generate("texture.material", family="brick", size=64, preview="none")[0].array
    path = tmp_path / "bricks.png"
    Image.fromarray(source).save(path)
    assets = gamegen.generate(
        "texture.diffusion",
        model=tiny_sd,
        init_image=str(path),
        strength=0.5,
        count=2,
        out=tmp_path / "out",
        preview="none",
        steps=4,
        size=64,
    )
    names = [a.name for a in assets]
    assert names[:2] == ["v0_albedo", "v0_normal"] and "v1_orm" in names
    assert assets[0].meta["diffusion"]["strength"] == 0.5
    manifest = json.loads((tmp_path / "out/manifest.json").read_text())
    assert "bricks.png" in manifest["assets"][0]["provenance"]["inputs"]


@pytest.mark.parametrize("src", [96, 48])  # shrink 3:2 and enlarge 3:4; a 3-pixel roll is a whole output shift
def test_the_init_image_is_resized_across_its_tiled_edges(src):
    """Resizing commutes with rolling along the tiled axes (no seam from clamped borders), and only along those."""
    grey = np.round(spectral_noise(np.random.default_rng(0), src, src / 4, beta=1.0) * 255).astype(np.uint8)
    rgb = np.repeat(grey[..., None], 3, axis=2)

    def error(tiling: str, axis: int) -> int:
        """Largest difference between resizing a 3-pixel roll and rolling the resized image."""
        out = resize_tiling(rgb, 64, tiling).astype(int)
        return int(np.abs(resize_tiling(np.roll(rgb, 3, axis), 64, tiling) - np.roll(out, 3 * 64 // src, axis)).max())

    assert error("xy", 0) == error("xy", 1) == 0
    assert error("x", 1) == 0 and error("x", 0) > 5  # y keeps the clamped border
    assert min(error("none", 0), error("none", 1)) > 5


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"size": 96}, "size=96: value error, must be a multiple of 64"),
        ({"init_image": "/no/such.png"}, "init_image='/no/such.png': no such file"),
        ({"steps": 0}, "allowed: 1 ≤ steps ≤ 150"),
        ({"tiling": "z"}, "tiling='z': input should be 'none', 'x', 'y' or 'xy'"),
        ({"strength": 0}, "allowed: 0.0 < strength ≤ 1.0"),
        ({"guidance": -1}, "allowed: 0.0 ≤ guidance ≤ 30.0"),
        ({"count": 9}, "allowed: 1 ≤ count ≤ 8"),
        ({"size": 4096}, "allowed: 64 ≤ size ≤ 2048"),
    ],
)
def test_bad_parameters_are_named(tiny_sd, params, needle):
    with pytest.raises(gamegen.ParamError) as err:
        gamegen.generate("texture.diffusion", model=tiny_sd, **{**FAST, **params})
    assert needle in str(err.value)


def test_too_little_strength_for_the_steps_is_refused(tiny_sd, tmp_path):
    path = tmp_path / "grey.png"
    Image.new("RGB", (64, 64), (128, 128, 128)).save(path)
    with pytest.raises(gamegen.ParamError, match=r"strength=0.1: with steps=2 no denoising step"):
        gamegen.generate("texture.diffusion", model=tiny_sd, init_image=str(path), strength=0.1, **FAST)


def test_a_broken_seamless_promise_is_an_error(tiny_sd, monkeypatch):
    """The quality check runs on the generated set: an image with a seam fails a promised axis, not the others."""
    ramp = np.repeat(np.linspace(0, 255, 64).astype(np.uint8)[None, :, None], 64, 0).repeat(3, 2)  # seam across x
    monkeypatch.setattr("gamegen.ml.diffusion.text_to_image", lambda *a, **k: [ramp])
    with pytest.raises(gamegen.QualityError, match="albedo: promised to tile along x"):
        gamegen.generate("texture.diffusion", model=tiny_sd, tiling="xy", **FAST)
    assets = gamegen.generate("texture.diffusion", model=tiny_sd, tiling="y", preview="none", **FAST)
    assert assets[0].meta["quality"]["seam_x"] > SEAM_LIMIT


def test_tiling_a_model_without_a_unet_is_refused(tiny_sd, monkeypatch):
    """Transformer pipelines (SD3, Flux) have no convolutions to pad: tiling is a parameter error, not a seam."""
    loaded = load_diffusers_pipeline(tiny_sd)

    class Transformer:
        unet = None

    monkeypatch.setattr("gamegen.ml.load_diffusers_pipeline", lambda *a, **k: replace(loaded, obj=Transformer()))
    with pytest.raises(gamegen.ParamError, match="tiling='xy': .* has no UNet .* use tiling=none"):
        gamegen.generate("texture.diffusion", model=tiny_sd, tiling="xy", **FAST)


def test_a_hub_id_loads_from_the_hugging_face_cache(tiny_sd, tmp_path, monkeypatch):
    download = offline_hub(monkeypatch, tmp_path / "hf")
    snapshot = download("gamegen-tests/tiny-sd", b"")
    shutil.copytree(tiny_sd, snapshot, dirs_exist_ok=True)
    (snapshot / "model.safetensors").unlink()  # only the pipeline's own files
    gamegen.generate("texture.diffusion", model="gamegen-tests/tiny-sd", out=tmp_path / "b", preview="none", **FAST)
    entry = json.loads((tmp_path / "b/manifest.json").read_text())["assets"][0]
    assert entry["provenance"]["models"][0]["model_id"] == "gamegen-tests/tiny-sd"
    assert entry["files"][0]["meta"]["diffusion"]["model"] == "gamegen-tests/tiny-sd"


def test_missing_model_is_a_model_load_error(tmp_path):
    with pytest.raises(gamegen.ModelLoadError, match="no weight files"):
        gamegen.generate("texture.diffusion", model=str(tmp_path), **FAST)


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")  # inside diffusers' Euler scheduler
@pytest.mark.parametrize(("layout", "scheduler"), [("sd2", "DDIMScheduler"), ("sdxl", "EulerDiscreteScheduler")])
def test_sd2_and_sdxl_layouts_load_from_the_model_index_and_tile(tmp_path, layout, scheduler):
    model = str(make_tiny_sd(tmp_path / layout, layout))
    text = gamegen.generate("texture.diffusion", model=model, preview="none", **FAST)[0]
    assert text.meta["diffusion"]["scheduler"] == scheduler
    assert max(text.meta["quality"]["seam_x"], text.meta["quality"]["seam_y"]) <= SEAM_LIMIT
    Image.fromarray(text.array).save(tmp_path / "init.png")
    image = gamegen.generate(
        "texture.diffusion", model=model, init_image=str(tmp_path / "init.png"), preview="none", size=64, steps=4
    )[0]
    assert image.array.shape == (64, 64, 3) and image.meta["diffusion"]["strength"] == 0.6
    assert max(image.meta["quality"]["seam_x"], image.meta["quality"]["seam_y"]) <= SEAM_LIMIT
