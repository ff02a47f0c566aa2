"""The national benchmark (issue 6): one quarter of all 3,321 commune-level units.

    uv run python bench/national.py [--units N] [--no-postgres] [--no-cold] [--api-aside]

Generates the synthetic inbox once (bench/national_inbox.py, cached under bench/results/),
then measures, each in a fresh process: the contract floor (bench/floor/: all the
contract's work in plain Python, in one process; chiso's figures are given as a ratio to
it) and the plain baseline (bench/baseline.py: parse, check, insert, sum; no files); chiso
warm (imports done, talking to a running `prefect server` on PostgreSQL, as a worker does;
the CPU seconds of chiso, its parser pool and the API are printed beside the wall time, and
each warm run waits until the API has taken the previous run's events)
with chiso's database on SQLite and on PostgreSQL; and chiso cold (a fresh `chiso run` on a
fresh home, its own ephemeral Prefect API). ``--harness`` adds a warm run against Prefect's
test harness instead (a temporary server on SQLite); ``--api-aside`` a warm SQLite run with
every thread of the API at the lowest CPU priority, which shows what chiso takes when the
API does not compete for the 2 cores (as on a host of its own). ``--rounds N`` alternates
the floor and the warm runs N times in one go. Prints a table and writes
bench/results/national.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import results_dir
from warm_run import proc_cpu_s  # the bench scripts share this folder

from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS = results_dir()
BIN = Path(sys.executable).parent
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def inbox_for(units: int | None, period: str) -> Path:
    path = RESULTS / f"inbox-{period}-{units or 'all'}"
    if not (path / ".done").exists():
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "national_inbox.py"),
                str(path),
                "--period",
                period,
            ]
            + (["--units", str(units)] if units else []),
            check=True,
        )
        (path / ".done").write_text("ok")
    return path


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CHISO_", "PREFECT_API"))}
    return (
        base
        | {
            "GX_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "PREFECT_LOGGING_LEVEL": "WARNING",
            "CHISO_UNITS_CSV": str(ROOT / "catalog" / "units_vn_2025.csv"),
        }
        | extra
    )


def json_line(cmd: list[str], environ: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(cmd, env=environ, check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def plain(module: str, *args: Path | str) -> dict[str, Any]:
    """``run(*args)`` of a plain-Python bench module (its imports done first, then timed)
    in a fresh process: its JSON line with wall seconds and peak RSS."""
    code = (
        "import json,sys,time,resource; from pathlib import Path; "
        f"sys.path.insert(0, {str(ROOT / 'bench')!r}); from {module} import run; "
        "t=time.perf_counter(); r=run(*map(Path, sys.argv[1:])); "
        "print(json.dumps({'wall_s': time.perf_counter()-t, 'peak_rss_mb': "
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024, **r}))"
    )
    return json_line([sys.executable, "-c", code, *map(str, args)], env())


def baseline(inbox: Path) -> dict[str, Any]:
    return plain("baseline", inbox, scratch("baseline") / "b.db")


def floor(inbox: Path) -> dict[str, Any]:
    return plain("floor", inbox, scratch("floor"), env()["CHISO_UNITS_CSV"])


@contextmanager
def prefect_server() -> Iterator[str]:
    """A real ``prefect server`` on a throwaway PostgreSQL database, as in production."""
    url, drop = pg_database()
    port = free_port()
    with tempfile.TemporaryDirectory() as home:
        server_env = env(
            PREFECT_HOME=home,
            PREFECT_SERVER_DATABASE_CONNECTION_URL=url.replace("+psycopg", "+asyncpg"),
        )
        proc = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=server_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        api = f"http://127.0.0.1:{port}/api"
        SERVER_PID[:] = [proc.pid]
        try:
            import httpx

            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.5)
            yield api
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            drop()


def scratch(name: str) -> Path:
    """A fresh folder for one run's home. All are deleted only at the end of the bench:
    deleting tens of thousands of files just before a run slows ext4's inode allocation
    for the next half minute (``recently_deleted`` in the kernel profile), which made the
    feedback and archive writes of the next run up to 3x slower."""
    path = Path(SCRATCH[0]) / f"{name}-{uuid.uuid4().hex[:8]}"
    path.mkdir()
    return path


SCRATCH: list[str] = []


SERVER_PID: list[int] = []


def server_cpu_s() -> float:
    """CPU seconds the running ``prefect server`` process has used (every thread)."""
    return proc_cpu_s(SERVER_PID[0]) if SERVER_PID else 0.0


def warm(inbox: Path, warmup: Path, database: str | None, api: str | None = None) -> dict[str, Any]:
    tmp = scratch("warm")
    extra = {"CHISO_DATABASE_URL": database} if database else {}
    if api:
        extra["PREFECT_API_URL"] = api
    before = server_cpu_s() if api else 0.0
    row = json_line(
        [
            sys.executable,
            str(ROOT / "bench" / "warm_run.py"),
            str(inbox),
            str(Path(tmp) / "home"),
            str(warmup),
        ],
        env(**extra),
    )
    if api:
        # the API takes the run's events after the run has handed them over: wait until it
        # is idle, so the next run does not start behind this one's backlog; its CPU covers
        # the warm-up too (5 files: a fraction of a second)
        t = time.perf_counter()
        api_idle()
        row["api_busy_after_s"] = time.perf_counter() - t
        row["api_cpu_s"] = server_cpu_s() - before
    return row


def api_idle(quiet: float = 0.05) -> None:
    """Wait until the API uses less than ``quiet`` CPU seconds in a second."""
    last = server_cpu_s()
    while True:
        time.sleep(1)
        now = server_cpu_s()
        if now - last < quiet:
            return
        last = now


def cold(inbox: Path) -> dict[str, Any]:
    tmp = scratch("cold")
    t = time.perf_counter()
    subprocess.run(
        [str(BIN / "chiso"), "run", "--inbox", str(inbox), "--home", tmp],
        env=env(),
        check=True,
        capture_output=True,
    )
    return {"wall_s": time.perf_counter() - t}


def pg_database() -> tuple[str, Any]:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"chiso_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name, drop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=1, help="floor and warm runs, alternated")
    parser.add_argument("--period", default="2025Q4")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-cold", action="store_true")
    parser.add_argument("--harness", action="store_true", help="also warm on the test harness")
    parser.add_argument(
        "--api-aside", action="store_true", help="also warm with the API at the lowest priority"
    )
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chiso-bench-") as tmp:
        SCRATCH.append(tmp)
        measure(args)


def measure(args: argparse.Namespace) -> None:
    inbox = inbox_for(args.units, args.period)
    warmup = inbox_for(5, "2025Q3")
    n = sum(1 for p in inbox.rglob("*") if p.is_file() and not p.name.startswith("."))
    rows: dict[str, dict[str, Any]] = {"plain baseline": baseline(inbox)}
    # the API: a real prefect server on PostgreSQL (production); --harness adds runs
    # against Prefect's test harness (a temporary server on SQLite, slower to take events)
    with prefect_server() as api:
        for n_round in range(1, args.rounds + 1):
            tag = f" #{n_round}" if args.rounds > 1 else ""
            rows[f"contract floor{tag}"] = floor(inbox)
            rows[f"chiso warm sqlite{tag}"] = warm(inbox, warmup, None, api)
            if not args.no_postgres:
                url, drop = pg_database()
                try:
                    rows[f"chiso warm postgresql{tag}"] = warm(inbox, warmup, url, api)
                finally:
                    drop()
        if args.api_aside:
            # what chiso itself takes when the API does not compete for the 2 cores (as on a
            # host of its own): every thread of the API at the lowest priority
            for task in Path(f"/proc/{SERVER_PID[0]}/task").iterdir():
                os.setpriority(os.PRIO_PROCESS, int(task.name), 19)
            rows["warm sqlite, API aside"] = warm(inbox, warmup, None, api)
    if args.harness:
        rows["warm sqlite, harness API"] = warm(inbox, warmup, None)
    if not args.no_cold:
        rows["chiso cold sqlite"] = cold(inbox)
    floors = sorted(r["wall_s"] for k, r in rows.items() if k.startswith("contract floor"))
    base = floors[len(floors) // 2]  # the median floor of the session
    print(f"national quarter: {n} submissions ({args.period})")
    heads = (
        f"{'wall s':>8}{'subs/s':>9}{'peak MB':>9}{'work s':>8}{'orch %':>8}{'x floor':>8}"
        f"{'cpu s':>7}{'pool':>6}{'API':>6}"
    )
    print(f"{'run':<24}{heads}")
    for name, r in rows.items():
        r["subs_per_s"] = n / r["wall_s"]
        r["ratio_to_floor"] = r["wall_s"] / base
        # work: seconds inside chiso's steps; orchestration: the rest of the wall time
        # (Prefect's engine, API round trips, events, artifacts)
        if "work_s" in r:
            r["orchestration_share"] = 1 - r["work_s"] / r["wall_s"]
        work = f"{r['work_s']:.1f}" if "work_s" in r else "-"
        orch = f"{100 * r['orchestration_share']:.0f}" if "work_s" in r else "-"
        peak = f"{r['peak_rss_mb']:.0f}" if "peak_rss_mb" in r else "-"
        cpu = {k: f"{r[k]:.1f}" if k in r else "-" for k in ("cpu_s", "pool_cpu_s", "api_cpu_s")}
        print(
            f"{name:<24}{r['wall_s']:>8.1f}{r['subs_per_s']:>9.0f}{peak:>9}{work:>8}{orch:>8}"
            f"{r['ratio_to_floor']:>8.2f}{cpu['cpu_s']:>7}{cpu['pool_cpu_s']:>6}"
            f"{cpu['api_cpu_s']:>6}"
        )
    print(
        "x floor: wall time over the session's median contract floor (bench/floor/); "
        "cpu s: CPU seconds of the chiso process; pool: of its parser pool; API: of the "
        "prefect server for the run, events taken after the run included (2 cores in all)"
    )
    targets = {"warm_s": 10, "warm_ratio_to_floor": 1.5, "cold_s": 30, "peak_mb": 1024}
    (RESULTS / "national.json").write_text(
        json.dumps(
            {"submissions": n, "period": args.period, "targets": targets, "runs": rows}, indent=2
        )
    )


if __name__ == "__main__":
    main()
