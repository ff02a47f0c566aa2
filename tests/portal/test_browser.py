"""A unit clerk in a real browser (Debian's Chromium, driven by Playwright): invitation →
password → sign in → home → send a workbook → the decision and its problems → sign out.
Screenshots are kept under ``tests/artifacts/portal/`` (looked at by a person)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.support import hostile
from tests.support.inbox import changed, valid_doc
from tests.support.portal import UNIT_B, Door

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "portal"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser() -> object:
    from playwright.sync_api import sync_playwright

    assert shutil.which("chromium"), "Debian's chromium is needed (make test installs it)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
        yield b
        b.close()


def test_a_clerk_sends_a_workbook_and_reads_the_decision(
    door: Door, browser: object, tmp_path: Path
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    kind = "pg" if "postgres" in str(door.res.engine.url) else "sqlite"
    doc = changed(
        valid_doc(UNIT_B), indicators={**valid_doc(UNIT_B)["indicators"], "PROC_ONLINE_FULL": 999}
    )
    workbook = tmp_path / "Báo cáo quý 3.xlsx"
    workbook.write_bytes(hostile.workbook(UNIT_B, doc))
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(f"{door.url}/invite/{door.invites['b@x.vn']}")
    page.fill("input[name=password]", "mật khẩu của xã 2025")
    page.fill("input[name=again]", "mật khẩu của xã 2025")
    page.click("button[type=submit]")
    assert "/signin" in page.url
    page.fill("input[name=email]", "b@x.vn")
    page.fill("input[name=password]", "mật khẩu của xã 2025")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{door.url}/")
    assert "2025Q3" in page.content() or "2026Q" in page.content()
    page.screenshot(path=str(SHOTS / f"home-{kind}.png"), full_page=True)
    page.goto(f"{door.url}/send?period=2025Q3")
    page.set_input_files("input[name=file]", str(workbook))
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r".*/submissions/[0-9a-f]+$"))
    page.wait_for_selector("text=Bị từ chối", timeout=180_000)  # the page reloads until decided
    text = page.content()
    assert text.count('class="error"') == 1  # one error: online procedures > eligible
    assert "online_exceeds_eligible" not in text  # codes are for programs; people read messages
    assert "Báo cáo quý 3.xlsx" in text and "999" in text
    page.screenshot(path=str(SHOTS / f"rejected-{kind}.png"), full_page=True)
    page.click("nav button[type=submit]")  # sign out
    page.wait_for_url(f"{door.url}/signin")
    page.goto(f"{door.url}/")
    assert page.url == f"{door.url}/signin"
    page.close()


def test_an_officer_sends_a_report_back_and_the_unit_sees_it_returned(
    door: Door, browser: object
) -> None:
    import json

    from tests.support.portal import PASSWORD, UNIT_A

    SHOTS.mkdir(parents=True, exist_ok=True)
    kind = "pg" if "postgres" in str(door.res.engine.url) else "sqlite"
    doc = json.dumps(valid_doc(UNIT_A), ensure_ascii=False).encode()
    with door.client("a@x.vn") as a:
        sid = a.post(
            "/api/v1/submissions", data={"period": "2025Q3"}, files={"file": ("quý 3.json", doc)}
        ).json()["submission_id"]
    assert door.decided("a@x.vn", sid)["status"] == "accepted"

    def signed_in(email: str) -> object:
        page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        page.goto(f"{door.url}/signin")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("form.card button[type=submit]")
        page.wait_for_url(f"{door.url}/")
        return page

    officer = signed_in("o@x.vn")
    officer.goto(f"{door.url}/submissions/{sid}")  # type: ignore[attr-defined]
    officer.fill("textarea[name=reason]", "Thiếu số liệu doanh nghiệp chuyển đổi số")  # type: ignore[attr-defined]
    officer.screenshot(path=str(SHOTS / f"send-back-{kind}.png"), full_page=True)  # type: ignore[attr-defined]
    officer.click("form.send-back button[type=submit]")  # type: ignore[attr-defined]
    officer.wait_for_selector("text=Bị trả lại")  # type: ignore[attr-defined]
    officer.close()  # type: ignore[attr-defined]
    unit = signed_in("a@x.vn")
    unit.goto(f"{door.url}/submissions/{sid}")  # type: ignore[attr-defined]
    text = unit.content()  # type: ignore[attr-defined]
    assert "Bị trả lại" in text and "Thiếu số liệu doanh nghiệp chuyển đổi số" in text
    assert "send-back" not in text
    unit.screenshot(path=str(SHOTS / f"returned-{kind}.png"), full_page=True)  # type: ignore[attr-defined]
    unit.close()  # type: ignore[attr-defined]
