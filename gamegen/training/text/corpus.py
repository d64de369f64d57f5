"""A text dataset as a causal LM trains on it: tokenised, packed into equal blocks, split into training and held-out
blocks, and drawn in a seeded order that a checkpoint can carry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ...errors import DatasetError

if TYPE_CHECKING:
    import torch

    from ...datasets import Dataset, DatasetItem

__all__ = ["IGNORE", "BatchOrder", "Blocks", "Corpus", "build_corpus"]

IGNORE = -100
"""The label transformers' loss skips: the padding after the last block's text."""


@dataclass(frozen=True)
class Blocks:
    """``ids`` and ``labels`` of shape (blocks, block_size); labels are ``IGNORE`` where the last block is padded."""

    ids: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @property
    def tokens(self) -> int:
        """How many real (not padding) tokens the blocks hold."""
        return int((self.labels != IGNORE).sum())


@dataclass(frozen=True)
class Corpus:
    """The training and held-out blocks, and the item openings that prompt the sample texts."""

    train: Blocks
    heldout: Blocks
    prompts: list[str]


def _tokens(texts: list[str], tokenizer: Any) -> np.ndarray:
    """Every text's token ids followed by the end-of-text token (a newline when the tokenizer has none)."""
    eos = tokenizer.eos_token_id
    sep = [int(eos)] if eos is not None else list(tokenizer.encode("\n", add_special_tokens=False))
    ids = tokenizer(texts, add_special_tokens=False, verbose=False)["input_ids"] if texts else []
    parts = [np.asarray(row + sep, dtype=np.int64) for row in ids]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _pack(tokens: np.ndarray, block_size: int, pad_id: int) -> Blocks:
    """``tokens`` cut into blocks of ``block_size``; the last is padded (a tail of one token, which predicts
    nothing, is dropped)."""
    import torch

    if len(tokens) % block_size == 1:
        tokens = tokens[:-1]
    count = -(-len(tokens) // block_size)
    ids = np.full(count * block_size, pad_id, dtype=np.int64)
    labels = np.full(count * block_size, IGNORE, dtype=np.int64)
    ids[: len(tokens)] = tokens
    labels[: len(tokens)] = tokens
    shape = (count, block_size)
    return Blocks(torch.from_numpy(ids.reshape(shape)), torch.from_numpy(labels.reshape(shape)))


def _prompts(items: list[DatasetItem], count: int = 3, words: int = 4) -> list[str]:
    """The first words of ``count`` lines spread evenly over the items' lines (what sample texts continue)."""
    lines = [line.strip() for item in items for line in (item.text or "").splitlines() if line.strip()]
    if not lines:
        return []
    picks = sorted({round(i * (len(lines) - 1) / max(1, count - 1)) for i in range(count)})
    return list(dict.fromkeys(" ".join(lines[i].split()[:words]) for i in picks))


def build_corpus(dataset: Dataset, tokenizer: Any, block_size: int, heldout: float) -> Corpus:
    """Tokenise and pack ``dataset``, holding out the ``heldout`` fraction of its items (a fixed split, the same
    for every seed, so runs compare); with fewer than two items, the last ``heldout`` fraction of the text."""
    pad = tokenizer.eos_token_id if tokenizer.eos_token_id is not None else (tokenizer.pad_token_id or 0)
    train_items, held_items = dataset.split(heldout, seed=0)
    train = _tokens([i.text or "" for i in train_items], tokenizer)
    held = _tokens([i.text or "" for i in held_items], tokenizer)
    if heldout > 0 and not held_items:
        cut = len(train) - round(heldout * len(train))
        if cut >= 2 and len(train) - cut >= 2:
            train, held = train[:cut], train[cut:]
    if len(train) < 2:
        raise DatasetError(f"{dataset.root}: too little text to train on ({len(train)} tokens)")
    empty = np.zeros(0, dtype=np.int64)
    return Corpus(
        _pack(train, block_size, pad),
        _pack(held if len(held) >= 2 else empty, block_size, pad),
        _prompts(held_items or train_items),
    )


class BatchOrder:
    """Which blocks each batch trains on: a fresh seeded permutation every epoch, continued across epochs when a
    batch is larger than what is left. Its state goes into checkpoints, so a resumed run draws the same batches."""

    def __init__(self, count: int, generator: torch.Generator) -> None:
        self.count = count
        self.generator = generator
        self.order: torch.Tensor | None = None
        self.cursor = 0

    def take(self, size: int) -> torch.Tensor:
        """The indices of the next ``size`` blocks."""
        import torch

        parts = []
        while size > 0:
            if self.order is None or self.cursor == self.count:
                self.order, self.cursor = torch.randperm(self.count, generator=self.generator), 0
            part = self.order[self.cursor : self.cursor + size]
            self.cursor += len(part)
            size -= len(part)
            parts.append(part)
        return parts[0] if len(parts) == 1 else torch.cat(parts)

    def state(self) -> dict[str, Any]:
        """The current epoch's permutation and position (for a checkpoint)."""
        return {"order": self.order, "cursor": self.cursor}

    def load(self, state: dict[str, Any]) -> None:
        """Continue from a checkpoint's :meth:`state`."""
        self.order, self.cursor = state["order"], int(state["cursor"])
