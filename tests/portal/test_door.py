"""The door from the attacker's side: another unit's ids, forged forms, guessed passwords,
fixed sessions, used invitations, disabled accounts, markup; every response's headers."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import httpx

from tasks.accounts.signin import locked_until
from tests.support.inbox import valid_doc
from tests.support.portal import PASSWORD, UNIT_A, UNIT_B, Door, form_token, sign_in

Q = "2025Q3"


def _doc(unit: str, **changes: object) -> bytes:
    return json.dumps({**valid_doc(unit), **changes}, ensure_ascii=False).encode()


def _sent(door: Door, email: str, unit: str, **changes: object) -> str:
    with door.client(email) as c:
        r = c.post(
            "/api/v1/submissions",
            data={"period": Q},
            files={"file": ("r.json", _doc(unit, **changes))},
        )
        assert r.status_code == 202, r.text
        return str(r.json()["submission_id"])


def test_a_unit_reaches_its_own_unit_and_nothing_else(door: Door) -> None:
    mine = _sent(door, "a@x.vn", UNIT_A)
    # B's file naming A's unit lands in B's folder, and is rejected by the path rule
    forged = _sent(door, "b@x.vn", UNIT_A)
    assert door.decided("a@x.vn", mine)["status"] == "accepted"
    doc = door.decided("b@x.vn", forged)
    assert doc["status"] == "rejected" and "path_mismatch" in {p["code"] for p in doc["problems"]}
    assert doc["unit_code"] == UNIT_B
    assert (door.inbox / UNIT_B / Q / "r.json").exists() and not (
        door.inbox / UNIT_A / Q / "r (2).json"
    ).exists()
    with door.client("b@x.vn") as b:
        for path in (
            f"/api/v1/submissions/{mine}",
            f"/api/v1/periods?unit={UNIT_A}",
            f"/api/v1/template?period={Q}&unit={UNIT_A}",
            f"/api/v1/template?period={Q}&unit=0{UNIT_A}",  # leading zeros name the same unit
        ):
            assert b.get(path).status_code == 404, path
        assert b.get(f"/api/v1/submissions/{forged}").status_code == 200
    with door.client("o@x.vn") as o:  # an officer sees every unit
        assert o.get(f"/api/v1/submissions/{mine}").json()["status"] == "accepted"
        assert o.get(f"/api/v1/periods?unit={UNIT_B}").status_code == 200
    # pages: B's session gets A's submission page as unknown
    with httpx.Client(base_url=door.url) as page:
        sign_in(page, "a@x.vn")
        assert page.get(f"/submissions/{mine}").status_code == 200
    door.res.engine  # noqa: B018
    from tasks.accounts.store import accept_invitation

    accept_invitation(door.res.engine, door.invites["b@x.vn"], PASSWORD)
    with httpx.Client(base_url=door.url) as page:
        assert sign_in(page, "b@x.vn").status_code == 303
        assert page.get(f"/submissions/{mine}").status_code == 404


def test_a_disabled_account_and_an_old_token_are_refused_at_once(door: Door) -> None:
    from tasks.accounts.store import disable, issue_token

    old = door.tokens["a@x.vn"]
    with httpx.Client(base_url=door.url) as page:
        assert sign_in(page, "a@x.vn").status_code == 303
        assert page.get("/").status_code == 200
        door.tokens["a@x.vn"] = issue_token(door.res.engine, "a@x.vn")
        r = httpx.get(door.url + "/api/v1/me", headers={"Authorization": f"Bearer {old}"})
        assert r.status_code == 401
        with door.client("a@x.vn") as c:
            assert c.get("/api/v1/me").status_code == 200
        disable(door.res.engine, "a@x.vn")
        with door.client("a@x.vn") as c:
            assert c.get("/api/v1/me").status_code == 401
        assert page.get("/api/v1/me").status_code == 401
        r = page.get("/")
        assert r.status_code == 303 and r.headers["location"] == "/signin"


def test_forms_need_their_csrf_token(door: Door) -> None:
    with httpx.Client(base_url=door.url) as page:
        form_token(page, "/signin")
        r = page.post("/signin", data={"email": "a@x.vn", "password": PASSWORD})
        assert r.status_code == 403
        r = page.post("/signin", data={"email": "a@x.vn", "password": PASSWORD, "csrf": "forged"})
        assert r.status_code == 403
        assert sign_in(page, "a@x.vn").status_code == 303
        # the session's API calls that change something need X-CSRF-Token
        files = {"file": ("r.json", _doc(UNIT_A))}
        r = page.post("/api/v1/submissions", data={"period": Q}, files=files)
        assert r.status_code == 403 and r.json()["error"] == "csrf"
        r = page.post("/send", data={"period": Q, "csrf": "forged"}, files=files)
        assert r.status_code == 403
        token = form_token(page, "/send")
        r = page.post(
            "/api/v1/submissions", data={"period": Q}, files=files, headers={"X-CSRF-Token": token}
        )
        assert r.status_code == 202
        assert page.post("/signout", data={}).status_code == 403
        assert page.post("/signout", data={"csrf": token}).status_code == 303
        assert page.get("/api/v1/me").status_code == 401
    assert not any(p.name == "r (2).json" for p in door.inbox.rglob("*"))


def test_sign_in_gives_a_new_session_and_cookies_are_guarded(door: Door) -> None:
    with httpx.Client(base_url=door.url) as page:
        page.cookies.set("chiso_session", "fixed-by-an-attacker")
        r = sign_in(page, "a@x.vn")
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
        assert "Secure" not in cookie  # the portal's address is http here
        found = re.search(r"chiso_session=([^;]+)", cookie)
        assert found and found[1] != "fixed-by-an-attacker"
        with httpx.Client(base_url=door.url) as other:
            sign_in(other, "a@x.vn")
            assert other.cookies.get("chiso_session") not in (found[1], None)


def test_the_sixth_guess_is_refused_even_when_right(door: Door) -> None:
    with httpx.Client(base_url=door.url) as page:
        codes = [sign_in(page, "a@x.vn", f"wrong guess {i}").status_code for i in range(5)]
        assert codes == [401] * 5
        assert sign_in(page, "a@x.vn").status_code == 429  # the right password, locked
        assert sign_in(page, "a@x.vn", "wrong again!!").status_code == 429
        assert sign_in(page, "o@x.vn").status_code == 303  # another address is not locked


def test_the_lock_runs_15_minutes_from_the_fifth_and_is_not_extended() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    minutes = [timedelta(minutes=m) for m in (0, 1, 2, 3, 14)]
    assert locked_until([t0 + m for m in minutes]) == t0 + timedelta(minutes=29)
    assert locked_until([t0 + m for m in (*minutes[:4], timedelta(minutes=16))]) is None
    during = [t0 + m for m in minutes] + [t0 + timedelta(minutes=20)]  # not recorded, ignored
    assert locked_until(during) == t0 + timedelta(minutes=29)


def test_an_invitation_works_once_and_not_after_7_days(door: Door) -> None:
    from sqlmodel import Session

    from models.account import Invitation
    from tasks.accounts.secrets import token_hash
    from tasks.accounts.store import invite

    token = door.invites["b@x.vn"]
    with httpx.Client(base_url=door.url) as page:
        assert page.get("/invite/nope").status_code == 404
        csrf = form_token(page, f"/invite/{token}")
        short = page.post(
            f"/invite/{token}", data={"password": "short", "again": "short", "csrf": csrf}
        )
        assert short.status_code == 400
        ok = page.post(
            f"/invite/{token}", data={"password": PASSWORD, "again": PASSWORD, "csrf": csrf}
        )
        assert ok.status_code == 303
        assert page.get(f"/invite/{token}").status_code == 404  # used
        assert sign_in(page, "b@x.vn").status_code == 303
    late = invite(door.res.engine, "b@x.vn")
    with Session(door.res.engine) as s:
        row = s.get(Invitation, token_hash(late))
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        s.add(row)
        s.commit()
    assert httpx.get(f"{door.url}/invite/{late}").status_code == 404


def test_markup_from_a_file_is_escaped_and_headers_are_on_every_response(door: Door) -> None:
    evil = "<script>alert(1)</script>"
    sid = _sent(
        door,
        "a@x.vn",
        UNIT_A,
        reported_by=evil,
        enterprises=[{"tax_code": evil, "name": evil, "type": evil, "status": "active"}],
    )
    door.decided("a@x.vn", sid)
    with httpx.Client(base_url=door.url) as page:
        sign_in(page, "a@x.vn")
        html = page.get(f"/submissions/{sid}").text
        assert "<script>" not in html and "&lt;script&gt;" in html
        for path in (
            "/",
            f"/submissions/{sid}",
            "/send",
            "/nope",
            "/api/v1/me",
            "/healthz",
            "/static/portal.css",
            "/signin",
        ):
            r = page.get(path)
            csp = r.headers.get("content-security-policy", "")
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
            assert r.headers.get("x-content-type-options") == "nosniff", path
            assert r.headers.get("referrer-policy") == "same-origin", path
            assert not re.search(r"Traceback|/work/|\.py\b", r.text), path
