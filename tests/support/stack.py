"""The production stack of scripts/stack-up.sh as tests and benchmarks drive it."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml


def stack_env(stack_dir: Path) -> dict[str, str]:
    """The variables stack-up wrote to ``<stack_dir>/env`` (one ``export NAME='value'``
    per line; lines exporting several at once are the telemetry switches, set anyway)."""
    out = {}
    for line in (stack_dir / "env").read_text().splitlines():
        body = line.removeprefix("export ")
        if line.startswith("export ") and " " not in body:
            name, value = body.split("=", 1)
            out[name] = value.strip("'")
    return out


@contextmanager
def running_stack(
    root: Path,
    stack_dir: Path,
    edit: Callable[[dict[str, Any]], None] | None = None,
    keep: bool = False,
    **extra: str,
) -> Iterator[dict[str, str]]:
    """scripts/stack-up.sh on free ports under ``stack_dir``, with its own PostgreSQL
    databases and Redis database 9 (emptied before and after), ``edit`` applied to a copy
    of prefect.yaml and ``extra`` variables; yields the environment to drive it with (the
    stack's env file over this process's), then takes it down and drops its databases
    (unless ``keep``). For the benchmarks of the production stack."""
    from tests.support.ports import free_port

    spec = yaml.safe_load((root / "prefect.yaml").read_text("utf-8"))
    if edit:
        edit(spec)
    stack_dir.mkdir(parents=True, exist_ok=True)
    (stack_dir / "prefect.yaml").write_text(yaml.safe_dump(spec), "utf-8")
    tag = uuid.uuid4().hex[:8]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PREFECT_", "CHISO_", "AWS_")) and k != "STACK_DIR"
    }
    env |= {
        "STACK_DIR": str(stack_dir),
        "PREFECT_FILE": str(stack_dir / "prefect.yaml"),
        "PREFECT_PORT": str(free_port()),
        "API_PORT_1": str(free_port()),
        "API_PORT_2": str(free_port()),
        "PUBLIC_PORT": str(free_port()),
        "PORTAL_PORT": str(free_port()),
        "S3_PORT": str(free_port()),
        "CHISO_DB": f"chiso_bench_{tag}",
        "PREFECT_DB": f"prefect_bench_{tag}",
        "PREFECT_REDIS_MESSAGING_DB": "9",
        **extra,
    }
    redis = ["redis-cli", "-n", "9", "flushdb"]
    subprocess.run(redis, check=True, capture_output=True)
    up = subprocess.run(
        ["bash", "scripts/stack-up.sh"], env=env, cwd=root, text=True, capture_output=True
    )
    try:
        if up.returncode:
            raise SystemExit(up.stdout[-2000:] + up.stderr[-2000:])
        yield {**env, **stack_env(stack_dir)}
    finally:
        if not keep:
            subprocess.run(
                ["bash", "scripts/stack-down.sh"], env=env, cwd=root, capture_output=True
            )
            subprocess.run(redis, capture_output=True)
            for db in (env["CHISO_DB"], env["PREFECT_DB"]):
                drop = f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'
                psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", drop]
                subprocess.run(psql, capture_output=True)


def cpu_seconds(stack_dir: Path) -> dict[str, float]:
    """CPU seconds so far (its own and its reaped children's) of each process group the
    stack started (its ``*.pid`` files), for what a stretch of work cost each part."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for pid_file in sorted(stack_dir.glob("*.pid")):
        try:
            group = os.getpgid(int(pid_file.read_text().strip()))
        except (OSError, ValueError):
            continue
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group:  # the process group
                total += sum(int(f) for f in fields[11:15])
        out[pid_file.stem] = total / tick
    return out


def wait(what: str, check: Callable[[], Any], timeout: float = 240, every: float = 1.0) -> Any:
    """``check()``'s first true value, asked every ``every`` seconds; fails after
    ``timeout`` seconds saying what it waited for."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def flow_run(api: str, run_id: str) -> dict[str, Any]:
    """The flow run ``run_id`` as the API has it."""
    import httpx

    return dict(httpx.get(f"{api}/flow_runs/{run_id}", timeout=10).json())


def pause_schedules(api: str, deployment: str) -> int:
    """Pause every schedule of ``deployment`` (``<flow>/<deployment>``), as an operator does
    in the UI; Prefect deletes the runs they had scheduled and not started. How many."""
    import httpx

    dep = httpx.get(f"{api}/deployments/name/{deployment}", timeout=10).json()
    for schedule in dep["schedules"]:
        url = f"{api}/deployments/{dep['id']}/schedules/{schedule['id']}"
        httpx.patch(url, json={"active": False}, timeout=10).raise_for_status()
    return len(dep["schedules"])


def collect_now(api: str) -> str:
    """A ``collect-submissions`` run asked for by hand, as an operator does in the UI (not
    waiting for its schedule); its id."""
    import httpx

    name = "collect-submissions/collect-submissions"
    dep = httpx.get(f"{api}/deployments/name/{name}", timeout=10).json()
    run = httpx.post(f"{api}/deployments/{dep['id']}/create_flow_run", json={}, timeout=10)
    return str(run.json()["id"])
