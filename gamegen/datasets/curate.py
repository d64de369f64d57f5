"""From picks to a dataset: the refinement loop's step between a gallery and a trainer.

:func:`from_bundle` copies the primary image of each picked asset into an ``imagefolder`` dataset (images plus
``metadata.jsonl`` with ``file_name``, ``text``, ``source``, and ``license``/``stars`` where known) and a
``gamegen-dataset.json`` marker that lets a later run replace the folder. The folder is written atomically under
:mod:`gamegen.output`'s rules; it may not be, contain or lie inside the bundle.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from .._version import __version__
from ..atomic import atomic_directory
from ..errors import DatasetError
from ..output import DATASET_FORMAT, DATASET_MARKER, claim_output, resolve_output
from .bundles import BundleAsset, bundle_assets
from .captions import METADATA_FILE
from .items import Dataset
from .load import load_dataset
from .picks import Picks, as_picks
from .reading import MAX_IMAGE_BYTES, Unreadable, decode_image, read_capped

__all__ = ["from_bundle"]

_SHOWN_IDS = 12


def from_bundle(
    bundle: str | Path, picks: Picks | Mapping[str, Any] | Iterable[str] | str | Path, out: str | Path
) -> Dataset:
    """Write the picked assets of ``bundle`` as a captioned image dataset at ``out`` and return it loaded.

    ``picks``: a :class:`Picks`, its JSON form, a list of ids, or the path of a picks file. Ids are the bundle's
    asset ids (``seed-N`` for variations); an unknown id, an asset without an image or one that does not decode is
    a DatasetError (exit 2) and nothing is written.
    """
    chosen = as_picks(picks)
    source = Path(os.path.realpath(Path(bundle).expanduser()))
    if not source.is_dir():
        raise DatasetError(f"{bundle}: not a folder")
    assets = {a.pick_id: a for a in bundle_assets(source)}
    named = chosen.picks + chosen.rejects + list(chosen.stars)
    unknown = [i for i in dict.fromkeys(named) if i not in assets]
    if unknown:
        known = ", ".join(list(assets)[:_SHOWN_IDS]) + (", ..." if len(assets) > _SHOWN_IDS else "")
        raise DatasetError(f"{bundle}: no asset {', '.join(map(repr, unknown))}; its ids are {known or 'none'}")
    target = resolve_output(out)
    if target == source or source in target.parents or target in source.parents:
        raise DatasetError(f"{out}: the dataset may not be the bundle {source}, nor lie inside it or around it")
    marker = {"format": DATASET_FORMAT, "generator_sdk": __version__, "made_by": "gamegen dataset from-bundle",
              "picks": chosen.document()}  # fmt: skip
    with claim_output(target) as folder, atomic_directory(folder) as tmp:  # a failure leaves ``out`` as it was
        lines = [_copy_pick(bundle, assets[pick], chosen, tmp) for pick in chosen.picks]
        metadata = "".join(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n" for line in lines)
        (tmp / METADATA_FILE).write_text(metadata, encoding="utf-8")
        (tmp / DATASET_MARKER).write_text(json.dumps(marker, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return load_dataset(target, "image")


def _copy_pick(bundle: str | Path, asset: BundleAsset, picks: Picks, tmp: Path) -> dict[str, Any]:
    """Copy ``asset``'s primary image into ``tmp`` (checked to decode first) and return its metadata line."""
    try:
        path = asset.image_path()
        data = read_capped(path, MAX_IMAGE_BYTES)
        decode_image(data)
    except Unreadable as exc:
        raise DatasetError(f"{bundle}: picked asset {asset.pick_id!r}: {exc}") from None
    name = asset.pick_id.replace("/", "-") + PurePosixPath(path.name).suffix.lower()
    if any(p.name.casefold() == name.casefold() for p in tmp.iterdir()):
        raise DatasetError(f"{bundle}: picked assets would share the file name {name}")
    (tmp / name).write_bytes(data)
    line = {"file_name": name, "text": asset.caption, "source": asset.source, "license": asset.license,
            "stars": picks.stars.get(asset.pick_id)}  # fmt: skip
    return {k: v for k, v in line.items() if v is not None}
