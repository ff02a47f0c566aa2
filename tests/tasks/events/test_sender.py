"""The event sender: batches posted in order, paced by what the API has stored."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalog import UNITS_CSV
from models.catalog import load_units
from tasks.events import contract
from tasks.events.sender import EventSender
from tasks.intake.collect import Registered
from tests.support.prefect import prefect_server

UNITS = load_units(UNITS_CSV)


def _received(n: int) -> list[contract.Event]:
    """``n`` events, one batch of one submission each (the pacing counts events)."""
    return [
        event
        for _ in range(n)
        for event in contract.received(
            [Registered(f"pace{uuid.uuid4().hex[:12]}", "25459", "2025Q3", new=True)], UNITS
        )
    ]


def _stored(api: str, ids: list[str]) -> int:
    """How many of the events of these resources the API has stored (waiting a while for
    all of them); asked 50 at a time, the API's page."""

    def count(part: list[str]) -> int:
        body = {
            "filter": {"resource": {"id": part}, "occurred": {"since": "2000-01-01T00:00:00Z"}},
            "limit": 50,
        }
        return len(httpx.post(f"{api}/events/filter", json=body, timeout=10).json()["events"])

    deadline = time.monotonic() + 60
    while True:
        found = sum(count(ids[i : i + 50]) for i in range(0, len(ids), 50))
        if found >= len(ids) or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def test_the_contract_events_are_per_batch() -> None:
    """Contract v4: one ``chiso.submissions.received`` per batch of at most 1,000 new
    submissions (resource ``chiso.batch.<uuid>``, each period related), one
    ``chiso.submissions.decided`` per batch of decisions; labels from the catalog."""
    regs = [
        Registered("s1", "025459", "Q3/2025", new=True),
        Registered("s0", "x", "y", new=False),  # known: not in any event
        Registered("s2", "x\udcff", "2025Q3\udcff", new=True),  # no unit, no quarter
    ]
    (event,) = contract.received(regs, UNITS)
    assert event["event"] == "chiso.submissions.received"
    assert event["resource"]["prefect.resource.id"].startswith("chiso.batch.")
    assert event["payload"] == {
        "submissions": [
            {"id": "s1", "unit": "25459", "period": "2025Q3"},
            {"id": "s2", "unit": None, "period": None},
        ]
    }
    assert event["related"] == [
        {"prefect.resource.id": "chiso.period.2025Q3", "prefect.resource.role": "period"}
    ]
    many = [Registered(f"s{i}", "25459", "2025Q3", new=True) for i in range(2500)]
    assert [len(e["payload"]["submissions"]) for e in contract.received(many, UNITS)] == [
        1000,
        1000,
        500,
    ]
    decided = [
        contract.Decided("a", "accepted", "25459", "2025Q3", 0, 1),
        contract.Decided("b", "rejected", None, None, 2, 0),
        contract.Decided("c", "accepted", "25460", "2025Q2", 0, 0),
    ]
    (done,) = contract.decided(decided)
    assert done["event"] == "chiso.submissions.decided"
    assert done["payload"] == {"accepted": ["a", "c"], "rejected": ["b"]}
    assert [r["prefect.resource.id"] for r in done["related"]] == [
        "chiso.period.2025Q2",
        "chiso.period.2025Q3",
    ]
    touched = contract.touched(decided)
    assert touched == {"2025Q2": ["c"], "2025Q3": ["a"]}  # in period order
    assert [e["payload"] for e in contract.periods_updated(touched)] == [
        {"period": "2025Q2", "submission_ids": ["c"]},
        {"period": "2025Q3", "submission_ids": ["a"]},
    ]


def test_events_wait_for_the_api_to_store_what_came_before(prefect_api: str) -> None:
    # the API drops events past 10,000 queued: chiso keeps at most max_ahead unstored
    sender = EventSender(batch=10, max_ahead=30)
    sent = _received(100)
    assert sender.post(sent, []) == 100
    (window,) = sender.windows.values()
    assert window.posted == 100 and window.paced
    assert window.most_ahead <= 30  # it waited: 100 were posted in all
    assert window.stored >= 70
    ids = [e["resource"]["prefect.resource.id"] for e in sent]
    assert _stored(prefect_api, ids) == 100


def test_events_go_unpaced_when_the_api_stores_none(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    off = {"PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED": "false"}
    with prefect_server(tmp_path, **off) as api, temporary_settings({PREFECT_API_URL: api}):
        sender = EventSender(batch=10, max_ahead=10, stall_s=0.5)
        assert sender.post(_received(30), []) == 30
    (window,) = sender.windows.values()
    assert not window.paced and window.posted == 30
    assert "stored none of chiso's events" in caplog.text


def test_events_go_unpaced_to_an_api_whose_broker_keeps_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # a server on Redis messaging (prefect-redis, as the stack runs it) holds what it has
    # not delivered yet instead of dropping it: nothing to wait for
    import logging
    import subprocess

    from prefect.settings import PREFECT_API_URL, temporary_settings

    db = "11"
    subprocess.run(["redis-cli", "-n", db, "flushdb"], check=True, capture_output=True)
    redis = {
        "PREFECT_MESSAGING_BROKER": "prefect_redis.messaging",
        "PREFECT_MESSAGING_CACHE": "prefect_redis.messaging",
        "PREFECT_SERVER_EVENTS_CAUSAL_ORDERING": "prefect_redis.ordering",
        "PREFECT_REDIS_MESSAGING_HOST": "127.0.0.1",
        "PREFECT_REDIS_MESSAGING_PORT": "6379",
        "PREFECT_REDIS_MESSAGING_DB": db,
    }
    caplog.set_level(logging.INFO, logger="tasks.events.window")
    try:
        with prefect_server(tmp_path, **redis) as api, temporary_settings({PREFECT_API_URL: api}):
            sender = EventSender(batch=10, max_ahead=10)
            sent = _received(40)
            assert sender.post(sent, []) == 40
            (window,) = sender.windows.values()
            assert not window.paced and window.most_ahead > 10  # never waited
            assert "prefect_redis.messaging" in caplog.text
            ids = [e["resource"]["prefect.resource.id"] for e in sent]
            assert _stored(api, ids) == 40
    finally:
        subprocess.run(["redis-cli", "-n", db, "flushdb"], capture_output=True)


def test_calls_queued_later_run_in_order_and_a_run_ends_once_they_are_made() -> None:
    sender = EventSender()
    done: list[Any] = []
    with sender.run():
        with sender.run():  # a flow inside another: its end does not wait
            sender.later(lambda: (time.sleep(0.5), done.append("first")))
            sender.later(lambda: 1 / 0)  # a failure is logged, not raised
        assert done == []
        sender.later(done.append, "second")
    assert done == ["first", "second"]  # the outermost run's end waited for both
