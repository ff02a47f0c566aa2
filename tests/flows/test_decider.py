"""The portal's decider on a stack whose task worker is gone: the deferred run is not
taken, and after its wait the sent files go the deployments' way (the received event)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

import flows.portal as portal_flow
from flows.portal import Decider
from flows.resources import resources
from models.submission import Submission
from tasks.intake.collect import Registered


def test_files_no_task_worker_takes_are_handed_to_the_received_trigger(
    tmp_path: Path, prefect_api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(portal_flow, "DEFER_WAIT", 2.0)
    res = resources(tmp_path / "home")
    sid = "0123456789abcdef01234567"
    now = datetime.now(UTC)
    with Session(res.engine) as s:  # a sent file, registered and waiting for its decision
        s.add(
            Submission(
                id=sid,
                source_uri=f"inbox/25459/2025Q3/{sid}.json",
                content_sha256="0" * 64,
                filename="r.json",
                format="json",
                size_bytes=10,
                object_key=f"raw/25459/2025Q3/{sid}.json",
                path_unit="25459",
                path_period="2025Q3",
                received_at=now,
                collected_at=now,
            )
        )
        s.commit()
    decider = Decider(res)
    decider.on_stack = True  # a Prefect API, and no task worker serving decide-sent-files
    with res.events.run():
        decider([Registered(sid, "25459", "2025Q3", new=True)])
        assert decider.idle(30)
    body = {
        "filter": {
            "event": {"name": ["chiso.submissions.received"]},
            "occurred": {"since": "2000-01-01T00:00:00Z"},
        },
        "limit": 50,
    }
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        events = httpx.post(f"{prefect_api}/events/filter", json=body, timeout=10).json()
        named = [x["id"] for e in events["events"] for x in e["payload"]["submissions"]]
        if sid in named:
            break
        time.sleep(0.5)
    else:
        raise AssertionError("no received event named the sent file")
    runs = httpx.post(
        f"{prefect_api}/task_runs/filter",
        json={"task_runs": {"name": {"like_": "decide-sent-files"}}},
        timeout=10,
    ).json()
    assert [r["state"]["type"] for r in runs] == ["SCHEDULED"]  # asked for, never taken
