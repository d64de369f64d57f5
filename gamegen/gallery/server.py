"""``gamegen view --serve``: the bundle and its gallery on http://127.0.0.1, and picks written straight into it.

Only this machine can connect (the socket is bound to 127.0.0.1) and only pages it served may post: a request whose
``Host`` or ``Origin`` is not this server's is refused, so another web site cannot write the file through the
browser. Files are served read-only (``GET /picks.json`` answers an empty document while there is none); ``POST
/picks.json`` (at most 4 MiB, checked by :func:`gamegen.gallery.picks.check_picks` against the bundle's ids)
replaces ``BUNDLE/picks.json``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ..errors import GamegenError, ParamError
from .model import collect
from .picks import PICKS_FILE, PICKS_MAX_BYTES, write_picks

__all__ = ["GalleryServer", "make_server", "serve"]

HOST = "127.0.0.1"
_TYPES = {".js": "text/javascript", ".cjs": "text/javascript", ".webp": "image/webp", ".ink": "text/plain",
          ".yarn": "text/plain", ".tmj": "application/json", ".glb": "model/gltf-binary"}  # fmt: skip


class GalleryServer(ThreadingHTTPServer):
    """A threading HTTP server for one bundle; ``url`` is the gallery page's address."""

    daemon_threads = True

    def __init__(self, root: Path, port: int):
        self.root = root
        self.known = {card.pick_id for card in collect(root).cards}
        super().__init__((HOST, port), partial(_Handler, directory=str(root)))

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that stops reading (a closed tab, an aborted load) is not an error worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}"

    @property
    def url(self) -> str:
        return f"{self.origin}/gallery/index.html"


class _Handler(SimpleHTTPRequestHandler):
    server: GalleryServer
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **_TYPES}

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the command prints its own lines
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def _ours(self) -> bool:
        port = self.server.server_address[1]
        hosts = {f"{HOST}:{port}", f"localhost:{port}"}
        origin = self.headers.get("Origin")
        return self.headers.get("Host") in hosts and (origin is None or origin in {f"http://{h}" for h in hosts})

    def _reply(self, status: HTTPStatus, doc: dict[str, Any]) -> None:
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if not self._ours():
            self._reply(HTTPStatus.FORBIDDEN, {"ok": False, "error": "not this server's page"})
        elif self.path == f"/{PICKS_FILE}" and not (self.server.root / PICKS_FILE).is_file():
            self._reply(HTTPStatus.OK, {"picks": [], "rejects": [], "stars": {}})  # none yet: an empty one
        elif self.path in ("/", "/index.html"):
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", "/gallery/index.html")
            self.end_headers()
        else:
            super().do_GET()

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(HTTPStatus.NOT_FOUND)

    def do_POST(self) -> None:
        if self.path != f"/{PICKS_FILE}":
            self._reply(HTTPStatus.NOT_FOUND, {"ok": False, "error": f"only /{PICKS_FILE} can be posted"})
            return
        if not self._ours():
            self._reply(HTTPStatus.FORBIDDEN, {"ok": False, "error": "not this server's page"})
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            length = -1
        if not 0 <= length <= PICKS_MAX_BYTES:
            self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"ok": False, "error": f"at most {PICKS_MAX_BYTES} bytes"})
            return
        try:
            doc = json.loads(self.rfile.read(length))
            path = write_picks(self.server.root, doc, self.server.known)
        except (ValueError, RecursionError, GamegenError) as exc:
            self._reply(HTTPStatus.BAD_REQUEST, {"ok": False, "error": " ".join(str(exc).split())})
            return
        self._reply(HTTPStatus.OK, {"ok": True, "path": str(path)})


def make_server(bundle: str | Path, port: int = 0) -> GalleryServer:
    """A server for ``bundle`` on 127.0.0.1:``port`` (0: any free port), bound and ready for ``serve_forever``."""
    try:
        return GalleryServer(Path(os.path.realpath(bundle)), port)
    except OSError as exc:
        raise ParamError(f"port {port}: cannot listen on {HOST}:{port} ({exc.strerror or exc})") from None


def serve(
    bundle: str | Path, port: int = 0, *, seconds: float | None = None, on_ready: Callable[[str], None] | None = None
) -> None:
    """Serve ``bundle`` until Ctrl-C, or for ``seconds``; ``on_ready`` gets the gallery's URL once it listens."""
    server = make_server(bundle, port)
    try:
        if on_ready is not None:
            on_ready(server.url)
        if seconds is None:
            server.serve_forever()
        else:
            server.timeout = 0.2
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                server.handle_request()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
