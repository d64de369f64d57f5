"""Loading models for neural backends: local folders or hub ids, device and dtype choice, safe weights only.

Every neural generator goes through here, so the rules hold everywhere: safetensors unless pickle is allowed
explicitly, the weights' hash recorded in the run's provenance, and one loaded copy per process.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..digests import file_sha256
from ..errors import ModelLoadError
from ..inputs import input_label

if TYPE_CHECKING:
    import torch

    from ..context import Context

__all__ = [
    "LoadedModel",
    "select_device",
    "select_dtype",
    "parse_hub_id",
    "resolve_model_path",
    "check_weights",
    "weights_sha256",
    "load_diffusers_pipeline",
    "load_causal_lm",
    "quiet_diffusers",
]

SAFE_SUFFIXES = (".safetensors",)
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
_HUB_ID = re.compile(r"([A-Za-z0-9][\w.\-]*/[\w.\-]+)(?:@([\w.\-/]+))?")
_MODEL_CACHE: dict[tuple[Any, ...], LoadedModel] = {}


class _NoTorchvisionNotes(logging.Filter):
    """Drops transformers' note that an image processor falls back to Pillow for want of torchvision: gamegen's
    pipelines never use those processors, and torchvision does not install beside the pinned CPU torch."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "requires torchvision (not installed)" not in record.getMessage()


logging.getLogger("transformers.utils.import_utils").addFilter(_NoTorchvisionNotes())


@dataclass
class LoadedModel:
    """A loaded model (a diffusers pipeline, or a (model, tokenizer) pair) and where it came from."""

    obj: Any
    model_id: str
    path: Path
    weights_sha256: str
    device: str
    dtype: Any


def _require_torch() -> Any:
    try:
        import torch
    except ImportError as exc:
        raise ModelLoadError("neural backends need the ML extra: pip install 'gamegen[ml]'") from exc
    return torch


@contextmanager
def quiet_diffusers() -> Iterator[None]:
    """diffusers logs errors only inside the block (its warnings about components a caller left out on purpose)."""
    from diffusers.utils import logging

    level = logging.get_verbosity()
    logging.set_verbosity_error()
    try:
        yield
    finally:
        logging.set_verbosity(level)


def _no_library_progress_bars(kind: str) -> None:
    """Turn off the loading bars transformers (and, for a pipeline, diffusers) draw on stderr: gamegen reports
    loads through progress instead, and a build's log stays one line per event."""
    import transformers.utils.logging

    transformers.utils.logging.disable_progress_bar()
    if kind != "causal-lm":
        import diffusers.utils.logging

        diffusers.utils.logging.disable_progress_bar()


def select_device(preferred: str | None = None) -> str:
    """``preferred`` if given, else the best available: cuda → mps → cpu."""
    if preferred:
        return preferred
    torch = _require_torch()
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def select_dtype(device: str, preferred: str | None = None) -> torch.dtype:
    """float16 on CUDA/MPS (half the memory, same pictures), float32 on the CPU; ``preferred`` overrides."""
    torch = _require_torch()
    if preferred:
        try:
            return getattr(torch, preferred)
        except AttributeError:
            raise ModelLoadError(f"unknown dtype {preferred!r} (use float32, float16 or bfloat16)") from None
    return torch.float16 if device.split(":")[0] in ("cuda", "mps") else torch.float32


def _weight_files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SAFE_SUFFIXES + PICKLE_SUFFIXES)


def check_weights(path: Path, allow_pickle: bool = False) -> None:
    """Refuse a model whose weights exist only as pickle files unless ``allow_pickle`` (pickle runs code)."""
    files = _weight_files(path)
    if not files:
        raise ModelLoadError(f"no weight files (.safetensors) under {path}")
    safe = [p for p in files if p.suffix in SAFE_SUFFIXES]
    if not safe and not allow_pickle:
        names = ", ".join(p.name for p in files[:3])
        raise ModelLoadError(
            f"{path} has only pickle weights ({names}); pickle can run code when loaded. "
            "Convert them to safetensors, or pass allow_pickle=True if you trust the source"
        )


def weights_sha256(path: Path, include_pickle: bool = False) -> str:
    """One sha256 over the model's weight files (relative path + content); each file is read once per process."""
    digest = hashlib.sha256()
    for f in _weight_files(path):
        if f.suffix in PICKLE_SUFFIXES and not include_pickle:
            continue
        digest.update(f.relative_to(path).as_posix().encode() + b"\0" + file_sha256(f).encode())
    return digest.hexdigest()


def parse_hub_id(model: str) -> tuple[str, str | None] | None:
    """``(repo_id, revision)`` for a hub id ``org/name`` or ``org/name@revision``; None for anything else.

    Pinning a revision (a commit hash, tag or branch) makes a build reproducible when the hub model changes.
    """
    if Path(model).expanduser().exists():
        return None
    match = _HUB_ID.fullmatch(model)
    return (match[1], match[2]) if match else None


def resolve_model_path(
    model: str, *, allow_pickle: bool = False, progress: Callable[[str], None] | None = None
) -> Path:
    """A local folder as it is, or a hub id (``org/name[@revision]``) downloaded to the Hugging Face cache.

    Offline, a hub id that is not already cached fails with a ModelLoadError that says so.
    """
    local = Path(model).expanduser()
    if local.is_dir():
        return local.resolve()
    hub = parse_hub_id(model)
    if hub is None:
        raise ModelLoadError(f"model {model!r} is neither a model folder nor a hub id like 'org/name[@revision]'")
    repo_id, revision = hub
    try:
        from huggingface_hub import snapshot_download
    except ImportError as exc:
        raise ModelLoadError("downloading hub models needs huggingface_hub: pip install 'gamegen[ml]'") from exc
    ignore = [] if allow_pickle else [f"*{s}" for s in PICKLE_SUFFIXES]
    (progress or (lambda m: print(m, file=sys.stderr)))(
        f"fetching {model} from the Hugging Face Hub (cached after the first time)"
    )
    try:
        return Path(snapshot_download(repo_id, revision=revision, ignore_patterns=ignore or None))
    except Exception as exc:
        offline = " (HF_HUB_OFFLINE is set)" if os.environ.get("HF_HUB_OFFLINE") else ""
        raise ModelLoadError(
            f"model {model!r} is not a local folder and could not be fetched from the hub{offline}: "
            f"{type(exc).__name__}: {exc}"
        ) from None


