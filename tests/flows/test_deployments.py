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


def test_the_stacks_setup_creates_what_is_missing_once(prefect_api: str) -> None:
    """scripts/stack_setup.py (run by stack-up before the deploy): the process work pool,
    the two one-slot concurrency limits the flows take and the automations, created
    where missing; run again, it changes nothing. Removed afterwards: the other tests
    share this API, and a limit there would hold their runs to one at a time."""
    import asyncio
    import os
    import subprocess
    import sys

    from prefect.client.orchestration import get_client
    from prefect.workers.process import ProcessWorker

    from flows import backfill, process

    def setup() -> list[str]:
        env = os.environ | {"PREFECT_API_URL": prefect_api}
        script = [sys.executable, str(ROOT / "scripts" / "stack_setup.py")]
        done = subprocess.run(
            [*script, str(ROOT / "automations.yaml")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.splitlines()

    def stack_setup_limits() -> tuple[str, ...]:
        sys.path.insert(0, str(ROOT / "scripts"))
        try:
            from stack_setup import LIMITS
        finally:
            sys.path.remove(str(ROOT / "scripts"))
        return LIMITS

    automations = [
        a["name"] for a in yaml.safe_load((ROOT / "automations.yaml").read_text())["automations"]
    ]

    async def created() -> tuple[Any, list[Any], list[Any]]:
        async with get_client() as client:
            pool = await client.read_work_pool("chiso-process")
            limits = [
                await client.read_global_concurrency_limit_by_name(n)
                for n in (process.CONCURRENCY, backfill.CONCURRENCY)
            ]
            found = [a for n in automations for a in await client.read_automations_by_name(n)]
            return pool, limits, found

    async def remove(found: list[Any]) -> None:
        async with get_client() as client:
            await client.delete_work_pool("chiso-process")
            for n in (process.CONCURRENCY, backfill.CONCURRENCY):
                await client.delete_global_concurrency_limit_by_name(n)
            for a in found:
                await client.delete_automation(a.id)

    first = setup()
    try:
        assert len(first) == 3 + len(automations), first
        assert setup() == []  # nothing missing the second time
        pool, limits, found = asyncio.run(created())
        assert pool.type == "process"
        assert pool.base_job_template == ProcessWorker.get_default_base_job_template()
        assert [(lim.limit, lim.active) for lim in limits] == [(1, True), (1, True)]
        assert stack_setup_limits() == (process.CONCURRENCY, backfill.CONCURRENCY)
        assert sorted(a.name for a in found) == sorted(automations)
    finally:
        asyncio.run(remove(asyncio.run(created())[2]))
