"""Reading a file (JSON, or XLSX with python-calamine) and section 4's checks."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, datetime
from typing import Any

from python_calamine import CalamineWorkbook

from .catalog import Catalog, quarter_last_day

WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
TYPES = {"ICT", "DIGITAL_STARTUP", "STARTUP_APPLYING_DT", "CONVERTED"}
STATUSES = {"active", "suspended", "dissolved"}
INFO = {"Mã đơn vị": "unit_code", "Kỳ báo cáo": "period", "Người báo cáo": "reported_by"}
# letters of Vietnamese and ASCII; legacy-encoded text (TCVN3, VNI) shows others
# letters of Vietnamese and ASCII; legacy-encoded text (TCVN3, VNI) shows others
VIET = re.compile(
    r"^[\sA-Za-z0-9ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư\u1ea0-\u1ef9.,;:()/&'\"%+\-_@–]*$"
)


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
