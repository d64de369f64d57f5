"""The three trainers: the trainer conformance kit (determinism, resume = uninterrupted, layout, card), loss falling
on a toy set, the model folder (safetensors + config + copy index), and the card's copy-check figures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")

import gamegen  # noqa: E402
from gamegen.errors import ParamError  # noqa: E402
from gamegen.testing import check_trainer  # noqa: E402
from gamegen.training import read_card  # noqa: E402
from gamegen.training.run import work_folder  # noqa: E402

TRAINERS = ["image.ddpm", "image.gan", "image.vae"]


@pytest.mark.parametrize("trainer", TRAINERS)
def test_each_trainer_passes_the_trainer_conformance_kit(trainer: str, shapes: Path, tmp_path: Path) -> None:
    report = check_trainer(trainer, shapes, workdir=tmp_path / "kit")
    assert report.ok, str(report)


@pytest.mark.parametrize(("trainer", "rate"), [("image.ddpm", 1e-3), ("image.gan", 2e-4), ("image.vae", 1e-3)])
def test_the_loss_falls_on_a_toy_set_of_shapes(trainer: str, rate: float, shapes: Path, trained) -> None:
    folder = trained(
        trainer, shapes, size=16, width=8, steps=40, batch_size=8, warmup_steps=0, copy_samples=0, learning_rate=rate
    )
    rows = (folder / "loss.csv").read_text().splitlines()[1:]
    losses = [float(r.split(",")[1]) for r in rows]
    assert len(losses) == 40
    assert np.mean(losses[-8:]) < 0.85 * np.mean(losses[:8]), losses  # a GAN settles near 1.6 from 2


@pytest.mark.parametrize("trainer", TRAINERS)
def test_the_model_folder_holds_safetensors_a_config_and_a_copy_index(trainer: str, shapes: Path, trained) -> None:
    folder = trained(trainer, shapes, **_quick(trainer))
    card = read_card(folder)
    assert card is not None
    assert set(card["weights"]) == {"model.safetensors", "copy_index.safetensors"}
    assert not [p for p in folder.rglob("*") if p.suffix in (".pt", ".pth", ".bin", ".ckpt", ".pkl")]
    config = json.loads((folder / "smallmodel.json").read_text())
    assert config["format"] == "gamegen-smallmodels/1" and config["family"] == trainer.split(".")[1]
    assert config["alpha"] == "binary" and len(config["palette"]) == 4, "four opaque colours on transparency"
    copy = card["extra"]["copy_check"]
    assert copy["items"] == 8 and copy["samples"] == 8 and 0 < copy["near_copy_distance"] < 1
    metrics = card["metrics"]
    assert 0.0 <= metrics["near_copy_share"] <= 1.0
    assert metrics["diversity_training"] > 0 and metrics["diversity_samples"] >= 0
    readme = (folder / "README.md").read_text()
    assert "near_copy_share" in readme and "diversity_ratio" in readme
    assert not work_folder(folder).exists()


def test_the_index_keeps_thumbnails_and_ids_not_the_pictures(shapes: Path, trained) -> None:
    from gamegen_smallmodels.copycheck import CopyIndex

    folder = trained("image.vae", shapes, **_quick("image.vae"))
    index = CopyIndex.load(folder)
    assert index.ids == sorted(p.name for p in shapes.glob("*.png"))
    assert index.thumbs.shape == (8, 16, 16, 4) and index.thumbs.dtype == np.uint8
    assert (folder / "copy_index.safetensors").stat().st_size < 8 * 1024 + 2048


def test_a_class_conditional_ddpm_learns_its_folders_and_samples_one(tmp_path: Path, make_shapes, trained) -> None:
    import shutil

    data = tmp_path / "data"
    for name, seed in (("round", 1), ("square", 2)):
        shutil.copytree(make_shapes(4, seed), data / name)
    folder = trained("image.ddpm", data, **_quick("image.ddpm"), classes="folder")
    config = json.loads((folder / "smallmodel.json").read_text())
    assert config["classes"] == ["round", "square"]
    assets = gamegen.generate("character.learned", seed=1, params={"model": str(folder), "count": 2, "label": "square"})
    assert assets[0].meta["label"] == "square"
    with pytest.raises(ParamError, match=r"label='oval': not a class of this model \(classes: 'round', 'square'\)"):
        gamegen.generate("character.learned", params={"model": str(folder), "label": "oval"})


def _quick(trainer: str) -> dict:
    from gamegen.registry import trainers

    return dict(trainers.get(trainer).quick_params)
