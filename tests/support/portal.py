"""A real portal for tests: uvicorn on a free port over a home of its own (SQLite file or
PostgreSQL by ``chiso_db``, the local object store), with unit and officer accounts."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tests.support.ports import free_port

UNIT_A, UNIT_B = "25459", "25480"
PASSWORD = "mật khẩu đủ dài 123"


@dataclass
class Door:
    """A running portal: its address, resources, decider, inbox, and accounts' tokens."""

    url: str
    home: Path
    inbox: Path
    res: Any
    decider: Any
    tokens: dict[str, str] = field(default_factory=dict)  # email -> API token
    invites: dict[str, str] = field(default_factory=dict)  # email -> invitation token

    def client(self, email: str | None = None, **kw: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[email]}"} if email else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120, **kw)

    def decided(self, email: str, sid: str, timeout: float = 180) -> dict[str, Any]:
        """The submission's report once decided."""
        deadline = time.monotonic() + timeout
        with self.client(email) as c:
            while True:
                doc = c.get(f"/api/v1/submissions/{sid}").json()
                if doc.get("status") != "received" or time.monotonic() > deadline:
                    return dict(doc)
                time.sleep(0.3)


def serve(app: Any) -> tuple[uvicorn.Server, threading.Thread, str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


@contextmanager
def running_door(home: Path, sources: str, inbox: Path) -> Iterator[Door]:
    """A portal over the settings of the environment, ``home`` and ``sources``, with
    accounts a@ (unit A), b@ (unit B), o@ (officer), each with an API token; a@ and o@
    also with a password."""
    from flows.portal import Decider, build_portal
    from flows.resources import Resources
    from flows.settings import load_settings
    from portal.app import create_app
    from tasks.accounts.store import accept_invitation, add_account, issue_token

    res = Resources(load_settings(home, sources))
    decider = Decider(res)
    app = create_app(build_portal(res, decider))
    server, thread, url = serve(app)
    d = Door(url, home, inbox, res, decider)
    for email, unit in (("a@x.vn", UNIT_A), ("b@x.vn", UNIT_B), ("o@x.vn", None)):
        _, d.invites[email] = add_account(res.engine, res.units, email, unit, None)
        d.tokens[email] = issue_token(res.engine, email)
    for email in ("a@x.vn", "o@x.vn"):
        accept_invitation(res.engine, d.invites.pop(email), PASSWORD)
    try:
        yield d
    finally:
        decider.idle(300)
        server.should_exit = True
        thread.join(30)
        res.engine.dispose()


@pytest.fixture
def door(
    tmp_path: Path, chiso_db: str, prefect_api: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Door]:
    """A portal on a fresh home (SQLite or PostgreSQL) and a local inbox, files to 1 MB."""
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    inbox.mkdir()
    monkeypatch.setenv("CHISO_MAX_FILE_MB", "1")
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with running_door(home, str(inbox), inbox) as d:
        yield d


def form_token(client: httpx.Client, path: str) -> str:
    """The CSRF token a page's form carries."""
    import re

    page = client.get(path).text
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page[:500]
    return found[1]


def sign_in(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    token = form_token(client, "/signin")
    return client.post("/signin", data={"email": email, "password": password, "csrf": token})
