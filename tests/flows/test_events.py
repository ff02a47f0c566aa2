"""The contract's events reach the Prefect API, batched, with the run as related resource."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.inbox import at, valid_doc, write
from tests.support.state import submissions


def _events(api: str, name: str, resource: dict[str, Any]) -> list[dict[str, Any]]:
    body = {
        "filter": {
            "event": {"name": [name]},
            "resource": resource,
            "occurred": {"since": "2000-01-01T00:00:00Z"},
        },
        "limit": 50,
    }
    return list(httpx.post(f"{api}/events/filter", json=body, timeout=10).json()["events"])


def _wait_for(api: str, name: str, resource: dict[str, Any], count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 60
    while len(found := _events(api, name, resource)) < count and time.monotonic() < deadline:
        time.sleep(0.5)
    return found


def test_one_event_per_submission_and_one_per_period(tmp_path: Path, prefect_api: str) -> None:
    # chiso's database plays no part in the events: SQLite only (the suite's time)
    from flows.collect import collect_submissions
    from flows.process import process_submissions

    inbox, home = tmp_path / "inbox", tmp_path / "home"
    period = "2026Q2"  # no other flow test of the session uses it
    for n, unit in enumerate(["25459", "25480", "25486"]):
        write(inbox, f"{unit}/{period}/r.json", valid_doc(unit, period), at(date(2026, 7, 2 + n)))
    write(inbox, f"25489/{period}/bad.json", {"not": "a report"}, at(date(2026, 7, 3)))
    collect_submissions(inbox=str(inbox), home=str(home))
    process_submissions(home=str(home))
    subs = submissions(home)
    ids = {s.id for s in subs.values()}
    ours = {"id": [f"chiso.submission.{i}" for i in ids]}

    received = _wait_for(prefect_api, "chiso.submission.received", ours, 4)
    assert {e["resource"]["prefect.resource.id"] for e in received} == {
        f"chiso.submission.{i}" for i in ids
    }
    assert {e["resource"]["chiso.unit"] for e in received} == {"25459", "25480", "25486", "25489"}
    # the collect run that emitted them, and only it (each related resource costs the API)
    related = [e["related"] for e in received]
    assert [len(r) for r in related] == [1] * 4
    assert {r[0]["prefect.resource.id"] for r in related} == {related[0][0]["prefect.resource.id"]}
    assert related[0][0]["prefect.resource.role"] == "flow-run"

    accepted = _wait_for(prefect_api, "chiso.submission.accepted", ours, 3)
    assert sorted(e["payload"]["submission_id"] for e in accepted) == sorted(
        s.id for s in subs.values() if s.status == "accepted"
    )
    rejected = _wait_for(prefect_api, "chiso.submission.rejected", ours, 1)
    assert [e["payload"]["errors"] > 0 for e in rejected] == [True]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        updates = _events(prefect_api, "chiso.period.updated", {"id": [f"chiso.period.{period}"]})
        if mine := [e for e in updates if set(e["payload"]["submission_ids"]) == ids]:
            break
        time.sleep(0.5)
    assert len(mine) == 1
    assert mine[0]["payload"]["period"] == mine[0]["resource"]["chiso.period"] == period


def test_a_failed_run_hands_over_what_it_queued_before_it_ends(
    tmp_path: Path, prefect_api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows import events, pipeline

    handed_over = threading.Event()

    def slow_api_call() -> None:
        time.sleep(3)  # longer than Prefect takes to record the failure (about a second)
        handed_over.set()

    def publish_fails(*args: Any) -> None:
        events.later(slow_api_call)  # an artifact, say, queued before the failure
        raise RuntimeError("the object store is down")

    monkeypatch.setattr(pipeline, "publish_all", publish_fails)
    (tmp_path / "inbox").mkdir()
    with pytest.raises(RuntimeError, match="the object store is down"):
        pipeline.run_pipeline(inbox=str(tmp_path / "inbox"), home=str(tmp_path / "home"))
    assert handed_over.is_set()


def _contract_events(n: int) -> list[dict[str, Any]]:
    from flows import events

    return [
        events._event(
            "chiso.submission.received",
            events._resource("submission", f"pace{uuid.uuid4().hex[:12]}", unit="25459"),
            {"submission_id": "x"},
            datetime.now(UTC).isoformat(),
        )
        for _ in range(n)
    ]


def test_events_wait_for_the_api_to_store_what_came_before(
    prefect_api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the API drops events past 10,000 queued: chiso keeps at most MAX_AHEAD unstored
    from flows import events

    monkeypatch.setattr(events, "BATCH", 10)
    monkeypatch.setattr(events, "MAX_AHEAD", 30)
    monkeypatch.setattr(events, "_WINDOWS", {})
    ahead: list[int] = []
    make_room = events._Window.make_room

    def recorded(window: Any, client: Any, n: int) -> None:
        make_room(window, client, n)
        ahead.append(window.posted + n - window.stored)

    monkeypatch.setattr(events._Window, "make_room", recorded)
    sent = _contract_events(100)
    assert events._post(sent, []) == 100
    assert len(ahead) == 10 and max(ahead) <= 30  # it waited: 100 were posted in all
    (window,) = events._WINDOWS.values()
    assert window.paced and window.stored >= 70
    ids = [e["resource"]["prefect.resource.id"] for e in sent]
    assert len(_wait_for(prefect_api, "chiso.submission.received", {"id": ids}, 50)) == 50


def test_events_go_unpaced_when_the_api_stores_none(
    prefect_api: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from flows import events

    monkeypatch.setattr(events, "BATCH", 10)
    monkeypatch.setattr(events, "MAX_AHEAD", 10)
    monkeypatch.setattr(events, "STALL_S", 0.5)
    monkeypatch.setattr(events, "_WINDOWS", {})
    monkeypatch.setattr(events, "_stored", lambda *args: False)  # a persister switched off
    assert events._post(_contract_events(30), []) == 30
    (window,) = events._WINDOWS.values()
    assert not window.paced and window.posted == 30
    assert "stored none of chiso's events" in caplog.text
