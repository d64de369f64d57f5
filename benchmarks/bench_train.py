"""Training speed: each trainer's per-step time through ``gamegen.training.train`` against a bare library training
loop on the same tiny model and data, measured in the same run (goal ≤ 1.05×).

    .venv/bin/python benchmarks/bench_train.py                    # every trainer
    .venv/bin/python benchmarks/bench_train.py text.lm --threads 2
    .venv/bin/python benchmarks/bench_train.py image.lora --sd-resolution 128 --sd-batch 2

One function per trainer. Per-step times are taken between successive steps (the progress callback for gamegen,
the loop itself for the bare one), so model loading and saving are left out; the median step is the figure, the
mean (which includes gamegen's checkpoint writes every ``checkpoint_every`` steps) is shown beside it. The two
sides alternate over the repeats and the best median of each counts. gamegen trains with
``torch.use_deterministic_algorithms(True)`` (byte-identical reruns); the bare loop runs both without it (what a
user writes) and with it (the same kernels: gamegen's own overhead).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import torch
import transformers

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from gamegen.training import train  # noqa: E402

Step = tuple[float, float]  # (wall seconds, CPU seconds of this process)


def stamp() -> Step:
    """The wall clock and this process's CPU time now."""
    return time.perf_counter(), time.process_time()


def step_times(stamps: list[Step]) -> list[Step]:
    """(wall, CPU) seconds between successive steps (the first stamp is only a start)."""
    return [(b[0] - a[0], b[1] - a[1]) for a, b in zip(stamps, stamps[1:], strict=False)]


def report(name: str, unit: str, per_step: int, sides: dict[str, list[list[Step]]]) -> None:
    """Per-step wall and CPU time of each side (its best repeat), throughput per wall second and per core-second,
    and the ratios. CPU time is the steadier figure while other work shares the cores."""

    def median(times: list[Step], which: int) -> float:
        return statistics.median(t[which] for t in times)

    best = {side: min(runs, key=lambda r: median(r, 1)) for side, runs in sides.items()}
    print(f"{'':>20} {'wall':>9} {'(mean)':>9} {'CPU':>9} {unit + '/s':>10} {unit + '/core-s':>14}")
    for side, times in best.items():
        wall, cpu = median(times, 0), median(times, 1)
        mean = statistics.mean(t[0] for t in times)
        print(
            f"{side:>20} {wall * 1e3:7.1f}ms {mean * 1e3:7.1f}ms {cpu * 1e3:7.1f}ms {per_step / wall:10.0f} "
            f"{per_step / cpu:14.0f}"
        )
    for side in [s for s in best if s != "gamegen"]:
        ratios = [median(best["gamegen"], i) / median(best[side], i) for i in (0, 1)]
        print(f"{name}: gamegen / {side} per step: wall {ratios[0]:.3f}×, CPU {ratios[1]:.3f}× (goal ≤ 1.05×)")


