"""Bundle verification: the manifest is well formed and every file it lists is there, intact and parseable."""

from __future__ import annotations

import hashlib
import io
import json
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import GamegenError
from ..manifest import FileRecord, ManifestEntry
from ..names import check_name, check_relpath
from ..output import BUNDLE_FORMAT

__all__ = ["InvalidBundleError", "check_bundle", "bundle_files"]

class InvalidBundleError(GamegenError):
    """A bundle does not match its manifest; ``problems`` holds one line per defect."""

    def __init__(self, root: Path, problems: list[str]):
        self.problems = problems
        super().__init__(f"bundle {root} is invalid: " + "; ".join(problems))


def _parse_png(data: bytes) -> None:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        img.verify()


def _parse_glb(data: bytes) -> None:
    if (
        data[:4] != b"glTF"
        or int.from_bytes(data[4:8], "little") != 2
        or int.from_bytes(data[8:12], "little") != len(data)
    ):
        raise ValueError("not a glTF 2.0 binary with a matching length header")


def _parse_wav(data: bytes) -> None:
    with wave.open(io.BytesIO(data)) as w:
        if w.getnframes() == 0:
            raise ValueError("WAV has no frames")


_PARSERS: dict[str, Callable[[bytes], Any]] = {
    "image/png": _parse_png,
    "application/json": json.loads,
    "model/gltf-binary": _parse_glb,
    "audio/wav": _parse_wav,
}


def bundle_files(root: str | Path) -> dict[str, bytes]:
    """Every file under ``root`` (manifest included) by POSIX relative path: the bytes a bundle is made of."""
    root = Path(root)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _file_problems(root: Path, asset_id: str, record: FileRecord, files: dict[str, bytes]) -> list[str]:
    where = f"asset {asset_id!r} file {record.path!r}"
    try:
        check_relpath(record.path)
    except GamegenError as exc:
        return [f"{where}: {exc}"]
    if not record.path.startswith(f"{asset_id}/"):
        return [f"{where}: lies outside the asset's folder {asset_id}/"]
    if not (root / record.path).resolve().is_relative_to(root.resolve()):
        return [f"{where}: resolves outside the bundle"]
    data = files.get(record.path)
    if data is None:
        return [f"{where}: listed in the manifest but missing"]
    problems = []
    if len(data) != record.bytes:
        problems.append(f"{where}: size {len(data)} != manifest bytes {record.bytes}")
    if hashlib.sha256(data).hexdigest() != record.sha256:
        problems.append(f"{where}: sha256 does not match the manifest")
    parse = _PARSERS.get(record.media_type)
    if parse is not None and not problems:
        try:
            parse(data)
        except Exception as exc:
            problems.append(f"{where}: does not parse as {record.media_type}: {exc}")
    return problems


def _entry(raw: Any, index: int) -> tuple[ManifestEntry | None, list[str]]:
    """The manifest entry ``raw`` as a ManifestEntry, or the problems that keep it from being one."""
    where = f"asset {raw.get('id') if isinstance(raw, dict) else None!r}"
    try:
        entry = ManifestEntry.model_validate(raw)
    except ValidationError as exc:
        return None, [
            f"{where}: field {'.'.join(map(str, e['loc'])) or f'#{index}'!r}: {e['msg']}"
            for e in exc.errors(include_url=False)
        ]
    try:
        check_name(entry.id, "asset id")
    except GamegenError as exc:
        return None, [f"{where}: {exc}"]
    return (entry, []) if entry.files else (None, [f"{where}: lists no files"])


def check_bundle(root: str | Path) -> dict[str, Any]:
    """Verify a bundle folder against its ``manifest.json`` and return the manifest.

    Checks the format tag, each entry's fields, that every listed file exists inside the bundle with the recorded
    size and sha256 (and parses, for PNG/JSON/glTF/WAV), and that no file is missing from the manifest.
    Raises :class:`InvalidBundleError` listing every problem.
    """
    root = Path(root)
    files = bundle_files(root)
    try:
        manifest = json.loads(files.pop("manifest.json"))
    except (KeyError, ValueError) as exc:
        raise InvalidBundleError(root, [f"manifest.json is missing or not JSON ({exc})"]) from None
    problems: list[str] = []
    if manifest.get("format") != BUNDLE_FORMAT:
        problems.append(f"format is {manifest.get('format')!r}, expected {BUNDLE_FORMAT!r}")
    if not isinstance(manifest.get("profile"), str):
        problems.append("profile must be a string")
    entries = manifest.get("assets")
    if not isinstance(entries, list) or not entries:
        problems.append("assets must be a non-empty list")
        entries = []
    listed: list[str] = []
    for index, raw in enumerate(entries):
        entry, entry_problems = _entry(raw, index)
        problems += entry_problems
        if entry is None:
            continue
        for record in entry.files:
            problems += _file_problems(root, entry.id, record, files)
            listed.append(record.path)
    ids = [e.get("id") if isinstance(e, dict) else None for e in entries]
    problems += [f"asset id {i!r} appears more than once" for i in sorted({i for i in ids if ids.count(i) > 1}, key=str)]
    problems += [f"file {p!r} is listed more than once" for p in sorted({p for p in listed if listed.count(p) > 1})]
    problems += [f"file {p!r} is in the bundle but not in the manifest" for p in sorted(files.keys() - set(listed))]
    if problems:
        raise InvalidBundleError(root, problems)
    return manifest
