"""The contract floor: everything the contract asks of one run, in plain Python.

    uv run python bench/floor.py INBOX [--home DIR] [--units CSV]

One process, one thread, no orchestration, no GX, no ORM: what a careful programmer would
write to do the contract's work once, so that chiso's time can be set beside it
(bench/national.py prints the ratio). For every file of the inbox (``unit/period/file``):
read and hash it; archive it durably under ``raw/<unit>/<period>/<sha256>.<ext>``; parse
it (JSON, or XLSX with python-calamine); check it (section 4's errors: fields, unit and
period against the path and the catalog, indicator codes, non-negative integers, pairs,
``PROC_ONLINE_FULL`` ≤ ``PROC_ELIGIBLE``, classes and trainees, tax codes valid and unique,
types, statuses, establishment dates, the active roster against ``ENT_ACTIVE_TOTAL``,
text that is not Vietnamese; warnings: late, a stock changed by half, a tax code another
unit reported); store the submission, its decision, figures and roster in SQLite; write its
feedback report as JSON under ``feedback/``. Then, per affected quarter and its year:
indicators per unit, province and territory (summed numerators and denominators, targets
by scope), completeness, enterprises, territories and the crosswalk as CSV (BOM, sorted,
rounded half-even, formula-escaped), the indicators as JSON and Parquet, a Data Package
with every file's size and sha256, a report page, then ``latest.json`` and
``snapshots/index.json``, each file written durably before a pointer moves; a one-page
summary of the checks under ``docs/``.

Timed as chiso's warm runs are: its imports done before the clock starts (bench/national.py
imports it, then times ``run``). What it leaves out, which chiso's run does: the Prefect
API (flow and task runs, events, artifacts), GX's suites and Data Docs site (a plain page
stands in), the report's charts and map (a table stands in), resubmissions and backfills
(a fresh home holds none).
"""

from __future__ import annotations

import argparse
import csv
import ctypes
import hashlib
import html
import io
import json
import os
import re
import sqlite3
import time
import unicodedata
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parent.parent
WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
TYPES = {"ICT", "DIGITAL_STARTUP", "STARTUP_APPLYING_DT", "CONVERTED"}
CORE = {"ICT", "DIGITAL_STARTUP", "STARTUP_APPLYING_DT"}
STATUSES = {"active", "suspended", "dissolved"}
INFO = {"Mã đơn vị": "unit_code", "Kỳ báo cáo": "period", "Người báo cáo": "reported_by"}
# letters of Vietnamese and ASCII; legacy-encoded text (TCVN3, VNI) shows others
VIET = re.compile(
    r"^[\sA-Za-z0-9ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư\u1ea0-\u1ef9.,;:()/&'\"%+\-_@–]*$"
)
SCHEMA = """
CREATE TABLE submission (id TEXT PRIMARY KEY, unit TEXT, period TEXT, path TEXT, sha TEXT,
  received_at TEXT, status TEXT);
CREATE TABLE decision (submission_id TEXT, status TEXT, problems TEXT, decided_at TEXT);
CREATE TABLE figure (submission_id TEXT, code TEXT, value INTEGER,
  PRIMARY KEY (submission_id, code));
CREATE TABLE enterprise (submission_id TEXT, unit TEXT, tax_code TEXT, code10 TEXT,
  type TEXT, dx INTEGER, status TEXT, established TEXT, PRIMARY KEY (submission_id, tax_code));
"""
INDICATOR_COLUMNS = (
    "period as_of level unit_code unit_name indicator value numerator denominator "
    "reported_units expected_units target target_year baseline"
).split()

_syncfs = ctypes.CDLL(None, use_errno=True).syncfs


# --- the catalog -------------------------------------------------------------------------


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


class Catalog:
    def __init__(self, units_csv: Path) -> None:
        self.units = {r["code"]: r for r in rows_of(units_csv)}
        self.indicators = rows_of(ROOT / "catalog" / "indicators.csv")
        self.reported = {r["code"]: r for r in self.indicators if r["role"] == "reported"}
        self.published = [r for r in self.indicators if r["role"] == "published"]
        self.targets = rows_of(ROOT / "catalog" / "targets.csv")
        self.crosswalk = rows_of(ROOT / "catalog" / "crosswalk.csv")
        self.territories = rows_of(ROOT / "catalog" / "territories.csv")

    def expected(self, last_day: date) -> list[dict[str, str]]:
        day = last_day.isoformat()
        return [
            u
            for u in self.units.values()
            if u["level"] == "commune"
            and u["valid_from"] <= day
            and (not u["valid_to"] or day <= u["valid_to"])
        ]

    def members(self, expected: list[dict[str, str]]) -> dict[str, list[str]]:
        """Territory -> its expected units (a new unit whose old units all lay in one old
        province belongs to that province's territory)."""
        olds: dict[str, set[str]] = defaultdict(set)
        for r in self.crosswalk:
            olds[r["new_code"]].add(r["old_province_code"])
        rule = {t["rule"].split("=")[1]: t["code"] for t in self.territories}
        out: dict[str, list[str]] = defaultdict(list)
        for u in expected:
            provinces = olds.get(u["code"], set())
            if len(provinces) == 1 and (p := next(iter(provinces))) in rule:
                out[rule[p]].append(u["code"])
        return out


