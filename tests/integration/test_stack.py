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
    redis_db = 1 + int(tag, 16) % 15  # a Redis database of its own: no cross-talk
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text("utf-8"))
    for d in spec["deployments"]:  # collect polls every 15 s instead of 300
        if d["name"] == "collect-submissions":
            d["schedules"] = [{"interval": 15, "active": True}]
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
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        "PREFECT_FILE": str(prefect_file),
        "CHISO_OBJECT_STORE": f"s3://{bucket}/",
        "CHISO_SOURCES": f"s3://{bucket}/inbox/",
        "CHISO_S3_ENDPOINT_URL": s3_server.endpoint,
    }
    for name in ("PREFECT_API_URL", "PREFECT_HOME", "CHISO_DATABASE_URL", "CHISO_HOME"):
        env.pop(name, None)  # the stack's own, from its env file
    subprocess.run(["redis-cli", "-n", str(redis_db), "flushdb"], check=True, capture_output=True)
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
        stack_env = dict(
            line.removeprefix("export ").split("=", 1)
            for line in (stack_dir / "env").read_text().splitlines()
            if line.startswith("export ") and " " not in line.removeprefix("export ")
        )
        stack_env = {k: v.strip("'") for k, v in stack_env.items()}
        full = {**env, **stack_env}

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
        subprocess.run(["redis-cli", "-n", str(redis_db), "flushdb"], capture_output=True)
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
        ["redis-cli", "-n", env["PREFECT_REDIS_MESSAGING_DB"], "--scan"],
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
