"""A toy trainer for the trainer contract's tests: a tiny torch autoencoder on 8×8 thumbnails (seconds on a CPU)."""

from __future__ import annotations

from typing import Any

import numpy as np

from gamegen.params import Field
from gamegen.training import TrainContext, TrainedModel, Trainer, TrainParams


class ToyParams(TrainParams):
    steps: int = Field(6, ge=1, le=10_000)
    width: int = Field(4, ge=1, le=64, description="Latent width.")
    dropout: float = Field(0.1, ge=0, lt=1, description="Dropout (draws from the global torch RNG, seeded by the run).")


class ToyAutoencoder(Trainer[ToyParams]):
    """A tiny autoencoder on 8×8 grey thumbnails: exercises checkpoints, resume, samples and the card."""

    name = "image.toy"
    version = "1.0.0"
    data_kind = "image"
    quick_params: dict[str, Any] = {"steps": 4, "checkpoint_every": 2, "sample_every": 2, "batch_size": 2}

    def train(self, dataset: Any, params: ToyParams, ctx: TrainContext) -> TrainedModel:
        import torch
        from safetensors.torch import save_file

        pics = np.stack([np.asarray(item.image().convert("L").resize((8, 8))) for item in dataset.items])
        data = torch.from_numpy(pics.reshape(len(pics), 64).astype(np.float32) / 255.0)
        model = torch.nn.Sequential(
            torch.nn.Linear(64, params.width), torch.nn.Dropout(params.dropout), torch.nn.Linear(params.width, 64)
        )
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.randn(p.shape, generator=ctx.torch_generator()) * 0.1)
        optimizer = torch.optim.AdamW(model.parameters(), lr=params.learning_rate * 100)
        start = 0
        resumed = ctx.resume()
        if resumed is not None:
            start, state = resumed
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
        for step in range(start + 1, params.steps + 1):
            index = torch.randint(0, len(data), (params.batch_size,), generator=ctx.torch_generator())
            batch = data[index]
            loss = torch.nn.functional.mse_loss(model(batch), batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            ctx.log(step, float(loss.detach()))
            ctx.checkpoint(step, {"model": model.state_dict(), "optimizer": optimizer.state_dict()})
            with torch.no_grad():
                model.eval()
                recon = (model(data[:4]).clamp(0, 1).reshape(-1, 8, 8).numpy() * 255).astype(np.uint8)
                model.train()
            ctx.samples(step, list(recon))
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(ctx.out_dir / "model.safetensors"))
        return TrainedModel(["model.safetensors"], {"final_loss": ctx.losses[-1][1]}, extra={"width": params.width})
