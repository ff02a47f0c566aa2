"""A period's snapshot: indicators per unit, province and territory, completeness,
enterprises, the files of section 6, the pointer."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from .catalog import ROOT, Catalog, quarter_last_day
from .files import Writer
from .tables import INDICATOR_COLUMNS, csv_bytes, parquet, ratio, report

CORE = {"ICT", "DIGITAL_STARTUP", "STARTUP_APPLYING_DT"}


def measures(figs: dict[str, int], roster: list[tuple[str, ...]]) -> dict[str, int]:
    active = [r for r in roster if r[4] == "active"]
    codes = {r[1] for r in active}
    return {
        **figs,
        "DTE_COUNT": len(codes),
        "DTE_CORE_COUNT": len({r[1] for r in active if r[2] in CORE}),
        "CONVERTED_COUNT": len({r[1] for r in active if r[2] == "CONVERTED"}),
        "DTE_DX_CAPABLE": len({r[1] for r in active if r[3] == "1"}),
    }


def indicator_rows(
    period: str,
    level: str,
    code: str,
    name: str,
    per_unit: dict[str, dict[str, int]],
    expected: int,
    cat: Catalog,
    scope: set[str],
) -> list[list[Any]]:
    reported = len(per_unit)
    rows = []
    year = int(period[:4])
    for ind in cat.published:
        num, den = ind["numerator"], ind["denominator"]
        # over the units that reported each part; blank where none did
        nums = [m[num] for m in per_unit.values() if num in m]
        dens = [m[den] for m in per_unit.values() if den in m]
        n = sum(nums) if nums else None
        d = sum(dens) if dens else None
        if den:
            value = ratio(int(ind["multiplier"]) * n / d) if n is not None and d else None
        else:
            value = n
        target = target_year = baseline = None
        if level != "unit":
            ts = [t for t in cat.targets if t["indicator"] == ind["code"] and t["scope"] in scope]
            later = sorted(
                (t for t in ts if t["kind"] == "target" and int(t["year"]) >= year),
                key=lambda t: int(t["year"]),
            )
            if later:
                target, target_year = later[0]["value"], later[0]["year"]
            base = [t for t in ts if t["kind"] == "baseline"]
            baseline = base[0]["value"] if base else None
        rows.append(
            [
                period,
                period,
                level,
                code,
                name,
                ind["code"],
                value,
                n,
                d if den else None,
                reported,
                expected,
                target,
                target_year,
                baseline,
            ]
        )
    return rows


def publish(
    conn: sqlite3.Connection,
    cat: Catalog,
    store: Writer,
    period: str,
    quarters: list[str],
    run_id: str,
) -> str:
    """One period's snapshot (a quarter, or its year from ``quarters``); its version."""
    as_of = quarters[-1]
    expected = cat.expected(quarter_last_day(as_of))
    names = {u["code"]: u["name"] for u in expected}
    subs = conn.execute(
        "SELECT id, unit, period, sha, received_at FROM submission WHERE status = 'accepted' "
        f"AND period IN ({','.join('?' * len(quarters))})",
        quarters,
    ).fetchall()
    current = {(s[1], s[2]): s for s in subs}  # one per unit and quarter
    figs: dict[str, dict[str, int]] = defaultdict(dict)
    for sid, code, value in conn.execute("SELECT submission_id, code, value FROM figure"):
        figs[sid][code] = value
    roster: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    ents = conn.execute(
        "SELECT submission_id, tax_code, code10, type, dx, status, established "
        "FROM enterprise ORDER BY unit"
    ).fetchall()
    for sid, tax, code10, type_, dx, status, established in ents:
        roster[sid].append((tax, code10, type_, str(dx), status, established))
    per_unit: dict[str, dict[str, int]] = {}
    for (unit, q), s in current.items():
        if q == as_of and unit in names:
            per_unit[unit] = measures(figs[s[0]], roster[s[0]])
    if len(quarters) > 1:  # flows sum over the year's quarters
        flows = [i["code"] for i in cat.reported.values() if i["kind"] == "flow"]
        mine: dict[str, list[str]] = defaultdict(list)
        for (unit, _), s in current.items():
            mine[unit].append(s[0])
        for unit, m in per_unit.items():
            for code in flows:
                given = [figs[sid][code] for sid in mine[unit] if code in figs[sid]]
                m.pop(code, None)
                if given:
                    m[code] = sum(given)
    rows: list[list[Any]] = []
    for code in sorted(names):  # every expected unit: blank where it did not report
        mine = {code: per_unit[code]} if code in per_unit else {}
        rows += indicator_rows(period, "unit", code, names[code], mine, 1, cat, set())
    provinces: dict[str, list[str]] = defaultdict(list)
    for u in expected:
        provinces[u["parent_code"]].append(u["code"])
    for prov, members in sorted(provinces.items()):
        got = {m: per_unit[m] for m in members if m in per_unit}
        name = cat.units.get(prov, {}).get("name", prov)
        rows += indicator_rows(
            period, "province", prov, name, got, len(members), cat, {prov, "national"}
        )
    territories = cat.members(expected)
    for terr, members in sorted(territories.items()):
        got = {m: per_unit[m] for m in members if m in per_unit}
        rows += indicator_rows(
            period, "territory", terr, terr, got, len(members), cat, {terr, "national"}
        )
    for r in rows:
        r[1] = as_of
    rows.sort(key=lambda r: (r[0], r[2], r[3]))
    due = quarter_last_day(as_of) + timedelta(days=15)
    rejected = dict(
        conn.execute(
            "SELECT unit, count(*) FROM submission WHERE status = 'rejected' AND period = ? "
            "GROUP BY unit",
            (as_of,),
        ).fetchall()
    )
    completeness = []
    for u in sorted(expected, key=lambda u: u["code"]):
        s = current.get((u["code"], as_of))
        when = s[4] if s else None
        status = "missing" if not s else "on_time" if when[:10] <= due.isoformat() else "late"
        row = [as_of, u["code"], u["name"], status, s[0] if s else None, when]
        completeness.append([*row, rejected.get(u["code"], 0)])
    enterprises = []
    for (unit, q), s in sorted(current.items()):
        if q == as_of:
            enterprises += [[unit, *e] for e in roster[s[0]]]
    files = {
        "indicators.csv": csv_bytes(INDICATOR_COLUMNS, rows),
        "completeness.csv": csv_bytes(
            "period unit_code unit_name status submission_id received_at rejected_count".split(),
            completeness,
        ),
        "enterprises.csv": csv_bytes(
            "unit_code tax_code code10 type dx_capable status established_on".split(),
            enterprises,
        ),
    }
    h = hashlib.sha256(b"".join(files.values())).hexdigest()[:12]
    version = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{h}"
    records = [dict(zip(INDICATOR_COLUMNS, r, strict=True)) for r in rows]
    files["indicators.json"] = json.dumps(records, ensure_ascii=False).encode()
    files["indicators.parquet"] = parquet(records)
    files["territories.csv"] = csv_bytes(
        ["period", "territory", "unit_code", "unit_name"],
        [[period, t, m, names[m]] for t, ms in sorted(territories.items()) for m in sorted(ms)],
    )
    files["crosswalk.csv"] = (ROOT / "catalog" / "crosswalk.csv").read_bytes()
    files["report.html"] = report(period, rows, completeness)
    package = {
        "name": f"chiso-{period}",
        "resources": [
            {"path": n, "bytes": len(b), "hash": "sha256:" + hashlib.sha256(b).hexdigest()}
            for n, b in files.items()
        ],
        "lineage": {"submissions": [[s[0], s[3]] for s in subs], "flow_run": run_id},
    }
    files["datapackage.json"] = json.dumps(package, ensure_ascii=False).encode()
    for name, data in files.items():
        store.put(f"snapshots/{period}/{version}/{name}", data)
    store.commit()  # the version whole before any pointer moves
    status = "final" if date.today() > due else "provisional"
    pointer = {
        "period": period,
        "version": version,
        "published_at": datetime.now(UTC).isoformat(),
        "status": status,
    }
    store.put(f"snapshots/{period}/latest.json", json.dumps(pointer).encode())
    store.commit()
    return version
