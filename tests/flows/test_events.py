"""The contract's events reach the Prefect API, batched, with the run as related resource."""

from __future__ import annotations

import time
from datetime import date
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


def _naming(api: str, name: str, ids: set[str], key: Any) -> list[dict[str, Any]]:
    """The batch events of ``name`` whose payload (read by ``key``) names any of ``ids``,
    waited for until together they name them all."""
    deadline = time.monotonic() + 60
    while True:
        found = [
            e
            for e in _events(api, name, {"id_prefix": ["chiso.batch."]})
            if set(key(e["payload"])) & ids
        ]
        named = {i for e in found for i in key(e["payload"])}
        if ids <= named or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def test_one_event_per_batch_and_one_per_period(tmp_path: Path, prefect_api: str) -> None:
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

    def listed(payload: dict[str, Any]) -> list[str]:
        return [x["id"] for x in payload.get("submissions", [])]

    (received,) = _naming(prefect_api, "chiso.submissions.received", ids, listed)
    assert received["resource"]["prefect.resource.id"].startswith("chiso.batch.")
    assert {(x["unit"], x["period"]) for x in received["payload"]["submissions"]} == {
        (u, period) for u in ("25459", "25480", "25486", "25489")
    }
    related = received["related"]
    roles = sorted(r["prefect.resource.role"] for r in related)
    assert roles == ["flow-run", "period"]  # its period, and the collect run that sent it
    assert f"chiso.period.{period}" in {r["prefect.resource.id"] for r in related}

    def both(payload: dict[str, Any]) -> list[str]:
        return [*payload.get("accepted", []), *payload.get("rejected", [])]

    (decided,) = _naming(prefect_api, "chiso.submissions.decided", ids, both)
    assert sorted(decided["payload"]["accepted"]) == sorted(
        s.id for s in subs.values() if s.status == "accepted"
    )
    assert decided["payload"]["rejected"] == [s.id for s in subs.values() if s.status == "rejected"]
    assert len(decided["payload"]["accepted"]) == 3
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        updates = _events(prefect_api, "chiso.period.updated", {"id": [f"chiso.period.{period}"]})
        if mine := [e for e in updates if set(e["payload"]["submission_ids"]) == ids]:
            break
        time.sleep(0.5)
    assert len(mine) == 1
    assert mine[0]["payload"]["period"] == mine[0]["resource"]["chiso.period"] == period
    # the v3 events, one per submission, are no longer sent
    old = ["chiso.submission.received", "chiso.submission.accepted", "chiso.submission.rejected"]
    for name in old:
        assert not _events(prefect_api, name, {"id": [f"chiso.submission.{i}" for i in ids]})


def test_a_failed_run_hands_over_what_it_queued_before_it_ends(
    tmp_path: Path, prefect_api: str
) -> None:
    # the run decides, queues its events and artifacts, then fails to publish: a file
    # stands where the snapshots' folder should be. What it queued is with the API as the
    # run ends (the worker may exit right after: nothing is left in its queue)
    from flows import pipeline

    inbox, home = tmp_path / "inbox", tmp_path / "home"
    write(inbox, "25459/2025Q3/r.json", valid_doc("25459", "2025Q3"), at(date(2025, 10, 2)))
    (home / "objects").mkdir(parents=True)
    (home / "objects" / "snapshots").write_text("not a folder")
    with pytest.raises(Exception, match="snapshots"):
        pipeline.run_pipeline(inbox=str(inbox), home=str(home))
    (sub,) = submissions(home).values()
    body = {"artifacts": {"key": {"any_": ["process-submissions"]}}, "sort": "CREATED_DESC"}
    found = httpx.post(f"{prefect_api}/artifacts/filter", json=body | {"limit": 5}, timeout=10)
    assert any(sub.id in str(a["data"]) for a in found.json())  # no waiting: it is there
