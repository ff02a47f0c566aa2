"""report.html: what it says, its map, and that it renders in headless Chromium."""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any

from catalog import TARGETS_CSV
from models.catalog import load_indicators, load_targets
from models.territories import Place
from tasks.publish.map import colour
from tasks.publish.report import ReportInput, render
from tests.support.browser import chromium
from tests.support.png import pixels, rgb

PUBLISHED = [i for i in load_indicators() if i.role == "published"]
VALUES = [7, 2, 0.42, 0.15, 0.04, 73.7, 127, 49, 2118, 152, 27, 16, 76]
NAMES = {"TN_FORMER": ("Địa bàn tỉnh Tây Ninh cũ", "Territory of the former Tây Ninh province")}
NAMES |= {"LA_FORMER": ("Địa bàn tỉnh Long An cũ", "Territory of the former Long An province")}
PLACES = {  # three communes far enough apart that no circle covers another's centre
    "25459": Place(11.3153, 106.103, 21.35),
    "25489": Place(11.0, 106.45, 40.0),
    "27694": Place(10.5476, 106.405, 34.9),
}


def row(level: str, code: str, name: str, indicator: str, value: Any, rep: int, exp: int) -> dict:
    return {
        "period": "2025Q3",
        "as_of": "2025Q3",
        "level": level,
        "unit_code": code,
        "unit_name": name,
        "indicator": indicator,
        "value": value,
        "reported_units": rep,
        "expected_units": exp,
        "target": None,
    }


def _input() -> ReportInput:
    targets = load_targets(TARGETS_CSV)
    rows = []
    for level, code, name, scale in (
        ("province", "80", "Tỉnh Tây Ninh", 2),
        ("territory", "TN_FORMER", NAMES["TN_FORMER"][0], 1),
        ("territory", "LA_FORMER", NAMES["LA_FORMER"][0], 1),
    ):
        for i, v in zip(PUBLISHED, VALUES, strict=True):
            rows.append(row(level, code, name, i.code, v * scale, 2, 3))
    units = (("25459", "Phường Tân Ninh", 5, 0.2), ("27694", "Phường Long An", 2, 0.03))
    for code, name, count, per in units:
        rows.append(row("unit", code, name, "DTE_COUNT", count, 1, 1))
        rows.append(row("unit", code, name, "DTE_PER_1000_POP", per, 1, 1))
    rows.append(row("unit", "25489", "Xã Tân Lập", "DTE_COUNT", None, 0, 1))
    rows.append(row("unit", "25489", "Xã Tân Lập", "DTE_PER_1000_POP", None, 0, 1))
    comp = [
        {
            "period": "2025Q3",
            "unit_code": "25459",
            "unit_name": "Phường Tân Ninh",
            "status": "on_time",
            "received_at": "2025-10-02T09:00:00Z",
            "rejected_count": 0,
        },
        {
            "period": "2025Q3",
            "unit_code": "25489",
            "unit_name": "Xã Tân Lập",
            "status": "missing",
            "received_at": None,
            "rejected_count": 2,
        },
    ]
    members = [
        {"period": "2025Q3", "territory": "TN_FORMER", "unit_code": c, "unit_name": ""}
        for c in ("25459", "25489")
    ]
    trend = {
        "TN_FORMER": {
            "DTE_COUNT": {"2024Q4": 4.0, "2025Q1": 5.0, "2025Q2": 6.0, "2025Q3": 7.0},
            "DTE_DX_CAPABLE": {"2024Q4": 1.0, "2025Q3": 2.0},
        },
        "province": {"DTE_COUNT": {"2024Q4": 4.0, "2025Q3": 14.0}},
    }
    return ReportInput(
        "2025Q3",
        "20251020T000000Z-abcdef012345",
        "final",
        "2025-10-20T00:00:00Z",
        rows,
        comp,
        PUBLISHED,
        targets,
        trend,
        [("2 tệp bị từ chối.", "2 files rejected.")],
        members,
        PLACES,
        NAMES,
    )


