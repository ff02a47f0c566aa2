"""The portal on the embedded defaults (issue 22): how long a sent file takes to show as
decided, and the portal serving many units at once.

    uv run python bench/portal.py [--sends 20] [--units 96] [--stack]

1. ``--sends`` files sent one after the other by one unit (API, token): the time from the
   POST to the submission's GET answering decided; median and worst.
2. ``--units`` units at once, each signing in (pages), reading its home and sending one
   file (API with its session and CSRF token): every request's time; none may fail, and
   every file must be decided exactly once.

The portal runs as ``chiso portal`` in its own process, as an operator runs it: on the
embedded defaults (its deciding thread, the ephemeral Prefect API it starts, a temporary
home on SQLite), or with ``--stack`` in the production stack of ``scripts/stack-up.sh``
(free ports, its own databases; PostgreSQL, S3, the task worker deciding what the portal
defers). The clients are threads of this process. Prints a table and writes
``bench/results/portal[-stack].json``.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import results_dir  # noqa: E402

PASSWORD = "mật khẩu đủ dài 123"


def _doc(unit: str, n: int) -> bytes:
    from tests.support.inbox import valid_doc

    doc = valid_doc(unit)
    doc["reported_by"] = f"lần {n}"
    return json.dumps(doc, ensure_ascii=False).encode()


def _wait_decided(client: httpx.Client, sid: str, timeout: float = 300) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if client.get(f"/api/v1/submissions/{sid}").json()["status"] != "received":
            return time.monotonic()
        time.sleep(0.05)
    raise TimeoutError(sid)


def sequential(url: str, token: str, unit: str, sends: int) -> list[float]:
    out = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as c:
        for n in range(sends):
            start = time.monotonic()
            r = c.post(
                "/api/v1/submissions",
                data={"period": "2025Q3"},
                files={"file": (f"r{n}.json", _doc(unit, n))},
            )
            r.raise_for_status()
            out.append(_wait_decided(c, r.json()["submission_id"]) - start)
    return out


def one_unit(url: str, email: str, unit: str) -> tuple[list[float], str]:
    times = []
    with httpx.Client(base_url=url, timeout=120) as c:
        t = time.monotonic()
        page = c.get("/signin").text
        times.append(time.monotonic() - t)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]  # type: ignore[index]
        t = time.monotonic()
        r = c.post("/signin", data={"email": email, "password": PASSWORD, "csrf": csrf})
        times.append(time.monotonic() - t)
        assert r.status_code == 303, r.status_code
        t = time.monotonic()
        home = c.get("/")
        times.append(time.monotonic() - t)
        assert home.status_code == 200
        token = re.search(r'name="csrf" value="([^"]+)"', home.text)[1]  # type: ignore[index]
        t = time.monotonic()
        r = c.post(
            "/api/v1/submissions",
            data={"period": "2025Q3"},
            files={"file": ("r.json", _doc(unit, 0))},
            headers={"X-CSRF-Token": token},
        )
        times.append(time.monotonic() - t)
        assert r.status_code == 202, r.text
        return times, r.json()["submission_id"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sends", type=int, default=20)
    parser.add_argument("--units", type=int, default=96)
    parser.add_argument("--stack", action="store_true", help="on scripts/stack-up.sh")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="chiso-portal-bench-"))
    with ExitStack() as stack:
        url, res = stack.enter_context(on_stack(work) if args.stack else embedded(work))
        return _measure(args, url, res)


@contextmanager
def on_stack(work: Path) -> Iterator[tuple[str, Any]]:
    """scripts/stack-up.sh on free ports; its portal's address and resources."""
    import os

    from flows.resources import Resources
    from flows.settings import load_settings
    from tests.support.stack import running_stack

    with running_stack(ROOT, work / "stack") as env:
        os.environ.update({k: v for k, v in env.items() if k.startswith(("CHISO_", "AWS_"))})
        res = Resources(load_settings())
        yield env["CHISO_PORTAL_URL"], res
        res.engine.dispose()