def bench_text_lm(args: argparse.Namespace, root: Path) -> None:
    """text.lm (LoRA r8 and full) vs a bare transformers + peft loop: same model, blocks, batch, optimizer, schedule."""
    from peft import LoraConfig, get_peft_model
    from tiny_models import make_tiny_gpt2
    from transformers import AutoModelForCausalLM, AutoTokenizer, GPT2Config, GPT2LMHeadModel, get_scheduler

    base = make_tiny_gpt2(root / "gpt2")
    config = GPT2Config.from_pretrained(base)
    config.n_layer, config.n_embd, config.n_head = args.lm_layers, args.lm_width, max(2, args.lm_width // 64)
    torch.manual_seed(0)
    GPT2LMHeadModel(config).save_pretrained(base)
    data = root / "lore"
    data.mkdir()
    lines = [{"text": f"The guard of gate {i % 7} says: halt, traveller {i}, and show your pass to the captain."}
             for i in range(400)]  # fmt: skip
    (data / "lines.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    block, batch, steps = args.lm_block, args.lm_batch, args.steps

    def gamegen_run(method: str) -> list[Step]:
        stamps: list[Step] = []
        params = {"base": str(base), "method": method, "steps": steps, "block_size": block, "batch_size": batch,
                  "rank": 8, "learning_rate": 1e-3, "heldout": 0.1}  # fmt: skip
        out = root / f"out-{method}"
        train("text.lm", data, out, params, seed=0, progress=lambda *_: stamps.append(stamp()))
        shutil.rmtree(out)
        return step_times(stamps[:-1])  # the last step also measures the held-out loss and writes samples

    tokenizer = AutoTokenizer.from_pretrained(base)
    text = [line["text"] for line in lines]
    ids = [t for row in tokenizer(text, add_special_tokens=False)["input_ids"] for t in row + [tokenizer.eos_token_id]]
    blocks = torch.tensor(ids[: len(ids) // block * block]).view(-1, block)

    def bare_run(method: str, deterministic: bool = False) -> list[Step]:
        torch.use_deterministic_algorithms(deterministic)
        try:
            return bare_loop(method)
        finally:
            torch.use_deterministic_algorithms(False)

    def bare_loop(method: str) -> list[Step]:
        model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
        if method == "lora":
            lora = LoraConfig(r=8, lora_alpha=8, target_modules=["c_attn"], fan_in_fan_out=True, task_type="CAUSAL_LM")
            model = get_peft_model(model, lora)
        model.train()
        trainable = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(trainable, lr=1e-3)
        scheduler = get_scheduler("cosine", optimizer, num_warmup_steps=0, num_training_steps=steps)
        generator = torch.Generator().manual_seed(0)
        stamps = [stamp()]
        for _ in range(steps - 1):
            x = blocks[torch.randint(len(blocks), (batch,), generator=generator)]
            optimizer.zero_grad(set_to_none=True)
            loss = model(input_ids=x, labels=x).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            scheduler.step()
            float(loss.detach())
            stamps.append(stamp())
        return step_times(stamps)

    for method in ("lora", "full"):
        sides: dict[str, list[list[Step]]] = {"gamegen": [], "bare": [], "bare, deterministic": []}
        for _ in range(args.repeats):
            sides["gamegen"].append(gamegen_run(method))
            sides["bare"].append(bare_run(method))
            sides["bare, deterministic"].append(bare_run(method, deterministic=True))
        print(
            f"\n## text.lm method={method}, GPT-2 {args.lm_layers}×{args.lm_width}, batch {batch} × {block} tokens, "
            f"{steps} steps, {args.repeats} alternating repeats"
        )
        report(f"text.lm {method}", "tokens", batch * block, sides)


def bench_image_lora(args: argparse.Namespace, root: Path) -> None:
    """image.lora vs a bare diffusers + peft loop (the step of diffusers' ``train_text_to_image_lora.py``): same
    tiny SD, pictures, captions, LoRA, AdamW, resolution and batch; with cached latents (each picture encoded once,
    a VAE sample per step) and without (every step encodes its batch)."""
    import numpy as np
    from diffusers import AutoencoderKL, DDPMScheduler, UNet2DConditionModel
    from diffusers.models.autoencoders.vae import DiagonalGaussianDistribution
    from peft import LoraConfig
    from PIL import Image
    from tiny_models import make_tiny_sd
    from transformers import CLIPTextModel, CLIPTokenizer

    base = make_tiny_sd(root / "sd")
    data = root / "pictures"
    data.mkdir()
    res, batch, steps = args.sd_resolution, args.sd_batch, args.steps
    rng = np.random.default_rng(0)
    captions = ["stone wall", "brick wall", "moss stone", "a brick"]
    for i in range(16):
        Image.fromarray(rng.integers(0, 256, (res, res, 3), dtype=np.uint8)).save(data / f"p{i:02}.png")
        (data / f"p{i:02}.txt").write_text(captions[i % 4])

    def gamegen_run(cached: bool) -> list[float]:
        stamps: list[Step] = []

        def on_step(done: int, total: int, message: str = "") -> None:
            if message.startswith("loss"):
                stamps.append(stamp())

        params = {"base": str(base), "steps": steps, "resolution": res, "batch_size": batch, "rank": 4,
                  "cache_latents": cached, "sample_count": 0}  # fmt: skip
        out = root / "out"
        train("image.lora", data, out, params, seed=0, progress=on_step)
        shutil.rmtree(out)
        return step_times(stamps)

    pixels = torch.stack([torch.from_numpy(np.array(Image.open(p).convert("RGB"))).permute(2, 0, 1)
                          for p in sorted(data.glob("*.png"))]).float() / 127.5 - 1  # fmt: skip
    texts = [captions[i % 4] for i in range(len(pixels))]

    def bare_run(cached: bool, deterministic: bool = False) -> list[float]:
        torch.use_deterministic_algorithms(deterministic)
        try:
            return bare_loop(cached)
        finally:
            torch.use_deterministic_algorithms(False)

    def bare_loop(cached: bool) -> list[float]:
        unet = UNet2DConditionModel.from_pretrained(base, subfolder="unet")
        vae = AutoencoderKL.from_pretrained(base, subfolder="vae")
        text_encoder = CLIPTextModel.from_pretrained(base, subfolder="text_encoder")
        tokenizer = CLIPTokenizer.from_pretrained(base, subfolder="tokenizer")
        noise_scheduler = DDPMScheduler.from_pretrained(base, subfolder="scheduler")
        for part in (unet, vae, text_encoder):
            part.requires_grad_(False)
        unet.add_adapter(LoraConfig(r=4, lora_alpha=4, init_lora_weights="gaussian",
                                    target_modules=["to_k", "to_q", "to_v", "to_out.0"]))  # fmt: skip
        trainable = [p for p in unet.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(trainable, lr=1e-4, weight_decay=1e-2)
        scheduler = get_scheduler("constant", optimizer)
        ids = tokenizer(texts, padding="max_length", max_length=tokenizer.model_max_length, truncation=True,
                        return_tensors="pt").input_ids  # fmt: skip
        with torch.no_grad():
            hidden = text_encoder(ids)[0]
            moments = vae.encode(pixels).latent_dist.parameters if cached else None
        generator = torch.Generator().manual_seed(0)
        unet.train()
        stamps = [stamp()]
        for _ in range(steps - 1):
            index = torch.randint(len(pixels), (batch,), generator=generator)
            with torch.no_grad():
                dist = DiagonalGaussianDistribution(moments[index]) if cached else vae.encode(pixels[index]).latent_dist
                latents = dist.sample(generator=generator) * vae.config.scaling_factor
            noise = torch.randn(latents.shape, generator=generator)
            timesteps = torch.randint(0, noise_scheduler.config.num_train_timesteps, (batch,), generator=generator)
            noisy = noise_scheduler.add_noise(latents, noise, timesteps)
            prediction = unet(noisy, timesteps, hidden[index], return_dict=False)[0]
            loss = torch.nn.functional.mse_loss(prediction.float(), noise.float())
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            float(loss.detach())
            stamps.append(stamp())
        return step_times(stamps)

    from diffusers.optimization import get_scheduler

    for cached in (True, False):
        sides: dict[str, list[list[Step]]] = {"gamegen": [], "bare": [], "bare, deterministic": []}
        for _ in range(args.repeats):
            sides["gamegen"].append(gamegen_run(cached))
            sides["bare"].append(bare_run(cached))
            sides["bare, deterministic"].append(bare_run(cached, deterministic=True))
        print(
            f"\n## image.lora cache_latents={cached}, tiny SD, LoRA r4, batch {batch} × {res}² pictures, "
            f"{steps} steps, {args.repeats} alternating repeats"
        )
        report(f"image.lora cache_latents={cached}", "pictures", batch, sides)


BENCHES: dict[str, Callable[[argparse.Namespace, Path], None]] = {"image.lora": bench_image_lora, "text.lm": bench_text_lm}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trainers", nargs="*", help=f"which trainers: {', '.join(BENCHES)} (default: all)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1: stable figures on a busy machine)")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sd-resolution", type=int, default=64)
    ap.add_argument("--sd-batch", type=int, default=4)
    ap.add_argument("--lm-layers", type=int, default=4)
    ap.add_argument("--lm-width", type=int, default=256)
    ap.add_argument("--lm-block", type=int, default=64)
    ap.add_argument("--lm-batch", type=int, default=8)
    args = ap.parse_args()
    unknown = sorted(set(args.trainers) - set(BENCHES))
    if unknown:
        ap.error(f"no benchmark for {', '.join(unknown)} (have: {', '.join(BENCHES)})")
    torch.set_num_threads(args.threads)
    transformers.utils.logging.disable_progress_bar()  # per-call bars would bury the tables
    warnings.filterwarnings("ignore", category=FutureWarning)  # libraries' deprecation notes about each other
    one, five, _ = os.getloadavg()
    print(f"load {one:.1f} (1 min), {five:.1f} (5 min); {os.cpu_count()} cores; torch {torch.__version__}, "
          f"{torch.get_num_threads()} thread(s)")  # fmt: skip
    for name in args.trainers or BENCHES:
        with tempfile.TemporaryDirectory() as tmp:
            BENCHES[name](args, Path(tmp))


if __name__ == "__main__":
    main()
