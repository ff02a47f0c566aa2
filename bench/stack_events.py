"""A five-year backfill's events on the production stack's Prefect (issue 15).

    uv run python bench/stack_events.py [--units N|all] [--unpaced]

Brings up scripts/stack-up.sh (two API replicas behind HAProxy, the services in their own
process, Redis messaging through prefect-redis, PostgreSQL), stops its workers (so no
deployed run competes: the triggers still fire and their runs wait), and runs ``chiso
backfill --from 2021Q1 --to 2025Q4`` against it in a fresh process: chiso's database is the
stack's PostgreSQL, its files local folders (bench/backfill.py's inboxes, one per quarter)
and a local object store, so that what is measured is the events and the API, not
SeaweedFS. With
``--unpaced`` chiso posts its events without waiting for the API to store them
(tasks/events/sender.py's window made unbounded), as it did before session 5.

Then waits until the API has stored every event it will (no change for 30 s), and prints
and writes to bench/results/stack_events-<units>-<paced|unpaced>.json: the events chiso
sent (contract v4: batch events naming every submission received and decided, the period
events) against those the
API stored, by name; dropped-message lines in the stack's logs; the backfill's wall time;
the time from its end until the last event was stored; and the CPU seconds each part of
the stack spent, per stored event.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from backfill import catalog, inboxes, sources
from national import RESULTS, ROOT
from stack_latency import machine_cpu

from tests.support.stack import cpu_seconds, running_stack

NAMES = [
    "chiso.submissions.received",
    "chiso.submissions.decided",
    "chiso.period.updated",
]
UNPACED = (
    "import tasks.events.sender as s; "
    "s.EventSender.__init__.__defaults__ = (s.BATCH, 10**9, s.STALL_S); "
    "from flows.cli import main; main()"
)
SETTLED_S = 30.0


def stored(api: str) -> dict[str, int]:
    """How many events of each of chiso's names the API has stored, and how many
    submissions and decisions the stored batch events name (contract v4)."""
    out: dict[str, int] = {}
    named = {"received": 0, "accepted": 0, "rejected": 0}
    for name in NAMES:
        body = {
            "filter": {"event": {"name": [name]}, "occurred": {"since": "2000-01-01T00:00:00Z"}},
            "limit": 50,
        }
        page = httpx.post(f"{api}/events/filter", json=body, timeout=120).json()
        out[name] = int(page["total"])
        events = list(page["events"])
        while page.get("next_page") and name != "chiso.period.updated":
            page = httpx.get(page["next_page"], timeout=120).json()
            events += page["events"]
        for e in events:
            payload = e["payload"]
            named["received"] += len(payload.get("submissions", []))
            named["accepted"] += len(payload.get("accepted", []))
            named["rejected"] += len(payload.get("rejected", []))
    return out | {f"named {k}": v for k, v in named.items()}


def sent(database_url: str) -> dict[str, int]:
    """What chiso's events must name, from its database: every submission received,
    every decision taken."""
    engine = create_engine(database_url)
    with engine.connect() as c:
        subs = c.execute(text("SELECT count(*) FROM submission")).scalar_one()
        by = dict(c.execute(text("SELECT status, count(*) FROM decision GROUP BY status")).all())
    engine.dispose()
    return {
        "named received": int(subs),
        "named accepted": int(by.get("accepted", 0)),
        "named rejected": int(by.get("rejected", 0)),
    }


def stop_workers(stack_dir: Path) -> None:
    for name in ("worker-1", "worker-2"):
        pid = int((stack_dir / f"{name}.pid").read_text())
        subprocess.run(["kill", "-TERM", "--", f"-{pid}"], capture_output=True)
    time.sleep(5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", default="all", help="units per quarter, or all")
    parser.add_argument("--unpaced", action="store_true")
    args = parser.parse_args()
    quarters = [f"{y}Q{q}" for y in range(2021, 2026) for q in range(1, 5)]
    units = None if args.units == "all" else int(args.units)
    inbox, files = sources(inboxes(units, quarters))
    stack_dir = Path(f"/tmp/chiso-bench-events-{uuid.uuid4().hex[:8]}")
    with (
        running_stack(ROOT, stack_dir, CHISO_UNITS_CSV=str(catalog())) as senv,
        tempfile.TemporaryDirectory() as home,
    ):
        stop_workers(stack_dir)
        api = senv["PREFECT_API_URL"]
        env = senv | {
            "CHISO_HOME": home,
            "CHISO_SOURCES": inbox,
            "CHISO_OBJECT_STORE": str(Path(home) / "objects"),
        }
        cmd = [sys.executable, "-c", UNPACED] if args.unpaced else [str(ROOT / ".venv/bin/chiso")]
        cmd += ["backfill", "--from", quarters[0], "--to", quarters[-1]]
        cpu0 = cpu_seconds(stack_dir) | machine_cpu()
        t0 = time.monotonic()
        run = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
        wall = time.monotonic() - t0
        if run.returncode:
            raise SystemExit(f"backfill failed ({run.returncode}):\n{run.stderr[-3000:]}")
        last, same_since, counts = stored(api), time.monotonic(), {}
        while time.monotonic() - same_since < SETTLED_S:
            time.sleep(5)
            counts = stored(api)
            if counts != last:
                last, same_since = counts, time.monotonic()
        settled = same_since - t0 - wall
        cpu1 = cpu_seconds(stack_dir) | machine_cpu()
        chiso = sent(senv["CHISO_DATABASE_URL"])
        drops = subprocess.run(
            ["grep", "-ci", "drop", *map(str, (stack_dir / "logs").glob("*.log"))],
            capture_output=True,
            text=True,
        ).stdout
    total = sum(counts[n] for n in NAMES)  # events, not the submissions they name
    cpu = {k: round(cpu1[k] - cpu0.get(k, 0), 1) for k in cpu1 if not k.startswith("worker")}
    result: dict[str, Any] = {
        "units": args.units,
        "files": files,
        "paced": not args.unpaced,
        "backfill_wall_s": round(wall, 1),
        "stored_after_backfill_s": round(settled, 1),
        "sent": chiso,
        "stored": counts,
        "missing": {k: chiso[k] - counts[k] for k in chiso},
        "log_lines_with_drop": drops.strip().splitlines(),
        "cpu_s": cpu,
        "api_cpu_ms_per_event": round(1000 * sum(cpu.values()) / max(total, 1), 2),
        "output_tail": run.stdout[-800:],
    }
    print(json.dumps(result, indent=2))
    name = f"stack_events-{args.units}-{'unpaced' if args.unpaced else 'paced'}.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
