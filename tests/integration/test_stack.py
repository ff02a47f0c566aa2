"""End to end on a real stack: ``prefect server``, the deployments of prefect.yaml, a
process worker, SeaweedFS and a database. A file dropped in the S3 inbox is collected on
schedule, processed on its event, published on the period's event, with no manual run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3

from tests.support.inbox import valid_doc
from tests.support.s3 import Seaweed
from tests.support.stack import collect_now, flow_run, wait

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


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

    pointer = wait("the 2025Q3 snapshot", latest, timeout=300, every=2)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    base = f"snapshots/2025Q3/{pointer['version']}/"
    assert {base + n for n in ("indicators.csv", "datapackage.json", "report.html")} <= keys
    assert any(k.startswith("feedback/25459/2025Q3/") and k.endswith(".json") for k in keys)
    names = [
        e["event"]
        for e in _events(
            api, ["chiso.submissions.received", "chiso.submissions.decided", "chiso.period.updated"]
        )
    ]
    assert {
        "chiso.submissions.received",
        "chiso.submissions.decided",
        "chiso.period.updated",
    } <= set(names)
    updated = _events(api, ["chiso.period.updated"])[0]
    assert updated["payload"]["period"] == "2025Q3" and updated["payload"]["submission_ids"]
    assert updated["resource"]["chiso.period"] == "2025Q3"
    # events per batch (contract v4): the collect's three new files are one event, and it
    # started one process-submissions run
    received = _events(api, ["chiso.submissions.received"])
    listed = [x["unit"] for e in received for x in e["payload"]["submissions"]]
    assert sorted(listed) == sorted(UNITS) and len(received) == 1
    assert not _events(api, ["chiso.submission.received", "chiso.submission.accepted"])
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
    _a_unit_sends_through_the_portal(stack)
    _no_collection_is_dropped(stack, s3_server)


def _a_unit_sends_through_the_portal(stack: dict) -> None:
    """A unit invited with the CLI sends a file through the portal's API and sees it
    decided: the portal defers the decision to the stack's task worker (no event, no cold
    flow-run process), whose run's period event still publishes the quarter."""
    import time

    import httpx

    unit = "25498"
    cli = stack["cli"]
    api = stack["env"]["PREFECT_API_URL"]
    triggered = len(_runs_started_by_events(api, "process-submissions"))
    cli(str(BIN / "chiso"), "account", "add", "--unit", unit, "--email", "xa@tayninh.vn")
    token = cli(str(BIN / "chiso"), "account", "token", "--email", "xa@tayninh.vn").split()[-1]
    portal = stack["env"]["CHISO_PORTAL_URL"]
    auth = {"Authorization": f"Bearer {token}"}
    doc = json.dumps(valid_doc(unit, "2025Q3"), ensure_ascii=False).encode()
    start = time.monotonic()
    sent = httpx.post(
        f"{portal}/api/v1/submissions",
        headers=auth,
        data={"period": "2025Q3"},
        files={"file": ("báo cáo.json", doc)},
        timeout=60,
    )
    assert sent.status_code == 202, sent.text
    sid = sent.json()["submission_id"]

    def decided() -> dict | None:
        got = httpx.get(f"{portal}/api/v1/submissions/{sid}", headers=auth, timeout=30).json()
        return None if got["status"] == "received" else dict(got)

    report = wait("the sent file decided", decided, timeout=300, every=0.5)
    print(f"portal send -> decided on the stack: {time.monotonic() - start:.1f} s")
    assert report["status"] == "accepted" and report["file"]["name"] == "báo cáo.json"
    body = {"task_runs": {"name": {"like_": "decide-sent-files"}}, "limit": 20}

    def task_ended() -> list | None:
        runs = httpx.post(f"{api}/task_runs/filter", json=body, timeout=10).json()
        ended = [r["state"]["type"] for r in runs if r["state"]["type"] != "RUNNING"]
        return ended if len(ended) == len(runs) else None

    assert wait("the task worker's run", task_ended, timeout=120) == ["COMPLETED"]
    assert len(_runs_started_by_events(api, "process-submissions")) == triggered

    def republished() -> bool:
        period = _events(api, ["chiso.period.updated"])
        return any(sid in e["payload"]["submission_ids"] for e in period)

    wait("the period event naming the sent file", republished, timeout=120, every=1)


def _no_collection_is_dropped(stack: dict, s3_server: Seaweed) -> None:
    """Two collections asked for at once (a schedule and a manual run, or the portal's):
    the second waits for the first (ENQUEUE), none is cancelled, and files put between
    them are each decided once."""

    api, bucket = stack["env"]["PREFECT_API_URL"], stack["bucket"]
    s3 = boto3.client("s3", endpoint_url=s3_server.endpoint)
    units = ("25510", "25516", "25522", "25525")
    ids = []
    for i, unit in enumerate(units):
        doc = json.dumps(valid_doc(unit, "2025Q3"), ensure_ascii=False).encode()
        s3.put_object(Bucket=bucket, Key=f"inbox/{unit}/2025Q3/q.json", Body=doc)
        if i < 2:  # two runs asked for while files arrive
            ids.append(collect_now(api))

    def ended(run_id: str) -> str | None:
        state = flow_run(api, run_id)["state"]["type"]
        return state if state in ("COMPLETED", "CANCELLED", "FAILED", "CRASHED") else None

    ends = [wait(f"collect run {i}", lambda i=i: ended(i), timeout=180, every=1) for i in ids]
    assert ends == ["COMPLETED", "COMPLETED"], ends
    env = stack["env"]
    from sqlalchemy import create_engine, text

    engine = create_engine(env["CHISO_DATABASE_URL"])

    def all_decided() -> list | None:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT unit_code, status FROM submission WHERE unit_code IN "
                    "('25510', '25516', '25522', '25525')"
                )
            ).all()
        return rows if len(rows) == 4 and all(r[1] != "received" for r in rows) else None

    rows = wait("the four files decided", all_decided, timeout=300, every=2)
    engine.dispose()
    assert sorted(r[0] for r in rows) == sorted(units)  # one submission each, decided once


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
