"""The ML runtime: tiny models saved with save_pretrained load through the same path as users' real weights."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("torch")

from tiny_models import make_tiny_gpt2, make_tiny_sd  # noqa: E402

import gamegen  # noqa: E402
from gamegen.ml import (  # noqa: E402
    check_weights,
    load_causal_lm,
    load_diffusers_pipeline,
    parse_hub_id,
    resolve_model_path,
    select_device,
    select_dtype,
    weights_sha256,
)


@pytest.fixture(scope="module")
def tiny_sd(tmp_path_factory):
    return make_tiny_sd(tmp_path_factory.mktemp("models") / "tiny-sd")


@pytest.fixture(scope="module")
def tiny_gpt2(tmp_path_factory):
    return make_tiny_gpt2(tmp_path_factory.mktemp("models") / "tiny-gpt2")


def test_diffusers_pipeline_loads_and_is_recorded(tiny_sd):
    messages = []
    ctx = gamegen.Context(3, progress=lambda done, total, message: messages.append(message))
    loaded = load_diffusers_pipeline(str(tiny_sd), ctx=ctx)
    assert messages == [f"loading diffusers model {tiny_sd} on cpu (float32)"]  # the load is reported
    assert type(loaded.obj).__name__ == "StableDiffusionPipeline"
    assert loaded.device == "cpu" and str(loaded.dtype) == "torch.float32"
    assert ctx.neural and ctx.models[0].model_id == tiny_sd.name  # a local folder is recorded by its name
    assert ctx.models[0].weights_sha256 == weights_sha256(tiny_sd)
    again = load_diffusers_pipeline(str(tiny_sd), ctx=gamegen.Context(4))
    assert again.obj is loaded.obj  # one loaded copy per process


def test_causal_lm_loads_with_tokenizer(tiny_gpt2):
    ctx = gamegen.Context(0)
    model, tokenizer = load_causal_lm(str(tiny_gpt2), ctx=ctx).obj
    ids = tokenizer("The old tavern", return_tensors="pt").input_ids
    assert model(ids).logits.shape[-1] == model.config.vocab_size
    assert ctx.models[0].weights_sha256 == weights_sha256(tiny_gpt2)


def test_weights_hash_changes_with_the_weights(tiny_gpt2, tmp_path):
    copy = shutil.copytree(tiny_gpt2, tmp_path / "copy")
    assert weights_sha256(copy) == weights_sha256(tiny_gpt2)
    with open(copy / "model.safetensors", "r+b") as fh:
        fh.seek(-4, 2)
        fh.write(b"\x01\x02\x03\x04")
    assert weights_sha256(copy) != weights_sha256(tiny_gpt2)


def test_pickle_only_weights_are_refused_unless_allowed(tmp_path):
    (tmp_path / "pytorch_model.bin").write_bytes(b"not really a pickle")
    with pytest.raises(gamegen.ModelLoadError, match="only pickle weights"):
        check_weights(tmp_path)
    check_weights(tmp_path, allow_pickle=True)


def test_unknown_hub_id_offline_fails_clearly(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(gamegen.ModelLoadError, match="could not be fetched from the hub"):
        resolve_model_path("nobody-here/no-such-model-xyz", progress=lambda m: None)
    with pytest.raises(gamegen.ModelLoadError, match="neither a model folder nor a hub id"):
        resolve_model_path("./missing/folder")


def test_a_hub_revision_pins_the_snapshot(monkeypatch, tmp_path):
    from build_gens import offline_hub

    download = offline_hub(monkeypatch, tmp_path / "hf")
    old = download("org/model", b"\x01" * 32)
    new = download("org/model", b"\x02" * 32)  # the hub moved on: refs/main now names the newer snapshot
    assert resolve_model_path("org/model", progress=lambda m: None) == new
    assert resolve_model_path(f"org/model@{old.name}", progress=lambda m: None) == old
    assert parse_hub_id("org/model@v1.0") == ("org/model", "v1.0") and parse_hub_id("org/model") == ("org/model", None)
    assert parse_hub_id("a/b/c") is None and parse_hub_id(str(tmp_path)) is None  # paths are not hub ids


def test_device_and_dtype_choice():
    assert select_device("cpu") == "cpu"
    assert select_device() in ("cuda", "mps", "cpu")
    assert str(select_dtype("cpu")) == "torch.float32"
    assert str(select_dtype("cuda")) == "torch.float16"
    with pytest.raises(gamegen.ModelLoadError, match="unknown dtype"):
        select_dtype("cpu", "float7")