def _load(
    kind: str,
    model: str,
    loader: Callable[[Path, Any, str], Any],
    *,
    ctx: Context | None,
    device: str | None,
    dtype: str | None,
    allow_pickle: bool,
    private: bool = False,
) -> LoadedModel:
    say = (lambda message: ctx.progress(0, 0, message)) if ctx is not None else None
    path = resolve_model_path(model, allow_pickle=allow_pickle, progress=say)
    check_weights(path, allow_pickle)
    dev = select_device(device or (ctx.device if ctx is not None else None))
    torch_dtype = select_dtype(dev, dtype)
    key = (kind, str(path), dev, str(torch_dtype), allow_pickle)
    loaded = None if private else _MODEL_CACHE.get(key)
    if loaded is None:
        if say is not None:
            say(f"loading {kind} model {model} on {dev} ({str(torch_dtype).removeprefix('torch.')})")
        digest = weights_sha256(path, include_pickle=allow_pickle)
        _no_library_progress_bars(kind)
        try:
            obj = loader(path, torch_dtype, dev)
        except ModelLoadError:
            raise
        except Exception as exc:
            raise ModelLoadError(f"could not load {kind} model {model!r}: {type(exc).__name__}: {exc}") from exc
        loaded = LoadedModel(obj, model, path, digest, dev, torch_dtype)
        if not private:
            _MODEL_CACHE[key] = loaded
    if ctx is not None:
        ctx.use_model(input_label(model), loaded.weights_sha256)
    return loaded


def load_diffusers_pipeline(
    model: str,
    *,
    pipeline_class: Any = None,
    ctx: Context | None = None,
    device: str | None = None,
    dtype: str | None = None,
    allow_pickle: bool = False,
    private: bool = False,
    without: tuple[str, ...] = (),
) -> LoadedModel:
    """Load a diffusers pipeline (``save_pretrained`` layout) once per process; records it in ``ctx``.

    ``private``: a copy of its own, neither taken from nor kept in the per-process cache (a trainer changes its
    weights). ``without``: components not loaded (e.g. ``safety_checker``), which makes the copy private too.
    """
    _require_torch()

    def loader(path: Path, torch_dtype: Any, dev: str) -> Any:
        import diffusers
        import diffusers.utils.deprecation_utils as dep

        cls = pipeline_class or diffusers.DiffusionPipeline
        # newer diffusers renamed torch_dtype to dtype (and warn on the old name)
        dtype_kw = "dtype" if hasattr(dep, "_resolve_dtype") else "torch_dtype"
        skipped = dict.fromkeys(without)
        pipe = cls.from_pretrained(path, use_safetensors=not allow_pickle, **{dtype_kw: torch_dtype}, **skipped)
        pipe = pipe.to(dev)
        pipe.set_progress_bar_config(disable=True)
        return pipe

    name = getattr(pipeline_class, "__name__", "diffusers")
    return _load(
        name, model, loader, ctx=ctx, device=device, dtype=dtype, allow_pickle=allow_pickle, private=private or bool(without)
    )


def _read_causal_lm(path: Path, torch_dtype: Any, dev: str, allow_pickle: bool) -> tuple[Any, Any]:
    """The causal LM (on ``dev``, in eval mode) and tokenizer saved in ``path``."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    lm = AutoModelForCausalLM.from_pretrained(path, dtype=torch_dtype, use_safetensors=not allow_pickle)
    lm = cast(Any, lm).to(dev).eval()  # transformers' typing of .to() is not usable here
    tok = AutoTokenizer.from_pretrained(path)
    return lm, tok


def load_causal_lm(
    model: str,
    *,
    ctx: Context | None = None,
    device: str | None = None,
    dtype: str | None = None,
    allow_pickle: bool = False,
    adapters: Sequence[str] = (),
    adapter_scale: float = 1.0,
    private: bool = False,
) -> LoadedModel:
    """Load a transformers causal LM and its tokenizer; ``obj`` is the pair ``(model, tokenizer)``.

    ``private``: a copy of its own, neither taken from nor kept in the per-process cache (a trainer changes its
    weights). ``adapters``: LoRA folders (:mod:`.lm_adapters`) merged at ``adapter_scale`` into a copy of the
    model, so the cached copy never carries one; they are checked before the model loads, and scale 0 is the
    model alone.
    """
    _require_torch()
    from .lm_adapters import adapter_folder, with_adapters

    folders = [(name, adapter_folder(name, allow_pickle=allow_pickle)) for name in adapters]

    def loader(path: Path, torch_dtype: Any, dev: str) -> Any:
        return _read_causal_lm(path, torch_dtype, dev, allow_pickle)

    base = _load(
        "causal-lm", model, loader, ctx=ctx, device=device, dtype=dtype, allow_pickle=allow_pickle, private=private
    )
    if not folders or adapter_scale == 0:
        return base
    return with_adapters(base, folders, adapter_scale, ctx=ctx, allow_pickle=allow_pickle)
