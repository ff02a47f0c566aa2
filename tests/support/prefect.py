"""A Prefect API for the flow tier (session scope: the harness takes ~16 s to start)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.ports import free_port


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """Run every flow of the session against one temporary Prefect server."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        url = str(PREFECT_API_URL.value())
        os.environ["CHISO_TEST_PREFECT_API_URL"] = url
        yield url


@contextmanager
def prefect_server(root: Path, **settings: str) -> Iterator[str]:
    """A real ``prefect server`` of its own (its database under ``root``), with these
    Prefect settings (``PREFECT_SERVER_SERVICES_…`` to switch a service off, say); its API
    URL. About ten seconds to start."""
    import httpx

    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = os.environ | {
        "PREFECT_HOME": str(root / "prefect"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        **settings,
    }
    log = (root / "prefect-server.log").open("wb")
    prefect = str(Path(sys.executable).parent / "prefect")
    server = subprocess.Popen(
        [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"prefect server did not start: see {log.name}")
            time.sleep(0.5)
        yield api
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
