"""Reminders at national size (issue 23): a catalog of 3,321 commune-level units, one
account each, one quarter with every unit missing; ``chiso remind`` on the due date queues
a reminder per account and sends them to a local SMTP server (aiosmtpd, in this process).

    uv run python bench/mail.py [--units N] [--postgres]

Prints the wall time and peak memory of ``chiso remind`` (its own process, as an operator
runs it), mails queued and sent, and writes ``bench/results/mail.json``. A second run
the same day is timed too: nothing new to queue, nothing to send.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import results_dir  # noqa: E402

CHISO = str(Path(sys.executable).parent / "chiso")
UNITS_VN = ROOT / "catalog" / "units_vn_2025.csv"
QUARTER, DUE = "2025Q3", date(2025, 10, 15)


def _accounts(res: object, codes: list[str]) -> None:
    """One unit account per code and two officers, inserted in bulk (setup, not timed)."""
    from sqlalchemy import insert

    from models.account import Account

    now = datetime.now(UTC)
    rows = [
        {"email": f"u{c}@xa.example.vn", "role": "unit", "unit_code": c, "enabled": True}
        for c in codes
    ] + [
        {"email": f"o{i}@so.example.vn", "role": "officer", "unit_code": None, "enabled": True}
        for i in (1, 2)
    ]
    with res.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(insert(Account), [r | {"created_at": now} for r in rows])


def _remind(env: dict[str, str], home: Path, day: date) -> tuple[float, int, str]:
    """``chiso remind --today day``: wall seconds, peak RSS in MB, its summary line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    done = subprocess.run(
        [CHISO, "remind", "--today", day.isoformat(), "--home", str(home)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    took = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return took, max(peak, before) // 1024, done.stdout.strip().splitlines()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=0, help="only the first N units (0: all)")
    parser.add_argument("--postgres", action="store_true", help="chiso's database on PostgreSQL")
    args = parser.parse_args()
    from flows.resources import Resources
    from flows.settings import Settings
    from models.periods import Period
    from tests.support.smtp import smtp_server

    work = Path(tempfile.mkdtemp(prefix="chiso-mail-bench-"))
    home = work / "home"
    with ExitStack() as stack:
        db_url = None
        if args.postgres:
            from tests.support.databases import pg_database

            db_url = stack.enter_context(pg_database())
        url, server = stack.enter_context(smtp_server())
        settings = Settings(home=home, database_url=db_url, units_csv=UNITS_VN, smtp_url=url)
        res = Resources(settings)
        res.prepare_database()
        codes = [u.code for u in res.units.expected(Period.parse(QUARTER))]
        if args.units:
            codes = codes[: args.units]
        _accounts(res, codes)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHISO_")}
        env |= {"CHISO_UNITS_CSV": str(UNITS_VN), "CHISO_SMTP_URL": url}
        if db_url:
            env["CHISO_DATABASE_URL"] = db_url
        first = _remind(env, home, DUE)
        again = _remind(env, home, DUE)
        received = len(server.got)
        res.engine.dispose()
    result = {
        "units": len(codes),
        "database": "postgresql" if args.postgres else "sqlite",
        "first_run_s": round(first[0], 2),
        "first_run_peak_mb": first[1],
        "first_run": first[2],
        "second_run_s": round(again[0], 2),
        "second_run": again[2],
        "mails_received": received,
        "mails_per_s": round(received / first[0], 1) if first[0] else None,
    }
    for k, v in result.items():
        print(f"{k:20} {v}")
    out = results_dir()
    out.mkdir(parents=True, exist_ok=True)
    (out / f"mail-{result['database']}.json").write_text(json.dumps(result, indent=2))
    return 0 if received == len(codes) else 1


if __name__ == "__main__":
    sys.exit(main())