# --- periods -----------------------------------------------------------------------------


def quarter_last_day(period: str) -> date:
    year, q = int(period[:4]), int(period[5])
    end = date(year, 3 * q, 1) + timedelta(days=31)
    return end.replace(day=1) - timedelta(days=1)


PERIOD = re.compile(r"^(\d{4})Q([1-4])$")


# --- reading and checking ----------------------------------------------------------------


def tax_ok(code: str) -> bool:
    base = code[:10]
    if not (len(base) == 10 and base.isdigit()) or (len(code) > 10 and not code[11:].isdigit()):
        return False
    rest = sum(w * int(d) for w, d in zip(WEIGHTS, base, strict=False)) % 11
    return rest != 0 and int(base[9]) == 10 - rest


def read_xlsx(data: bytes) -> dict[str, Any]:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = {
        unicodedata.normalize("NFC", n).casefold(): wb.get_sheet_by_name(n).to_python()
        for n in wb.sheet_names
    }
    info = {INFO.get(str(r[0]), str(r[0])): r[1] for r in sheets["thông tin"] if len(r) > 1}
    figures: dict[str, Any] = {}
    for r in sheets["chỉ tiêu"][1:]:
        if r and r[0] and r[2] != "":
            figures[str(r[0])] = figures.get(str(r[0]), [])  # twice: a problem below
            figures[str(r[0])].append(int(r[2]) if isinstance(r[2], float) else r[2])
    cols = ["tax_code", "name", "type", "dx_capable", "established_on", "status"]
    roster = [dict(zip(cols, r, strict=False)) for r in sheets["doanh nghiệp"][1:] if r and r[0]]
    return {**info, "indicators": figures, "enterprises": roster}


def check(
    doc: dict[str, Any], unit: str, period: str, cat: Catalog, received: datetime
) -> tuple[list[dict[str, Any]], dict[str, int], list[tuple[str, ...]]]:
    """The problems (errors and warnings), the figures and the roster rows of one file."""
    probs: list[dict[str, Any]] = []

    def err(field: str, value: Any, expected: str, sheet: str = "", row: int | None = None):
        probs.append(
            {
                "severity": "error",
                "sheet": sheet,
                "row": row,
                "field": field,
                "value": None if value is None else str(value),
                "expected": expected,
            }
        )

    if str(doc.get("unit_code") or "") != unit:
        err("unit_code", doc.get("unit_code"), f"the folder's unit {unit}")
    if str(doc.get("period") or "") != period:
        err("period", doc.get("period"), f"the folder's period {period}")
    last = quarter_last_day(period)
    known = cat.units.get(unit)
    day = last.isoformat()
    if not known or known["valid_from"] > day or (known["valid_to"] and known["valid_to"] < day):
        err("unit_code", unit, "a unit valid on the period's last day")
    if last.replace(day=1) > received.date():
        err("period", period, "a period that has begun")
    for text in (doc.get("reported_by"), doc.get("contact")):
        if isinstance(text, str) and text and not VIET.match(unicodedata.normalize("NFC", text)):
            err("reported_by", text, "Unicode Vietnamese text (not TCVN3 or VNI)")
    raw = doc.get("indicators")
    figures: dict[str, int] = {}
    if not isinstance(raw, dict):
        err("indicators", raw, "the figures", "Chỉ tiêu")
        raw = {}
    for code, value in raw.items():
        values = value if isinstance(value, list) else [value]
        if code not in cat.reported:
            err(code, values[0], "a known indicator code", "Chỉ tiêu")
        elif len(values) > 1:
            err(code, values[1], "the code listed once", "Chỉ tiêu")
        v = values[0]
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            err(code, v, "a non-negative integer", "Chỉ tiêu")
        else:
            figures[code] = v
    for code, ind in cat.reported.items():
        if ind["required"] == "true" and code not in raw:
            err(code, None, "a required figure", "Chỉ tiêu")
        if ind["pair"] and (code in raw) != (ind["pair"] in raw):
            err(ind["pair"], None, f"given with {code}", "Chỉ tiêu")
    if figures.get("PROC_ONLINE_FULL", 0) > figures.get("PROC_ELIGIBLE", 1 << 62):
        err("PROC_ONLINE_FULL", figures["PROC_ONLINE_FULL"], "at most PROC_ELIGIBLE", "Chỉ tiêu")
    if bool(figures.get("DX_CLASSES")) != bool(figures.get("DX_TRAINEES")):
        err("DX_TRAINEES", figures.get("DX_TRAINEES"), "trainees with classes", "Chỉ tiêu")
    roster: list[tuple[str, ...]] = []
    seen: set[str] = set()
    active = 0
    for n, e in enumerate(doc.get("enterprises") or [], start=2):
        code = str(e.get("tax_code") or "").strip()
        if not tax_ok(code):
            err("tax_code", code, "a valid tax code", "Doanh nghiệp", n)
        elif code in seen:
            err("tax_code", code, "listed once", "Doanh nghiệp", n)
        seen.add(code)
        if e.get("type") not in TYPES:
            err("type", e.get("type"), "a known type", "Doanh nghiệp", n)
        if e.get("status") not in STATUSES:
            err("status", e.get("status"), "a known status", "Doanh nghiệp", n)
        est = e.get("established_on")
        if isinstance(est, datetime):  # an XLSX date cell
            est = est.date()
        elif est and not isinstance(est, date):
            est = date.fromisoformat(str(est))
        if est and est > last:
            err("established_on", est, "on or before the period's end", "Doanh nghiệp", n)
        active += e.get("status") == "active"
        dx = e.get("dx_capable") in (True, 1, "có", "yes", "true")
        roster.append(
            (
                code,
                code[:10],
                str(e.get("type")),
                str(int(dx)),
                str(e.get("status")),
                str(est or ""),
            )
        )
    if active > figures.get("ENT_ACTIVE_TOTAL", 1 << 62):
        err("ENT_ACTIVE_TOTAL", figures["ENT_ACTIVE_TOTAL"], "at least the active roster")
    return probs, figures, roster


