"""Training data: load, validate and fingerprint images, texts and sprite frames; make datasets from bundles.

``load_dataset(path)`` reads a folder (kind guessed or given) into a :class:`Dataset` of :class:`DatasetItem`;
files it cannot use are :class:`DataProblem` entries, never a crash, and duplicates are reported. ``from_bundle``
turns the assets a person picked from a bundle into a captioned dataset. See docs/training.md.
"""

from __future__ import annotations

from .curate import from_bundle
from .items import DataKind, DataProblem, Dataset, DatasetItem
from .load import load_dataset
from .picks import PICKS_FORMAT, Picks

__all__ = ["DataKind", "DataProblem", "Dataset", "DatasetItem", "PICKS_FORMAT", "Picks", "from_bundle", "load_dataset"]
