"""The content-addressed build cache: one entry per (generator, version, params, seed, profile, compression, inputs).

Inputs are the files and model folders a job reads, hub models included (their snapshot in the local
Hugging Face cache), hashed by content.

An entry is a folder holding an asset's exported files and its manifest entry. It is written beside its final
place and renamed into it, so a build killed at any moment leaves whole entries or none; a read checks every
file's sha256 against the entry, so a damaged entry (even one a power cut truncated: entries are not fsynced,
which would cost more than the generators on slow disks) is a miss, never a wrong file. A cache may be shared or
restored from elsewhere, so entries are untrusted input: paths, links and the job they record are checked too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import uuid
import warnings
from pathlib import Path

from .._version import __version__
from ..atomic import write_file_atomic
from ..bundle import ExportedAsset
from ..digests import file_sha256
from ..errors import AssetNameError
from ..export.generic import dump_json
from ..manifest import ManifestEntry
from ..ml.runtime import parse_hub_id
from ..names import check_relpath
from ..params import Params, input_fields
from ..training.card import read_card
from .cachedir import default_cache_dir
from .recipe import BuildJob

__all__ = ["BuildCache", "default_cache_dir", "hub_refs", "hub_snapshot"]

_LAYOUT = "v2"  # v2: entry.json is a whole manifest entry (ManifestEntry), id and paths included


def hub_refs(params: Params) -> list[str]:
    """The hub ids (``org/name[@revision]``, as the ML runtime reads them) among ``params``' model and adapter
    parameters; values naming local folders are not hub ids."""
    values = (getattr(params, name) for name, kind in input_fields(type(params)).items() if kind != "file")
    return [v for v in values if isinstance(v, str) and parse_hub_id(v) is not None]


def hub_snapshot(model: str) -> Path | None:
    """The folder of hub model ``model`` in the local Hugging Face cache, found without the network; None if absent.

    Never downloads: planning a build must not fetch gigabytes (or fail offline) before any job runs.
    """
    try:
        from huggingface_hub import snapshot_download
    except ImportError:  # no ML extra: nothing can have been downloaded
        return None
    try:
        repo_id, revision = parse_hub_id(model) or (model, None)
        return Path(snapshot_download(repo_id, revision=revision, local_files_only=True))
    except Exception:  # not downloaded yet (LocalEntryNotFoundError), or an id the hub would refuse
        return None


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _DamagedEntry(Exception):
    """A cache entry that must not be used; the message says why."""


def _read_plain_file(folder: Path, rel: str) -> bytes:
    """The bytes of ``folder/rel``, a plain file reached through no link and not outside ``folder``."""
    path = folder / rel
    real = Path(os.path.realpath(path))
    if real != path or not path.is_file() or path.is_symlink():
        raise _DamagedEntry(f"{rel!r} is not a plain file inside the entry")
    return path.read_bytes()


def _read_entry(folder: Path, job: BuildJob) -> ExportedAsset:
    """Read and check the entry in ``folder`` for ``job``; raises _DamagedEntry saying what is wrong."""
    folder = Path(os.path.realpath(folder))
    try:
        entry = ManifestEntry.model_validate_json(_read_plain_file(folder, "entry.json"))
    except (OSError, ValueError, RecursionError) as exc:
        raise _DamagedEntry(f"entry.json is not a manifest entry: {type(exc).__name__}") from None
    expected = {
        "generator": job.generator.name,
        "generator_version": job.generator.version,
        "seed": job.seed,
        "params": job.params.model_dump(mode="json"),
    }
    wrong = sorted(k for k, v in expected.items() if getattr(entry, k) != v)
    if wrong:
        raise _DamagedEntry(f"it records another {', '.join(wrong)}")
    try:
        moved = entry.for_asset(job.asset_id)  # every path checked: plain relative segments only
        files: dict[str, bytes] = {}
        for record, rel in zip(moved.files, entry.relative_paths(), strict=True):
            data = _read_plain_file(folder / "files", check_relpath(rel))
            if hashlib.sha256(data).hexdigest() != record.sha256:
                raise _DamagedEntry(f"{rel!r} does not match its sha256")
            files[record.path] = data
    except (AssetNameError, OSError) as exc:
        raise _DamagedEntry(f"bad file record: {' '.join(str(exc).split())}") from None
    return ExportedAsset(entry=moved, files=files)


class BuildCache:
    """Build results on disk, addressed by the hash of everything that determines them."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser().absolute() / _LAYOUT
        self._entries = self.root / "entries"
        self._tmp = self.root / "tmp"
        self._hashes = self.root / "file-hashes"
        self._timings = self.root / "timings"
        for folder in (self._entries, self._tmp, self._hashes, self._timings):
            folder.mkdir(parents=True, exist_ok=True)
        self._remove_abandoned()

    def _remove_abandoned(self) -> None:
        """Delete half-written entries of builds that died (their temporary folder names start with the pid)."""
        for tmp in self._tmp.iterdir():
            pid = tmp.name.split("-", 1)[0]
            if not (pid.isdigit() and _pid_alive(int(pid))):
                shutil.rmtree(tmp, ignore_errors=True)

    def _file_digest(self, path: Path) -> str:
        """sha256 of a file, remembered on disk per (path, size, mtime, inode) so big weights hash once."""
        st = path.stat()
        memo = (
            self._hashes
            / hashlib.sha256(f"{path.resolve()}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}".encode()).hexdigest()
        )
        with contextlib.suppress(OSError, UnicodeDecodeError):
            remembered = memo.read_text()
            if re.fullmatch(r"[0-9a-f]{64}", remembered):  # anything else (a damaged or planted memo) is recomputed
                return remembered
        digest = file_sha256(path)
        write_file_atomic(memo, digest.encode())
        return digest

    def input_digest(self, path: str | Path) -> str:
        """sha256 of an input file, or of a folder's files (relative path + content), e.g. a model's weights; a
        gamegen model folder counts by the weight files its card lists (a new card with the same weights is no change)."""
        path = Path(path)
        if path.is_file():
            return self._file_digest(path)
        if not path.is_dir():
            return "missing"
        h = hashlib.sha256()
        files = sorted(p for p in path.rglob("*") if p.is_file())
        card = read_card(path)
        if card is not None and isinstance(card.get("weights"), dict):  # a trained model is its weights, not its card
            files = [path / str(rel) for rel in sorted(card["weights"]) if (path / str(rel)).is_file()]
        for f in files:
            h.update(f"{f.relative_to(path).as_posix()}\0{self._file_digest(f)}\n".encode())
        return h.hexdigest()

    def key(self, job: BuildJob, profile: str, inputs: list[Path]) -> str:
        """The cache key of ``job``: sha256 of the canonical JSON of all that determines its files."""
        material = {
            "generator": job.generator.name,
            "generator_version": job.generator.version,
            "gamegen": __version__,
            "params": job.params.model_dump(mode="json"),
            "seed": job.seed,
            "profile": profile,
            "compression": job.compression,  # the PNGs' bytes differ between fast and small
            "inputs": [[Path(p).name, self.input_digest(p)] for p in inputs],
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True, separators=(",", ":")).encode()).hexdigest()

    def _timing(self, job: BuildJob) -> Path:
        name = hashlib.sha256(f"{job.generator.name}\0{job.asset_id}".encode()).hexdigest()[:32]
        return self._timings / name

    def last_seconds(self, job: BuildJob) -> float | None:
        """How long the last build of this asset (same id and generator, any parameters) took; None if never."""
        try:
            seconds = float(self._timing(job).read_text())
        except (OSError, ValueError):
            return None
        return seconds if 0.0 <= seconds < 1e7 else None  # a planted or damaged record is no record

    def remember_seconds(self, job: BuildJob, seconds: float) -> None:
        """Record how long this asset took, for the next build's schedule (longest job first)."""
        write_file_atomic(self._timing(job), f"{seconds:.3f}".encode())

    def entry_dir(self, key: str) -> Path:
        """The folder of the entry for ``key`` (whether or not it exists)."""
        return self._entries / key[:2] / key

    def get(self, key: str, job: BuildJob) -> ExportedAsset | None:
        """The cached result for ``key`` with its files under ``job.asset_id/``; None on a miss.

        The cache may come from elsewhere (restored in CI, shipped with a repository), so an entry is untrusted:
        it is used only if it is for this job, every path is a plain relative path inside the entry, no file is a
        link, and every file matches its sha256. Anything else is a miss with a warning (the job is rebuilt and the
        entry replaced), never a write, never an error.
        """
        folder = self.entry_dir(key)
        if not (folder / "entry.json").exists():
            return None
        try:
            return _read_entry(folder, job)
        except _DamagedEntry as exc:
            warnings.warn(f"cache entry {key[:12]}… for {job.asset_id} is unusable ({exc}); rebuilding it", stacklevel=2)
            return None

    def put(self, key: str, exported: ExportedAsset) -> None:
        """Store ``exported`` (its files by their path inside the asset folder) under ``key``, replacing any entry."""
        entry = exported.entry
        tmp = self._tmp / f"{os.getpid()}-{uuid.uuid4().hex}"
        try:
            for record, rel in zip(entry.files, entry.relative_paths(), strict=True):
                _write(tmp / "files" / rel, exported.files[record.path])
            _write(tmp / "entry.json", dump_json(entry.document()))
            final = self.entry_dir(key)
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():  # a forced rebuild, or a damaged entry: move it aside first, then swap
                old = self._tmp / f"{os.getpid()}-{uuid.uuid4().hex}"
                os.rename(final, old)
                shutil.rmtree(old, ignore_errors=True)
            os.rename(tmp, final)
        except OSError:
            if not self.entry_dir(key).is_dir():  # losing a race with another build writing the same entry is fine
                raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
