"""The refinement loop end to end, offline: generate → pick → dataset → train → generate, then the same as a recipe.

    python examples/training/refine_loop.py -o loop-out
    python examples/training/refine_loop.py -o loop-out --base models/sd15 --lm-base models/smollm  # real models

1. Generate eight brick textures (procedural, no model) and "pick" three of them.
2. Turn the picks into a captioned dataset (``gamegen dataset from-bundle``).
3. Fine-tune a tiling LoRA on them (``gamegen train image.lora``) and a lore LM on ``lore/`` (``text.lm``).
4. Generate with the adapters (``lora=``), then build a recipe whose ``[[model]]`` the build trains itself.

Without ``--base``/``--lm-base`` it makes tiny untrained models so the loop runs in a minute on a laptop CPU: the
pictures and lines it makes are noise, but every file, card and cache step is the real thing. Point the options
at a Stable Diffusion 1.5 folder and a small causal LM to get textures and lore in your own style.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import gamegen
from gamegen.builds import build
from gamegen.datasets import from_bundle
from gamegen.training import train

HERE = Path(__file__).parent


def tiny_bases(folder: Path) -> tuple[str, str]:
    """A tiny Stable Diffusion and a tiny GPT-2, made in code (no download)."""
    from gamegen.testing.tiny_models import make_tiny_gpt2, make_tiny_sd

    return str(make_tiny_sd(folder / "sd-tiny")), str(make_tiny_gpt2(folder / "lm-tiny"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--out", type=Path, default=Path("loop-out"), help="a new folder for everything")
    parser.add_argument("--base", help="Stable Diffusion 1.x/2.x folder or hub id (default: a tiny one made here)")
    parser.add_argument("--lm-base", help="causal LM folder or hub id (default: a tiny one made here)")
    parser.add_argument("--steps", type=int, default=4, help="training steps (use hundreds with real models)")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    tiny = tiny_bases(out / "bases") if not (args.base and args.lm_base) else ("", "")
    sd, lm = args.base or tiny[0], args.lm_base or tiny[1]
    size = 512 if args.base else 64

    # 1. generate variations, and keep the ones a person would pick (a gallery writes these ids to picks.json)
    gamegen.generate_variations("texture.material", 8, out=out / "bricks", params={"family": "brick", "size": 128})
    picks = ["seed-1", "seed-4", "seed-6"]

    # 2. the picks become a captioned dataset
    dataset = from_bundle(out / "bricks", picks, out / "data" / "brick")
    print(f"dataset: {len(dataset.items)} images, fingerprint {dataset.fingerprint[:12]}")

    # 3. fine-tune: a tiling texture LoRA, and a lore LM (LoRA too)
    lora = train(
        "image.lora", out / "data" / "brick", out / "models" / "brick-lora",
        {"base": sd, "steps": args.steps, "resolution": size, "tiling": "xy", "sample_every": args.steps},
        seed=1,
    )
    lore = train(
        "text.lm", HERE / "lore", out / "models" / "lore-lm",
        {"base": lm, "steps": args.steps, "method": "lora", "block_size": 32, "sample_every": args.steps},
        seed=1,
    )
    print(f"image.lora: final loss {lora.metrics['final_loss']:.4f}; card {lora.out / 'README.md'}")
    print(f"text.lm: held-out perplexity {lore.metrics.get('perplexity_before', 0):.1f} → {lore.metrics.get('perplexity_after', 0):.1f}")

    # 4a. generate with the adapters
    gamegen.generate(
        "texture.diffusion", out=out / "styled-bricks",
        params={"model": sd, "lora": str(lora.out), "prompt": "brick wall", "size": size, "steps": 4},
    )
    gamegen.generate(
        "narrative.llm", out=out / "styled-lore",
        params={"model": lm, "lora": str(lore.out), "task": "lore", "subject": "the river guard", "max_new_tokens": 24},
    )

    # 4b. the same as a recipe: the build trains the model when its data or settings change, then uses it
    project = out / "project"
    shutil.copytree(out / "data" / "brick", project / "art" / "brick", dirs_exist_ok=True)
    base_in_project = project / "bases" / "sd"
    if not base_in_project.exists() and Path(sd).is_dir():
        shutil.copytree(sd, base_in_project)
    base_value = "bases/sd" if Path(sd).is_dir() else sd
    (project / "gamegen.toml").write_text(
        f"""name = "styled-bricks"
seed = 7

[[model]]
name = "brick-style"
trainer = "image.lora"
data = "art/brick"
params = {{ base = "{base_value}", steps = {args.steps}, resolution = {size}, tiling = "xy" }}

[[asset]]
name = "wall"
generator = "texture.diffusion"
params = {{ model = "{base_value}", lora = "@brick-style", prompt = "brick wall", size = {size}, steps = 4 }}
"""
    )
    for attempt in ("first build", "second build"):
        report = build(project / "gamegen.toml", out=project / "bundle")
        models = ", ".join(f"{m.name} {m.status}" for m in report.models)
        print(f"{attempt}: models: {models}; assets: {len(report.built)} built, {len(report.cached)} cached")


if __name__ == "__main__":
    main()
