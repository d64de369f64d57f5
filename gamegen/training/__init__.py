"""Training and fine-tuning on a studio's own data: the Trainer contract, its context, and the run that writes a
model folder with its card. Built-in trainers (``image.lora``, ``text.lm``) need the ``ml`` extra."""

from __future__ import annotations

from .card import read_card
from .context import TrainContext
from .run import TrainReport, train
from .trainer import DataKind, TrainedModel, Trainer, TrainParams

__all__ = ["DataKind", "TrainContext", "TrainParams", "TrainReport", "TrainedModel", "Trainer", "read_card", "train"]
