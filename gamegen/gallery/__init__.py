"""An offline HTML gallery of a bundle: every asset shown the way a game would show it, with picks.

``write_gallery(bundle)`` writes ``BUNDLE/gallery/index.html``, a page that works from ``file://`` (no server, no
network: three.js and inkjs are vendored in the package with their licences); ``serve(bundle)`` serves it on
127.0.0.1 and writes the artist's ``picks.json`` into the bundle. ``gamegen view`` is the command.
"""

from __future__ import annotations

from .picks import PICKS_FILE, check_picks
from .server import serve
from .viewers import VIEWER_ENTRY_POINT_GROUP
from .writer import GALLERY_DIR, gallery_index, write_gallery

__all__ = [
    "GALLERY_DIR",
    "PICKS_FILE",
    "VIEWER_ENTRY_POINT_GROUP",
    "check_picks",
    "gallery_index",
    "serve",
    "write_gallery",
]
