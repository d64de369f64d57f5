"""``text.lm``: fine-tune a causal language model on a studio's lore or dialogue, with a LoRA adapter or in full.

The base loads through :func:`gamegen.ml.load_causal_lm` (safetensors only, hashed, hub ids from the local cache),
as a private float32 copy. The texts are tokenised and packed into blocks (:mod:`.corpus`); a fixed fraction is
held out, and the card reports its loss and perplexity before and after. A LoRA run writes a peft adapter that
``narrative.llm`` takes as ``lora=``; a full run writes a model folder that it takes as ``model=``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ...context import ModelUse, derive_seed
from ...inputs import input_label
from ...narrative.llm import DEFAULT_MODEL
from ...params import Field, ModelRef
from ..trainer import TrainedModel, Trainer, TrainParams

if TYPE_CHECKING:
    import torch

    from ...datasets import Dataset
    from ..context import TrainContext
    from .corpus import BatchOrder, Blocks

__all__ = ["TextLM", "TextLMParams"]

_SCHEDULES = {"constant": "constant_with_warmup", "linear": "linear", "cosine": "cosine"}
_SAMPLE_TOKENS = 48


class TextLMParams(TrainParams):
    """Parameters of ``text.lm``: the base model, LoRA or full fine-tuning, and how the text is cut and scheduled."""

    base: ModelRef = Field(
        DEFAULT_MODEL,
        min_length=1,
        description="Causal LM to fine-tune: a local folder or a hub id (narrative.llm's default model by default)",
    )
    learning_rate: float = Field(2e-4, gt=0, le=1.0, description="Peak learning rate (AdamW)")
    batch_size: int = Field(4, ge=1, le=1024, description="Blocks of text per micro-batch")
    method: Literal["lora", "full"] = Field(
        "lora", description="lora: train a small adapter (narrative.llm lora=); full: every weight (model=)"
    )
    rank: int = Field(8, ge=1, le=256, description="LoRA rank (method=lora)")
    block_size: int = Field(128, ge=8, le=8192, description="Tokens per training example (at most the model's context)")
    heldout: float = Field(0.1, ge=0, le=0.5, description="Fraction of the texts held out to measure perplexity")
    lr_schedule: Literal["constant", "linear", "cosine"] = Field(
        "cosine", description="How the learning rate falls after the warm-up"
    )
    warmup_steps: int = Field(0, ge=0, le=1_000_000, description="Steps of linear learning-rate warm-up")
    gradient_accumulation: int = Field(1, ge=1, le=1024, description="Micro-batches per optimizer step")


class TextLM(Trainer[TextLMParams]):
    """Fine-tune a causal language model on lore or dialogue (LoRA or full), with held-out perplexity before/after."""

    name = "text.lm"
    version = "1.0.0"
    data_kind = "text"
    quick_params: ClassVar[dict[str, Any]] = {
        "steps": 3,
        "batch_size": 2,
        "block_size": 16,
        "rank": 2,
        "learning_rate": 1e-3,
        "checkpoint_every": 2,
    }

    def train(self, dataset: Dataset, params: TextLMParams, ctx: TrainContext) -> TrainedModel:
        import torch
        from transformers import get_scheduler

        from ...ml.runtime import load_causal_lm
        from .corpus import BatchOrder, build_corpus
        from .lora import add_lora

        loaded = load_causal_lm(params.base, device=ctx.device, dtype="float32", private=True)
        model, tokenizer = loaded.obj
        block_size = min(params.block_size, _context_size(model))
        corpus = build_corpus(dataset, tokenizer, block_size, params.heldout)
        if params.method == "lora":
            model = add_lora(model, params.rank)
        model.train()
        trainable = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(trainable, lr=params.learning_rate)
        scheduler = get_scheduler(
            _SCHEDULES[params.lr_schedule], optimizer, num_warmup_steps=params.warmup_steps,
            num_training_steps=params.steps,
        )  # fmt: skip
        order = BatchOrder(len(corpus.train), ctx.torch_generator())
        resumed = ctx.resume()
        if resumed is None:
            start, before = 0, _heldout_loss(model, corpus.heldout, params.batch_size, ctx.device)
        else:
            start, state = resumed
            _restore(state, model, optimizer, scheduler, order)
            before = state["heldout_before"]
        for step in range(start + 1, params.steps + 1):
            loss = _train_step(model, corpus.train, order, optimizer, trainable, params, ctx.device)
            scheduler.step()
            due = ctx.due(step, ctx.sample_every)
            ctx.log(step, loss, _heldout_loss(model, corpus.heldout, params.batch_size, ctx.device) if due else None)
            if due:
                ctx.text_samples(step, _samples(model, tokenizer, corpus.prompts, ctx.seed))
            if ctx.due(step, ctx.checkpoint_every):  # the state is gathered only when it will be written
                state = {
                    "weights": {n: w for n, w in model.named_parameters() if w.requires_grad},
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(),
                    "order": order.state(),
                    "heldout_before": before,
                }
                ctx.checkpoint(step, state)
        files = _save(model, tokenizer, params, ctx)
        return TrainedModel(
            files,
            metrics=_metrics(ctx, before),
            base=ModelUse(input_label(params.base), loaded.weights_sha256),
            extra=_extra(model, params, block_size, corpus.train, corpus.heldout),
        )


def _restore(state: dict[str, Any], model: Any, optimizer: Any, scheduler: Any, order: BatchOrder) -> None:
    """Put a checkpoint's trainable weights, optimizer and schedule state and batch order back in place."""
    import torch

    with torch.no_grad():
        for name, weight in model.named_parameters():
            if weight.requires_grad:
                weight.copy_(state["weights"][name])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    order.load(state["order"])


