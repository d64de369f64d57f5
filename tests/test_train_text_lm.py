"""text.lm on a tiny GPT-2 (tokenizer trained in code, no hub): held-out loss falls, LoRA and full runs give usable
folders, reruns and resumed runs are byte-identical, and narrative.llm applies the adapter (scale 0: not at all)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft")

from tiny_models import make_tiny_gpt2  # noqa: E402

import gamegen  # noqa: E402
from gamegen.errors import DatasetError, GamegenError, ModelLoadError, ParamError, TrainingError  # noqa: E402
from gamegen.testing import check_trainer  # noqa: E402
from gamegen.training import read_card, train  # noqa: E402

FAST = {"block_size": 32, "batch_size": 4, "sample_every": 10}


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny models train fastest on one thread (and the byte-identity checks need a fixed thread count)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("text-lm")


@pytest.fixture(scope="module")
def base(root: Path) -> str:
    return str(make_tiny_gpt2(root / "tiny-gpt2"))


@pytest.fixture(scope="module")
def corpus(root: Path) -> Path:
    """Fifty lines of one pattern, one JSON line each (so ten percent of them can be held out)."""
    folder = root / "lore"
    folder.mkdir()
    lines = [{"text": f"The guard of gate {i % 5} says: halt, traveller, show your pass.", "license": "CC0"}
             for i in range(50)]  # fmt: skip
    (folder / "lines.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    return folder


@pytest.fixture(scope="module")
def lora_model(root: Path, base: str, corpus: Path) -> Path:
    out = root / "lora"
    train("text.lm", corpus, out, {"base": base, "steps": 20, "learning_rate": 3e-2, **FAST}, seed=1)
    return out


@pytest.fixture(scope="module")
def full_model(root: Path, base: str, corpus: Path) -> Path:
    out = root / "full"
    train("text.lm", corpus, out, {"base": base, "method": "full", "steps": 20, "learning_rate": 3e-3, **FAST}, seed=1)
    return out


def _weights(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.safetensors"))}


def test_lora_lowers_heldout_loss_and_writes_a_peft_adapter(lora_model: Path, base: str) -> None:
    card = read_card(lora_model)
    assert card is not None
    m = card["metrics"]
    assert m["heldout_loss"] < m["heldout_loss_before"] and m["perplexity_after"] < m["perplexity_before"]
    assert m["final_loss"] > 0
    assert set(card["weights"]) == {"adapter_model.safetensors"}
    assert card["extra"]["target_modules"] == ["c_attn"] and card["extra"]["fan_in_fan_out"] is True
    assert card["extra"]["heldout_tokens"] > 0 and card["licenses"] == {"CC0": 50}
    from gamegen.ml.runtime import weights_sha256

    assert card["base"]["sha256"] == weights_sha256(Path(base))
    config = json.loads((lora_model / "adapter_config.json").read_text())
    assert config["r"] == 8 and config["base_model_name_or_path"] == "tiny-gpt2"
    samples = (lora_model / "samples.md").read_text()
    assert samples.startswith("# Samples after step 20") and "The guard of gate" in samples
    assert [s for s, _ in read_heldout(lora_model)] == [10, 20]


def read_heldout(folder: Path) -> list[tuple[int, float]]:
    rows = [line.split(",") for line in (folder / "loss.csv").read_text().splitlines()[1:]]
    return [(int(s), float(h)) for s, _, h in rows if h]


def test_full_fine_tuning_lowers_heldout_loss_and_is_a_model_folder(full_model: Path) -> None:
    card = read_card(full_model)
    assert card is not None
    m = card["metrics"]
    assert m["heldout_loss"] < m["heldout_loss_before"] - 1.0  # every weight learns the pattern's words quickly
    assert set(card["weights"]) == {"model.safetensors"}
    assert (full_model / "config.json").is_file() and (full_model / "tokenizer.json").is_file()
    assets = gamegen.generate("narrative.llm", seed=2, params={"model": str(full_model), "count": 1,
                                                               "max_new_tokens": 8, "subject": "gate"})  # fmt: skip
    assert assets[0].obj["results"][0]


def test_a_run_passes_the_trainer_conformance_kit(base: str, corpus: Path, tmp_path: Path) -> None:
    report = check_trainer("text.lm", corpus, params={"base": base}, workdir=tmp_path)
    assert report.ok, str(report)


@pytest.mark.parametrize("method", ["lora", "full"])
def test_same_seed_same_bytes_and_a_killed_run_resumes_to_the_same_bytes(
    method: str, base: str, corpus: Path, tmp_path: Path
) -> None:
    params = {"base": base, "method": method, "steps": 6, "checkpoint_every": 2, "gradient_accumulation": 2,
              "batch_size": 16, "block_size": 32, "learning_rate": 1e-3, "warmup_steps": 2}  # fmt: skip
    # batch 16 × 2 of 58 blocks: batches cross epochs, so the saved permutation and position matter
    train("text.lm", corpus, tmp_path / "a", params, seed=4)
    train("text.lm", corpus, tmp_path / "b", params, seed=4)
    assert _weights(tmp_path / "a") == _weights(tmp_path / "b")

    class Killed(Exception):
        pass

    def kill_at_step_5(done: int, total: int, message: str = "") -> None:
        if done == 5:
            raise Killed()

    with pytest.raises(TrainingError) as stopped:
        train("text.lm", corpus, tmp_path / "c", params, seed=4, progress=kill_at_step_5)
    assert isinstance(stopped.value.__cause__, Killed)
    report = train("text.lm", corpus, tmp_path / "c", params, seed=4, resume=True)
    assert report.resumed_from == 4
    assert _weights(tmp_path / "c") == _weights(tmp_path / "a")
    assert report.metrics == read_card(tmp_path / "a")["metrics"]


def _llm(base: str, **params: object) -> str:
    common = {"model": base, "task": "text", "prompt": "The guard of", "count": 2, "max_new_tokens": 12}
    assets = gamegen.generate("narrative.llm", seed=3, params={**common, **params})
    return "\n".join(assets[0].obj["results"])


def test_narrative_llm_applies_the_lora_and_scale_zero_is_the_base_alone(lora_model: Path, base: str) -> None:
    plain = _llm(base)
    adapted = _llm(base, lora=str(lora_model))
    assert adapted != plain
    assert _llm(base, lora=str(lora_model), lora_scale=0.0) == plain
    assert _llm(base, lora=str(lora_model), lora_scale=0.5) not in (plain, adapted)
    assert _llm(base, lora=str(lora_model)) == adapted  # the cached copy, not merged twice
    assert _llm(base) == plain, "the shared base model must not keep the adapter"


def test_the_adapter_joins_provenance_and_the_build_inputs(lora_model: Path, base: str, tmp_path: Path) -> None:
    from gamegen.ml.runtime import weights_sha256
    from gamegen.narrative.llm import LLMGenerator

    params = {"model": base, "lora": str(lora_model), "count": 1, "max_new_tokens": 4}
    gamegen.generate("narrative.llm", seed=1, params=params, out=tmp_path / "bundle")
    manifest = json.loads((tmp_path / "bundle" / "manifest.json").read_text())
    models = {m["model_id"]: m for m in manifest["assets"][0]["provenance"]["models"]}
    assert models["lora"]["weights_sha256"] == weights_sha256(lora_model)
    assert models["lora"]["kind"] == "lora" and models["lora"]["scale"] == 1.0
    assert "tiny-gpt2" in models
    assert Path(lora_model) in LLMGenerator().input_files(LLMGenerator.validate(params))
    (tmp_path / "second").mkdir()
    two = LLMGenerator.validate({**params, "lora": f"{lora_model}, {tmp_path / 'second'}"})
    assert LLMGenerator().input_files(two)[-2:] == [lora_model, tmp_path / "second"]


def test_two_adapters_merge_one_after_the_other(lora_model: Path, base: str, corpus: Path, root: Path) -> None:
    other = root / "lora-b"
    train("text.lm", corpus, other, {"base": base, "steps": 10, "learning_rate": 3e-2, "rank": 2, **FAST}, seed=2)
    one, both = _llm(base, lora=str(lora_model)), _llm(base, lora=f"{lora_model},{other}")
    assert both not in (one, _llm(base, lora=str(other)))


def test_adapters_that_do_not_fit_are_refused_in_one_line(
    lora_model: Path, full_model: Path, base: str, root: Path
) -> None:
    with pytest.raises(ParamError, match="whole model: pass it as model="):
        _llm(base, lora=str(full_model))
    with pytest.raises(ParamError, match="no such file or folder"):
        _llm(base, lora=str(root / "typo"))
    other = make_tiny_gpt2(root / "other-gpt2")
    (other / "model.safetensors").write_bytes((Path(full_model) / "model.safetensors").read_bytes())
    with pytest.raises(ModelLoadError, match="was trained on 'tiny-gpt2'") as refused:
        _llm(str(other), lora=str(lora_model))
    assert "\n" not in str(refused.value)
    pickled = root / "pickled-adapter"
    pickled.mkdir()
    (pickled / "adapter_config.json").write_text((lora_model / "adapter_config.json").read_text())
    (pickled / "adapter_model.bin").write_bytes(b"not really a pickle")
    with pytest.raises(ParamError, match="no adapter_model.safetensors"):
        _llm(base, lora=str(pickled))


@pytest.mark.parametrize("junk", ["empty", "binary"])
def test_unusable_data_is_one_clear_line(junk: str, base: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    if junk == "binary":
        (data / "lore.txt").write_bytes(bytes(range(256)) * 8)
    with pytest.raises(DatasetError) as refused:
        train("text.lm", data, tmp_path / "out", {"base": base, "steps": 2})
    assert isinstance(refused.value, GamegenError) and refused.value.exit_code == 2
    assert "\n" not in str(refused.value) and str(data) in str(refused.value)
    assert not (tmp_path / "out").exists()


def test_a_pickle_only_base_is_refused_before_training(corpus: Path, tmp_path: Path) -> None:
    base = tmp_path / "pickled"
    base.mkdir()
    (base / "config.json").write_text('{"model_type": "gpt2"}')
    (base / "pytorch_model.bin").write_bytes(b"pickle")
    with pytest.raises(ModelLoadError, match="only pickle weights") as refused:
        train("text.lm", corpus, tmp_path / "out", {"base": str(base), "steps": 2})
    assert "\n" not in str(refused.value) and not (tmp_path / "out").exists()
