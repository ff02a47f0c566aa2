"""What the contract's events cost the Prefect API: CPU seconds per national quarter.

    uv run python bench/events.py [--events 3321] [--related 2 1 0]

Starts a real ``prefect server`` on a throwaway PostgreSQL database (as bench/national.py
does), posts ``--events`` contract-shaped ``chiso.submission.received`` events in batches
of 500 (as chiso does), once per ``--related`` count (how many related resources each
carries: flow run, flow), and prints the API's CPU seconds while posting and in all, once
it is idle again (its persister, triggers and task-run recorder run after the posts).
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from national import api_idle, prefect_server, server_cpu_s

from tasks.events.contract import event, resource


def events(n: int, related: list[dict[str, str]]) -> list[dict[str, object]]:
    """``n`` received events as chiso builds them, each carrying ``related``."""
    at = datetime.now(UTC).isoformat()
    out = []
    for i in range(n):
        ident = uuid.uuid4().hex[:20]
        res = resource("submission", ident, unit=f"{25000 + i % 3321}", period="2025Q4")
        received = event("chiso.submission.received", res, {"submission_id": ident}, at)
        out.append(received | {"related": related})
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=3321)
    parser.add_argument("--related", type=int, nargs="+", default=[2, 1, 0, 2, 1, 0])
    args = parser.parse_args()
    run = {
        "prefect.resource.id": f"prefect.flow-run.{uuid.uuid4()}",
        "prefect.resource.role": "flow-run",
        "prefect.resource.name": "talkative-avocet",
    }
    flow = {
        "prefect.resource.id": f"prefect.flow.{uuid.uuid4()}",
        "prefect.resource.role": "flow",
        "prefect.resource.name": "chiso-run",
    }
    print(f"{'related':>8}{'post s':>8}{'API CPU posting':>17}{'API CPU in all':>16}")
    with prefect_server() as api, httpx.Client(base_url=api, timeout=120) as client:
        for n in args.related:
            batch = events(args.events, [run, flow][:n])
            api_idle()
            cpu0, t0 = server_cpu_s(), time.perf_counter()
            for start in range(0, len(batch), 500):
                client.post("/events", json=batch[start : start + 500]).raise_for_status()
            wall, posting = time.perf_counter() - t0, server_cpu_s() - cpu0
            api_idle()
            total = server_cpu_s() - cpu0
            print(f"{n:>8}{wall:>8.2f}{posting:>17.2f}{total:>16.2f}")


if __name__ == "__main__":
    main()
