"""The floor's run: every file archived, read, checked, fed back and stored, then every
affected quarter and its year published."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .catalog import PERIOD, Catalog, quarter_last_day
from .checks import check, read_xlsx
from .files import Writer
from .publish import publish

SCHEMA = """
CREATE TABLE submission (id TEXT PRIMARY KEY, unit TEXT, period TEXT, path TEXT, sha TEXT,
  received_at TEXT, status TEXT);
CREATE TABLE decision (submission_id TEXT, status TEXT, problems TEXT, decided_at TEXT);
CREATE TABLE figure (submission_id TEXT, code TEXT, value INTEGER,
  PRIMARY KEY (submission_id, code));
CREATE TABLE enterprise (submission_id TEXT, unit TEXT, tax_code TEXT, code10 TEXT,
  type TEXT, dx INTEGER, status TEXT, established TEXT, PRIMARY KEY (submission_id, tax_code));
"""


def run(inbox: Path, home: Path, units_csv: Path) -> dict[str, int]:
    cat = Catalog(units_csv)
    home.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(home / "chiso.db")
    conn.executescript(SCHEMA)
    store = Writer(home / "objects")
    run_id = os.urandom(16).hex()
    now = datetime.now(UTC)
    taxes: dict[tuple[str, str], str] = {}  # (period, code10) -> the unit that had it first
    decided = {"accepted": 0, "rejected": 0}
    periods: set[str] = set()
    subs, decisions, figure_rows, roster_rows, docs = [], [], [], [], []
    for dirpath, _, files in sorted(os.walk(inbox)):
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(inbox)
            unit, period = (*rel.parts, "", "")[:2]
            data = path.read_bytes()
            received = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            sha = hashlib.sha256(data).hexdigest()
            sid = hashlib.sha256(f"{rel}\n{sha}".encode()).hexdigest()[:24]
            ext = name.rsplit(".", 1)[-1].lower()
            store.put(f"raw/{unit}/{period}/{sha}.{ext}", data)
            probs: list[dict[str, Any]] = []
            figs: dict[str, int] = {}
            roster: list[tuple[str, ...]] = []
            try:
                doc = (
                    json.loads(data)
                    if ext == "json"
                    else read_xlsx(data)
                    if ext == "xlsx"
                    else None
                )
            except Exception as e:
                doc, probs = None, [{"severity": "error", "field": "file", "value": str(e)[:200]}]
            if doc is None and not probs:
                probs = [{"severity": "error", "field": "file", "expected": "XLSX or JSON"}]
            if doc is not None and PERIOD.match(period):
                probs, figs, roster = check(doc, unit, period, cat, received)
            status = "rejected" if any(p["severity"] == "error" for p in probs) else "accepted"
            if status == "accepted":
                due = quarter_last_day(period) + timedelta(days=15)
                if received.date() > due:
                    probs.append(
                        {"severity": "warning", "field": "received_at", "expected": f"by {due}"}
                    )
                for r in roster:
                    first = taxes.setdefault((period, r[1]), unit)
                    if first != unit:
                        probs.append(
                            {
                                "severity": "warning",
                                "field": "tax_code",
                                "value": r[0],
                                "expected": f"reported by one unit (also {first})",
                            }
                        )
                figure_rows += [(sid, k, v) for k, v in figs.items()]
                roster_rows += [(sid, unit, *r) for r in roster]
                periods.add(period)
            decided[status] += 1
            subs.append((sid, unit, period, str(rel), sha, received.isoformat(), status))
            decisions.append((sid, status, json.dumps(probs, ensure_ascii=False), now.isoformat()))
            feedback = {
                "submission_id": sid,
                "file": str(rel),
                "sha256": sha,
                "unit_code": unit,
                "period": period,
                "status": status,
                "received_at": received.isoformat(),
                "problems": probs,
            }
            docs.append((sid, status, len(probs)))
            store.put(
                f"feedback/{unit or '_unplaced'}/{period or '_unplaced'}/{sid}.json",
                json.dumps(feedback, ensure_ascii=False).encode(),
            )
    store.commit()  # archived and fed back before the database says decided
    conn.executemany("INSERT INTO submission VALUES (?,?,?,?,?,?,?)", subs)
    conn.executemany("INSERT INTO decision VALUES (?,?,?,?)", decisions)
    conn.executemany("INSERT INTO figure VALUES (?,?,?)", figure_rows)
    conn.executemany("INSERT OR IGNORE INTO enterprise VALUES (?,?,?,?,?,?,?,?)", roster_rows)
    conn.commit()
    page = "".join(f"<tr><td>{s}</td><td>{st}</td><td>{n}</td></tr>" for s, st, n in docs)
    store.put(
        "docs/index.html", f"<!doctype html><meta charset=utf-8><table>{page}</table>".encode()
    )
    index = []
    for period in sorted(periods):
        year = period[:4]
        version = publish(conn, cat, store, period, [period], run_id)
        quarters = [f"{year}Q{q}" for q in range(1, int(period[5]) + 1)]
        year_version = publish(conn, cat, store, year, quarters, run_id)
        index += [{"period": period, "version": version}, {"period": year, "version": year_version}]
    store.put(
        "snapshots/index.json",
        json.dumps({"generated_at": datetime.now(UTC).isoformat(), "periods": index}).encode(),
    )
    store.commit()
    conn.close()
    return {"submissions": len(subs), **decided, "periods": len(index)}
