"""End to end on a real stack: ``prefect server``, the deployments of prefect.yaml, a
process worker, SeaweedFS and a database. A file dropped in the S3 inbox is collected on
schedule, processed on its event, published on the period's event, with no manual run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from tests.support.inbox import valid_doc
from tests.support.s3 import Seaweed, free_port
from tests.support.stack import stack_env

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _wait(what: str, check: Any, timeout: float = 240, every: float = 1.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def _stack_processes(stack_dir: Path) -> list[str]:
    """Every process whose environment names this stack (what stack-down must leave none of)."""
    found = []
    for env in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"STACK_DIR={stack_dir}".encode() in env.read_bytes().split(b"\0"):
                found.append(env.parent.name)
        except OSError:
            continue
    return found


@pytest.fixture
def stack(tmp_path: Path, s3_server: Seaweed, bucket: str) -> Iterator[dict]:
    """scripts/stack-up.sh as an operator runs it (PostgreSQL, Redis messaging, two API
    replicas behind HAProxy, the services, two workers, the public server), with the
    test's S3 and free ports; scripts/stack-down.sh afterwards, which must leave nothing."""
    from sqlalchemy import text

    from tests.support.databases import _pg_admin

    tag = uuid.uuid4().hex[:10]
    stack_dir = tmp_path / "stack"
    redis_db = 1 + int(tag, 16) % 15
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text("utf-8"))
    for d in spec["deployments"]:  # collect polls every 15 s instead of 300
        if d["name"] == "collect-submissions":
            d["schedules"] = [{"interval": 15, "active": True}]
        if d["name"] == "process-submissions":  # small batches: a kill lands mid-run
            for trigger in d["triggers"]:
                trigger["parameters"] = {"batch_size": 16}
    prefect_file = tmp_path / "prefect.yaml"
    prefect_file.write_text(yaml.safe_dump(spec), "utf-8")
    env = {
        **os.environ,
        "STACK_DIR": str(stack_dir),
        "PREFECT_PORT": str(free_port()),
        "API_PORT_1": str(free_port()),
        "API_PORT_2": str(free_port()),
        "PUBLIC_PORT": str(free_port()),
        "CHISO_DB": f"chiso_it_{tag}",
        "PREFECT_DB": f"prefect_it_{tag}",
        "PREFECT_REDIS_MESSAGING_DB": str(redis_db),
        "REDIS_PORT": str(free_port()),  # the stack's own Redis, which a test restarts
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        "PREFECT_FILE": str(prefect_file),
        "CHISO_OBJECT_STORE": f"s3://{bucket}/",
        "CHISO_SOURCES": f"s3://{bucket}/inbox/",
        "CHISO_S3_ENDPOINT_URL": s3_server.endpoint,
    }
    for name in ("PREFECT_API_URL", "PREFECT_HOME", "CHISO_DATABASE_URL", "CHISO_HOME"):
        env.pop(name, None)  # the stack's own, from its env file
    up = subprocess.run(
        ["bash", "scripts/stack-up.sh"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    try:
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
        full = {**env, **stack_env(stack_dir)}

        def cli(*args: str) -> str:
            return subprocess.run(
                args, env=full, cwd=ROOT, check=True, capture_output=True, text=True, timeout=180
            ).stdout

        yield {
            "env": full,
            "bucket": bucket,
            "logs": stack_dir / "logs",
            "cli": cli,
            "dir": stack_dir,
        }
    finally:
        down = subprocess.run(
            ["bash", "scripts/stack-down.sh"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        left = _stack_processes(stack_dir)
        admin = _pg_admin()
        if admin is not None:
            with admin.connect() as conn:
                for db in (env["CHISO_DB"], env["PREFECT_DB"]):
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
            admin.dispose()
        assert down.returncode == 0 and not left, (down.stdout, down.stderr, left)


def _healthy(httpx: Any, api: str) -> bool:
    try:
        return httpx.get(f"{api}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _events(api: str, names: list[str]) -> list[dict]:
    import httpx

    body = {
        "filter": {"event": {"name": names}, "occurred": {"since": "2000-01-01T00:00:00Z"}},
        "limit": 50,
    }
    return list(httpx.post(f"{api}/events/filter", json=body, timeout=10).json()["events"])


UNITS = ("25459", "25480", "25486")


def _runs_started_by_events(api: str, deployment: str) -> list[dict]:
    import httpx

    body = {"deployments": {"name": {"any_": [deployment]}}, "limit": 200}
    runs = httpx.post(f"{api}/flow_runs/filter", json=body, timeout=10).json()
    return [r for r in runs if (r.get("created_by") or {}).get("type") == "AUTOMATION"]


def test_a_file_in_the_s3_inbox_is_published_by_events_alone(
    stack: dict, s3_server: Seaweed
) -> None:
    bucket, api = stack["bucket"], stack["env"]["PREFECT_API_URL"]
    s3 = boto3.client("s3", endpoint_url=s3_server.endpoint)
    for unit in UNITS:  # one collect run takes them: three received events at once
        doc = json.dumps(valid_doc(unit, "2025Q3"), ensure_ascii=False).encode()
        s3.put_object(Bucket=bucket, Key=f"inbox/{unit}/2025Q3/bc.json", Body=doc)

    def latest() -> dict | None:
        try:
            body = s3.get_object(Bucket=bucket, Key="snapshots/2025Q3/latest.json")["Body"]
            return dict(json.loads(body.read()))
        except s3.exceptions.NoSuchKey:
            return None

    pointer = _wait("the 2025Q3 snapshot", latest, timeout=300, every=2)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    base = f"snapshots/2025Q3/{pointer['version']}/"
    assert {base + n for n in ("indicators.csv", "datapackage.json", "report.html")} <= keys
    assert any(k.startswith("feedback/25459/2025Q3/") and k.endswith(".json") for k in keys)
    names = [
        e["event"]
        for e in _events(
            api, ["chiso.submission.received", "chiso.submission.accepted", "chiso.period.updated"]
        )
    ]
    assert {
        "chiso.submission.received",
        "chiso.submission.accepted",
        "chiso.period.updated",
    } <= set(names)
    updated = _events(api, ["chiso.period.updated"])[0]
    assert updated["payload"]["period"] == "2025Q3" and updated["payload"]["submission_ids"]
    assert updated["resource"]["chiso.period"] == "2025Q3"
    # the burst of received events started one process-submissions run, not one each
    assert len(_events(api, ["chiso.submission.received"])) == len(UNITS)
    assert len(_runs_started_by_events(api, "process-submissions")) == 1
    # ... and the burst of period.updated events one publish-snapshot run
    assert len(_runs_started_by_events(api, "publish-snapshot")) == 1
    _links_open(stack, pointer["version"])
    # the scaled shape: Prefect's messaging went through Redis, chiso's state is PostgreSQL
    env = stack["env"]
    streams = subprocess.run(
        [
            "redis-cli",
            "-p",
            env["PREFECT_REDIS_MESSAGING_PORT"],
            "-n",
            env["PREFECT_REDIS_MESSAGING_DB"],
            "--scan",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert streams, "nothing of Prefect's in its Redis database"
    assert env["CHISO_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["PREFECT_API_DATABASE_CONNECTION_URL"].startswith("postgresql+asyncpg://")
    assert "process-submissions" in stack["cli"](str(BIN / "prefect"), "deployment", "ls")


def _links_open(stack: dict, version: str) -> None:
    """The report and Data Docs links of the UI's artifacts open as a browser opens them;
    units' files stay private."""
    import httpx

    api = stack["env"]["PREFECT_API_URL"]
    arts = httpx.post(f"{api}/artifacts/filter", json={"limit": 100}, timeout=10).json()
    links = {a["key"]: a["data"] for a in arts if a["type"] == "markdown" or a["type"] == "link"}
    report = next(v for k, v in links.items() if k == "report-2025q3")
    docs = next(v for k, v in links.items() if k == "data-docs")
    url = report[report.index("(") + 1 : report.rindex(")")] if "(" in report else report
    assert url.startswith(stack["env"]["CHISO_PUBLIC_URL"]) and version in url
    page = httpx.get(url, timeout=10)
    assert page.status_code == 200 and "<html" in page.text and "TN_FORMER" in page.text
    docs_url = docs[docs.index("(") + 1 : docs.rindex(")")] if "(" in docs else docs
    assert httpx.get(docs_url, timeout=10).status_code == 200
    public = stack["env"]["CHISO_PUBLIC_URL"]
    assert httpx.get(f"{public}/inbox/25459/2025Q3/bc.json", timeout=10).status_code == 403
    assert httpx.get(f"{public}/raw/25459/2025Q3/x.json", timeout=10).status_code == 403


def _run(api: str, run_id: str) -> dict:
    import httpx

    return dict(httpx.get(f"{api}/flow_runs/{run_id}", timeout=10).json())


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


def _put_quarter(s3: Any, bucket: str, period: str, units: list[str]) -> None:
    for unit in units:
        doc = json.dumps(valid_doc(unit, period), ensure_ascii=False).encode()
        s3.put_object(Bucket=bucket, Key=f"inbox/{unit}/{period}/bc.json", Body=doc)


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
    _wait(
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

    def decided() -> int:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM decision")).scalar_one())

    # 1. a worker killed with SIGKILL in the middle of process-submissions
    _put_quarter(s3, bucket, "2025Q3", communes)

    def running() -> dict | None:
        runs = [r for r in _process_runs(api) if r["state_type"] == "RUNNING"]
        return runs[0] if runs and 16 <= decided() < 96 else None

    victim = _wait("a process-submissions run part-way", running, timeout=240, every=0.5)
    sessions = _sessions_of(victim["id"])
    assert sessions and _kill_sessions(sessions) >= 2  # the worker and its flow-run process
    assert 16 <= decided() < 96
    crashed = _wait(
        "the killed run marked Crashed",
        lambda: _run(api, victim["id"])["state_type"] == "CRASHED",
        timeout=300,
        every=2,
    )
    assert crashed
    _await_published(s3, bucket, "2025Q3", 96)
    with engine.connect() as conn:
        pending = conn.execute(text("SELECT count(*) FROM submission WHERE status = 'received'"))
        assert pending.scalar_one() == 0
    assert not _decided_twice(engine) and decided() == 96
    again = [r for r in _process_runs(api) if r["id"] != victim["id"]]
    assert any(r["state_type"] == "COMPLETED" for r in again)

    # 2. one API replica killed while a quarter is processed: the runs go on through the other
    import signal

    _put_quarter(s3, bucket, "2025Q4", communes)
    _wait("decisions of 2025Q4 started", lambda: decided() > 96, timeout=240, every=0.5)
    api1 = int((stack["dir"] / "api-1.pid").read_text())
    os.killpg(api1, signal.SIGKILL)
    _await_published(s3, bucket, "2025Q4", 96)

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
    _put_quarter(s3, bucket, "2026Q1", communes[:10])
    _await_published(s3, bucket, "2026Q1", 10)  # after the restart
    assert not _decided_twice(engine) and decided() == 96 * 2 + 10
    engine.dispose()
