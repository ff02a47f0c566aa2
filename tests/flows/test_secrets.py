"""Credentials in a source URL reach no flow parameter, feedback report or log line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.http import Endpoints
from tests.support.inbox import valid_doc
from tests.support.state import feedback, submissions


def test_a_source_urls_credentials_are_never_shown(
    tmp_path: Path,
    prefect_api: str,
    endpoints: Endpoints,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from prefect.client.orchestration import get_client

    from flows.cli.run import main_job

    doc = json.dumps(valid_doc("25459"), ensure_ascii=False).encode()
    endpoints.serve("/bc/25459/2025Q3?token=T0PSECRET", (200, doc))
    endpoints.serve("/bc/25480/2025Q3?token=T0PSECRET", (403, b""))
    secret = endpoints.url.replace("://", "://unit:PA55WORD@")
    monkeypatch.setenv("CHISO_SOURCES", secret + "/bc/{unit_code}/{period}?token=T0PSECRET")
    monkeypatch.setenv("CHISO_OPEN_DAYS", "500")  # 2025Q3 is still open
    home = tmp_path / "home"
    assert main_job(None, home, None) == 0
    (sub,) = submissions(home).values()
    shown = json.dumps(feedback(home, sub)) + sub.source_uri + caplog.text
    assert "PA55WORD" not in shown and "T0PSECRET" not in shown
    assert feedback(home, sub)["file"]["source"].endswith("/bc/25459/2025Q3?token=***")
    with get_client(sync_client=True) as client:
        runs = [r for r in client.read_flow_runs() if r.parameters.get("home") == str(home)]
    assert runs  # the run of this test, with its parameters
    params = json.dumps([r.parameters for r in runs])
    assert "PA55WORD" not in params and "T0PSECRET" not in params
