"""The read-only public side of the door: ``snapshots/`` and ``docs/`` of the object
store (local folder or S3), so the report and Data Docs links in the Prefect UI open in a
browser, for anyone. Nothing else is served: ``inbox/``, ``raw/`` and ``feedback/`` hold
units' files and stay private (a unit reads its own feedback through the portal, with an
account). ``python -m flows.serve`` builds the store and serves this handler.
"""

from __future__ import annotations

import mimetypes
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from urllib.parse import unquote, urlsplit

from tasks.objects.store import ObjectStore

PUBLIC = ("snapshots/", "docs/")
TYPES = {".csv": "text/csv; charset=utf-8", ".html": "text/html; charset=utf-8"}
TYPES |= {".json": "application/json", ".parquet": "application/vnd.apache.parquet"}


def public_key(path: str) -> str | None:
    """The object key a request path names, if it is one that may be served."""
    key = unquote(urlsplit(path).path).lstrip("/")
    if key.endswith("/") or key in ("docs", ""):
        key = (key.rstrip("/") + "/index.html").lstrip("/")
    parts = key.split("/")
    if any(p in ("", ".", "..") or "\\" in p for p in parts):
        return None
    return key if key.startswith(PUBLIC) else None


def handler(store: ObjectStore) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "chiso-public"

        def do_GET(self) -> None:
            self._answer(body=True)

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def _answer(self, body: bool) -> None:
            key = public_key(self.path)
            if key is None:
                self.send_error(HTTPStatus.FORBIDDEN, "only snapshots/ and docs/ are public")
                return
            if not store.exists(key):
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            data = store.get(key)
            ext = "." + key.rsplit(".", 1)[-1] if "." in key else ""
            ctype = TYPES.get(ext) or mimetypes.guess_type(key)[0] or "application/octet-stream"
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header(
                "Cache-Control", "no-cache" if key.endswith("latest.json") else "max-age=300"
            )
            self.end_headers()
            if body:
                self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
