"""Faults on the real stack (scripts/stack-up.sh): a worker killed mid process-submissions,
an API replica killed, Redis restarted; every submission decided once and each quarter
published. On the stack the tier's first test used (its 2025Q3 decided there): quarters of
their own, decisions counted from what it left."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3

from tests.support.inbox import valid_doc
from tests.support.s3 import Seaweed
from tests.support.stack import collect_now, flow_run, pause_schedules, wait

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _process_runs(api: str) -> list[dict]:
    import httpx

    body = {"deployments": {"name": {"any_": ["process-submissions"]}}, "limit": 200}
    return list(httpx.post(f"{api}/flow_runs/filter", json=body, timeout=10).json())


def _sessions_of(run_id: str) -> set[int]:
    """The sessions of the processes running flow run ``run_id`` (its worker's)."""
    found = set()
    for env in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"PREFECT__FLOW_RUN_ID={run_id}".encode() in env.read_bytes().split(b"\0"):
                found.add(os.getsid(int(env.parent.name)))
        except (OSError, ProcessLookupError):
            continue
    return found


def _kill_sessions(sessions: set[int]) -> int:
    import signal

    killed = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid = int(stat.parent.name)
            if os.getsid(pid) in sessions:
                os.kill(pid, signal.SIGKILL)
                killed += 1
        except (OSError, ProcessLookupError):
            continue
    return killed


def _put_quarter(s3: Any, bucket: str, period: str, units: list[str], api: str) -> None:
    """The quarter's files in the inbox, then a collection asked for (the test pauses the
    collect schedule: the tier's first test has shown the schedule collects)."""
    for unit in units:
        doc = json.dumps(valid_doc(unit, period), ensure_ascii=False).encode()
        s3.put_object(Bucket=bucket, Key=f"inbox/{unit}/{period}/bc.json", Body=doc)
    collect_now(api)


def _published_units(s3: Any, bucket: str, period: str) -> int:
    """How many units the period's latest snapshot counts as reported (0 before one)."""
    import csv
    import io

    try:
        pointer = json.loads(
            s3.get_object(Bucket=bucket, Key=f"snapshots/{period}/latest.json")["Body"].read()
        )
    except s3.exceptions.NoSuchKey:
        return 0
    key = f"snapshots/{period}/{pointer['version']}/indicators.csv"
    text = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8-sig")
    rows = csv.DictReader(io.StringIO(text))
    return next(int(r["reported_units"]) for r in rows if r["level"] == "province")


def _await_published(s3: Any, bucket: str, period: str, units: int) -> None:
    wait(
        f"{period} published with {units} units",
        lambda: _published_units(s3, bucket, period) == units,
        timeout=300,
        every=2,
    )


def _decided_twice(engine: Any) -> list[Any]:
    from sqlalchemy import text

    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT submission_id FROM decision GROUP BY submission_id HAVING count(*) > 1"
                )
            ).all()
        )


def test_faults_are_survived(stack: dict, s3_server: Seaweed) -> None:
    """A worker SIGKILLed mid process-submissions: its run is marked Crashed and run again;
    every submission decided once, the quarter published. Then an API replica killed mid
    run, and Redis restarted: the next quarters are still decided and published."""
    from sqlalchemy import create_engine, text

    bucket, env = stack["bucket"], stack["env"]
    api = env["PREFECT_API_URL"]
    s3 = boto3.client("s3", endpoint_url=s3_server.endpoint)
    communes = [
        line.split(",")[0]
        for line in (ROOT / "catalog" / "units.csv").read_text("utf-8").splitlines()
        if ",commune,80," in line
    ]
    assert len(communes) == 96
    engine = create_engine(env["CHISO_DATABASE_URL"])

    def decisions() -> int:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM decision")).scalar_one())

    before = decisions()  # the tier's first test's
    # the test asks for each collection itself; the schedule's runs, every 30 s in the
    # tier, would each be a flow-run process of several CPU seconds on the same 2 cores
    assert pause_schedules(api, "collect-submissions/collect-submissions") == 1

    def decided() -> int:
        return decisions() - before

    # 1. a worker killed with SIGKILL in the middle of process-submissions (three batches
    # of 16: killed after the first is stored)
    first = communes[:48]
    _put_quarter(s3, bucket, "2025Q4", first, api)

    def running() -> dict | None:
        runs = [r for r in _process_runs(api) if r["state_type"] == "RUNNING"]
        return runs[0] if runs and 16 <= decided() < 48 else None

    victim = wait("a process-submissions run part-way", running, timeout=240, every=0.5)
    sessions = _sessions_of(victim["id"])
    assert sessions and _kill_sessions(sessions) >= 2  # the worker and its flow-run process
    assert 16 <= decided() < 48
    crashed = wait(
        "the killed run marked Crashed",
        lambda: flow_run(api, victim["id"])["state_type"] == "CRASHED",
        timeout=300,
        every=2,
    )
    assert crashed
    _await_published(s3, bucket, "2025Q4", 48)
    with engine.connect() as conn:
        pending = conn.execute(text("SELECT count(*) FROM submission WHERE status = 'received'"))
        assert pending.scalar_one() == 0
    assert not _decided_twice(engine) and decided() == 48
    again = [r for r in _process_runs(api) if r["created"] > victim["created"]]
    assert any(r["state_type"] == "COMPLETED" for r in again)

    # 2. one API replica killed while a quarter is processed: the runs go on through the other
    import signal

    _put_quarter(s3, bucket, "2026Q1", communes[:32], api)
    wait("decisions of 2026Q1 started", lambda: decided() > 48, timeout=240, every=0.5)
    api1 = int((stack["dir"] / "api-1.pid").read_text())
    os.killpg(api1, signal.SIGKILL)
    _await_published(s3, bucket, "2026Q1", 32)

    # 3. Redis restarted (its messages are not persisted): the next quarter still arrives
    port = env["PREFECT_REDIS_MESSAGING_PORT"]
    redis_pid = int((stack["dir"] / "redis.pid").read_text())
    os.killpg(redis_pid, signal.SIGKILL)
    restarted = subprocess.Popen(
        [
            "setsid",
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            port,
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    (stack["dir"] / "redis.pid").write_text(str(restarted.pid))
    _put_quarter(s3, bucket, "2026Q2", communes[:10], api)
    _await_published(s3, bucket, "2026Q2", 10)  # after the restart
    assert not _decided_twice(engine) and decided() == 48 + 32 + 10
    engine.dispose()
