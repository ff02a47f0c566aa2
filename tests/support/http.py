"""A local HTTP server standing in for the units' endpoints."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Endpoints:
    """Path -> list of (status, body) answers; the last answer repeats."""

    def __init__(self) -> None:
        self.answers: dict[str, list[tuple[int, bytes]]] = {}
        self.hits: dict[str, int] = {}
        self.headers: list[dict[str, str]] = []
        self.url = ""

    def serve(self, path: str, *answers: tuple[int, bytes]) -> None:
        self.answers[path] = list(answers)


@pytest.fixture
def endpoints() -> Iterator[Endpoints]:
    state = Endpoints()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits[self.path] = state.hits.get(self.path, 0) + 1
            state.headers.append(dict(self.headers))
            answers = state.answers.get(self.path, [(404, b"")])
            status, body = answers[min(state.hits[self.path], len(answers)) - 1]
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