def test_page_content() -> None:
    page = render(_input()).decode("utf-8")
    assert page.startswith("<!doctype html>") and '<html lang="vi">' in page
    assert "<script" not in page and "http" not in page.replace("http://www.w3", "")
    # it leads with the plan's territory and its own targets
    assert "Tiến độ kế hoạch: Địa bàn tỉnh Tây Ninh cũ (TN_FORMER)" in page
    assert "Mục tiêu 2025: 10 · đạt 70%" in page and "Mục tiêu 2030: 50 · đạt 14%" in page
    assert "Năm gốc 2020: 2,79" in page
    assert "Sáp nhập tỉnh 01/07/2025" in page  # the merger on the trend
    assert "DTE_COUNT · Địa bàn tỉnh Tây Ninh cũ (TN_FORMER)" in page
    assert "DTE_COUNT · toàn tỉnh mới / new province" in page
    # the new province's line starts at the merger: one point, 14
    dashed = re.search(r'<polyline points="([^"]+)"[^>]*stroke-dasharray', page)
    assert dashed and len(dashed[1].split()) == 1
    assert "Chưa nộp" in page and "Đúng hạn" in page and "2 files rejected." in page
    # local time, with its name, never a UTC ISO string
    assert "20/10/2025 07:00 (giờ Việt Nam" in page and "02/10/2025 16:00" in page
    assert "2025-10-20T00:00:00Z" not in page
    # completeness by territory: TN_FORMER expects 2 units, 1 on time, 1 missing
    by = re.search(r"<td>2025Q3</td><td>Địa bàn tỉnh Tây Ninh cũ.*?</tr>", page)
    assert by and re.findall(r"<td>(\d+)</td>", by[0]) == ["2", "1", "0", "1", "0"]


def _circles(page: str) -> list[dict[str, str]]:
    svg = page[page.index('<svg id="unit-map"') : page.index("</svg>", page.index("unit-map"))]
    return [
        dict(re.findall(r'([\w-]+)="([^"]*)"', m))
        for m in re.findall(r'<circle class="unit[^>]*>', svg)
    ]


def test_the_map_draws_a_circle_per_unit() -> None:
    page = render(_input()).decode("utf-8")
    circles = {c["data-code"]: c for c in _circles(page)}
    assert set(circles) == {"25459", "25489", "27694"}
    assert circles["25489"]["fill"] == "none" and "blank" in circles["25489"]["class"]
    assert circles["25459"]["fill"] == colour(0.2) and circles["27694"]["fill"] == colour(0.03)
    # area proportional to the count: r² ratio 5 : 2
    r1, r2 = float(circles["25459"]["r"]), float(circles["27694"]["r"])
    assert abs(r1**2 / r2**2 - 5 / 2) < 0.02
    # north is up: Tân Ninh (11.3° N) above Long An (10.5° N)
    assert float(circles["25459"]["cy"]) < float(circles["27694"]["cy"])
    legend = page[page.index('<g class="legend"') :]
    assert legend.count('<rect class="class"') == 5 and "chưa báo cáo / no report" in legend
    assert "2 đã báo cáo / reported · 1 chưa / not" in legend
    assert page.count('<text class="name"') == 3  # few units: each is named


def test_renders_in_headless_chromium(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_bytes(render(_input()))
    shot = tmp_path / "report.png"
    chromium(page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,1600")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 1600)
    assert len(data) > 50_000  # a rendered page, not a blank one
    dom = chromium(page, tmp_path / "profile", "--dump-dom")
    assert len(_circles(dom)) == 3  # the browser parsed the map with its three units


def test_the_map_as_chromium_draws_it(tmp_path: Path) -> None:
    """The map alone at (0, 0): a filled circle's centre has its class colour, a hollow
    circle's centre is the background and its ring is drawn, the legend's swatches show."""
    html = render(_input()).decode("utf-8")
    start = html.index('<svg id="unit-map"')
    svg = html[start : html.index("</svg>", start) + 6]
    page = tmp_path / "map.html"
    page.write_text(f'<!doctype html><html><body style="margin:0">{svg}</body></html>', "utf-8")
    shot = tmp_path / "map.png"
    chromium(
        page,
        tmp_path / "profile",
        f"--screenshot={shot}",
        "--window-size=1000,700",
        "--force-device-scale-factor=1",
        "--hide-scrollbars",
    )
    _, _, rows = pixels(shot.read_bytes())
    circles = {c["data-code"]: c for c in _circles(html)}

    def at(code: str, dx: float = 0) -> tuple[int, int, int]:
        c = circles[code]
        return rgb(rows, round(float(c["cx"]) + dx), round(float(c["cy"])))

    def blend(fill: str) -> tuple[int, ...]:  # fill-opacity .85 over white
        return tuple(round(0.85 * int(fill[i : i + 2], 16) + 0.15 * 255) for i in (1, 3, 5))

    for code in ("25459", "27694"):
        got, want = at(code), blend(circles[code]["fill"])
        assert all(abs(a - b) <= 3 for a, b in zip(got, want, strict=True)), (code, got, want)
    assert at("25489") == (255, 255, 255)  # hollow
    ring = at("25489", float(circles["25489"]["r"]))
    assert max(ring) < 200  # the hollow circle's outline is drawn
