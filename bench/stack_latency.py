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
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
from national import inbox_for  # noqa: E402

from tests.support.s3 import free_port  # noqa: E402
from tests.support.stack import stack_env  # noqa: E402

RESULTS = ROOT / "bench" / "results"
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
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text("utf-8"))
    for d in spec["deployments"]:
        if d["name"] == "collect-submissions":
            d["schedules"] = [{"interval": 300, "active": False}]  # started by hand
    stack_dir.mkdir(parents=True, exist_ok=True)
    (stack_dir / "prefect.yaml").write_text(yaml.safe_dump(spec), "utf-8")
    tag = uuid.uuid4().hex[:8]
    env = {
        **os.environ,
        "STACK_DIR": str(stack_dir),
        "PREFECT_FILE": str(stack_dir / "prefect.yaml"),
        "PREFECT_PORT": str(free_port()),
        "API_PORT_1": str(free_port()),
        "API_PORT_2": str(free_port()),
        "PUBLIC_PORT": str(free_port()),
        "S3_PORT": str(free_port()),
        "CHISO_DB": f"chiso_bench_{tag}",
        "PREFECT_DB": f"prefect_bench_{tag}",
        "PREFECT_REDIS_MESSAGING_DB": "9",
        "CHISO_UNITS_CSV": str(ROOT / "catalog" / "units_vn_2025.csv"),
    }
    for name in ("PREFECT_API_URL", "CHISO_DATABASE_URL", "CHISO_HOME", "CHISO_S3_ENDPOINT_URL"):
        env.pop(name, None)
    subprocess.run(["redis-cli", "-n", "9", "flushdb"], check=True, capture_output=True)
    started = time.monotonic()
    up = subprocess.run(
        ["bash", "scripts/stack-up.sh"], env=env, cwd=ROOT, text=True, capture_output=True
    )
    if up.returncode:
        raise SystemExit(up.stdout[-2000:] + up.stderr[-2000:])
    print(f"stack up in {time.monotonic() - started:.0f} s ({stack_dir})")
    senv = {**env, **stack_env(stack_dir)}
    api = senv["PREFECT_API_URL"]
    try:
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
        print(f"{len(files)} files put into the S3 inbox in {time.monotonic() - t_put:.0f} s")
        deployments = httpx.post(f"{api}/deployments/filter", json={}, timeout=30).json()
        collect = next(d for d in deployments if d["name"] == "collect-submissions")
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
                }
                for r in mine
            ]
        received = httpx.post(
            f"{api}/events/filter",
            json={
                "filter": {
                    "event": {"name": ["chiso.submission.received"]},
                    "occurred": {"since": "2000-01-01T00:00:00Z"},
                },
                "limit": 1,
            },
            timeout=60,
        ).json()
        result = {
            "files": len(files),
            "drop_to_latest_s": round(t_latest - t0, 1),
            "stages": stages,
            "received_events_stored": received.get("total"),
        }
    finally:
        if not args.keep:
            subprocess.run(
                ["bash", "scripts/stack-down.sh"], env=env, cwd=ROOT, capture_output=True
            )
            subprocess.run(["redis-cli", "-n", "9", "flushdb"], capture_output=True)
            for db in (env["CHISO_DB"], env["PREFECT_DB"]):
                subprocess.run(
                    [
                        "psql",
                        "-h",
                        "127.0.0.1",
                        "-U",
                        "postgres",
                        "-d",
                        "postgres",
                        "-c",
                        f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)',
                    ],
                    capture_output=True,
                )
    print(json.dumps(result, indent=2))
    print(
        f"drop to latest.json: {result['drop_to_latest_s']} s (target <= 60 s, "
        f"ratio {result['drop_to_latest_s'] / 60:.2f})"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "stack_latency.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
