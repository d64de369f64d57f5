"""The Trainer base class: the contract every built-in and plugin trainer implements, shaped like Generator's."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar, get_args

from ..context import ModelUse
from ..declared import Declared
from ..params import Field, Params

if TYPE_CHECKING:
    from ..datasets import Dataset
    from .context import TrainContext

__all__ = ["DataKind", "Trainer", "TrainParams", "TrainedModel", "T"]

DataKind = Literal["image", "text", "sprite"]
_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


class TrainParams(Params):
    """Parameters every trainer has: how long, how fast, how often to checkpoint and to draw samples."""

    steps: int = Field(200, ge=1, le=1_000_000, description="Optimizer steps to train for.")
    learning_rate: float = Field(1e-4, gt=0, le=1.0, description="Peak learning rate.")
    batch_size: int = Field(1, ge=1, le=1024, description="Items per optimizer step (before gradient accumulation).")
    checkpoint_every: int = Field(
        50, ge=1, le=1_000_000, description="Write a resumable checkpoint every N steps (and at the end)."
    )
    sample_every: int = Field(
        0, ge=0, le=1_000_000, description="Draw a sample grid every N steps (0: only at the end)."
    )


T = TypeVar("T", bound=TrainParams)


@dataclass
class TrainedModel:
    """What a trainer returns: the weight files it wrote into ``ctx.out_dir`` and the figures for the model card.

    ``files`` are paths relative to ``ctx.out_dir`` (safetensors only); ``metrics`` holds losses and the like
    (``final_loss``, ``heldout_loss``, ``perplexity_before``...); ``base`` is the model fine-tuned, if any;
    ``extra`` goes into the card as it is (target modules, tiling...).
    """

    files: list[str]
    metrics: dict[str, float] = field(default_factory=dict)
    base: ModelUse | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Trainer(Declared, Generic[T]):
    """Subclass ``Trainer[MyParams]``, set ``name`` (``<modality>.<method>``), ``version`` and ``data_kind``, and
    implement :meth:`train`.

    ``quick_params`` make a run of a few seconds on a tiny dataset (the conformance check uses them, with
    ``quick_base`` filled in by the check when the trainer fine-tunes a base model).
    """

    data_kind: ClassVar[DataKind] = "image"
    params: ClassVar[type[Params]] = TrainParams

    def train(self, dataset: Dataset, params: T, ctx: TrainContext) -> TrainedModel:
        """Train on ``dataset`` with ``params``, writing weights into ``ctx.out_dir`` and checkpoints through ``ctx``."""
        raise NotImplementedError

    def base_model(self, params: T) -> str | None:
        """The model this run fine-tunes (a folder or hub id), or None when it trains from scratch."""
        value = getattr(params, "base", None)
        return value if isinstance(value, str) and value else None

    @classmethod
    def check_declaration(cls) -> None:
        """Raise TypeError if the class does not declare the contract's attributes correctly."""
        for attr in ("name", "version"):
            if not isinstance(getattr(cls, attr, None), str):
                raise TypeError(f"{cls.__qualname__} must set {attr} as a string")
        if not _NAME.match(cls.name):
            raise TypeError(f"{cls.__qualname__}.name {cls.name!r} must look like '<modality>.<method>' (lowercase)")
        if cls.data_kind not in get_args(DataKind):
            raise TypeError(f"{cls.__qualname__}.data_kind must be one of {get_args(DataKind)}")
        if not (isinstance(cls.params, type) and issubclass(cls.params, TrainParams)):
            raise TypeError(f"{cls.__qualname__}.params must subclass gamegen.TrainParams (write Trainer[MyParams])")
        if cls.train is Trainer.train:
            raise TypeError(f"{cls.__qualname__} must implement train()")
