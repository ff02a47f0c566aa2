"""Every prefect.yaml entrypoint loads, and the deployments say what the contract says."""

from __future__ import annotations

from pathlib import Path

import yaml
from prefect.flows import load_flow_from_entrypoint

ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENTS = yaml.safe_load((ROOT / "prefect.yaml").read_text("utf-8"))["deployments"]


def test_every_entrypoint_loads() -> None:
    names = {}
    for d in DEPLOYMENTS:
        flow = load_flow_from_entrypoint(str(ROOT / d["entrypoint"]), use_placeholder_flow=False)
        names[d["name"]] = flow.name
    assert names == {
        "collect-submissions": "collect-submissions",
        "process-submissions": "process-submissions",
        "publish-snapshot": "publish-snapshot",
        "backfill": "backfill",
    }


def test_triggers_schedules_and_parameters() -> None:
    by = {d["name"]: d for d in DEPLOYMENTS}
    assert "interval" in by["collect-submissions"]["schedules"][0]
    (process,) = by["process-submissions"]["triggers"]
    assert process["expect"] == ["chiso.submission.received"]
    (publish,) = by["publish-snapshot"]["triggers"]
    assert publish["expect"] == ["chiso.period.updated"]
    assert publish["parameters"] == {"period": "{{ event.payload.period }}"}
    assert by["publish-snapshot"]["schedules"][0]["cron"].startswith("0 2 16 1,4,7,10")
    assert by["publish-snapshot"]["concurrency_limit"]["limit"] == 1
    flow = load_flow_from_entrypoint(
        str(ROOT / by["backfill"]["entrypoint"]), use_placeholder_flow=False
    )
    params = flow.parameters.model_dump()["properties"]
    assert {"start", "end", "units", "reprocess", "dry_run"} <= set(params)