@contextmanager
def embedded(work: Path) -> Iterator[tuple[str, Any]]:
    """``chiso portal`` on a temporary home and inbox folder; its address and resources."""
    import os
    import subprocess

    from flows.resources import Resources
    from flows.settings import load_settings

    inbox, home = work / "inbox", work / "home"
    inbox.mkdir()
    res = Resources(load_settings(home, str(inbox)))
    res.prepare_database()
    from tests.support.ports import free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHISO_", "PREFECT_API"))}
    env |= {"CHISO_SOURCES": str(inbox), "CHISO_PORTAL_URL": url}
    chiso = str(Path(sys.executable).with_name("chiso"))
    portal = subprocess.Popen(
        [chiso, "portal", "--port", str(port), "--home", str(home)],
        env=env,
        stdout=(work / "portal.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    started = time.monotonic()
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if portal.poll() is not None or time.monotonic() - started > 120:
            raise SystemExit((work / "portal.log").read_text()[-3000:])
        time.sleep(0.2)
    print(f"{'portal_start_s':28} {time.monotonic() - started:.2f}")
    try:
        yield url, res
    finally:
        portal.terminate()
        portal.wait(30)


def _measure(args: argparse.Namespace, url: str, res: Any) -> int:
    from sqlalchemy import text

    from tasks.accounts.store import accept_invitation, add_account, issue_token
    from tests.support.hostile import communes

    units = communes()[: max(args.units, 1)]
    for i, unit in enumerate(units):
        _, invite = add_account(res.engine, res.units, f"u{i}@x.vn", unit, None)
        accept_invitation(res.engine, invite, PASSWORD)
    token = issue_token(res.engine, "u0@x.vn")
    # the first decision also starts what deciding needs (Prefect's flow machinery)
    first = sequential(url, token, units[0], 1)
    times = sequential(url, token, units[0], args.sends)
    with ThreadPoolExecutor(len(units)) as pool:
        t0 = time.monotonic()
        done = list(pool.map(lambda iu: one_unit(url, f"u{iu[0]}@x.vn", iu[1]), enumerate(units)))
        burst = time.monotonic() - t0
    deadline = time.monotonic() + 600
    ids = [sid for _, sid in done]
    with res.engine.connect() as conn:
        while time.monotonic() < deadline:
            pending = conn.execute(
                text("SELECT count(*) FROM submission WHERE status = 'received'")
            ).scalar_one()
            if not pending:
                break
            time.sleep(0.5)
        counts = dict(
            conn.execute(
                text("SELECT submission_id, count(*) FROM decision GROUP BY submission_id")
            ).all()
        )
    all_requests = [t for ts, _ in done for t in ts]
    steps = ("signin_page", "signin", "home", "send")
    per_step = {
        name: (round(statistics.median(ts), 3), round(max(ts), 3))
        for name, ts in zip(steps, zip(*(ts for ts, _ in done), strict=True), strict=True)
    }
    result = {
        "where": "stack" if args.stack else "embedded",
        "first_send_to_decided_s": round(first[0], 2),
        "sends": args.sends,
        "send_to_decided_median_s": round(statistics.median(times), 2),
        "send_to_decided_worst_s": round(max(times), 2),
        # the portal is one long-lived process: its last sends cost what its first did
        "first_tenth_median_s": round(statistics.median(times[: max(1, len(times) // 10)]), 2),
        "last_tenth_median_s": round(statistics.median(times[-max(1, len(times) // 10) :]), 2),
        "units_at_once": len(units),
        "burst_wall_s": round(burst, 2),
        "requests": len(all_requests),
        "request_median_s": round(statistics.median(all_requests), 3),
        "request_worst_s": round(max(all_requests), 3),
        "requests_over_5_s": sum(t > 5 for t in all_requests),
        "per_step_median_worst_s": per_step,
        "decided_once": sum(counts.get(s) == 1 for s in ids),
        "decided_twice_or_more": sum(counts.get(s, 0) > 1 for s in ids),
        "not_decided": sum(s not in counts for s in ids),
    }
    for k, v in result.items():
        print(f"{k:28} {v}")
    out = results_dir()
    out.mkdir(parents=True, exist_ok=True)
    name = "portal-stack.json" if args.stack else "portal.json"
    (out / name).write_text(json.dumps(result, indent=2))
    ok = result["decided_once"] == len(ids) and result["requests_over_5_s"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
