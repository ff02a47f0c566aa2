"""Web pages for people (Vietnamese first, English alongside), working without script."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from models.account import Role
from models.periods import latest_due, local_text
from portal import submissions
from portal.api import accept, received_form
from portal.auth import FORM_COOKIE, SESSION_COOKIE, Caller, caller, form_ok, portal
from portal.errors import PortalError
from portal.periods import UnitPeriod, may_send, unit_periods
from tasks.accounts.secrets import new_token
from tasks.accounts.signin import Locked, sign_in, sign_out
from tasks.accounts.store import AccountError, accept_invitation, invitation
from tasks.publish import completeness, queries
from tasks.templates import local_moment

router = APIRouter()
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.filters["local"] = local_moment
STATUS_VI = {
    "on_time": "Đúng hạn",
    "late": "Trễ hạn",
    "missing": "Chưa nộp",
    "pending": "Chưa đến hạn nộp",
    "not_due": "Kỳ chưa kết thúc",
    "received": "Đã nhận, đang xử lý",
    "accepted": "Đã tiếp nhận",
    "rejected": "Bị từ chối",
    "superseded": "Đã được thay thế",
    "withdrawn": "Bị trả lại",
    "checked": "Kết quả kiểm tra",
}
TEMPLATES.env.globals["status_vi"] = STATUS_VI


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    found = context.pop("caller", None) or caller(request)
    context |= {"me": found.who if found else None, "csrf": found.csrf if found else None}
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status)


def _form_page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page with a form shown before a session exists: its CSRF token in a cookie."""
    token = request.cookies.get(FORM_COOKIE) or new_token()
    response = _page(request, name, status, form_csrf=token, **context)
    response.set_cookie(
        FORM_COOKIE, token, httponly=True, samesite="lax", secure=portal(request).secure
    )
    return response


def _signed_in(request: Request) -> Caller:
    found = caller(request)
    if found is None or found.csrf is None:
        raise PortalError("unauthenticated")
    return found


def error_page(request: Request, exc: PortalError) -> HTMLResponse:
    return _page(request, "error.html", exc.status_code, error=exc.body())


@router.get("/signin")
def signin_form(request: Request) -> HTMLResponse:
    return _form_page(request, "signin.html")


@router.post("/signin")
def signin(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    csrf: str = Form(""),
) -> Response:
    if not form_ok(request, csrf, None):
        raise PortalError("csrf")
    try:
        signed = sign_in(portal(request).engine, email[:254], password[:1024])
    except Locked as exc:
        return _form_page(request, "signin.html", 429, locked=local_text(exc.until))
    if signed is None:
        return _form_page(request, "signin.html", 401, failed=True)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed.session_id,  # a new id at every sign-in: no session is fixed beforehand
        httponly=True,
        samesite="lax",
        secure=portal(request).secure,
    )
    return response


