"""Write the sample inbox deterministically: same bytes, same file times, every run.

    python examples/sample_inbox.py [ROOT]      # default: examples/inbox

9 districts for 2024Q1–2025Q2 and 24 of the 96 communes for 2025Q3, half XLSX half JSON,
with a late report, a correction that supersedes, a shared branch, a jump in a stock and a
handful of deliberately bad files (wrong format, bad tax code, path mismatch, broken pair,
legacy-encoded text, missing population, a district reporting after the merger).
The file modification time is the receipt time, so it is set here, not left to git.
"""

from __future__ import annotations

import json
import os
import random
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalog import UNITS_CSV  # noqa: E402
from models.catalog import load_indicators, load_units, reported_figures  # noqa: E402
from models.periods import Period, period_range  # noqa: E402
from tasks.intake.template import build_workbook  # noqa: E402

WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
PRODUCTS = [
    "Phần mềm quản lý",
    "Dịch vụ điện toán đám mây",
    "Giải pháp IoT nông nghiệp",
    "Thương mại điện tử",
    "Dịch vụ viễn thông",
    "Nền tảng học trực tuyến",
]
PREFIXES = ["Công ty TNHH", "Công ty Cổ phần", "Công ty TNHH MTV"]
WORDS = ["Công nghệ", "Giải pháp số", "Phần mềm", "Viễn thông", "Số hóa", "Dữ liệu"]
PLACES = ["Tây Ninh", "Bà Đen", "Vàm Cỏ", "Núi Bà", "Trảng Bàng", "Hòa Thành", "Tân Châu"]
TYPES = [
    "DN CNTT-VT",
    "ICT",
    "Khởi nghiệp số",
    "DIGITAL_STARTUP",
    "Khởi nghiệp ứng dụng CNS",
    "CONVERTED",
]
DISTRICT_POP = {
    "703": 135254,
    "705": 103580,
    "706": 140150,
    "707": 119870,
    "708": 140320,
    "709": 150760,
    "710": 155100,
    "711": 70120,
    "712": 165230,
}


def tax_code(rng: random.Random) -> str:
    """A Tây Ninh enterprise code (prefix 39) with a valid check digit."""
    while True:
        digits = [3, 9] + [rng.randrange(10) for _ in range(7)]
        rest = sum(w * d for w, d in zip(WEIGHTS, digits, strict=True)) % 11
        if rest != 0:
            return "".join(map(str, digits)) + str(10 - rest)


def enterprise(rng: random.Random, year_from: int) -> dict[str, Any]:
    name = f"{rng.choice(PREFIXES)} {rng.choice(WORDS)} {rng.choice(PLACES)}"
    return {
        "tax_code": tax_code(rng),
        "name": name,
        "type": rng.choice(TYPES),
        "dx_capable": rng.choice(["có", "không", "không"]),
        "established_on": date(rng.randint(year_from, 2023), rng.randint(1, 12), 1),
        "status": "hoạt động",
        "main_products": rng.choice(PRODUCTS),
    }


def figures(rng: random.Random, pop: int, roster: list[dict[str, Any]], q: int) -> dict[str, Any]:
    """Plausible figures for quarter number ``q`` of a unit: stocks move slowly."""
    base = random.Random(pop)  # the unit's own stable levels
    eligible = base.randint(120, 180)
    classes = rng.randint(0, 4)
    out: dict[str, Any] = {
        "ENT_ACTIVE_TOTAL": pop // 140 + 4 * q + rng.randint(0, 3),
        "POPULATION": pop + q * base.randint(50, 200),
        "SITES_5G": 3 + base.randint(0, 4) + q // 2,
        "PROC_ELIGIBLE": eligible,
        "PROC_ONLINE_FULL": eligible - 40 + 4 * q,
        "STEM_SCHOOLS": base.randint(4, 9) + q // 3,
        "PROMO_EVENTS": rng.randint(0, 2),
        "ST_PROJECTS": rng.randint(0, 1),
        "PRIORITY_PRODUCTS": base.randint(2, 4) + q // 4,
    }
    del roster
    if classes:
        out |= {"DX_CLASSES": classes, "DX_TRAINEES": classes * rng.randint(25, 60)}
    return out


def received(period: Period, days: int, hour: int = 9) -> datetime:
    return datetime.combine(period.last_day + timedelta(days=days), time(hour), tzinfo=UTC)


