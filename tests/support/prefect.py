"""A Prefect API for the flow tier (session scope: the harness takes ~16 s to start)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """Run every flow of the session against one temporary Prefect server."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        url = str(PREFECT_API_URL.value())
        os.environ["CHISO_TEST_PREFECT_API_URL"] = url
        yield url
