"""report.html: what it says, and that it renders in headless Chromium."""

from __future__ import annotations

import struct
from pathlib import Path

from catalog import TARGETS_CSV
from models.catalog import load_indicators, load_targets
from tasks.publish.report import ReportInput, render
from tests.support.browser import chromium

PUBLISHED = [i for i in load_indicators() if i.role == "published"]


def _input() -> ReportInput:
    rows = [
        {
            "period": "2025Q3",
            "as_of": "2025Q3",
            "level": "province",
            "unit_code": "80",
            "unit_name": "Tỉnh Tây Ninh",
            "indicator": i.code,
            "value": v,
        }
        for i, v in zip(
            PUBLISHED, [7, 2, 0.42, 0.15, 0.04, 73.7, 127, 49, 2118, 152, 27, 16, 76], strict=True
        )
    ]
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
    trend = {
        "DTE_COUNT": {"2024Q4": 4.0, "2025Q1": 5.0, "2025Q2": 6.0, "2025Q3": 7.0},
        "DTE_DX_CAPABLE": {"2024Q4": 1.0, "2025Q3": 2.0},
    }
    return ReportInput(
        "2025Q3",
        "20251020T000000Z-abcdef012345",
        "final",
        "2025-10-20T00:00:00Z",
        rows,
        comp,
        PUBLISHED,
        load_targets(TARGETS_CSV),
        trend,
        [("2 tệp bị từ chối.", "2 files rejected.")],
    )


def test_page_content() -> None:
    page = render(_input()).decode("utf-8")
    assert page.startswith("<!doctype html>") and '<html lang="vi">' in page
    assert "<script" not in page and "http" not in page.replace("http://www.w3", "")
    assert "Mục tiêu 2025: 10 · đạt 70%" in page and "Mục tiêu 2030: 50 · đạt 14%" in page
    assert "Năm gốc 2020: 2,79" in page
    assert "Sáp nhập tỉnh 01/07/2025" in page  # the territorial break on the trend
    assert "Chưa nộp" in page and "Đúng hạn" in page and "2 files rejected." in page


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