# --- durable files -----------------------------------------------------------------------


class Writer:
    """Files written under temp names, made durable together (one syncfs), then named."""

    def __init__(self, root: Path) -> None:
        self.root, self.pending = root, []  # type: list[tuple[int, str, Path]]
        self.folders: set[Path] = set()

    def put(self, key: str, data: bytes) -> None:
        path = self.root / key
        if path.parent not in self.folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(path.parent)
        tmp = str(path.parent / f".tmp-{path.name}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, data)
        self.pending.append((fd, tmp, path))

    def commit(self) -> None:
        if self.pending:
            _syncfs(self.pending[0][0])
        for fd, tmp, path in self.pending:
            os.close(fd)
            os.replace(tmp, path)
        self.pending = []


# --- publishing --------------------------------------------------------------------------


def ratio(value: float) -> str:
    rounded = Decimal(value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
    return f"{rounded.normalize():f}"


def cell(v: Any) -> str:
    s = "" if v is None else str(v)
    return "'" + s if s[:1] in ("=", "+", "-", "@") and not re.fullmatch(r"-?\d+(\.\d+)?", s) else s


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(header)
    w.writerows([[cell(v) for v in r] for r in rows])
    return ("\ufeff" + out.getvalue()).encode()


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


def parquet(records: list[dict[str, Any]]) -> bytes:
    numbers = {"value", "numerator", "denominator", "target", "baseline"}
    schema = pa.schema(
        [
            (
                c,
                pa.float64()
                if c in numbers
                else pa.int64()
                if c.endswith("units")
                else pa.string(),
            )
            for c in INDICATOR_COLUMNS
        ]
    )
    rows = [
        {k: (None if v is None else float(v) if k in numbers else v) for k, v in r.items()}
        for r in records
    ]
    out = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), out)
    return out.getvalue()


def report(period: str, rows: list[list[Any]], completeness: list[list[Any]]) -> bytes:
    body = [f"<h1>Chỉ số {html.escape(period)}</h1><table>"]
    body += [
        "<tr>" + "".join(f"<td>{html.escape(str(v or ''))}</td>" for v in r[2:8]) + "</tr>"
        for r in rows
        if r[2] != "unit"
    ]
    body.append("</table><table>")
    body += [
        f"<tr><td>{c[1]}</td><td>{html.escape(c[2])}</td><td>{c[3]}</td></tr>" for c in completeness
    ]
    return ("<!doctype html><meta charset=utf-8>" + "".join(body) + "</table>").encode()


# --- the run -----------------------------------------------------------------------------


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


if __name__ == "__main__":
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("inbox", type=Path)
    parser.add_argument("--home", type=Path, help="where to write (a temporary folder by default)")
    parser.add_argument("--units", type=Path, default=ROOT / "catalog" / "units_vn_2025.csv")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        out = run(args.inbox, args.home or Path(tmp), args.units)
        print(json.dumps({**out, "wall_s": round(time.perf_counter() - t, 2)}))
