"""End to end on a real stack: ``prefect server``, the deployments of prefect.yaml, a
process worker, SeaweedFS and a database. A file dropped in the S3 inbox is collected on
schedule, processed on its event, published on the period's event, with no manual run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from tests.support.databases import chiso_database
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


@pytest.fixture
def production_db() -> Iterator[str]:
    """The production database only: this tier runs the whole stack (about 70 s); both
    databases are covered by the flow tier."""
    with chiso_database("postgresql") as kind:
        yield kind


@pytest.fixture
def stack(tmp_path: Path, s3_server: Seaweed, bucket: str, production_db: str) -> Iterator[dict]:
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        "PREFECT_LOGGING_LEVEL": "INFO",
        "CHISO_HOME": str(tmp_path / "chiso"),
        "CHISO_OBJECT_STORE": f"s3://{bucket}/",
        "CHISO_SOURCES": f"s3://{bucket}/inbox/",
        "CHISO_S3_ENDPOINT_URL": s3_server.endpoint,
    }
    logs = tmp_path / "logs"
    logs.mkdir()
    procs: list[subprocess.Popen[bytes]] = []

    def start(name: str, *args: str) -> None:
        out = (logs / f"{name}.log").open("wb")
        procs.append(subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=out))

    def cli(*args: str) -> str:
        return subprocess.run(
            args, env=env, cwd=ROOT, check=True, capture_output=True, text=True, timeout=180
        ).stdout

    start(
        "server",
        str(BIN / "prefect"),
        "server",
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    )
    try:
        import httpx

        _wait("the Prefect server", lambda: _healthy(httpx, env["PREFECT_API_URL"]), 120)
        cli(str(BIN / "prefect"), "work-pool", "create", "chiso-process", "--type", "process")
        cli(str(BIN / "prefect"), "gcl", "create", "chiso-process-submissions", "--limit", "1")
        # the deployments of prefect.yaml, with collect polling every 15 s instead of 300
        spec = yaml.safe_load((ROOT / "prefect.yaml").read_text("utf-8"))
        for d in spec["deployments"]:
            if d["name"] == "collect-submissions":
                d["schedules"] = [{"interval": 15, "active": True}]
        prefect_file = tmp_path / "prefect.yaml"
        prefect_file.write_text(yaml.safe_dump(spec), "utf-8")
        cli(
            str(BIN / "prefect"),
            "--no-prompt",
            "deploy",
            "--all",
            "--prefect-file",
            str(prefect_file),
        )
        start(
            "worker",
            str(BIN / "prefect"),
            "worker",
            "start",
            "--pool",
            "chiso-process",
            "--limit",
            "2",
        )
        yield {"env": env, "bucket": bucket, "logs": logs, "cli": cli}
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


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
