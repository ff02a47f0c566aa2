"""The JSON API (``/api/v1``) and ``/healthz`` (contract section 8)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from models.account import Role
from models.periods import Period
from portal import submissions
from portal.auth import Caller, api_caller, portal, unit_of
from portal.context import Portal
from portal.errors import PortalError
from portal.periods import may_send, unit_periods
from portal.upload import receive
from tasks.intake.parse import file_format
from tasks.intake.template import build_workbook
from tasks.intake.upload import UploadError, place_file, register_placed, safe_name

router = APIRouter()
Who_ = Annotated[Caller, Depends(api_caller)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/healthz")
def healthz(request: Request) -> dict[str, str]:
    """200 when the database and the object store answer."""
    from sqlalchemy import text

    p = portal(request)
    try:
        with p.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        list(p.store.list_keys("snapshots/index.json"))
    except Exception as exc:
        raise PortalError("unavailable", "database or object store not answering") from exc
    return {"status": "ok"}


@router.get("/api/v1/me")
def me(c: Who_) -> dict[str, Any]:
    return {
        "email": c.who.email,
        "role": c.who.role,
        "unit_code": c.who.unit_code,
        "name": c.who.name,
    }


@router.get("/api/v1/periods")
def periods(request: Request, c: Who_, unit: str | None = None) -> list[dict[str, object]]:
    p = portal(request)
    code = unit_of(c.who, unit, p)
    return [x.as_json() for x in unit_periods(p.engine, p.units, code, p.open_days, p.timely_days)]


async def received_form(request: Request, c: Caller) -> tuple[str, Period, Any]:
    """A unit's form (period, file), checked; 403 for an officer."""
    p = portal(request)
    if c.who.role != Role.UNIT or c.who.unit_code is None:
        raise PortalError("forbidden", "an officer sends for no unit")
    unit = p.units.get(c.who.unit_code)
    if unit is None:
        raise PortalError("forbidden")
    got = await receive(request, p, unit.code)
    try:
        if got.path is None or got.filename is None:
            raise PortalError("bad_file", "no file sent (field 'file')")
        try:
            period = may_send(unit, got.fields.get("period", ""))
        except ValueError as exc:
            raise PortalError("bad_period", str(exc)) from None
        try:
            got.filename = safe_name(got.filename)
        except UploadError as exc:
            raise PortalError("bad_file", str(exc)) from None
        if file_format(got.filename) == "other":
            raise PortalError("bad_file", "send an .xlsx workbook or a .json document")
    except PortalError:
        got.discard()
        raise
    return unit.code, period, got


@router.post("/api/v1/submissions", status_code=202)
async def send(request: Request, c: Who_) -> dict[str, str]:
    """Write the file to the first source as ``<unit>/<period>/<name>``, register it, and
    have it decided now."""
    p = portal(request)
    unit, period, got = await received_form(request, c)
    sid = await run_in_threadpool(accept, p, unit, period, got)
    return {"submission_id": sid, "status": "received"}


def accept(p: Portal, unit: str, period: Period, got: Any) -> str:
    """Place a received file in the first source, register it, and have it decided now;
    its submission id. Blocking (file system, database, object store): run off the loop."""
    assert got.path is not None and got.filename is not None
    try:
        name = place_file(p.source, unit, str(period), got.filename, got.path)
        registered = register_placed(
            p.source, f"{unit}/{period}/{name}", p.store, p.engine, p.max_file_bytes
        )
    except UploadError as exc:
        got.discard()
        raise PortalError("bad_file", str(exc)) from None
    p.decide([registered])
    return registered.submission_id


@router.get("/api/v1/submissions/{sid}")
def submission(request: Request, sid: str, c: Who_) -> dict[str, Any]:
    p = portal(request)
    return submissions.report(p, submissions.visible(p, c.who, sid))


@router.post("/api/v1/check")
async def check(request: Request, c: Who_) -> dict[str, Any]:
    """The feedback report the file would get; nothing archived, recorded or published."""
    p = portal(request)
    unit, period, got = await received_form(request, c)
    assert got.path is not None and got.filename is not None
    try:
        data = got.path.read_bytes()
    finally:
        got.discard()
    return await run_in_threadpool(p.checker.check, unit, str(period), got.filename, data)


@router.get("/api/v1/template")
def template(
    request: Request,
    c: Who_,
    period: Annotated[str, Query()] = "",
    unit: str | None = None,
) -> Response:
    p = portal(request)
    code = unit_of(c.who, unit, p)
    found = p.units.get(code)
    assert found is not None
    quarter = Period.try_parse(period)
    if quarter is None or not found.valid_on(quarter.last_day):
        raise PortalError("bad_period", f"{period[:40]!r} for unit {code}")
    data = build_workbook(found, quarter, p.figures)
    name = f"{code}_{quarter}.xlsx"
    return Response(
        data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def error_response(exc: PortalError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status_code)
