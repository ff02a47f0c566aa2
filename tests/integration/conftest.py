"""The production stack of scripts/stack-up.sh for the stack tier (one for the tier, on
free ports; taken down after it, and nothing of it may be left)."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.support.ports import free_port
from tests.support.s3 import Seaweed, new_bucket
from tests.support.stack import stack_env

ROOT = Path(__file__).resolve().parents[2]


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


@pytest.fixture(scope="package")
def stack_bucket(s3_server: Seaweed) -> Iterator[str]:
    with new_bucket(s3_server) as name:
        yield name


@pytest.fixture(scope="package")
def stack(
    tmp_path_factory: pytest.TempPathFactory, s3_server: Seaweed, stack_bucket: str
) -> Iterator[dict]:
    """scripts/stack-up.sh as an operator runs it (PostgreSQL, Redis messaging, two API
    replicas behind HAProxy, the services, two workers, the public server), with the
    session's S3 and free ports; scripts/stack-down.sh afterwards, which must leave
    nothing. One stack for the tier's tests, which run one after the other on one worker,
    first (tests/conftest.py's scheduler): two stacks side by side on the 2 cores took 405
    and 457 s, and one timed out."""
    from sqlalchemy import text

    from tests.support.databases import _pg_admin

    tmp_path, bucket = tmp_path_factory.mktemp("stack"), stack_bucket
    tag = uuid.uuid4().hex[:10]
    stack_dir = tmp_path / "stack"
    redis_db = 1 + int(tag, 16) % 15
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text("utf-8"))
    for d in spec["deployments"]:
        if d["name"] == "collect-submissions":
            # every 30 s instead of 300: each collect is a fresh flow-run process (several
            # CPU seconds), which every 15 s took a good part of the 2 cores from the runs
            # the tests wait for; the tests ask for a collection when they put files
            d["schedules"] = [{"interval": 30, "active": True}]
        if d["name"] == "process-submissions":  # small batches: a kill lands mid-run
            for trigger in d["triggers"]:
                trigger["parameters"] = {"batch_size": 16}
    prefect_file = tmp_path / "prefect.yaml"
    prefect_file.write_text(yaml.safe_dump(spec), "utf-8")
    # a run whose worker was killed is marked Crashed 60 s after its last heartbeat, not 90
    # (two of Prefect's heartbeats, every 30 s, its shortest): the fault test waits for it
    automations = yaml.safe_load((ROOT / "automations.yaml").read_text("utf-8"))
    for a in automations["automations"]:
        if a["name"] == "chiso-crash-zombie-flow-runs":
            a["trigger"]["within"] = 60
    automations_file = tmp_path / "automations.yaml"
    automations_file.write_text(yaml.safe_dump(automations), "utf-8")
    env = {
        **os.environ,
        "STACK_DIR": str(stack_dir),
        "PREFECT_PORT": str(free_port()),
        "API_PORT_1": str(free_port()),
        "API_PORT_2": str(free_port()),
        "PUBLIC_PORT": str(free_port()),
        "PORTAL_PORT": str(free_port()),
        "CHISO_DB": f"chiso_it_{tag}",
        "PREFECT_DB": f"prefect_it_{tag}",
        "PREFECT_REDIS_MESSAGING_DB": str(redis_db),
        "REDIS_PORT": str(free_port()),  # the stack's own Redis, which a test restarts
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        "PREFECT_FILE": str(prefect_file),
        "AUTOMATIONS_FILE": str(automations_file),
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
