"""prefect.yaml against the code: every entrypoint loads as the flow it names, and each
trigger listens for an event chiso emits and turns it into parameters its flow takes."""

from __future__ import annotations

from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import jinja2
import yaml
from prefect.flows import load_flow_from_entrypoint

from catalog import UNITS_CSV
from models.catalog import load_units
from models.periods import latest_due
from tasks.events import contract
from tasks.intake.collect import Registered

ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENTS = {
    d["name"]: d for d in yaml.safe_load((ROOT / "prefect.yaml").read_text("utf-8"))["deployments"]
}


def _flow(name: str) -> Any:
    return load_flow_from_entrypoint(
        str(ROOT / DEPLOYMENTS[name]["entrypoint"]), use_placeholder_flow=False
    )


def _emitted() -> dict[str, contract.Event]:
    """One event of each name chiso emits, as it emits them."""
    decided = [
        contract.Decided("s1", "accepted", "25459", "2025Q3", 0, 0),
        contract.Decided("s2", "rejected", "25480", "2025Q3", 2, 0),
    ]
    events = (
        contract.received([Registered("s1", "25459", "2025Q3", new=True)], load_units(UNITS_CSV))
        + contract.decided(decided)
        + contract.periods_updated(contract.touched(decided))
    )
    return {e["event"]: e for e in events}


def test_every_deployment_runs_the_flow_of_its_name() -> None:
    assert set(DEPLOYMENTS) == {
        "collect-submissions",
        "process-submissions",
        "publish-snapshot",
        "backfill",
        "remind-units",
    }
    for name in DEPLOYMENTS:
        assert _flow(name).name == name


def test_each_trigger_takes_an_event_chiso_emits_into_parameters_its_flow_accepts() -> None:
    emitted = _emitted()
    triggered = {n: d for n, d in DEPLOYMENTS.items() if d.get("triggers")}
    assert set(triggered) == {"process-submissions", "publish-snapshot"}
    for name, deployment in triggered.items():
        flow = _flow(name)
        for trigger in deployment["triggers"]:
            (expected,) = trigger["expect"]
            if expected.startswith("prefect."):  # Prefect's own event: the crash trigger
                assert (name, expected) == ("process-submissions", "prefect.flow-run.Crashed")
                assert trigger["match_related"]["prefect.resource.name"] == name
                continue
            event = emitted[expected]  # a name chiso emits
            # ... on a resource the trigger matches
            assert fnmatch(
                event["resource"]["prefect.resource.id"], trigger["match"]["prefect.resource.id"]
            )
            params = {
                k: jinja2.Template(v).render(event=event) if isinstance(v, str) else v
                for k, v in (trigger.get("parameters") or {}).items()
            }
            flow.validate_parameters(params)  # the flow takes them
            # the trigger rests no longer than the run waits: no event of a burst happens
            # after its run has started reading, unseen by the trigger
            assert trigger["schedule_after"] >= trigger["within"] > 0
            if name == "publish-snapshot":
                # one run per burst publishes whatever changed, each period once; the
                # trigger rests no longer than the run waits, so no event of the burst
                # happens after the run has read what changed
                assert params == {"changed": True}


def test_the_final_publication_runs_after_each_quarter_is_due() -> None:
    (schedule,) = DEPLOYMENTS["publish-snapshot"]["schedules"]
    minute, hour, day, months, _ = schedule["cron"].split()
    assert schedule["timezone"] == "Asia/Ho_Chi_Minh"
    for month in map(int, months.split(",")):
        # the moment the schedule fires, the quarter just ended is the latest due
        local = datetime(2026, month, int(day), int(hour), int(minute))
        fired = local.replace(tzinfo=UTC) - (datetime(2026, 1, 1, 7) - datetime(2026, 1, 1))
        ended = (month - 1) // 3 or 4  # January: the fourth quarter
        assert latest_due(15, fired).quarter == ended
    assert DEPLOYMENTS["publish-snapshot"]["concurrency_limit"]["limit"] == 1
    assert "interval" in DEPLOYMENTS["collect-submissions"]["schedules"][0]
    params = _flow("backfill").parameters.model_dump()["properties"]
    assert {"start", "end", "units", "reprocess", "dry_run"} <= set(params)


def test_reminders_run_daily_at_eight_in_vietnam() -> None:
    (schedule,) = DEPLOYMENTS["remind-units"]["schedules"]
    assert (schedule["cron"], schedule["timezone"]) == ("0 8 * * *", "Asia/Ho_Chi_Minh")
    assert DEPLOYMENTS["remind-units"]["concurrency_limit"]["collision_strategy"] == "ENQUEUE"
    _flow("remind-units").validate_parameters({"today": "2025-10-08", "dry_run": True})