def _context_size(model: Any) -> int:
    """The longest sequence the model takes (GPT-2's ``n_positions``, others' ``max_position_embeddings``)."""
    config = model.config
    return int(getattr(config, "max_position_embeddings", 0) or getattr(config, "n_positions", 0) or 1 << 30)


def _train_step(
    model: Any,
    blocks: Blocks,
    order: BatchOrder,
    optimizer: torch.optim.Optimizer,
    trainable: list[torch.Tensor],
    params: TextLMParams,
    device: str,
) -> float:
    """One optimizer step over ``gradient_accumulation`` micro-batches; the mean loss of its micro-batches."""
    import torch

    optimizer.zero_grad(set_to_none=True)
    total = torch.zeros((), device=device)
    for _ in range(params.gradient_accumulation):
        index = order.take(params.batch_size)
        ids, labels = blocks.ids[index].to(device), blocks.labels[index].to(device)
        loss = model(input_ids=ids, labels=labels).loss / params.gradient_accumulation
        loss.backward()
        total += loss.detach()
    torch.nn.utils.clip_grad_norm_(trainable, 1.0)
    optimizer.step()
    return float(total)


def _heldout_loss(model: Any, blocks: Blocks, batch_size: int, device: str) -> float | None:
    """Mean next-token loss over every held-out token (None when nothing is held out)."""
    import torch
    import torch.nn.functional as F

    from .corpus import IGNORE

    if blocks.tokens == 0:
        return None
    total = torch.zeros((), dtype=torch.float64)
    model.eval()
    try:
        with torch.no_grad():
            for i in range(0, len(blocks), batch_size):
                ids, labels = blocks.ids[i : i + batch_size].to(device), blocks.labels[i : i + batch_size].to(device)
                logits = model(input_ids=ids).logits[:, :-1].float()
                targets = labels[:, 1:].flatten()
                total += F.cross_entropy(logits.flatten(0, 1), targets, ignore_index=IGNORE, reduction="sum").cpu()
    finally:
        model.train()
    predicted = int((blocks.labels[:, 1:] != IGNORE).sum())
    return float(total) / max(1, predicted)


def _samples(model: Any, tokenizer: Any, prompts: list[str], seed: int) -> list[str]:
    """Each prompt continued by the model, sampled from one generator seeded the same at every step (so the
    samples of successive steps differ by the weights only)."""
    import torch

    from ...ml.sampling import Decoder, Sampling

    generator = torch.Generator("cpu").manual_seed(derive_seed(seed, "text.lm samples"))
    lm = model.get_base_model() if hasattr(model, "get_base_model") else model
    decoder = Decoder(lm, tokenizer, generator, Sampling(temperature=0.8, top_k=50, top_p=0.95))
    texts = []
    model.eval()
    try:
        for prompt in prompts:
            started = decoder.restart(prompt)
            room = (started.context_size or 1 << 30) - len(started.ids)
            texts.append(prompt + (started.continue_text(min(_SAMPLE_TOKENS, room)) if room > 0 else ""))
    finally:
        model.train()
    return texts


def _save(model: Any, tokenizer: Any, params: TextLMParams, ctx: TrainContext) -> list[str]:
    """Write the adapter (LoRA: peft layout) or the whole model and its tokenizer (full) into ``ctx.out_dir``."""
    if params.method == "lora":
        model.peft_config["default"].base_model_name_or_path = input_label(params.base)
        # the embeddings are never resized: peft need not look the base's vocabulary up (on the hub, for an id)
        model.save_pretrained(ctx.out_dir, safe_serialization=True, save_embedding_layers=False)
    else:
        model.save_pretrained(ctx.out_dir)
        tokenizer.save_pretrained(ctx.out_dir)
    return sorted(p.name for p in ctx.out_dir.glob("*.safetensors"))


def _metrics(ctx: TrainContext, before: float | None) -> dict[str, float]:
    """The last training loss, and the held-out loss and perplexity before and after training."""
    metrics = {"final_loss": ctx.losses[-1][1]}
    if before is not None and ctx.heldout_losses:
        after = ctx.heldout_losses[-1][1]
        metrics |= {
            "heldout_loss_before": before,
            "heldout_loss": after,
            "perplexity_before": math.exp(min(before, 700.0)),
            "perplexity_after": math.exp(min(after, 700.0)),
        }
    return metrics


def _extra(model: Any, params: TextLMParams, block_size: int, train: Blocks, heldout: Blocks) -> dict[str, Any]:
    """What the card records besides the parameters: the layers adapted and the corpus as the model saw it."""
    extra: dict[str, Any] = {
        "method": params.method,
        "block_size": block_size,
        "train_blocks": len(train),
        "train_tokens": train.tokens,
        "heldout_blocks": len(heldout),
        "heldout_tokens": heldout.tokens,
    }
    if params.method == "lora":
        config = model.peft_config["default"]
        extra |= {"target_modules": sorted(config.target_modules), "fan_in_fan_out": bool(config.fan_in_fan_out)}
    return extra
