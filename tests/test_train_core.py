"""The trainer contract and the run around it, through a toy trainer: card, pictures, determinism, resume,
safety of the model folder, the registry and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

pytest.importorskip("torch")

from toy_trainer import ToyAutoencoder  # noqa: E402

from gamegen.cli import main  # noqa: E402
from gamegen.errors import OutputFolderError, ParamError, TrainingError  # noqa: E402
from gamegen.registry import trainers  # noqa: E402
from gamegen.testing import check_trainer  # noqa: E402
from gamegen.training import read_card, train  # noqa: E402
from gamegen.training.run import work_folder  # noqa: E402


@pytest.fixture(autouse=True)
def toy_registered():
    trainers.register(ToyAutoencoder)
    yield
    trainers.unregister(ToyAutoencoder.name)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(6):
        pixels = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"tile{i}.png")
        (folder / f"tile{i}.txt").write_text(f"a noisy tile number {i}")
    return folder


def _weights(folder: Path) -> bytes:
    return (folder / "model.safetensors").read_bytes()


def test_the_toy_trainer_passes_the_conformance_kit(data: Path, tmp_path: Path) -> None:
    report = check_trainer(ToyAutoencoder, data, workdir=tmp_path / "kit")
    assert report.ok, str(report)


def test_a_model_folder_holds_weights_card_readme_and_pictures(data: Path, tmp_path: Path) -> None:
    from gamegen.datasets import load_dataset

    report = train("image.toy", data, tmp_path / "model", {"steps": 4, "sample_every": 2}, seed=3)
    folder = tmp_path / "model"
    card = read_card(folder)
    assert card is not None and card == report.card
    assert card["dataset"]["fingerprint"] == load_dataset(data).fingerprint
    assert card["trainer"] == {"name": "image.toy", "version": "1.0.0"}
    assert card["seed"] == 3 and card["steps"] == 4 and card["params"]["steps"] == 4
    assert set(card["weights"]) == {"model.safetensors"}
    assert card["metrics"]["final_loss"] > 0
    assert card["pictures"]["sample_steps"] == ["samples/step-000002.png", "samples/step-000004.png"]
    for picture in ("loss.png", "samples.png", "samples/step-000002.png"):
        with Image.open(folder / picture) as im:
            assert im.width > 100 and np.asarray(im).std() > 0
    assert "image.toy" in (folder / "README.md").read_text()
    assert len((folder / "loss.csv").read_text().splitlines()) == 5
    assert not work_folder(folder).exists(), "checkpoints are removed once the model is written"


def test_training_leaves_the_global_torch_rng_as_it_found_it(data: Path, tmp_path: Path) -> None:
    import torch

    torch.manual_seed(123)
    before = torch.get_rng_state()
    train("image.toy", data, tmp_path / "m", {"steps": 2})
    assert torch.equal(before, torch.get_rng_state())
    assert not torch.are_deterministic_algorithms_enabled()


def test_same_seed_same_weights_and_other_seed_other_weights(data: Path, tmp_path: Path) -> None:
    runs = [train("image.toy", data, tmp_path / f"m{i}", {"steps": 3}, seed=s) for i, s in enumerate((1, 1, 2))]
    a, again, b = (_weights(r.out) for r in runs)
    assert a == again and a != b


def test_an_interrupted_run_resumes_to_the_same_weights(data: Path, tmp_path: Path) -> None:
    params = {"steps": 5, "checkpoint_every": 2}
    whole = train("image.toy", data, tmp_path / "whole", params, seed=9)

    def kill_at_step_4(done: int, total: int, message: str = "") -> None:
        if done == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train("image.toy", data, tmp_path / "cut", params, seed=9, progress=kill_at_step_4)
    assert not (tmp_path / "cut").exists(), "nothing half-written in the model folder"
    assert (work_folder(tmp_path / "cut") / "checkpoint" / "state.safetensors").is_file()
    resumed = train("image.toy", data, tmp_path / "cut", params, seed=9, resume=True)
    assert resumed.resumed_from == 2
    assert _weights(tmp_path / "cut") == _weights(whole.out)
    assert resumed.card["pictures"]["sample_steps"] == whole.card["pictures"]["sample_steps"]


def test_resume_with_other_settings_is_refused_in_one_line(data: Path, tmp_path: Path) -> None:
    def stop(done: int, total: int, message: str = "") -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train("image.toy", data, tmp_path / "m", {"steps": 4, "checkpoint_every": 1}, progress=stop)
    with pytest.raises(ParamError, match="another params"):
        train("image.toy", data, tmp_path / "m", {"steps": 5, "checkpoint_every": 1}, resume=True)


def test_a_failed_run_keeps_the_previous_model(data: Path, tmp_path: Path) -> None:
    train("image.toy", data, tmp_path / "m", {"steps": 2})
    before = {p: p.read_bytes() for p in (tmp_path / "m").rglob("*") if p.is_file()}

    def boom(done: int, total: int, message: str = "") -> None:
        raise RuntimeError("disk on fire")

    with pytest.raises(TrainingError, match="disk on fire"):
        train("image.toy", data, tmp_path / "m", {"steps": 3}, progress=boom)
    assert before == {p: p.read_bytes() for p in (tmp_path / "m").rglob("*") if p.is_file()}


def test_a_folder_that_is_not_a_model_is_never_replaced(data: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(OutputFolderError):
        train("image.toy", data, mine, {"steps": 2})
    assert (mine / "notes.txt").read_text() == "keep me" and len(list(mine.iterdir())) == 1


def test_the_cli_trains_lists_and_describes_trainers(data: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "model"
    result = runner.invoke(main, ["train", "image.toy", "--data", str(data), "-o", str(out), "--set", "steps=3",
                                  "--seed", "5", "--quiet", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["steps"] == 3 and report["card"]["seed"] == 5 and Path(report["out"]) == out.resolve()
    listed = runner.invoke(main, ["list", "--trainers", "--json"])
    assert any(r["name"] == "image.toy" and r["data"] == "image" for r in json.loads(listed.stdout))
    info = runner.invoke(main, ["info", "image.toy"])
    assert info.exit_code == 0 and "trainer, trains on image data" in info.stdout and "learning_rate" in info.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--set", "steps=0"], "steps"),
        (["--set", "widht=3"], "widht"),
        (["--set", "learning_rate=\"fast\""], "learning_rate"),
    ],
)
def test_bad_parameters_are_one_line_and_exit_2(data: Path, tmp_path: Path, args: list[str], needle: str) -> None:
    result = CliRunner().invoke(main, ["train", "image.toy", "--data", str(data), "-o", str(tmp_path / "m"), *args])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0]
    assert not (tmp_path / "m").exists()


def test_unknown_trainer_and_missing_data_are_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    unknown = runner.invoke(main, ["train", "image.tyo", "--data", str(tmp_path), "-o", str(tmp_path / "m")])
    assert unknown.exit_code == 2 and "image.toy" in unknown.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = runner.invoke(main, ["train", "image.toy", "--data", str(empty), "-o", str(tmp_path / "m")])
    assert nothing.exit_code == 2 and len(nothing.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "m").exists()
