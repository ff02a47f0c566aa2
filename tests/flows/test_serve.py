"""The read-only server behind the UI's links: snapshots/ and docs/ open in a browser,
units' files never do."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.serve import serve
from portal.public import public_key
from tasks.objects import open_store
from tests.support.browser import chromium
from tests.support.ports import free_port
from tests.support.s3 import Seaweed

PAGE = b"<!doctype html><html><head><title>report 2025Q3</title></head><body>ok</body></html>"


def test_only_published_keys_are_public() -> None:
    assert public_key("/snapshots/2025Q3/v1/report.html") == "snapshots/2025Q3/v1/report.html"
    assert public_key("/docs/") == "docs/index.html" and public_key("/docs") == "docs/index.html"
    assert public_key("/docs/validations/a%20b.html?x=1") == "docs/validations/a b.html"
    for path in ("/raw/25459/2025Q3/x.json", "/inbox/a.json", "/feedback/25459/x.html", "/"):
        assert public_key(path) is None, path
    assert public_key("/snapshots/../raw/x") is None
    assert public_key("/snapshots/%2e%2e/raw/x") is None
    assert public_key("/snapshots//x") is None


@pytest.fixture(params=["local", "s3"])
def served(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    if request.param == "s3":
        s3: Seaweed = request.getfixturevalue("s3_server")
        bucket = request.getfixturevalue("bucket")
        monkeypatch.setenv("CHISO_OBJECT_STORE", f"s3://{bucket}/")
        monkeypatch.setenv("CHISO_S3_ENDPOINT_URL", s3.endpoint)
    else:
        monkeypatch.setenv("CHISO_OBJECT_STORE", str(tmp_path / "objects"))
        monkeypatch.delenv("CHISO_S3_ENDPOINT_URL", raising=False)
    from flows.settings import load_settings

    settings = load_settings()
    store = open_store(settings.object_store_uri, settings.s3_endpoint_url)
    store.put("snapshots/2025Q3/v1/report.html", PAGE, "text/html; charset=utf-8")
    store.put("docs/index.html", b"<html><title>Data Docs</title></html>", "text/html")
    store.put("raw/25459/2025Q3/abc.json", b'{"contact": "private"}', "application/json")
    port = free_port()
    server = serve(port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers["Content-Type"], r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], b""


def test_reports_open_and_private_files_do_not(served: str, tmp_path: Path) -> None:
    status, ctype, body = _get(f"{served}/snapshots/2025Q3/v1/report.html")
    assert (status, ctype, body) == (200, "text/html; charset=utf-8", PAGE)
    assert _get(f"{served}/docs/")[0] == 200
    assert _get(f"{served}/raw/25459/2025Q3/abc.json")[0] == 403
    assert _get(f"{served}/snapshots/2025Q3/v2/report.html")[0] == 404
    # the way a person's browser opens the UI's link
    dom = chromium(f"{served}/snapshots/2025Q3/v1/report.html", tmp_path / "profile", "--dump-dom")
    assert "<title>report 2025Q3</title>" in dom and "ok" in dom
