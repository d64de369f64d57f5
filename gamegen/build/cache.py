"""The content-addressed build cache: one entry per (generator, version, params, seed, profile, inputs).

Inputs are the files and model folders a job reads, hub models included (their snapshot in the local
Hugging Face cache), hashed by content.

An entry is a folder holding an asset's exported files and its manifest entry. It is written beside its final
place and renamed into it, so a build killed at any moment leaves whole entries or none; a read checks every
file's sha256 against the entry, so a damaged entry (even one a power cut truncated: entries are not fsynced,
which would cost more than the generators on slow disks) is a miss, never a wrong file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from .._version import __version__
from ..atomic import write_file_atomic
from ..bundle import ExportedAsset
from ..export.generic import dump_json
from ..ml.runtime import parse_hub_id
from .recipe import BuildJob

__all__ = ["BuildCache", "default_cache_dir", "hub_model", "hub_snapshot"]

_LAYOUT = "v1"


def default_cache_dir(project: str | Path = ".") -> Path:
    """``$GAMEGEN_CACHE`` if set, else ``.gamegen-cache`` in ``project`` (the recipe's folder), which CI can keep."""
    if os.environ.get("GAMEGEN_CACHE"):
        return Path(os.environ["GAMEGEN_CACHE"]).expanduser()
    return Path(project) / ".gamegen-cache"


def hub_model(model: object) -> str | None:
    """``model`` if it is a hub id (``org/name[@revision]``, as the ML runtime reads it), not a local path; else None."""
    return model if isinstance(model, str) and parse_hub_id(model) is not None else None


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


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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


class BuildCache:
    """Build results on disk, addressed by the hash of everything that determines them."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser().absolute() / _LAYOUT
        self._entries = self.root / "entries"
        self._tmp = self.root / "tmp"
        self._hashes = self.root / "file-hashes"
        for folder in (self._entries, self._tmp, self._hashes):
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
        with contextlib.suppress(OSError):
            return memo.read_text()
        digest = _sha256_file(path)
        write_file_atomic(memo, digest.encode())
        return digest

    def input_digest(self, path: str | Path) -> str:
        """sha256 of an input file, or of a folder's files (relative path + content), e.g. a model's weights."""
        path = Path(path)
        if path.is_file():
            return self._file_digest(path)
        if not path.is_dir():
            return "missing"
        h = hashlib.sha256()
        for f in sorted(p for p in path.rglob("*") if p.is_file()):
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
            "inputs": [[Path(p).name, self.input_digest(p)] for p in inputs],
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True, separators=(",", ":")).encode()).hexdigest()

    def _entry_dir(self, key: str) -> Path:
        return self._entries / key[:2] / key

    def get(self, key: str, asset_id: str) -> ExportedAsset | None:
        """The cached result for ``key`` with its files under ``asset_id/``; None on a miss or a damaged entry."""
        folder = self._entry_dir(key)
        try:
            entry: dict[str, Any] = json.loads((folder / "entry.json").read_bytes())
            files: dict[str, bytes] = {}
            for record in entry["files"]:
                data = (folder / "files" / record["path"]).read_bytes()
                if hashlib.sha256(data).hexdigest() != record["sha256"]:
                    return None
                files[f"{asset_id}/{record['path']}"] = data
        except (OSError, ValueError, KeyError):
            return None
        entry["files"] = [{**r, "path": f"{asset_id}/{r['path']}"} for r in entry["files"]]
        return ExportedAsset(entry={"id": asset_id, **entry}, files=files)

    def put(self, key: str, exported: ExportedAsset) -> None:
        """Store ``exported`` (its paths made relative to its asset folder) under ``key``, replacing any entry."""
        prefix = exported.entry["id"] + "/"
        entry = {k: v for k, v in exported.entry.items() if k != "id"}
        entry["files"] = [{**r, "path": r["path"].removeprefix(prefix)} for r in entry["files"]]
        tmp = self._tmp / f"{os.getpid()}-{uuid.uuid4().hex}"
        try:
            for path, data in exported.files.items():
                _write(tmp / "files" / path.removeprefix(prefix), data)
            _write(tmp / "entry.json", dump_json(entry))
            final = self._entry_dir(key)
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():  # a forced rebuild, or a damaged entry: move it aside first, then swap
                old = self._tmp / f"{os.getpid()}-{uuid.uuid4().hex}"
                os.rename(final, old)
                shutil.rmtree(old, ignore_errors=True)
            os.rename(tmp, final)
        except OSError:
            if not self._entry_dir(key).is_dir():  # losing a race with another build writing the same entry is fine
                raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
