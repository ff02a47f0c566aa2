"""Review from the portal (contract section 9): an officer sends an accepted report back
with a reason; the unit is told by mail and sees it returned; the quarter is republished
without it. Decision mails on the way. A real SMTP server, both databases."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.inbox import valid_doc
from tests.support.portal import UNIT_A, Door, form_token, running_door, sign_in
from tests.support.smtp import Handler, smtp_server

Q = "2025Q3"


@pytest.fixture
def mail_door(
    tmp_path: Path, chiso_db: str, prefect_api: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Door, Handler]]:
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    inbox.mkdir()
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with smtp_server() as (url, server):
        monkeypatch.setenv("CHISO_SMTP_URL", url)
        monkeypatch.setenv("CHISO_MAIL_FROM", "chiso@so.tayninh.example")
        # http: the test client sends no Secure cookie
        monkeypatch.setenv("CHISO_PORTAL_URL", "http://cong.tayninh.example")
        with running_door(home, str(inbox), inbox) as d:
            yield d, server


def _completeness(door: Door) -> dict[str, str]:
    store = door.res.store
    version = json.loads(store.get(f"snapshots/{Q}/latest.json"))["version"]
    rows = csv.DictReader(
        io.StringIO(store.get(f"snapshots/{Q}/{version}/completeness.csv").decode())
    )
    return {r["unit_code"]: r["status"] for r in rows}


def _mails_to(server: Handler, email: str, count: int, timeout: float = 60) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mine = [r for r in server.got if r.to == [email]]
        if len(mine) >= count:
            return mine
        time.sleep(0.2)
    raise AssertionError(
        f"{email} got {[r.message['Subject'] for r in server.got if r.to == [email]]}"
    )


def test_an_officer_sends_a_report_back_and_the_unit_is_told(
    mail_door: tuple[Door, Handler],
) -> None:
    door, server = mail_door
    doc = json.dumps(valid_doc(UNIT_A, Q), ensure_ascii=False).encode()
    with door.client("a@x.vn") as a:
        sid = a.post(
            "/api/v1/submissions", data={"period": Q}, files={"file": ("báo cáo.json", doc)}
        ).json()["submission_id"]
    assert door.decided("a@x.vn", sid)["status"] == "accepted"
    assert door.decider.idle(120)
    (decision,) = _mails_to(server, "a@x.vn", 1)
    assert "accepted" in decision.message["Subject"]
    assert f"http://cong.tayninh.example/submissions/{sid}" in decision.body()
    assert not [r for r in server.got if r.to == ["b@x.vn"]]  # nothing of A's to B
    assert _completeness(door)[UNIT_A] in ("on_time", "late")
    reason = "Số liệu <b>doanh nghiệp</b> sai quý trước"
    with httpx.Client(base_url=door.url) as officer, httpx.Client(base_url=door.url) as unit:
        sign_in(officer, "o@x.vn")
        sign_in(unit, "a@x.vn")
        r = officer.get(f"/submissions/{sid}")
        assert r.status_code == 200, (r.status_code, r.text[:3000])
        csrf = form_token(officer, f"/submissions/{sid}")
        path = f"/submissions/{sid}/return"
        # a forged form, the unit itself, no reason: refused, nothing done
        assert officer.post(path, data={"reason": reason, "csrf": "x"}).status_code == 403
        unit_csrf = form_token(unit, "/")
        assert unit.post(path, data={"reason": reason, "csrf": unit_csrf}).status_code == 403
        assert officer.post(path, data={"reason": "  ", "csrf": csrf}).status_code == 400
        with door.client("a@x.vn") as a:
            assert a.get(f"/api/v1/submissions/{sid}").json()["status"] == "accepted"
        done = officer.post(path, data={"reason": reason, "csrf": csrf})
        assert done.status_code == 303
        # twice is refused: it is no longer accepted
        assert officer.post(path, data={"reason": reason, "csrf": csrf}).status_code == 400
        assert door.decider.idle(120)
        page = unit.get(f"/submissions/{sid}").text
        assert "Bị trả lại" in page and "Số liệu &lt;b&gt;doanh nghiệp&lt;/b&gt;" in page
        assert 'action="/submissions/' not in page  # the unit has no send-back form
    returned = _mails_to(server, "a@x.vn", 2)[-1]
    assert "trả lại" in returned.message["Subject"]
    assert reason in returned.body() and reason not in returned.body("html")
    assert "Số liệu &lt;b&gt;doanh nghiệp&lt;/b&gt;" in returned.body("html")
    assert _completeness(door)[UNIT_A] == "missing"
    with door.client("a@x.vn") as a:
        got = a.get(f"/api/v1/submissions/{sid}").json()
    assert got["status"] == "withdrawn" and got["withdrawn_reason"] == reason


def test_a_decision_is_mailed_to_the_unit_that_sent_it_and_no_other(
    mail_door: tuple[Door, Handler],
) -> None:
    """B sends a file that names A's unit: it is rejected, and the mail about it goes to
    B's accounts only (A learns nothing of B's file)."""
    door, server = mail_door
    doc = json.dumps(valid_doc(UNIT_A, Q), ensure_ascii=False).encode()
    with door.client("b@x.vn") as b:
        sid = b.post(
            "/api/v1/submissions", data={"period": Q}, files={"file": ("x.json", doc)}
        ).json()["submission_id"]
    assert door.decided("b@x.vn", sid)["status"] == "rejected"
    assert door.decider.idle(120)
    (mail,) = _mails_to(server, "b@x.vn", 1)
    assert "rejected" in mail.message["Subject"] and "error" in mail.message["Subject"]
    assert not [r for r in server.got if r.to != ["b@x.vn"]]