class Writer:
    """Writes files under the inbox root and stamps their receipt time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.units = load_units(UNITS_CSV)
        self.figures = list(reported_figures(load_indicators()).values())

    def put(
        self,
        unit: str,
        period: Period,
        name: str,
        doc: dict[str, Any],
        when: datetime,
        folder_unit: str | None = None,
    ) -> None:
        path = self.root / (folder_unit or unit) / str(period) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".xlsx"):
            found = self.units.find(unit)
            assert found is not None
            path.write_bytes(build_workbook(found, period, self.figures, doc))
        else:
            doc = {
                **doc,
                "enterprises": [
                    {k: (v.isoformat() if isinstance(v, date) else v) for k, v in e.items()}
                    for e in doc["enterprises"]
                ],
            }
            path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), "utf-8")
        os.utime(path, (when.timestamp(), when.timestamp()))

    def raw(self, rel: str, data: bytes, when: datetime) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, (when.timestamp(), when.timestamp()))


def doc(
    unit: str, period: Period, figs: dict[str, Any], roster: list[dict[str, Any]], when: datetime
) -> dict[str, Any]:
    return {
        "unit_code": unit,
        "period": str(period),
        "reported_by": "Phòng Kinh tế",
        "contact": f"ktxh{unit}@tayninh.gov.vn",
        "reported_on": when.date().strftime("%d/%m/%Y"),
        "indicators": figs,
        "enterprises": roster,
    }


def districts(w: Writer, rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    rosters = {u: [enterprise(rng, 2012) for _ in range(rng.randint(0, 2))] for u in DISTRICT_POP}
    for i, p in enumerate(period_range(Period(2024, 1), Period(2025, 2))):
        for j, (unit, pop) in enumerate(DISTRICT_POP.items()):
            if rng.random() < 0.3:
                rosters[unit].append(enterprise(rng, 2018))
            figs = figures(rng, pop, rosters[unit], i)
            when = received(p, 3 + (j * 7 + i) % 11, 8 + j)
            if (unit, str(p)) == ("711", "2024Q4"):
                when = received(p, 31)  # a late first report
            ext = "xlsx" if (i + j) % 2 else "json"
            w.put(
                unit, p, f"baocao_{unit}_{p}.{ext}", doc(unit, p, figs, rosters[unit], when), when
            )
    return rosters


def communes(w: Writer, rng: random.Random, moved: list[dict[str, Any]]) -> None:
    p = Period(2025, 3)
    chosen = [u for u in w.units.expected(p) if u.name.startswith("Phường")]
    chosen += [u for u in w.units.expected(p) if u.name.startswith("Xã")][::8]
    for j, u in enumerate(chosen):
        roster = [enterprise(rng, 2015) for _ in range(rng.randint(0, 2))]
        if j < len(moved):
            roster.append(moved[j])
        when = received(p, 2 + j % 12, 9)
        figs = figures(rng, 28000 + rng.randint(0, 9000), roster, 0)
        if j == 5:
            del figs["POPULATION"]
        ext = "xlsx" if j % 2 else "json"
        w.put(u.code, p, f"{u.code}_{p}.{ext}", doc(u.code, p, figs, roster, when), when)


def special_cases(w: Writer, rng: random.Random, rosters: dict[str, list[dict[str, Any]]]) -> None:
    q = {s: Period.parse(s) for s in ("2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2")}
    w.raw("711/2024Q2/bao_cao_quy2.pdf", b"%PDF-1.4 not a report\n", received(q["2024Q2"], 6))
    w.raw("711/2024Q2/~$baocao_711_2024Q2.xlsx", b"lock", received(q["2024Q2"], 6))
    w.raw("711/2024Q2/.DS_Store", b"\0\0\0\1Bud1", received(q["2024Q2"], 6))
    bad = doc(
        "706",
        q["2024Q3"],
        figures(rng, 140150, [], 2),
        [{**enterprise(rng, 2019), "tax_code": "3901234560"}],
        received(q["2024Q3"], 20),
    )
    w.put("706", q["2024Q3"], "bosung_706_2024Q3.json", bad, received(q["2024Q3"], 20))
    late = received(q["2024Q4"], 40)
    w.put(
        "709",
        q["2024Q4"],
        "baocao_709_2024Q4_nop_bo_sung.json",
        doc("709", q["2024Q4"], figures(rng, 150760, rosters["709"], 3), rosters["709"], late),
        late,
    )
    mismatch = received(q["2024Q4"], 9)
    w.put(
        "708",
        q["2024Q4"],
        "nham_thu_muc.xlsx",
        doc("708", q["2024Q4"], figures(rng, 140320, [], 3), [], mismatch),
        mismatch,
        folder_unit="707",
    )
    corr = received(q["2025Q1"], 25)
    figs = figures(rng, 135254, rosters["703"], 4) | {"ENT_ACTIVE_TOTAL": 981}
    w.put(
        "703",
        q["2025Q1"],
        "baocao_703_2025Q1_dinh_chinh.xlsx",
        doc("703", q["2025Q1"], figs, rosters["703"], corr),
        corr,
    )
    broken = figures(rng, 155100, rosters["710"], 4)
    broken.pop("PROC_ONLINE_FULL")
    w.put(
        "710",
        q["2025Q1"],
        "baocao_710_2025Q1_v2.json",
        doc("710", q["2025Q1"], broken, rosters["710"], received(q["2025Q1"], 14)),
        received(q["2025Q1"], 14),
    )
    mojibake = [{**enterprise(rng, 2020), "name": "C«ng ty TNHH C«ng nghÖ Sè T©y Ninh"}]
    w.put(
        "705",
        q["2025Q2"],
        "baocao_705_2025Q2_tcvn3.xlsx",
        doc("705", q["2025Q2"], figures(rng, 103580, [], 5), mojibake, received(q["2025Q2"], 16)),
        received(q["2025Q2"], 16),
    )
    jump = figures(rng, 165230, rosters["712"], 5) | {"SITES_5G": 14}
    shared = rosters["703"][0] if rosters["703"] else enterprise(rng, 2016)
    branch = {**shared, "tax_code": shared["tax_code"] + "-001"}
    w.put(
        "712",
        q["2025Q2"],
        "baocao_712_2025Q2_cap_nhat.xlsx",
        doc("712", q["2025Q2"], jump, [*rosters["712"], branch], received(q["2025Q2"], 18)),
        received(q["2025Q2"], 18),
    )
    after = Period(2025, 3)
    w.put(
        "703",
        after,
        "baocao_703_2025Q3.json",
        doc("703", after, figures(rng, 135254, [], 6), [], received(after, 5)),
        received(after, 5),
    )


def write_sample_inbox(root: Path) -> Path:
    """Write the whole sample inbox under ``root``."""
    rng = random.Random(2025)
    w = Writer(root)
    rosters = districts(w, rng)
    special_cases(w, rng, rosters)
    moved = [e for unit in ("703", "709") for e in rosters[unit]][:6]
    communes(w, rng, moved)
    return root


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "examples" / "inbox"
    write_sample_inbox(target)
    print(f"sample inbox written to {target}")
