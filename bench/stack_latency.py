"""Drop-to-published latency at national scale on the production stack (issue 15).

    uv run python bench/stack_latency.py [--units N] [--keep]

Brings up scripts/stack-up.sh with the national catalog (3,321 communes), PostgreSQL,
Redis messaging, two API replicas behind HAProxy, the services and two workers, on free
ports under a temporary STACK_DIR; puts one quarter's synthetic files (bench/
national_inbox.py: 3,321, 2 % bad) into the S3 inbox; starts the collect run by hand; and
measures from the moment the collect run is created to the moment the quarter's
``latest.json`` appears, per stage (from the flow runs' own start and end times): the
collect run, the process runs the received events start, the publish run the period
events start, and the waits between them. Then counts the events the API stored against
those chiso sent. Prints the figures (target: <= 60 s) and writes
bench/results/stack_latency.json; stops the stack (unless --keep).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
from national import inbox_for  # noqa: E402

from bench.common import results_dir  # noqa: E402
from tests.support.stack import cpu_seconds, running_stack  # noqa: E402

RESULTS = results_dir()
PERIOD = "2025Q4"


def runs(api: str, deployment: str) -> list[dict[str, Any]]:
    body = {"deployments": {"name": {"any_": [deployment]}}, "limit": 200, "sort": "START_TIME_ASC"}
    return list(httpx.post(f"{api}/flow_runs/filter", json=body, timeout=30).json())


def t(text: str | None) -> float | None:
    return datetime.fromisoformat(text).timestamp() if text else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="leave the stack running")
    args = parser.parse_args()
    inbox = inbox_for(args.units, PERIOD)
    files = sorted(p for p in inbox.rglob("*") if p.is_file() and not p.name.startswith("."))
    stack_dir = Path(
        os.environ.get("BENCH_STACK_DIR", f"/tmp/chiso-bench-stack-{uuid.uuid4().hex[:8]}")
    )

    def by_hand(spec: dict[str, Any]) -> None:
        for d in spec["deployments"]:
            if d["name"] == "collect-submissions":
                d["schedules"] = [{"interval": 300, "active": False}]  # started by hand

    started = time.monotonic()
    units = str(ROOT / "catalog" / "units_vn_2025.csv")
    with running_stack(ROOT, stack_dir, by_hand, args.keep, CHISO_UNITS_CSV=units) as senv:
        print(f"stack up in {time.monotonic() - started:.0f} s ({stack_dir})")
        result = measure(senv, stack_dir, inbox, files)
    print(json.dumps(result, indent=2))
    print(
        f"drop to latest.json: {result['drop_to_latest_s']} s (target <= 60 s, "
        f"ratio {result['drop_to_latest_s'] / 60:.2f})"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "stack_latency.json").write_text(json.dumps(result, indent=2))


def measure(
    senv: dict[str, str], stack_dir: Path, inbox: Path, files: list[Path]
) -> dict[str, Any]:
    """Put the files into the S3 inbox, start the collect run, wait for latest.json; the
    times of each stage and their tasks, the CPU each part of the stack spent meanwhile,
    and the events the API stored."""
    api = senv["PREFECT_API_URL"]
    s3 = boto3.client(
        "s3",
        endpoint_url=senv["CHISO_S3_ENDPOINT_URL"],
        aws_access_key_id=senv["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=senv["AWS_SECRET_ACCESS_KEY"],
    )

    def put(path: Path) -> None:
        s3.put_object(
            Bucket="chiso", Key=f"inbox/{path.relative_to(inbox)}", Body=path.read_bytes()
        )

    t_put = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(put, files))
    put_s = time.monotonic() - t_put
    print(f"{len(files)} files put into the S3 inbox in {put_s:.0f} s")
    deployments = httpx.post(f"{api}/deployments/filter", json={}, timeout=30).json()
    collect = next(d for d in deployments if d["name"] == "collect-submissions")
    cpu0 = cpu_seconds(stack_dir) | machine_cpu()
    created = httpx.post(
        f"{api}/deployments/{collect['id']}/create_flow_run", json={}, timeout=30
    ).json()
    t0 = t(created["created"])
    assert t0 is not None
    while True:
        try:
            s3.head_object(Bucket="chiso", Key=f"snapshots/{PERIOD}/latest.json")
            break
        except s3.exceptions.ClientError:
            time.sleep(0.5)
        if time.time() - t0 > 900:
            raise SystemExit("no snapshot after 15 minutes")
    head = s3.head_object(Bucket="chiso", Key=f"snapshots/{PERIOD}/latest.json")
    t_latest = head["LastModified"].timestamp()
    cpu1 = cpu_seconds(stack_dir) | machine_cpu()
    time.sleep(5)
    stages = {}
    for name in ("collect-submissions", "process-submissions", "publish-snapshot"):
        mine = [r for r in runs(api, name) if r.get("start_time")]
        stages[name] = [
            {
                "start": t(r["start_time"]) - t0,
                "end": (t(r["end_time"]) or 0) - t0,
                "state": r["state_type"],
                "by": (r.get("created_by") or {}).get("type"),
                "tasks": tasks(api, r["id"], t0),
            }
            for r in mine
        ]
    received = httpx.post(
        f"{api}/events/filter",
        json={
            "filter": {
                "event": {"name": ["chiso.submissions.received"]},
                "occurred": {"since": "2000-01-01T00:00:00Z"},
            },
            "limit": 1,
        },
        timeout=60,
    ).json()
    result = {
        "files": len(files),
        "put_s": round(put_s, 1),
        "drop_to_latest_s": round(t_latest - t0, 1),
        "stages": stages,
        "received_events_stored": received.get("total"),
        # what each part spent from the collect's creation to latest.json (the flow runs'
        # processes are the workers' children; PostgreSQL and Redis the machine's, all of
        # their processes)
        "cpu_s": {k: round(cpu1[k] - cpu0.get(k, 0), 1) for k in cpu1},
        "cpu_s_total": round(sum(cpu1[k] - cpu0.get(k, 0) for k in cpu1), 1),
        "cores": os.cpu_count(),
    }
    return result


def tasks(api: str, flow_run: str, t0: float) -> list[tuple[str, float, float]]:
    """Each task run of a flow run: name, start and end (seconds after ``t0``)."""
    body = {"flow_runs": {"id": {"any_": [flow_run]}}, "sort": "EXPECTED_START_TIME_ASC"}
    found = httpx.post(f"{api}/task_runs/filter", json=body | {"limit": 200}, timeout=30).json()
    return [
        (
            r["name"].rsplit("-", 1)[0],
            round(t(r["start_time"]) - t0, 1),
            round(t(r["end_time"]) - t0, 1),
        )
        for r in found
        if r.get("start_time") and r.get("end_time")
    ]


def machine_cpu() -> dict[str, float]:
    """CPU seconds so far of every PostgreSQL and Redis process of the machine."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {"postgres": 0.0, "redis": 0.0}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        key = (
            "postgres"
            if name.startswith("postgres")
            else "redis"
            if name.startswith("redis")
            else None
        )
        if key:
            out[key] += sum(int(f) for f in text.rsplit(")", 1)[1].split()[11:13]) / tick
    return out


if __name__ == "__main__":
    main()
