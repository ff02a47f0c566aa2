"""A local HTTP server standing in for the units' endpoints."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Endpoints:
    """Path -> list of (status, body) answers; the last answer repeats. ``redirect`` sends
    a path elsewhere; ``drip`` sends a path's body a byte at a time, ``delay`` apart."""

    def __init__(self) -> None:
        self.answers: dict[str, list[tuple[int, bytes]]] = {}
        self.hits: dict[str, int] = {}
        self.headers: list[dict[str, str]] = []
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.redirects: dict[str, str] = {}
        self.drips: dict[str, float] = {}
        self.raws: dict[str, tuple[bytes, float]] = {}
        self.url = ""

    def serve(self, path: str, *answers: tuple[int, bytes]) -> None:
        self.answers[path] = list(answers)

    def redirect(self, path: str, location: str) -> None:
        self.redirects[path] = location

    def drip(self, path: str, body: bytes, delay: float) -> None:
        self.answers[path] = [(200, body)]
        self.drips[path] = delay

    def raw(self, path: str, response: bytes, delay: float = 0.0) -> None:
        """Answer ``path`` with these bytes as they are (status line, headers, body),
        ``delay`` apart per byte when given (headers sent one byte at a time)."""
        self.raws[path] = (response, delay)


@pytest.fixture
def endpoints() -> Iterator[Endpoints]:
    state = Endpoints()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits[self.path] = state.hits.get(self.path, 0) + 1
            state.headers.append(dict(self.headers))
            state.seen.append((self.path, dict(self.headers)))
            if self.path in state.raws:
                response, delay = state.raws[self.path]
                step = 1 if delay else len(response)
                for i in range(0, len(response), step):
                    try:
                        self.wfile.write(response[i : i + step])
                        self.wfile.flush()
                    except OSError:  # the client gave up
                        return
                    time.sleep(delay)
                self.close_connection = True
                return
            if self.path in state.redirects:
                self.send_response(302)
                self.send_header("Location", state.redirects[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            answers = state.answers.get(self.path, [(404, b"")])
            status, body = answers[min(state.hits[self.path], len(answers)) - 1]
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.path not in state.drips:
                self.wfile.write(body)
                return
            for i in range(len(body)):
                try:
                    self.wfile.write(body[i : i + 1])
                    self.wfile.flush()
                except OSError:  # the client gave up
                    return
                time.sleep(state.drips[self.path])

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
