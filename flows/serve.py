"""A read-only web server for what chiso publishes (``portal/public.py``): ``snapshots/``
and ``docs/`` of the configured object store.

    python -m flows.serve --port 8089      # the stack starts it; bound to 127.0.0.1

Set ``CHISO_PUBLIC_URL`` (e.g. ``http://127.0.0.1:8089``) for the flows, and their links
point here instead of at the object store.
"""

from __future__ import annotations

import argparse
from http.server import ThreadingHTTPServer

from flows.resources import unprepared
from portal.public import handler


def serve(port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """The server (not yet serving): call ``serve_forever``."""
    store = unprepared().store
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