@router.post("/signout")
def signout(request: Request, csrf: str = Form("")) -> Response:
    found = _signed_in(request)
    if not form_ok(request, csrf, found.csrf):
        raise PortalError("csrf")
    sign_out(portal(request).engine, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/invite/{token}")
def invite_form(request: Request, token: str) -> HTMLResponse:
    who = invitation(portal(request).engine, token[:100])
    if who is None:
        raise PortalError("not_found", "this invitation is unknown, used or expired")
    return _form_page(request, "invite.html", who=who, token=token)


@router.post("/invite/{token}")
def invite(
    request: Request,
    token: str,
    password: str = Form(""),
    again: str = Form(""),
    csrf: str = Form(""),
) -> Response:
    if not form_ok(request, csrf, None):
        raise PortalError("csrf")
    p = portal(request)
    who = invitation(p.engine, token[:100])
    if who is None:
        raise PortalError("not_found", "this invitation is unknown, used or expired")
    if password != again:
        return _form_page(request, "invite.html", 400, who=who, token=token, failed="mismatch")
    try:
        accept_invitation(p.engine, token[:100], password[:1024])
    except AccountError:
        return _form_page(request, "invite.html", 400, who=who, token=token, failed="short")
    return RedirectResponse("/signin?welcome=1", status_code=303)


@router.get("/")
def home(request: Request) -> HTMLResponse:
    found = _signed_in(request)
    p = portal(request)
    if found.who.role == Role.UNIT and found.who.unit_code:
        unit = p.units.get(found.who.unit_code)
        mine = unit_periods(p.engine, p.units, found.who.unit_code, p.open_days, p.timely_days)
        return _page(request, "home_unit.html", caller=found, unit=unit, periods=mine)
    now = datetime.now(UTC)
    quarter = latest_due(p.timely_days, now)
    _, facts = queries.quarter_data(p.engine, str(quarter))
    rows = completeness.quarter_rows(quarter, p.units.expected(quarter), facts, p.timely_days, now)
    totals = completeness.by_group(rows, p.groups(quarter))
    return _page(
        request, "home_officer.html", caller=found, quarter=quarter, rows=rows, totals=totals
    )


def _periods(request: Request, found: Caller) -> list[Any]:
    p = portal(request)
    if found.who.unit_code is None:
        return []
    rows = unit_periods(p.engine, p.units, found.who.unit_code, p.open_days, p.timely_days)
    return [r for r in rows if r.status != "not_due"]


@router.get("/send")
@router.get("/check")
def send_form(request: Request, period: str = "") -> HTMLResponse:
    found = _signed_in(request)
    if found.who.role != Role.UNIT:
        raise PortalError("forbidden", "an officer sends for no unit")
    action = request.url.path.strip("/")
    choices = _periods(request, found)
    unit = portal(request).units.get(found.who.unit_code or "")
    asked = period[:16]
    if unit and asked and asked not in {c.period for c in choices}:
        try:  # an older quarter the unit may still send for (a late report, a correction)
            p = may_send(unit, asked)
            due = p.due_date(portal(request).timely_days)
            choices.append(UnitPeriod(str(p), due, "", None, 0))
            asked = str(p)
        except ValueError:
            asked = ""
    return _page(request, "send.html", caller=found, action=action, period=asked, periods=choices)


@router.post("/send")
async def send(request: Request) -> Response:
    found = _signed_in(request)
    p = portal(request)
    unit, period, got = await received_form(request, found)
    assert got.path is not None and got.filename is not None
    if not form_ok(request, got.fields.get("csrf"), found.csrf):
        got.discard()
        raise PortalError("csrf")
    sid = await run_in_threadpool(accept, p, unit, period, got)
    return RedirectResponse(f"/submissions/{sid}", status_code=303)


@router.post("/check")
async def check(request: Request) -> Response:
    found = _signed_in(request)
    p = portal(request)
    unit, period, got = await received_form(request, found)
    assert got.path is not None and got.filename is not None
    try:
        if not form_ok(request, got.fields.get("csrf"), found.csrf):
            raise PortalError("csrf")
        data = got.path.read_bytes()
    finally:
        got.discard()
    doc = await run_in_threadpool(p.checker.check, unit, str(period), got.filename, data)
    return _page(request, "submission.html", caller=found, doc=doc, earlier=[], refresh=False)


@router.get("/submissions/{sid}")
def submission(request: Request, sid: str) -> HTMLResponse:
    found = _signed_in(request)
    p = portal(request)
    sub = submissions.visible(p, found.who, sid)
    doc = submissions.report(p, sub)
    unit = submissions.owner(p, sub)
    period = sub.period or sub.path_period
    earlier = (
        [s for s in submissions.for_period(p, unit, period) if s.id != sub.id]
        if unit and period
        else []
    )
    return _page(
        request,
        "submission.html",
        caller=found,
        doc=doc,
        sub=sub,
        earlier=earlier,
        refresh=sub.status == "received",
    )


@router.post("/submissions/{sid}/return")
def send_back(request: Request, sid: str, reason: str = Form(""), csrf: str = Form("")) -> Response:
    """An officer sends an accepted submission back to its unit with a reason: withdrawn,
    its quarter republished, the unit's accounts told by mail (contract section 9)."""
    found = _signed_in(request)
    if not form_ok(request, csrf, found.csrf):
        raise PortalError("csrf")
    if found.who.role != Role.OFFICER:
        raise PortalError("forbidden", "only the province's officer sends a report back")
    p = portal(request)
    sub = submissions.visible(p, found.who, sid)
    text = " ".join(reason.split())[:1000]
    if not text:
        raise PortalError("bad_request", "say why the report is sent back")
    if sub.status not in ("accepted", "superseded"):
        raise PortalError("bad_request", f"the submission is {sub.status}, not accepted")
    p.send_back(sub.id, text)
    return RedirectResponse(f"/submissions/{sub.id}", status_code=303)
