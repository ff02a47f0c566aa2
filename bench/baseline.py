"""The plain baseline: part of the national quarter's work, with no orchestration and no GX.

Plain parsing (json, python-calamine), tax-code and count checks, ``executemany`` inserts
into SQLite, SQL aggregation; no files written, nothing published (the whole contract's
work is the floor's, bench/floor/). Printed by bench/national.py beside the floor.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from floor.checks import tax_ok  # the floor's check, the same tax-code rule
from python_calamine import CalamineWorkbook

SCHEMA = """
CREATE TABLE sub (id TEXT PRIMARY KEY, unit TEXT, period TEXT, sha TEXT, status TEXT);
CREATE TABLE fig (sub TEXT, code TEXT, value INTEGER, PRIMARY KEY (sub, code));
CREATE TABLE ent (sub TEXT, unit TEXT, tax TEXT, code10 TEXT, type TEXT, dx INTEGER,
                  status TEXT, PRIMARY KEY (sub, tax));
"""


def count_ok(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def read_xlsx(data: bytes) -> dict[str, Any]:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = {n.casefold(): wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names}
    info = {str(r[0]): r[1] for r in sheets["thông tin"] if len(r) > 1}
    figs = {str(r[0]): r[2] for r in sheets["chỉ tiêu"][1:] if r and r[0] and r[2] != ""}
    ents = [
        dict(
            zip(
                ["tax_code", "name", "type", "dx_capable", "established_on", "status"],
                r,
                strict=False,
            )
        )
        for r in sheets["doanh nghiệp"][1:]
        if r and r[0]
    ]
    return {
        "unit_code": str(info.get("Mã đơn vị")),
        "indicators": {k: int(v) if isinstance(v, float) else v for k, v in figs.items()},
        "enterprises": ents,
    }


def run(inbox: Path, db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    conn.executescript(SCHEMA)
    subs, figs, ents = [], [], []
    for dirpath, _, files in os.walk(inbox):
        for name in files:
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            data = path.read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            sid = hashlib.sha256(f"{path}\n{sha}".encode()).hexdigest()[:24]
            unit, period = path.parent.parent.name, path.parent.name
            try:
                doc = (
                    json.loads(data)
                    if name.endswith(".json")
                    else read_xlsx(data)
                    if name.endswith(".xlsx")
                    else None
                )
            except Exception:
                doc = None
            ok = (
                doc is not None
                and all(count_ok(v) for v in doc["indicators"].values())
                and all(tax_ok(str(e["tax_code"])) for e in doc["enterprises"])
            )
            subs.append((sid, unit, period, sha, "accepted" if ok else "rejected"))
            if ok and doc is not None:
                figs += [(sid, k, v) for k, v in doc["indicators"].items()]
                ents += [
                    (
                        sid,
                        unit,
                        str(e["tax_code"]),
                        str(e["tax_code"])[:10],
                        e["type"],
                        int(bool(e.get("dx_capable"))),
                        e["status"],
                    )
                    for e in doc["enterprises"]
                ]
    conn.executemany("INSERT INTO sub VALUES (?,?,?,?,?)", subs)
    conn.executemany("INSERT OR IGNORE INTO fig VALUES (?,?,?)", figs)
    conn.executemany("INSERT OR IGNORE INTO ent VALUES (?,?,?,?,?,?,?)", ents)
    conn.commit()
    sums = conn.execute("SELECT code, sum(value) FROM fig GROUP BY code").fetchall()
    distinct = conn.execute(
        "SELECT count(DISTINCT code10) FROM ent WHERE status = 'active'"
    ).fetchone()[0]
    conn.close()
    return {"submissions": len(subs), "figures": len(sums), "enterprises": distinct}


if __name__ == "__main__":
    import sys
    import tempfile
    import time

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        out = run(Path(sys.argv[1]), Path(tmp) / "b.db")
        print(json.dumps(out), f"{time.perf_counter() - t:.2f} s")
