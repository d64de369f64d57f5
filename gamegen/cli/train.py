"""``gamegen train``: fine-tune or train a model on a studio's own data (the library does the work)."""

from __future__ import annotations

import json

import click

from . import main
from .generators import parse_sets
from .progress import progress_printer


@main.command("train")
@click.argument("name")
@click.option("--data", required=True, metavar="PATH", help="Training data: a folder of images/texts, a sprite sheet "
              "with its atlas, or a gamegen bundle (see `gamegen dataset inspect`).")
@click.option("-o", "--out", metavar="MODEL_DIR", required=True,
              help="Model folder to write: a new or empty folder, or an earlier gamegen model (replaced whole at the end).")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="A trainer parameter; repeat for several.")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=0, show_default=True, help="Random seed.")
@click.option("--resume", is_flag=True, help="Continue from the last checkpoint of an interrupted run with the same settings.")
@click.option("--device", default=None, help="cpu, cuda, mps (default: the best available).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--quiet", is_flag=True, help="No progress output.")
def train_cmd(
    name: str, data: str, out: str, sets: tuple[str, ...], seed: int, resume: bool, device: str | None, as_json: bool,
    quiet: bool,
) -> None:
    """Train NAME (see `gamegen list --trainers`) on --data and write the model, its card and pictures to OUT.

    \b
    Examples:
      gamegen train image.lora --data my_textures -o models/stone --set base=models/sd --set steps=500
      gamegen train text.lm --data lore/ -o models/lore --set base=models/gpt2 --set method=lora
    Use the result with `--set lora=models/stone` on texture.diffusion, character.diffusion or narrative.llm.
    """
    from ..training import train

    report = train(
        name, data, out, parse_sets(sets), seed=seed, resume=resume, device=device, progress=progress_printer(name, quiet)
    )
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, sort_keys=True))
        return
    figures = ", ".join(f"{k} {v:.4g}" for k, v in report.metrics.items())
    resumed = f", resumed at step {report.resumed_from}" if report.resumed_from else ""
    click.echo(f"trained {name} for {report.steps} steps in {report.wall_seconds:.1f} s{resumed}: {figures}")
    click.echo(f"model and card in {report.out} (open {report.out / 'README.md'})")
