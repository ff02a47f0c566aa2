"""The feedback page a unit opens: what it says, read from the page a browser renders."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from models.problems import problem
from tasks.decide import feedback
from tests.support.browser import chromium

PAYLOAD = "</title><svg onload=document.title='X'>"


def _sub() -> SimpleNamespace:
    return SimpleNamespace(
        id="0123456789abcdef01234567",
        filename=f"bc {PAYLOAD}.json",
        content_sha256="0" * 64,
        size_bytes=10,
        source_uri="file:///srv/chiso/inbox/25459/2025Q3/bc.json",
        path_unit="25459",
        path_period="2025Q3",
        unit_code="25459",
        period="2025Q3",
        received_at=datetime(2025, 10, 5, 9, tzinfo=UTC),
    )


def test_a_rejection_page_lists_its_problems_escaped(tmp_path: Path) -> None:
    found = [
        problem(
            "type_unknown",
            sheet="enterprises",
            row=n,
            field="type",
            value=PAYLOAD,
            expected="ICT, DIGITAL_STARTUP, STARTUP_APPLYING_DT, CONVERTED",
        )
        for n in (2, 3)
    ]
    doc = feedback.report(
        _sub(),
        "rejected",
        found,
        datetime(2025, 10, 6, tzinfo=UTC),
        {"type_unknown": 80},
        "Phường Tân Ninh",
    )
    assert doc["file"]["source"] == f"25459/2025Q3/bc {PAYLOAD}.json"  # not the server path
    assert doc["summary"] == {"errors": 80, "warnings": 0}
    page = tmp_path / "fb.html"
    page.write_bytes(feedback.to_html(doc))
    dom = chromium(page, tmp_path / "profile", "--dump-dom", "--virtual-time-budget=2000")
    assert "<title>Phản hồi báo cáo 25459 2025Q3</title>" in dom  # the payload did not run
    assert dom.count('<tr class="error">') == 2
    assert "Bị từ chối: 80 lỗi, 0 cảnh báo" in dom and "Rejected: 80 errors" in dom
    assert "type_unknown: chỉ liệt kê 2 trong số 80 lỗi cùng loại" in dom
    assert "(the first 2 of 80 shown)" in dom
    assert "&lt;/title&gt;&lt;svg onload" in dom
    # for people: the unit's name, local times, and what to do next
    assert "<b>25459</b> Phường Tân Ninh" in dom
    assert "Nhận lúc / received: 05/10/2025 16:00 · Xử lý lúc / decided: 06/10/2025 07:00" in dom
    assert "giờ Việt Nam" in dom and "2025-10-05T09:00" not in dom
    assert "Việc cần làm tiếp" in dom and "What to do next" in dom
    assert "Gửi lại tệp đã sửa vào cùng thư mục <b>25459/2025Q3/</b>" in dom
    assert "<code>chiso template --unit 25459 --period 2025Q3</code>" in dom


def test_a_clean_receipt_says_so(tmp_path: Path) -> None:
    doc = feedback.report(_sub(), "accepted", [], datetime(2025, 10, 6, tzinfo=UTC))
    html = feedback.to_html(doc).decode()
    assert "Đã tiếp nhận" in html and "No problems." in html and "<table>" not in html
    assert "Việc cần làm tiếp" not in html  # nothing to do after a clean acceptance


def test_a_file_outside_the_layout_is_told_where_files_go() -> None:
    sub = _sub()
    sub.path_unit = sub.path_period = sub.unit_code = sub.period = None
    doc = feedback.report(
        sub, "rejected", [problem("file_format")], datetime(2025, 10, 6, tzinfo=UTC)
    )
    html = feedback.to_html(doc).decode()
    assert "&lt;mã đơn vị&gt;/&lt;kỳ&gt;/</b> (ví dụ 25459/2025Q3/)" in html
    assert "chiso template --unit &lt;mã&gt; --period &lt;kỳ&gt;" in html
