"""Captions of image files, two ways: a sidecar ``name.txt`` beside ``name.png``, or a ``metadata.jsonl``.

``metadata.jsonl`` follows the Hugging Face ``imagefolder`` convention: one JSON object a line with ``file_name``
(relative to the folder holding the metadata file) and ``text``, here also ``license`` and ``source``. Where both
give a caption, metadata wins. A line naming a file that is not an image of the dataset, an absolute path or one
with ``..`` is a problem; so is a line that is not JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePosixPath

from .items import DataProblem
from .reading import MAX_JSON_BYTES, MAX_TEXT_BYTES, Unreadable, join_inside, read_text
from .scan import Scan

__all__ = ["METADATA_FILE", "Caption", "read_captions"]

METADATA_FILE = "metadata.jsonl"
_OPTIONAL = ("license", "source")


@dataclass(frozen=True)
class Caption:
    """What the data says about one image: its caption and, from metadata, its licence and source."""

    text: str = ""
    license: str | None = None
    source: str | None = None


def read_captions(scan: Scan, images: list[str]) -> tuple[dict[str, Caption], list[DataProblem]]:
    """The caption of each of ``images`` that has one (metadata first, then sidecars), and the problems found."""
    wanted = set(images)
    captions: dict[str, Caption] = {}
    problems: list[DataProblem] = []
    for meta in scan.files:
        if PurePosixPath(meta).name == METADATA_FILE:
            _read_metadata(scan, meta, wanted, captions, problems)
    present = set(scan.files)
    for image in images:
        sidecar = PurePosixPath(image).with_suffix(".txt").as_posix()
        if image in captions or sidecar not in present:
            continue
        try:
            captions[image] = Caption(read_text(scan.root / sidecar, MAX_TEXT_BYTES).strip())
        except Unreadable as exc:
            problems.append(DataProblem(sidecar, str(exc)))
    return captions, problems


def _read_metadata(
    scan: Scan, meta: str, wanted: set[str], captions: dict[str, Caption], problems: list[DataProblem]
) -> None:
    """Add the captions of one ``metadata.jsonl``; each bad line becomes a problem ``path:line``."""
    folder = PurePosixPath(meta).parent.as_posix()
    try:
        lines = read_text(scan.root / meta, MAX_JSON_BYTES).split("\n")  # not splitlines(): JSON may hold a raw U+2028
    except Unreadable as exc:
        problems.append(DataProblem(meta, str(exc)))
        return
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            name, caption = _caption_line(folder, line)
            if name not in wanted:
                raise Unreadable(f"names {name}, which is not an image of the dataset")
            if name in captions:
                raise Unreadable(f"names {name} again; the first caption is kept")
        except Unreadable as exc:
            problems.append(DataProblem(f"{meta}:{number}", str(exc)))
            continue
        captions[name] = caption


def _caption_line(folder: str, line: str) -> tuple[str, Caption]:
    """(dataset path, caption) of one metadata line; Unreadable saying what is wrong with it."""
    try:
        doc = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise Unreadable(f"not a JSON line ({exc})") from None
    if not isinstance(doc, dict) or "file_name" not in doc:
        raise Unreadable("not a JSON object with a 'file_name'")
    text = doc.get("text", "")
    if not isinstance(text, str):
        raise Unreadable(f"'text' must be a string, got {type(text).__name__}")
    extra = {key: doc.get(key) for key in _OPTIONAL}
    for key, value in extra.items():
        if value is not None and not isinstance(value, str):
            raise Unreadable(f"{key!r} must be a string, got {type(value).__name__}")
    return join_inside(folder, doc["file_name"]), Caption(text.strip(), extra["license"], extra["source"])
