"""Tiny offline models built in code and saved with ``save_pretrained``: bases for tests of neural generators and
of trainers (``check_trainer(..., params={"base": make_tiny_sd(folder)})``), loaded back through the user path.

Shared by every neural test: Stable Diffusion pipelines in the 1.x, 2.x and XL layouts (UNet, VAE, CLIP text
encoders, a CLIP tokenizer from a small vocab) and a GPT-2 with a byte-level BPE tokenizer trained on a few lines.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

TINY_SD_VOCAB = [
    "<|startoftext|>",
    "<|endoftext|>",
    "!",
    "a",
    "b",
    "c",
    "d",
    "e",
    "l",
    "o",
    "r",
    "s",
    "t",
    "w",
    "k",
    "n",
    "i",
    "g",
    "m",
    "st",
    "sto",
    "ston",
    "stone</w>",
    "brick</w>",
    "wall</w>",
    "moss</w>",
    "a</w>",
    "s</w>",
    "e</w>",
    "t</w>",
]
TINY_SD_MERGES = ["#version: 0.2", "s t", "st o", "sto n", "ston e</w>"]


@contextlib.contextmanager
def _fixed_torch_seed() -> Iterator[None]:
    """Weights drawn from seed 0, the caller's global torch RNG left as it was."""
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        yield


SdLayout = Literal["sd1", "sd2", "sdxl"]
_BETAS = {"beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear", "steps_offset": 1}


def _tiny_tokenizer(path: Path) -> Any:
    """A CLIP tokenizer from TINY_SD_VOCAB and TINY_SD_MERGES, written beside ``path``."""
    from transformers import CLIPTokenizer

    src = path.parent / (path.name + "-tokenizer-src")
    src.mkdir(parents=True, exist_ok=True)
    (src / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(TINY_SD_VOCAB)}))
    (src / "merges.txt").write_text("\n".join(TINY_SD_MERGES) + "\n")
    return CLIPTokenizer(str(src / "vocab.json"), str(src / "merges.txt"), model_max_length=77)


@_fixed_torch_seed()
def make_tiny_sd(path: Path, layout: SdLayout = "sd1") -> Path:
    """Save a tiny Stable Diffusion pipeline (diffusers' own test configs) to ``path`` and return it.

    ``sd1``: StableDiffusionPipeline with DDIM; ``sd2``: the same class with SD 2.x's linear-projection attention
    and a v-prediction scheduler; ``sdxl``: StableDiffusionXLPipeline (two text encoders, micro-conditioning) with
    Euler.
    """
    from diffusers import (
        AutoencoderKL,
        DDIMScheduler,
        EulerDiscreteScheduler,
        StableDiffusionPipeline,
        StableDiffusionXLPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    layouts: dict[str, dict[str, Any]] = {
        "sd1": {"cross_attention_dim": 32},
        "sd2": {"cross_attention_dim": 32, "attention_head_dim": (2, 4), "use_linear_projection": True},
        "sdxl": {
            "cross_attention_dim": 64,
            "attention_head_dim": (2, 4),
            "use_linear_projection": True,
            "addition_embed_type": "text_time",
            "addition_time_embed_dim": 8,
            "transformer_layers_per_block": (1, 2),
            "projection_class_embeddings_input_dim": 80,
        },
    }
    layout_unet = layouts[layout]
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64),
        layers_per_block=2,
        sample_size=32,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        **layout_unet,
    )
    vae = AutoencoderKL(
        block_out_channels=[32, 64],
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
        up_block_types=["UpDecoderBlock2D", "UpDecoderBlock2D"],
    )
    projection: dict[str, Any] = {"projection_dim": 32} if layout == "sdxl" else {}
    config = CLIPTextConfig(
        bos_token_id=0,
        eos_token_id=2,
        hidden_size=32,
        intermediate_size=37,
        layer_norm_eps=1e-05,
        num_attention_heads=4,
        num_hidden_layers=5,
        pad_token_id=1,
        vocab_size=1000,
        **projection,
    )
    tokenizer = _tiny_tokenizer(path)
    if layout == "sdxl":
        pipe: Any = StableDiffusionXLPipeline(
            vae=vae,
            text_encoder=CLIPTextModel(config),
            tokenizer=tokenizer,
            text_encoder_2=CLIPTextModelWithProjection(config),
            tokenizer_2=tokenizer,
            unet=unet,
            scheduler=EulerDiscreteScheduler(**_BETAS),
        )
    else:
        pipe = StableDiffusionPipeline(
            unet=unet,
            vae=vae,
            text_encoder=CLIPTextModel(config),
            tokenizer=tokenizer,
            scheduler=DDIMScheduler(
                **_BETAS,
                clip_sample=False,
                set_alpha_to_one=False,
                prediction_type="v_prediction" if layout == "sd2" else "epsilon",
            ),
            safety_checker=None,
            feature_extractor=None,
            requires_safety_checker=False,
        )
    pipe.save_pretrained(path, safe_serialization=True)
    return path


TINY_LM_LINES = [
    "The old tavern keeper tells of a dragon in the northern hills.",
    "Bring me ten wolf pelts and I shall reward you with gold.",
    '{"title": "The Lost Ring", "objective": "fetch", "reward": 50}',
    "A rusty sword, once carried by a knight of the river guard.",
]


@_fixed_torch_seed()
def make_tiny_gpt2(path: Path) -> Path:
    """Save a tiny GPT-2 and a byte-level BPE tokenizer trained in code on a few lines to ``path``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tok.train_from_iterator(TINY_LM_LINES * 4, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|endoftext|>", eos_token="<|endoftext|>")
    config = GPT2Config(
        vocab_size=len(fast),
        n_positions=256,
        n_embd=32,
        n_layer=2,
        n_head=2,
        bos_token_id=fast.bos_token_id,
        eos_token_id=fast.eos_token_id,
    )
    GPT2LMHeadModel(config).save_pretrained(path, safe_serialization=True)
    fast.save_pretrained(path)
    return path
