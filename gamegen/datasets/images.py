"""Images from a folder (PNG, JPEG, WebP, in sub-folders too), captioned by sidecars or ``metadata.jsonl``."""

from __future__ import annotations

import hashlib

from .captions import Caption, read_captions
from .duplicates import image_signature
from .items import DataProblem, DatasetItem, Loaded
from .reading import IMAGE_SUFFIXES, MAX_IMAGE_BYTES, Unreadable, decode_image, read_capped
from .scan import Scan

__all__ = ["load_images"]


def load_images(scan: Scan) -> Loaded:
    """One item per readable image file; its sha256 is of the file's bytes, so a touched file keeps it."""
    images = scan.suffixed(IMAGE_SUFFIXES)
    captions, problems = read_captions(scan, images)
    found = Loaded(problems=problems)
    for rel in images:
        path = scan.root / rel
        try:
            data = read_capped(path, MAX_IMAGE_BYTES)
            signature = image_signature(decode_image(data))
        except Unreadable as exc:
            found.problems.append(DataProblem(rel, str(exc)))
            continue
        caption = captions.get(rel, Caption())
        found.items.append(DatasetItem(rel, caption.text, hashlib.sha256(data).hexdigest(), caption.license,
                                       caption.source, path=path))  # fmt: skip
        found.signatures[rel] = signature
    return found
