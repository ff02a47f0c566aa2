"""A read-only web server for what chiso publishes: ``snapshots/`` and ``docs/`` of the
configured object store (local folder or S3), so the report and Data Docs links in the
Prefect UI open in a browser. Nothing else is served: ``inbox/``, ``raw/`` and
``feedback/`` hold units' files and stay private.

    python -m flows.serve --port 8089      # the stack starts it; bound to 127.0.0.1

Set ``CHISO_PUBLIC_URL`` (e.g. ``http://127.0.0.1:8089``) for the flows, and their links
point here instead of at the object store.
"""

from __future__ import annotations

import argparse
import mimetypes
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from flows.resources import Resources
from flows.settings import load_settings
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


def serve(port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """The server (not yet serving): call ``serve_forever``."""
    store = Resources(load_settings()).store
    return ThreadingHTTPServer((host, port), handler(store))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    server = serve(args.port, args.host)
    print(f"serving snapshots/ and docs/ at http://{args.host}:{args.port}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
